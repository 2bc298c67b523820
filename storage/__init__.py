"""Persistence: tables, sessions, repositories with intent-named methods, ranking queries."""
