"""Maintenance scripts: run by hand, never imported by the app (see each one's docstring)."""
