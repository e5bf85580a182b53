"""Django's PostgreSQL backend with a health check that gives up (see base.py)."""
