"""A call is written once: a fixed, small number of statements in one transaction (the
token is checked inside the write), and the 201 answer is what a GET reads back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from hotline import keys
from hotline.db.engine import Database
from hotline.models import Call, Notification, Referral, TimelineEvent
from tests.helpers.calls import GOOD

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def shape(statement: str) -> str:
    """ "INSERT call", "SELECT FROM api_token": the verb and the first table named."""
    words = statement.replace('"', "").split()
    verb = words[0].upper()
    if verb == "SELECT":
        return "SELECT FROM " + words[[w.upper() for w in words].index("FROM") + 1]
    return f"{verb} {words[2] if verb in ('INSERT', 'DELETE') else words[1]}"


@contextmanager
def counting(db: Database) -> Iterator[dict[str, list[str]]]:
    """The SQL statements (transaction control apart) and transactions begun meanwhile."""
    seen: dict[str, list[str]] = {"statements": [], "transactions": []}
    engine = db.engine.sync_engine

    def on_execute(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(CONTROL):
            seen["statements"].append(shape(statement))

    def on_begin(_conn: Any) -> None:
        seen["transactions"].append("begin")

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "begin", on_begin)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "begin", on_begin)


async def test_a_call_with_four_referrals_is_eight_statements_in_one_transaction(client, accounts):  # type: ignore[no-untyped-def]
    db = client.app[keys.DB]
    headers = {**accounts["operator"].headers, "Idempotency-Key": "count-1"}
    await client.get("/api/v1/calls", headers=accounts["operator"].headers)  # "last used" stamped
    with counting(db) as seen:
        response = await client.post("/api/v1/calls", json=GOOD, headers=headers)
    assert response.status == 201
    body = await response.json()
    assert len(body["referrals"]) == 4
    # The token's user, in the write transaction; then the call (a used Idempotency-Key
    # inserts nothing, and only then is it looked up), its people, category codes,
    # referrals, notifications, timeline and audit row, one statement each.
    assert seen["statements"] == [
        "SELECT FROM api_token",
        "INSERT call",
        "INSERT person",
        "INSERT call_category",
        "INSERT referral",
        "INSERT notification",
        "INSERT timeline_event",
        "INSERT audit_event",
    ]
    assert len(seen["transactions"]) == 1


async def test_the_token_stamp_rides_on_the_write_transaction(client, accounts):  # type: ignore[no-untyped-def]
    db = client.app[keys.DB]
    with counting(db) as seen:  # the token's first use: its "last used" is due
        response = await client.post(
            "/api/v1/calls", json=GOOD, headers=accounts["operator"].headers
        )
    assert response.status == 201
    assert len(seen["transactions"]) == 1
    assert "UPDATE api_token" in seen["statements"]


async def test_the_201_body_is_what_a_get_reads(client, accounts):  # type: ignore[no-untyped-def]
    headers = accounts["operator"].headers
    for body in (GOOD, {**GOOD, "categories": [], "subcategories": []}):
        created = await client.post("/api/v1/calls", json=body, headers=headers)
        assert created.status == 201
        answer = await created.json()
        read = await client.get(f"/api/v1/calls/{answer['id']}", headers=headers)
        assert answer == await read.json()


async def test_a_write_that_fails_halfway_leaves_no_trace(client, accounts):  # type: ignore[no-untyped-def]
    """The third statement of the write fails: nothing of the call is stored."""
    db = client.app[keys.DB]
    engine = db.engine.sync_engine
    count = {"n": 0}

    def fail_third(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            count["n"] += 1
            if count["n"] == 3:
                raise RuntimeError("the disk is full")

    event.listen(engine, "before_cursor_execute", fail_third)
    try:
        response = await client.post(
            "/api/v1/calls", json=GOOD, headers=accounts["operator"].headers
        )
    finally:
        event.remove(engine, "before_cursor_execute", fail_third)
    assert response.status == 500
    async with db.read() as session:
        for model in (Call, Referral, Notification, TimelineEvent):
            assert (await session.execute(select(model))).first() is None, model


async def test_the_same_key_sent_twice_at_once_makes_one_call(client, accounts):  # type: ignore[no-untyped-def]
    import asyncio

    headers = {**accounts["operator"].headers, "Idempotency-Key": "twice-at-once"}
    first, second = await asyncio.gather(
        client.post("/api/v1/calls", json=GOOD, headers=headers),
        client.post("/api/v1/calls", json=GOOD, headers=headers),
    )
    assert (first.status, second.status) == (201, 201)
    bodies = [await first.json(), await second.json()]
    assert bodies[0]["id"] == bodies[1]["id"]
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in (first, second)) == [
        "",
        "true",
    ]
    async with client.app[keys.DB].read() as session:
        calls = (await session.scalars(select(Call.id))).all()
    assert calls == [bodies[0]["id"]]
    # The key again with another body: a conflict, naming the header.
    other = await client.post("/api/v1/calls", json={**GOOD, "urgency": "low"}, headers=headers)
    assert other.status == 409
    error = (await other.json())["error"]
    assert error["code"] == "idempotency_conflict" and "Idempotency-Key" in error["fields"]


async def test_a_refused_post_ends_the_transaction_its_token_was_checked_in(client, accounts):  # type: ignore[no-untyped-def]
    """The token check opens the write transaction; each way a POST can be refused before it
    writes must end it, or (on SQLite) the next writer would wait for the lock for good."""
    db = client.app[keys.DB]
    headers = accounts["operator"].headers
    refusals = [
        (
            "a body that is not JSON",
            {"data": b"{", "headers": {**headers, "Content-Type": "application/json"}},
            422,
        ),
        ("a call without a line", {"json": {**GOOD, "line": None}, "headers": headers}, 422),
        (
            "a revoked or unknown token",
            {"json": GOOD, "headers": {"Authorization": "Bearer hl_nope"}},
            401,
        ),
        (
            "a role that may not log calls",
            {"json": GOOD, "headers": accounts["police"].headers},
            403,
        ),
    ]
    for label, options, status in refusals:
        response = await client.post("/api/v1/calls", **options)
        assert response.status == status, label
    async with db.read() as session:
        assert (await session.execute(select(Call))).first() is None
    with counting(db) as seen:  # the lock is free: the next call goes through at once
        response = await client.post("/api/v1/calls", json=GOOD, headers=headers)
    assert response.status == 201
    assert len(seen["transactions"]) == 1
