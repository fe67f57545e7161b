"""Watchlist import: format importers (a plug-in registry), URL fetching and the shared loader."""
