"""Render notification content at enqueue time, so every retry sends the same bytes.

Templates live in templates/email/ (Vietnamese): `<name>.subject.txt`, `<name>.txt` and
`<name>.sms.txt`, where <name> is the notification's purpose when such a template exists
(e.g. "reminder") and "referral" or "user" otherwise. Personal data (names, phone numbers,
address, narrative) is put in the context only for channels marked `secure: true`.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from hotline.settings import PROJECT_ROOT

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "email"
SMS_LIMIT = 160
# The words that open a message, per purpose; other parts of the service add theirs.
TITLES = {
    "referral": "Chuyển gửi vụ việc",
    "reminder": "Nhắc xác nhận vụ việc",
    "escalation": "Leo thang vụ việc",
    "shelter_shortage": "Thiếu chỗ tạm lánh",
    "dead_letter": "Không gửi được thông báo",
    "withdrawn": "Rút lại chuyển gửi vụ việc",
}


@lru_cache(maxsize=4)
def environment(directory: Path = TEMPLATE_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        autoescape=False,  # plain text only; webhooks get JSON, never rendered HTML
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code: checking each file's date on every render cost a
        # stat() per message (8,000 in a sweep of 2,000 reminders).
        auto_reload=False,
    )
    return env


@lru_cache(maxsize=4)
def template_files(directory: Path = TEMPLATE_DIR) -> frozenset[str]:
    """The names of the templates in `directory`, listed once: they ship with the code (as
    auto_reload=False above assumes), and FileSystemLoader.list_templates walks the directory
    on every call, once per message rendered."""
    return frozenset(environment(directory).list_templates())


def template_name(purpose: str, default: str, suffix: str) -> str:
    """The purpose's own template when there is one (e.g. "reminder.txt"), else the default."""
    wanted = f"{purpose}{suffix}"
    return wanted if wanted in template_files() else f"{default}{suffix}"


def render(name: str, context: dict[str, Any]) -> str:
    purpose = context.get("purpose", "")
    context = {"title": TITLES.get(purpose, "Thông báo vụ việc"), **context}
    return environment().get_template(name).render(**context).strip()


def render_email(purpose: str, default: str, context: dict[str, Any]) -> dict[str, str]:
    subject = render(template_name(purpose, default, ".subject.txt"), context)
    text = render(template_name(purpose, default, ".txt"), context)
    return {"subject": " ".join(subject.split())[:250], "text": text + "\n"}


def render_sms(purpose: str, default: str, context: dict[str, Any]) -> dict[str, str]:
    """SMS text without diacritics: GSM-7 fits 160 characters where Vietnamese UCS-2 fits 70."""
    text = " ".join(render(template_name(purpose, default, ".sms.txt"), context).split())
    return {"text": strip_marks(text)}


def strip_marks(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def local_time(value: datetime | None, timezone: str, fmt: str = "%H:%M %d/%m/%Y") -> str:
    """ "14:30 10/03/2026" in the deployment's time zone (Asia/Ho_Chi_Minh by default)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(timezone)).strftime(fmt)
