"""The log canary: a name, a phone number and a narrative planted in writes that fail inside
the database (on SQLite, and on PostgreSQL when configured), then everything logged at DEBUG
is scanned for them: messages, arguments and tracebacks."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from hotline import keys
from hotline.db import logs
from hotline.models import LoginFailure
from tests.helpers.calls import GOOD

NAME = "Phạm Thị Canary"
PHONE = "0987 654 321"
PHONE_FORMS = (PHONE, "0987654321", "84987654321", "+84987654321")
NARRATIVE = "con chim hoàng yến màu xanh của bà Tư"
CANARIES = (NAME, *PHONE_FORMS, NARRATIVE)
CANARY_CALL = GOOD | {
    "caller": {"name": NAME, "phone": PHONE, "relation": "neighbour"},
    "narrative": f"Bé bị đánh; {NARRATIVE}.",
}


@pytest.fixture
def logged() -> Iterator[list[str]]:
    """Every record from every logger at DEBUG, formatted with its traceback."""
    lines: list[str] = []
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(formatter.format(record) + " " + repr(record.args))

    root = logging.getLogger()
    handler, old_level = Capture(logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logs.install()
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def assert_no_canary(lines: list[str]) -> None:
    everything = "\n".join(lines)
    for canary in CANARIES:
        assert canary not in everything, canary


FAIL_SQLITE = (
    "CREATE TRIGGER canary_fail BEFORE INSERT ON call "
    "BEGIN SELECT RAISE(ABORT, 'refused by the canary test'); END"
)
FAIL_PG = (
    "CREATE FUNCTION canary_fail() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'refused by the canary test'; END $$ LANGUAGE plpgsql",
    'CREATE TRIGGER canary_fail BEFORE INSERT ON "call" '
    "FOR EACH ROW EXECUTE FUNCTION canary_fail()",
)
UNDO_PG = ('DROP TRIGGER IF EXISTS canary_fail ON "call"', "DROP FUNCTION IF EXISTS canary_fail()")


async def test_a_call_whose_insert_fails_leaves_no_personal_data_in_the_logs(
    client, accounts, logged
):
    db = client.app[keys.DB]
    async with db.write() as session:
        for statement in (FAIL_SQLITE,) if db.is_sqlite else FAIL_PG:
            await session.execute(text(statement))
    try:
        failed = await client.post(
            "/api/v1/calls", json=CANARY_CALL, headers=accounts["operator"].headers
        )
        assert failed.status == 500  # a real failure inside the database
        assert (await failed.json())["error"]["code"] == "internal"
    finally:
        if not db.is_sqlite:
            async with db.write() as session:
                for statement in UNDO_PG:
                    await session.execute(text(statement))
    assert any("Traceback" in line for line in logged), "the failure was logged with its frames"
    assert any("canary_fail" in line or "canary test" in line for line in logged) or any(
        logs.WITHHELD in line for line in logged
    )
    assert_no_canary(logged)


async def test_values_the_driver_quotes_in_its_error_are_withheld(db, clock, logged):
    """asyncpg quotes the value it could not encode ("invalid input for query argument $2:
    'Phạm Thị...'"); a lone surrogate is what a browser's .slice() leaves of an emoji."""
    log = logging.getLogger("hotline.web")
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the driver's own error types
        async with db.write() as session:
            session.add(LoginFailure(at=clock.now(), username=NAME + "\ud83d", address=PHONE))
            await session.flush()
    try:
        raise RuntimeError("write failed") from caught.value
    except RuntimeError:
        log.exception("unhandled error on POST /api/v1/calls")
    log.warning("write failed: %s", caught.value)
    log.error("write failed [parameters: (%r,)]", NAME)
    assert len(logged) >= 3
    assert_no_canary(logged)
    assert any(logs.WITHHELD in line for line in logged)


def test_the_filter_keeps_frames_and_types_and_drops_messages():
    def fail() -> None:
        raise ValueError(f"invalid input for query argument $3: '{NARRATIVE}'")

    try:
        fail()
    except ValueError as exc:
        record = logging.LogRecord(
            "hotline.web", logging.ERROR, __file__, 1, "failed", (), (ValueError, exc, None)
        )
        record.exc_info = (ValueError, exc, exc.__traceback__)
    logs.PersonalDataFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert NARRATIVE not in formatted
    assert "in fail" in formatted and "ValueError" in formatted and logs.WITHHELD in formatted
    # An exception that quotes nothing keeps its message.
    plain = logging.LogRecord("x", logging.ERROR, __file__, 1, "%s", (KeyError("k"),), None)
    logs.scrub(plain)
    assert plain.getMessage() == "'k'"
