"""What a handler gets besides the parse result: who is speaking, when, and the repositories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from handlers.core.messages import Incoming
from handlers.core.rules import Rules
from storage.models import Member, Role, Unit
from storage.store import Store


@dataclass(frozen=True, slots=True)
class Context:
    store: Store
    member: Member
    unit: Unit | None
    incoming: Incoming
    rules: Rules
    message_id: int | None = None

    @property
    def at(self) -> datetime:
        return self.incoming.at

    @property
    def local_at(self) -> datetime:
        return self.incoming.at.astimezone(self.rules.schedule.tz)

    @property
    def today(self) -> date:
        return self.local_at.date()

    @property
    def role(self) -> Role:
        return Role(self.member.role)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
