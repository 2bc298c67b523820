"""The feature modules whose handlers register into the router; importing this loads them all."""

from handlers import bulletins, chart_queries, corrections, help, office, owners, projects, queries, reports  # noqa: F401
from handlers.registry import router

__all__ = ["router"]
