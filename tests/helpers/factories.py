"""Small async helpers that make database rows for tests. They add and flush, never commit.

    async with db.write() as session:
        call = await make_call(session, urgency="emergency")
        referral = await make_referral(session, call, agency_code="ca-xa-dak-to")

The areas, lines and agencies of the shipped rules are mirrored into the database the first
time they are needed (foreign keys), via hotline.rules.jurisdiction.sync.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.models import Call, CallCategory, Line, Person, Referral, User
from hotline.rules.jurisdiction import sync
from hotline.rules.ruleset import RuleSet, load_ruleset
from hotline.settings import PROJECT_ROOT

T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # the same instant as conftest's clock
_seq = itertools.count(1)

NARRATIVE = (
    "Chị Lan gọi báo cháu Hoa, 9 tuổi, ở thôn 3 xã Tân Cảnh bị bố dượng đánh nhiều lần, "
    "trên tay có vết bầm."
)


@lru_cache(maxsize=1)
def shipped_rules() -> RuleSet:
    return load_ruleset(PROJECT_ROOT / "routing_rules")


async def ensure_jurisdiction(session: AsyncSession, ruleset: RuleSet | None = None) -> None:
    """Mirror areas, lines and agencies once per database."""
    if await session.scalar(select(Line.code).limit(1)) is None:
        await sync(session, ruleset or shipped_rules())


async def make_call(
    session: AsyncSession,
    *,
    ruleset: RuleSet | None = None,
    people: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> Call:
    await ensure_jurisdiction(session, ruleset)
    n = next(_seq)
    at = overrides.pop("received_at", T0)
    values: dict[str, Any] = {
        "reference": f"T-{n:06d}",
        "line_code": "111",
        "received_at": at,
        "logged_at": at,
        "updated_at": at,
        "caller_name": "Nguyễn Thị Lan",
        "caller_phone": "0912 345 678",
        "caller_phone_e164": "+84912345678",
        "caller_relation": "neighbour",
        "area_code": "qn-dak-to",
        "address": "Thôn 3, xã Tân Cảnh",
        "narrative": NARRATIVE,
        "categories": ["child_abuse"],
        "subcategories": ["physical_violence"],
        "urgency": "high",
        "needs": ["medical"],
        "status": "open",
    }
    values.update(overrides)
    call = Call(**values)
    session.add(call)
    await session.flush()
    wanted = [{"name": "Trần Thị Hoa", "age": 9, "sex": "female"}] if people is None else people
    for position, person in enumerate(wanted):
        session.add(Person(call_id=call.id or 0, position=position, **person))
    await session.flush()
    return call


async def make_referral(
    session: AsyncSession,
    call: Call,
    *,
    agency_code: str = "so-y-te-quang-ngai",
    ruleset: RuleSet | None = None,
    **overrides: Any,
) -> Referral:
    rules = ruleset or shipped_rules()
    await ensure_jurisdiction(session, rules)
    created = overrides.pop("created_at", call.logged_at)
    values: dict[str, Any] = {
        "call_id": call.id,
        "agency_code": agency_code,
        "agency_kind": rules.agencies[agency_code].kind
        if agency_code in rules.agencies
        else "child_protection",
        "rule_id": "test-rule",
        "ruleset_version": rules.version,
        "status": "pending",
        "created_at": created,
        "ack_due_at": created + timedelta(hours=1),
        "resolve_due_at": created + timedelta(days=5),
    }
    values.update(overrides)
    referral = Referral(**values)
    session.add(referral)
    if call.status == "open":
        call.status = "referred"
    await session.flush()
    return referral


async def make_user(session: AsyncSession, **overrides: Any) -> User:
    n = next(_seq)
    values: dict[str, Any] = {
        "username": f"user{n}",
        "display_name": f"Người dùng {n}",
        "role": "supervisor",
        "email": f"user{n}@hotline.example",
        "created_at": T0,
    }
    values.update(overrides)
    if values.get("agency_code"):
        await ensure_jurisdiction(session)
    user = User(**values)
    session.add(user)
    await session.flush()
    return user


async def add_call(session, **values):  # type: ignore[no-untyped-def]
    """make_call plus the call_category rows intake writes."""
    call = await make_call(session, **values)
    for code in {*call.categories, *call.subcategories}:
        session.add(CallCategory(call_id=call.id, code=code))
    await session.flush()
    return call
