"""The outbox: notifications written in the caller's transaction, sent later by the worker.

Data functions only: they add and flush, never commit, so a call, its referrals and their
notifications commit together or not at all. The payload is rendered here, once: every retry
sends the same content. The notification id is the idempotency key: the channel adds it when
it sends (the e-mail's Message-ID and reference line, the webhook document's
`notification_id`), so no id is known or reserved before the row is inserted. Personal data
goes only to channels marked `secure: true` (DOMAIN.md, data protection).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.db.engine import insert_ids
from hotline.models import Call, Notification, Person, Referral, TimelineEvent, User, table_of
from hotline.notify.render import local_time, render_email, render_sms
from hotline.referrals.links import ack_url, make_ack_token, referral_url
from hotline.rules.ruleset import RuleSet
from hotline.rules.schema import AgencyDef
from hotline.settings import Settings

SYSTEM = "system"


class OutboxError(ValueError):
    """A notification that cannot be re-sent (unknown, or not a dead letter)."""


def agency_reachable(agency: AgencyDef) -> bool:
    """False when an agency has no channel at all: escalate at once, do not wait (OnCall #1326)."""
    return bool(agency.channels)


def call_url(base_url: str, call_id: int) -> str:
    return f"{base_url.rstrip('/')}/calls/{call_id}"


async def enqueue_for_referral(
    session: AsyncSession,
    *,
    call: Call,
    referral: Referral,
    agency: AgencyDef,
    ruleset: RuleSet,
    settings: Settings,
    now: datetime,
    purpose: str = "referral",
    detail: dict[str, Any] | None = None,
) -> list[Notification]:
    """One outbox row per channel of the agency; [] (and a timeline note) when it has none."""
    assert call.id is not None and referral.id is not None, "flush the call and referral first"
    if not agency_reachable(agency):
        session.add(
            TimelineEvent(
                call_id=call.id,
                referral_id=referral.id,
                at=now,
                kind="unreachable",
                actor=SYSTEM,
                detail={"agency": agency.code, "reason": "no_channel"},
            )
        )
        await session.flush()
        return []
    # A batch of one: the same rows, content and timeline as the escalation sweep writes.
    batch = OutboxBatch(session, ruleset=ruleset, settings=settings, now=now)
    ids = batch.for_referral(
        call=call, referral=referral, agency=agency, purpose=purpose, detail=detail
    )
    await batch.write()
    found = await session.scalars(
        select(Notification).where(col(Notification.id).in_(ids)).order_by(col(Notification.id))
    )
    return list(found.all())


# --- many at once (the escalation sweep) ---------------------------------------------------


class OutboxBatch:
    """Notifications for many referrals and users, written together.

    for_referral: the same rows, content, "notified" timeline rows and id order as calling
    enqueue_for_referral in turn; for_users: e-mail to users (supervisors: an escalation, no
    free bed...). In a fixed number of statements whatever the number of notifications: one
    INSERT ... RETURNING id, one query for the people of calls with a secure channel (none
    when the caller hands them in) and one INSERT for the timeline. The per-row ORM flushes
    cost most of an escalation sweep.

    The id lists handed out are filled by write(); anything that reads them (timeline rows
    written later in the same transaction) must wait for it.
    """

    def __init__(
        self, session: AsyncSession, *, ruleset: RuleSet, settings: Settings, now: datetime
    ) -> None:
        self.session, self.ruleset, self.settings, self.now = session, ruleset, settings, now
        self._rows: list[dict[str, Any]] = []
        self._builders: list[Callable[[], dict[str, Any]]] = []  # payload, once people are known
        self._targets: list[list[int]] = []  # the id list of the caller, per row
        self._timeline: list[dict[str, Any]] = []
        self._people_of: set[int] = set()  # calls whose people go to a secure channel
        self._people: dict[int, list[Person]] = {}
        self._call_contexts: dict[int, dict[str, Any]] = {}

    def _call_context(self, call: Call) -> dict[str, Any]:
        """call_context() once per call: a call's referrals share it (copied by each)."""
        assert call.id is not None
        found = self._call_contexts.get(call.id)
        if found is None:
            found = self._call_contexts[call.id] = call_context(call, self.ruleset, self.settings)
        return found

    def _add(
        self, row: dict[str, Any], ids: list[int], build: Callable[[], dict[str, Any]]
    ) -> None:
        self._rows.append(
            {**row, "payload": {}, "created_at": self.now, "next_attempt_at": self.now}
        )
        self._targets.append(ids)
        self._builders.append(build)

    def note(self, row: dict[str, Any]) -> None:
        """A timeline row (a dict of its columns) to write with the batch, in this order."""
        self._timeline.append(row)

    def for_referral(
        self,
        *,
        call: Call,
        referral: Referral,
        agency: AgencyDef,
        purpose: str = "referral",
        detail: dict[str, Any] | None = None,
        people: list[Person] | None = None,
    ) -> list[int]:
        """One row per channel of a reachable agency (the caller checks reachability).
        `people`: the call's people when the caller has them (else read if a secure channel
        needs them)."""
        assert call.id is not None and referral.id is not None
        assert agency_reachable(agency), "an unreachable agency goes through enqueue_for_referral"
        call_id = call.id  # narrowed to int, for build() below
        if people is not None:
            self._people.setdefault(call_id, people)
        base = referral_context(
            call,
            referral,
            agency,
            self.ruleset,
            self.settings,
            now=self.now,
            detail=detail,
            call_ctx=self._call_context(call),
        )
        ids: list[int] = []
        for channel in agency.channels:
            if channel.secure:
                self._people_of.add(call_id)

            def build(secure: bool = channel.secure, kind: str = channel.type) -> dict[str, Any]:
                context = {
                    **base,
                    **(personal_context(call, self._people[call_id]) if secure else {}),
                }
                context["secure"] = secure
                context["purpose"] = purpose
                payload = _payload(kind, purpose, "referral", context)
                return {"agency": agency.code, **payload}

            row = {
                "referral_id": referral.id,
                "call_id": call.id,
                "purpose": purpose,
                "channel": channel.type,
                "address": channel.address,
                "secure": channel.secure,
            }
            self._add(row, ids, build)
        self._timeline.append(
            {
                "call_id": call.id,
                "referral_id": referral.id,
                "at": self.now,
                "kind": "notified",
                "actor": SYSTEM,
                "detail": {
                    "agency": agency.code,
                    "purpose": purpose,
                    "channels": [c.type for c in agency.channels],
                    "notifications": ids,
                },
            }
        )
        return ids

    def for_users(
        self,
        *,
        users: Iterable[User],
        call: Call,
        purpose: str,
        detail: dict[str, Any] | None = None,
        referral: Referral | None = None,
    ) -> tuple[list[int], list[User]]:
        """E-mail to each user that has an address: (the ids to be, the users told).

        E-mail leaves the system, so it carries the minimum, like a non-secure agency channel.
        """
        assert call.id is not None
        targets = [u for u in users if u.email and not u.disabled]
        ids: list[int] = []
        if not targets:
            return ids, targets
        base = {**self._call_context(call), "purpose": purpose, "detail": detail or {}}
        base["secure"] = False
        for user in targets:

            def build(user: User = user) -> dict[str, Any]:
                context = {**base, "user_name": user.display_name}
                return {"user": user.id, **render_email(purpose, "user", context)}

            row = {
                "referral_id": referral.id if referral else None,
                "call_id": call.id,
                "purpose": purpose,
                "channel": "email",
                "address": user.email or "",
                "secure": False,
            }
            self._add(row, ids, build)
        return ids, targets

    async def write(self) -> list[dict[str, Any]]:
        """Write what was gathered (nothing when empty); the batch can be used again.
        Returns the timeline rows written, in order."""
        if not self._rows:
            timeline, self._timeline = self._timeline, []
            if timeline:
                await insert_ids(self.session, table_of(TimelineEvent), timeline)
            return timeline
        rows, builders, targets, timeline = (
            self._rows,
            self._builders,
            self._targets,
            self._timeline,
        )
        self._rows, self._builders, self._targets, self._timeline = [], [], [], []
        wanted = self._people_of - self._people.keys()
        if wanted:
            found = await self.session.scalars(
                select(Person)
                .where(col(Person.call_id).in_(wanted))
                .order_by(col(Person.call_id), col(Person.position))
            )
            self._people.update({call_id: [] for call_id in wanted})
            for person in found:
                self._people[person.call_id].append(person)
        for row, build in zip(rows, builders, strict=True):
            row["payload"] = build()
        ids = await insert_ids(self.session, table_of(Notification), rows)
        for nid, target in zip(ids, targets, strict=True):
            target.append(nid)
        if timeline:  # RETURNING makes it one multi-row INSERT on PostgreSQL too
            await insert_ids(self.session, table_of(TimelineEvent), timeline)
        return timeline


async def resend(
    session: AsyncSession, notification_id: int, *, now: datetime, actor: str = SYSTEM
) -> Notification:
    """Put a dead letter back in the queue with a fresh set of attempts (same id, same content)."""
    row = await session.get(Notification, notification_id)
    if row is None:
        raise OutboxError(f"notification {notification_id} does not exist")
    if row.state != "dead":
        raise OutboxError(f"notification {notification_id} is {row.state}, not a dead letter")
    row.state = "pending"
    row.attempts = 0
    row.next_attempt_at = now
    row.lease_until = None
    if row.call_id is not None:
        session.add(
            TimelineEvent(
                call_id=row.call_id,
                referral_id=row.referral_id,
                at=now,
                kind="resent",
                actor=actor,
                detail={"notification": row.id, "channel": row.channel},
            )
        )
    await session.flush()
    return row


async def dead_letters(
    session: AsyncSession, *, limit: int = 200, among_calls: Select[Any] | None = None
) -> list[Notification]:
    """Dead letters, newest first (the supervisors' list); among_calls: only those of these
    calls (a query of call ids: a supervisor's scope)."""
    query = select(Notification).where(col(Notification.state) == "dead")
    if among_calls is not None:
        query = query.where(col(Notification.call_id).in_(among_calls))
    rows = await session.scalars(query.order_by(col(Notification.id).desc()).limit(limit))
    return list(rows.all())


async def referral_unreachable(session: AsyncSession, referral_id: int) -> bool:
    """True when a referral has no notification, or every one of them is a dead letter."""
    rows = await session.scalars(
        select(col(Notification.state)).where(col(Notification.referral_id) == referral_id)
    )
    states = list(rows.all())
    return not states or all(state == "dead" for state in states)


# --- content -------------------------------------------------------------------------------


def call_context(call: Call, ruleset: RuleSet, settings: Settings) -> dict[str, Any]:
    """What any recipient may see: reference, categories, urgency, area, times, a link."""
    tax, tz = ruleset.taxonomy, settings.timezone
    area = ruleset.area_path(call.area_code) if call.area_code else ""
    line = ruleset.lines.get(call.line_code)
    return {
        "call_id": call.id,
        "reference": call.reference or f"#{call.id}",
        "line": (line.display or line.number) if line else call.line_code,
        "received_at": local_time(call.received_at, tz),
        "categories": [tax.label("category", c) for c in call.categories],
        "category_codes": list(call.categories),
        "subcategories": [tax.label("subcategory", c) for c in call.subcategories],
        "urgency": tax.label("urgency", call.urgency),
        "urgency_code": call.urgency,
        "needs": [tax.label("need", n) for n in call.needs],
        "area": area,
        "area_name": ruleset.areas[call.area_code].name if call.area_code in ruleset.areas else "",
        "area_code": call.area_code or "",
        "call_url": call_url(settings.base_url, call.id or 0),
        "timezone": tz,
    }


def referral_context(
    call: Call,
    referral: Referral,
    agency: AgencyDef,
    ruleset: RuleSet,
    settings: Settings,
    *,
    now: datetime,
    detail: dict[str, Any] | None,
    call_ctx: dict[str, Any] | None = None,
) -> dict[str, Any]:
    assert referral.id is not None
    token = make_ack_token(settings.secret_key, referral.id, now=now)
    context = dict(call_ctx) if call_ctx is not None else call_context(call, ruleset, settings)
    context.update(
        referral_id=referral.id,
        agency_code=agency.code,
        agency_name=agency.name,
        ack_due=local_time(referral.ack_due_at, settings.timezone),
        ack_due_short=local_time(referral.ack_due_at, settings.timezone, "%H:%M %d/%m"),
        resolve_due=local_time(referral.resolve_due_at, settings.timezone),
        ack_due_at=_iso(referral.ack_due_at),
        resolve_due_at=_iso(referral.resolve_due_at),
        ack_url=ack_url(settings.base_url, token),
        referral_url=referral_url(settings.base_url, referral.id),
        rule_id=referral.rule_id,
        detail=detail or {},
        personal=None,
    )
    return context


def personal_context(call: Call, people: list[Person]) -> dict[str, Any]:
    """Only for secure channels: who called, who is at risk, where, what happened."""
    anonymous = call.caller_anonymous
    return {
        "personal": {
            "caller_name": None if anonymous else call.caller_name,
            "caller_phone": None if anonymous else call.caller_phone,
            "caller_relation": call.caller_relation,
            "address": call.address,
            "narrative": call.narrative,
            "people": [{"name": p.name, "age": p.age, "sex": p.sex} for p in people],
        }
    }


def _payload(channel: str, purpose: str, default: str, ctx: dict[str, Any]) -> dict[str, Any]:
    if channel == "email":
        return render_email(purpose, default, ctx)
    if channel == "sms":
        return render_sms(purpose, default, ctx)
    return {"body": webhook_document(purpose, ctx)}


def webhook_document(purpose: str, ctx: dict[str, Any]) -> dict[str, Any]:
    call = {
        "id": ctx["call_id"],
        "reference": ctx["reference"],
        "line": ctx["line"],
        "categories": ctx["category_codes"],
        "urgency": ctx["urgency_code"],
        "area": {"code": ctx["area_code"], "name": ctx["area"]},
    }
    if ctx.get("personal"):
        call["personal"] = ctx["personal"]
    return {  # the channel adds "notification_id" when it sends
        "event": "referral.created" if purpose == "referral" else f"referral.{purpose}",
        "referral": {
            "id": ctx["referral_id"],
            "agency": ctx["agency_code"],
            "ack_due_at": ctx["ack_due_at"],
            "resolve_due_at": ctx["resolve_due_at"],
            "ack_url": ctx["ack_url"],
            "url": ctx["referral_url"],
        },
        "call": call,
        "detail": ctx["detail"],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
