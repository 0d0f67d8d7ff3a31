"""Keeping stored values out of the logs when a statement fails.

A failed INSERT's exception text quotes what was being written: SQLAlchemy appends
`[parameters: (...)]` (engines are built with hide_parameters=True, which stops that), and the
drivers quote values in their own messages (asyncpg: "invalid input for query argument $14:
'...'"), so a traceback of a failed intake could carry a caller's name, phone numbers and
narrative. PersonalDataFilter keeps the traceback's frames and the exception types and drops
the messages of exceptions that may quote values. protect_logs() (hotline.calls.privacy)
installs it on the root logger, on the root's handlers, and in the log record factory, so
records that propagate to handlers added later are scrubbed as well.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

WITHHELD = "(message withheld: it may quote stored values)"
# Exceptions raised by the database layers, whose messages may quote parameters.
DATA_MODULES = ("sqlalchemy", "asyncpg", "sqlite3", "aiosqlite", "psycopg", "hotline.db")
# Text that only appears in messages quoting statement parameters.
MARKERS = ("[parameters:", "query argument $", "parameters: (")


def may_quote_values(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    if module.startswith(DATA_MODULES) or isinstance(exc, UnicodeError):
        return True
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a message that cannot be made is not logged either
        return True
    return any(marker in text for marker in MARKERS)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and those it was raised from or during, oldest first."""
    out: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return out[::-1]


def safe_traceback(exc: BaseException) -> str:
    """The traceback as logging would print it, with the messages that may quote values
    replaced by WITHHELD."""
    parts: list[str] = []
    chain = _chain(exc)
    for index, item in enumerate(chain):
        if index:
            direct = chain[index].__cause__ is chain[index - 1]
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
                if direct
                else "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
        if item.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(item.__traceback__))
        name = f"{type(item).__module__}.{type(item).__qualname__}"
        message = WITHHELD if may_quote_values(item) else str(item)
        parts.append(f"{name}: {message}\n" if message else f"{name}\n")
    return "".join(parts).rstrip("\n")


def scrub(record: logging.LogRecord) -> None:
    """Make the record safe in place: exception text and exception arguments."""
    exc = record.exc_info[1] if record.exc_info else None
    if exc is not None and any(may_quote_values(e) for e in _chain(exc)):
        record.exc_text = safe_traceback(exc)
        record.exc_info = None
    if isinstance(record.args, tuple) and any(
        isinstance(a, BaseException) and may_quote_values(a) for a in record.args
    ):
        record.args = tuple(
            f"{type(a).__name__}: {WITHHELD}"
            if isinstance(a, BaseException) and may_quote_values(a)
            else a
            for a in record.args
        )
    if isinstance(record.msg, str) and any(m in record.msg for m in MARKERS):
        record.msg, record.args = f"log message withheld: {WITHHELD}", ()


class PersonalDataFilter(logging.Filter):
    """Lets every record through, made safe by scrub()."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


_FILTER = PersonalDataFilter()


def install() -> None:
    """On the root logger, its handlers, and every record made from now on (idempotent)."""
    root = logging.getLogger()
    if _FILTER not in root.filters:
        root.addFilter(_FILTER)
    for handler in root.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    factory = logging.getLogRecordFactory()
    if getattr(factory, "scrubs", False):
        return
    logging.setLogRecordFactory(_scrubbing(factory))


def _scrubbing(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        scrub(record)
        return record

    make.scrubs = True  # type: ignore[attr-defined]
    return make
