"""Database tables (SQLModel) and the schemas that go with them.

Stable codes everywhere: areas, lines, agencies, categories, urgencies and needs are stored
by code; their labels live in routing_rules/ and may be renamed without touching records.
Times are stored as naive UTC and come back timezone-aware (UTCDateTime).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import cache
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc_col(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


def json_col(factory: Callable[[], list[Any] | dict[str, Any]]) -> Any:
    """A non-null JSON column: `list` or `dict`, so each new row gets its own empty one."""
    return Field(default_factory=factory, sa_column=sa.Column(sa.JSON(), nullable=False))


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a table model, typed (SQLModel does not declare `__table__`): for
    the bulk inserts and plain-row reads that skip the ORM where every call pays for it."""
    table = sa.inspect(model).local_table
    assert isinstance(table, sa.Table), model  # a table=True model maps exactly one table
    return table


M = TypeVar("M", bound=SQLModel)


def written(model: type[M], values: Mapping[str, Any]) -> M:
    """A row just written with Core, as a plain object read by attribute like a loaded one
    (the API's answer, the notifications' content): every column, the unwritten ones at their
    defaults; attached to no session. Building an instrumented SQLModel instance instead
    costs about 0.1 ms a row, and a call writes some 16 rows."""
    static, factories = _defaults(model)
    row = {**static, **{name: make() for name, make in factories.items()}, **values}
    return cast(M, SimpleNamespace(**row))


@cache
def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    static: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            factories[name] = cast(Callable[[], Any], info.default_factory)
        else:
            static[name] = info.get_default()
    return static, factories


# --- Jurisdiction (mirrored from routing_rules/ on start-up and reload) -----------------


class Area(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    parent_code: str | None = Field(default=None, max_length=64, index=True)
    official_code: str | None = Field(default=None, max_length=32)
    active: bool = True


class Line(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=32)
    number: str = Field(max_length=32, unique=True)
    display: str = Field(max_length=40)
    name: str = Field(max_length=200)
    level: str = Field(max_length=16)
    area_code: str | None = Field(default=None, max_length=64)
    active: bool = True


class Agency(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=32, index=True)
    name: str = Field(max_length=200)
    area_code: str = Field(max_length=64, index=True)
    beds: int | None = None
    beds_in_use: int = 0
    active: bool = True


# --- Calls -------------------------------------------------------------------------------


class Call(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("logged_by_id", "idempotency_key", name="uq_call_idempotency"),
        sa.Index("ix_call_received", "received_at"),
        sa.Index("ix_call_status_received", "status", "received_at"),
        sa.Index("ix_call_line_received", "line_code", "received_at"),
        sa.Index("ix_call_area_received", "area_code", "received_at"),
        # Reports: find the days whose rollups are stale (hotline.reports.rollups).
        sa.Index("ix_call_updated", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, max_length=20, unique=True)
    line_code: str = Field(foreign_key="line.code", max_length=32)
    received_at: datetime = utc_col(nullable=False)
    logged_at: datetime = utc_col(nullable=False)
    taken_by_id: int | None = Field(default=None, foreign_key="user.id")
    logged_by_id: int | None = Field(default=None, foreign_key="user.id")
    caller_name: str | None = Field(default=None, max_length=200)
    caller_phone: str | None = Field(default=None, max_length=40)  # as typed
    caller_phone_e164: str | None = Field(default=None, max_length=20, index=True)
    caller_relation: str | None = Field(default=None, max_length=32)
    caller_anonymous: bool = False
    area_code: str | None = Field(default=None, foreign_key="area.code", max_length=64)
    address: str | None = Field(default=None, max_length=500)
    narrative: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    # The codes in effect (the operator's, else the accepted suggestions); call_category
    # mirrors them for indexed filtering.
    categories: list[str] = json_col(list)
    subcategories: list[str] = json_col(list)
    suggested: list[dict[str, Any]] = json_col(list)
    # Where `categories` came from: "operator" (chosen or confirmed) or "suggested" (the
    # suggestions the rules accepted, in effect until an operator confirms or changes them).
    categories_source: str | None = Field(default=None, max_length=16)
    urgency: str = Field(default="normal", max_length=16)
    needs: list[str] = json_col(list)
    status: str = Field(default="open", max_length=16)
    emergency_processing: bool = False
    triage: bool = False
    idempotency_key: str | None = Field(default=None, max_length=200)
    request_hash: str | None = Field(default=None, max_length=64)
    redacted_at: datetime | None = utc_col()
    updated_at: datetime = utc_col(nullable=False)
    # Call-level escalation (never referred, all declined): hotline.escalation sweeps these.
    escalation_level: int = 0
    next_escalation_at: datetime | None = utc_col(index=True)
    escalation_lease_until: datetime | None = utc_col()
    escalation_claimed_by: str | None = Field(default=None, max_length=64)  # the node
    escalation_policy: dict[str, Any] = json_col(dict)
    overdue_at: datetime | None = utc_col()
    # What "find a call" matches words against: the reference, caller and people's names, the
    # address and the narrative, folded (lower case, no diacritics; hotline.calls.find).
    search_text: str = Field(
        default="", sa_column=sa.Column(sa.Text(), nullable=False, server_default="")
    )


class CallCategory(SQLModel, table=True):
    """One row per category or sub-category code of a call, for filters and reports."""

    __tablename__ = "call_category"
    __table_args__ = (sa.Index("ix_call_category_code", "code", "call_id"),)

    call_id: int = Field(foreign_key="call.id", primary_key=True, ondelete="CASCADE")
    code: str = Field(primary_key=True, max_length=48)


class Person(SQLModel, table=True):
    """A person at risk named in a call."""

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True, ondelete="CASCADE")
    position: int = 0
    name: str | None = Field(default=None, max_length=200)
    age: int | None = None
    age_approximate: bool = False
    sex: str | None = Field(default=None, max_length=16)


class TimelineEvent(SQLModel, table=True):
    """What happened to a call, shown on its detail page and in the API `timeline`."""

    __tablename__ = "timeline_event"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True, ondelete="CASCADE")
    referral_id: int | None = Field(default=None, foreign_key="referral.id")
    at: datetime = utc_col(nullable=False)
    kind: str = Field(max_length=32)
    actor: str | None = Field(default=None, max_length=120)
    detail: dict[str, Any] = json_col(dict)


# --- Referrals, outbox, escalation -----------------------------------------------------


class Referral(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_referral_agency_status", "agency_code", "status"),
        sa.Index("ix_referral_escalation_due", "next_escalation_at"),
        # Reports: referrals made in a period (hotline.reports.statistics).
        sa.Index("ix_referral_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True, ondelete="CASCADE")
    agency_code: str = Field(foreign_key="agency.code", max_length=64)
    agency_kind: str = Field(max_length=32)
    rule_id: str = Field(max_length=120)
    ruleset_version: str = Field(max_length=64)
    reason: str | None = Field(default=None, max_length=500)
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = utc_col(nullable=False)
    notified_at: datetime | None = utc_col()
    acknowledged_at: datetime | None = utc_col()
    accepted_at: datetime | None = utc_col()
    declined_at: datetime | None = utc_col()
    resolved_at: datetime | None = utc_col()
    withdrawn_at: datetime | None = utc_col()
    status_note: str | None = Field(default=None, max_length=2000)
    ack_due_at: datetime | None = utc_col()
    resolve_due_at: datetime | None = utc_col()
    escalation_level: int = 0
    next_escalation_at: datetime | None = utc_col()
    escalation_lease_until: datetime | None = utc_col()
    escalation_claimed_by: str | None = Field(default=None, max_length=64)  # the node
    overdue_at: datetime | None = utc_col()  # set by the ladder's mark_overdue
    # The ladder and time limits copied from the rules when the referral was made.
    policy: dict[str, Any] = json_col(dict)


class Notification(SQLModel, table=True):
    """The outbox: one row per message to send, written with the referral it is about."""

    __table_args__ = (sa.Index("ix_notification_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int | None = Field(default=None, foreign_key="referral.id", index=True)
    call_id: int | None = Field(default=None, foreign_key="call.id", index=True)
    purpose: str = Field(default="referral", max_length=32)
    channel: str = Field(max_length=16)
    address: str = Field(max_length=500)
    secure: bool = False
    payload: dict[str, Any] = json_col(dict)
    state: str = Field(default="pending", max_length=16)
    attempts: int = 0
    max_attempts: int = 8
    created_at: datetime = utc_col(nullable=False)
    next_attempt_at: datetime | None = utc_col()
    lease_until: datetime | None = utc_col()
    claimed_by: str | None = Field(default=None, max_length=64)  # the node holding the lease
    delivered_at: datetime | None = utc_col()
    last_error: str | None = Field(default=None, max_length=1000)


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    at: datetime = utc_col(nullable=False)
    outcome: str = Field(max_length=16)
    detail: str | None = Field(default=None, max_length=1000)
    duration_ms: int | None = None


class LocalMessage(SQLModel, table=True):
    """A message kept instead of sent (demo, or no SMTP host / SMS gateway configured)."""

    __tablename__ = "local_message"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int | None = Field(default=None, foreign_key="notification.id", index=True)
    channel: str = Field(max_length=16)
    to: str = Field(max_length=500)
    subject: str = Field(default="", max_length=500)
    body: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = utc_col(nullable=False, index=True)


class EscalationEvent(SQLModel, table=True):
    __tablename__ = "escalation_event"
    __table_args__ = (
        sa.UniqueConstraint("subject", "step", name="uq_escalation_step"),
        sa.Index("ix_escalation_event_fired", "fired_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # "referral:<id>" or "call:<id>": one key space so the unique step key covers both.
    subject: str = Field(max_length=40)
    call_id: int = Field(foreign_key="call.id", index=True)
    referral_id: int | None = Field(default=None, foreign_key="referral.id")
    step: int
    action: str = Field(max_length=32)
    due_at: datetime = utc_col(nullable=False)
    fired_at: datetime = utc_col(nullable=False)
    detail: dict[str, Any] = json_col(dict)


# --- People who use the system -----------------------------------------------------------


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(default="", max_length=120)
    password_hash: str | None = Field(default=None, max_length=200)
    role: str = Field(max_length=16)
    agency_code: str | None = Field(default=None, foreign_key="agency.code", max_length=64)
    lines: list[str] = json_col(list)
    areas: list[str] = json_col(list)
    email: str | None = Field(default=None, max_length=200)
    disabled: bool = False
    created_at: datetime = utc_col(nullable=False)
    sessions_valid_after: datetime | None = utc_col()


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(default="", max_length=120)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = utc_col(nullable=False)
    last_used_at: datetime | None = utc_col()
    revoked_at: datetime | None = utc_col()


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_col(nullable=False, index=True)
    user_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=48)
    object_type: str = Field(max_length=32)
    object_id: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = json_col(dict)


class LoginFailure(SQLModel, table=True):
    """Failed logins, for throttling per account and per address."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_col(nullable=False, index=True)
    username: str = Field(max_length=64, index=True)
    address: str | None = Field(default=None, max_length=64, index=True)


class TelephonyCall(SQLModel, table=True):
    """A call as the PBX reported it (ringing, answered, ended); linked to the logged call."""

    __tablename__ = "telephony_call"

    id: int | None = Field(default=None, primary_key=True)
    pbx_call_id: str = Field(max_length=120, unique=True)
    line_code: str | None = Field(default=None, max_length=32)
    dialled: str = Field(default="", max_length=40)
    caller: str | None = Field(default=None, max_length=40)  # as the PBX sent it
    caller_e164: str | None = Field(default=None, max_length=20)
    extension: str | None = Field(default=None, max_length=40)
    state: str = Field(default="ringing", max_length=16)
    ringing_at: datetime | None = utc_col()
    answered_at: datetime | None = utc_col()
    ended_at: datetime | None = utc_col(index=True)
    updated_at: datetime = utc_col(nullable=False, index=True)
    call_id: int | None = Field(default=None, foreign_key="call.id", index=True)


class Heartbeat(SQLModel, table=True):
    """The last completed run of each periodic job on each node (healthz reads it); node ""
    is the cluster's row of a job whose state is shared (the rollups' watermark)."""

    job: str = Field(primary_key=True, max_length=32)
    node: str = Field(default="", primary_key=True, max_length=64)
    finished_at: datetime = utc_col(nullable=False)
    detail: dict[str, Any] = json_col(dict)


# --- Reports ------------------------------------------------------------------------------


class StatCounts(SQLModel):
    """The counters a rollup row keeps (daily_stat and monthly_stat share them)."""

    calls: int = 0
    referred: int = 0  # calls with a referral that was not withdrawn
    resolved: int = 0  # referred calls whose status is resolved or closed
    # Calls by local hour of the day.
    h00: int = 0
    h01: int = 0
    h02: int = 0
    h03: int = 0
    h04: int = 0
    h05: int = 0
    h06: int = 0
    h07: int = 0
    h08: int = 0
    h09: int = 0
    h10: int = 0
    h11: int = 0
    h12: int = 0
    h13: int = 0
    h14: int = 0
    h15: int = 0
    h16: int = 0
    h17: int = 0
    h18: int = 0
    h19: int = 0
    h20: int = 0
    h21: int = 0
    h22: int = 0
    h23: int = 0


class DailyStat(StatCounts, table=True):
    """Calls per local day, line, area and category set: the rollup behind dashboards.

    Rebuilt per day from `call` by hotline.reports.rollups (never edited in place), so it
    holds only facts that rules cannot change; "case", "counselled" are derived when read.
    """

    __tablename__ = "daily_stat"

    day: date = Field(primary_key=True)  # local day (Asia/Ho_Chi_Minh)
    line_code: str = Field(primary_key=True, max_length=32)
    area_code: str = Field(primary_key=True, max_length=64)  # "" when the call has none
    categories: str = Field(primary_key=True, max_length=400)  # sorted codes joined by "+"


class MonthlyStat(StatCounts, table=True):
    """daily_stat summed per local month, so dashboards over years read 30 times fewer rows.

    Recomputed from daily_stat whenever a day of the month is refreshed.
    """

    __tablename__ = "monthly_stat"

    month: date = Field(primary_key=True)  # first day of the local month
    line_code: str = Field(primary_key=True, max_length=32)
    area_code: str = Field(primary_key=True, max_length=64)
    categories: str = Field(primary_key=True, max_length=400)
