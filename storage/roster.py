"""Units and members: who may report, for which unit, in which role."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.models import Member, Role, Unit


class Roster:
    def __init__(self, session: Session) -> None:
        self.session = session
        #: The units as this unit of work read them (a report's checks ask more than once).
        self._units: Sequence[Unit] | None = None

    def member(self, userid: str) -> Member | None:
        return self.session.get(Member, userid)

    def member_with_unit(self, userid: str) -> tuple[Member | None, Unit | None]:
        """The sender and their unit in one read (every handled message needs both)."""
        found = self.session.exec(
            select(Member, Unit).outerjoin(Unit, col(Member.unit_id) == col(Unit.id)).where(Member.userid == userid)
        ).first()
        return (None, None) if found is None else (found[0], found[1])

    def unit(self, unit_id: int) -> Unit | None:
        return self.session.get(Unit, unit_id)

    def unit_named(self, name: str) -> Unit | None:
        return self.session.exec(select(Unit).where(Unit.name == name)).first()

    def units(self) -> Sequence[Unit]:
        """Every unit, by id; read once per unit of work (`ensure_unit` reads them again)."""
        if self._units is None:
            self._units = self.session.exec(select(Unit).order_by(col(Unit.id))).all()
        return self._units

    def members(self) -> Sequence[Member]:
        return self.session.exec(select(Member).order_by(col(Member.userid))).all()

    def members_of(self, unit_id: int, role: Role | None = None) -> Sequence[Member]:
        query = select(Member).where(Member.unit_id == unit_id)
        if role is not None:
            query = query.where(Member.role == role.value)
        return self.session.exec(query.order_by(col(Member.userid))).all()

    def userids_of(self, unit_ids: Sequence[int], roles: Sequence[Role]) -> list[str]:
        """The userids of the units' members in `roles`, in one query (unit order, then role order, then userid)."""
        if not unit_ids or not roles:
            return []
        found = self.session.exec(
            select(Member).where(col(Member.unit_id).in_(list(unit_ids)), col(Member.role).in_([r.value for r in roles]))
        ).all()
        unit_rank: dict[int | None, int] = {uid: i for i, uid in enumerate(unit_ids)}
        role_rank = {r.value: i for i, r in enumerate(roles)}
        ordered = sorted(found, key=lambda m: (unit_rank[m.unit_id], role_rank[m.role], m.userid))
        return [m.userid for m in ordered]

    def ensure_unit(self, name: str) -> Unit:
        unit = self.unit_named(name)
        if unit is None:
            unit = Unit(name=name, created_at=utcnow())
            self.session.add(unit)
            self.session.flush()
            self._units = None
        return unit

    def upsert_member(
        self, userid: str, name: str, role: Role, unit_name: str | None, mobile: str | None
    ) -> tuple[Member, bool]:
        """Create or update a member by userid; returns (member, created)."""
        unit_id = self.ensure_unit(unit_name).id if unit_name else None
        member = self.member(userid)
        created = member is None
        if member is None:
            member = Member(userid=userid, name=name, updated_at=utcnow())
        member.name, member.role, member.unit_id, member.mobile = name, role.value, unit_id, mobile
        member.updated_at = utcnow()
        self.session.add(member)
        self.session.flush()
        return member, created
