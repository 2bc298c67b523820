"""The feature modules whose handlers register into the router; importing this loads them all."""

from handlers.core.registry import router
from handlers.office import bulletins, chart_queries, help, queries, review  # noqa: F401
from handlers.project_base import owners, projects  # noqa: F401
from handlers.reporting import corrections, evidence, reports  # noqa: F401

__all__ = ["router"]
