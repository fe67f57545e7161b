"""Audit reports (HTML and PDF) and portfolio exports (CSV, XLSX, JSON)."""
