"""The composition root for everything that is not the web app: engine, migrations, the core Bot."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.settings import Settings
from handlers.core.rules import Rules
from handlers.dispatch import Bot
from storage.db import make_engine, migrate
from storage.store import derive_projects


def rules_of(settings: Settings) -> Rules:
    return Rules(
        schedule=settings.schedule, reporting=settings.reporting, scoring=settings.scoring, counting=settings.counting,
        packaging=settings.packaging,
        documents=settings.documents, county=settings.county,
    )


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    bot: Bot

    @property
    def rules(self) -> Rules:
        return self.bot.rules


def build_runtime(settings: Settings, engine: Engine | None = None) -> Runtime:
    """Connect, migrate to the newest schema, and build the Bot."""
    engine = engine or make_engine(settings.database.url, settings.database.echo)
    migrate(engine)
    derive_projects(engine)
    return Runtime(settings=settings, engine=engine, bot=Bot(engine, rules_of(settings)))
