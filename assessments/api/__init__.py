"""ukcn's REST API (v1): serializers and views over the same functions as the web UI."""
