"""Queries (placeholder, replaced by the assessment work)."""
