"""Editing the agency directory (routing_rules/agencies.yaml) from the admin pages.

Rules are data, so an edit writes the file. It is made safe the same way a reload is: the new
agencies.yaml is written into a temporary copy of the rules directory and loaded there; only a
copy that loads cleanly replaces the real file (atomically, os.replace), and the caller then
reloads the rules. Only the edited agency's block is rewritten, so comments elsewhere in the
file survive; if the block cannot be located safely the whole file is written out instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from hotline.i18n.translation import lazy
from hotline.rules.ruleset import RuleSet, load_ruleset
from hotline.rules.yamlfile import RulesError

FILE = "agencies.yaml"
CHANNEL_TYPES = ("email", "sms", "webhook")
CHANNEL_ROWS_EXTRA = 2
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OPENING = re.compile(
    r"^(?P<days>[a-z ,\-]+?)\s+(?P<open>\d{1,2}:\d{2})\s*-\s*(?P<close>\d{1,2}:\d{2})$"
)
# One edit at a time per process; the digest check catches edits from elsewhere.
_lock = asyncio.Lock()


def digest(rules_dir: Path) -> str:
    return hashlib.sha256((rules_dir / FILE).read_bytes()).hexdigest()[:16]


def raw_agency(rules_dir: Path, code: str) -> dict[str, Any] | None:
    data = yaml.safe_load((rules_dir / FILE).read_text(encoding="utf-8")) or {}
    return next((dict(a) for a in data.get("agencies", []) if a.get("code") == code), None)


def hours_text(hours: Any) -> tuple[str, str]:
    """(mode, custom text) for the form: office | 24/7 | custom."""
    if hours is None:
        return "office", ""
    if hours == "24/7":
        return "24/7", ""
    return "custom", "\n".join(f"{','.join(h['days'])} {h['open']}-{h['close']}" for h in hours)


def _days(text: str) -> list[str] | None:
    out: list[str] = []
    for part in re.split(r"[\s,]+", text.strip()):
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAYS or last not in DAYS or DAYS.index(first) > DAYS.index(last):
                return None
            out += DAYS[DAYS.index(first) : DAYS.index(last) + 1]
        elif part in DAYS:
            out.append(part)
        elif part:
            return None
    return out or None


def parse_hours(mode: str, text: str) -> tuple[Any, str | None]:
    """The YAML value of `hours` from the form, or an error message."""
    if mode == "office":
        return None, None
    if mode == "24/7":
        return "24/7", None
    openings = []
    for line in text.strip().lower().splitlines():
        match = OPENING.match(line.strip())
        days = _days(match["days"]) if match else None
        if not match or not days:
            return None, lazy("one opening per line, e.g. mon-fri 07:00-11:30")
        opens, closes = match["open"].zfill(5), match["close"].zfill(5)
        if not (
            "00:00" <= opens <= "23:59"
            and "00:00" < closes <= "24:00"
            and opens < closes
            and opens[3] < "6"
            and closes[3] < "6"
        ):
            return None, lazy("times run from 00:00 to 24:00, opening before closing")
        openings.append({"days": days, "open": opens, "close": closes})
    if not openings:
        return None, lazy("one opening per line, e.g. mon-fri 07:00-11:30")
    return openings, None


def parse_channels(form: Any, old: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """Rows channels-N-type/address/secure -> the channels and, for each, its form row
    (empty addresses are dropped). A webhook keeps its signing secret (never shown on the
    page) while its address stays the same."""
    secrets_by = {(c.get("type"), c.get("address")): c.get("secret") for c in old}
    out, rows = [], []
    index = 0
    while f"channels-{index}-address" in form:
        address = str(form.get(f"channels-{index}-address", "")).strip()[:501]
        kind = str(form.get(f"channels-{index}-type", "")).strip()[:20]
        if address:
            channel: dict[str, Any] = {"type": kind, "address": address}
            if form.get(f"channels-{index}-secure") == "on":
                channel["secure"] = True
            if secrets_by.get((kind, address)):
                channel["secret"] = secrets_by[(kind, address)]
            out.append(channel)
            rows.append(index)
        index += 1
    return out, rows


# The loader checks these too; checking first gives messages in the reader's language.
CHANNEL_CHECKS = {
    "email": (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), lazy("not an e-mail address")),
    "webhook": (
        re.compile(r"https?://\S+"),
        lazy("a webhook address is an http:// or https:// URL"),
    ),
    "sms": (re.compile(r"\+?[0-9 .\-]{6,20}"), lazy("not a phone number")),
}


def check_form(
    kind: str, channels: list[dict[str, Any]], rows: list[int], beds: int | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for channel, row in zip(channels, rows, strict=True):
        check = CHANNEL_CHECKS.get(channel["type"])
        if check is None:
            errors[f"channels-{row}-type"] = lazy("choose a channel type")
        elif not check[0].fullmatch(channel["address"]) or len(channel["address"]) > 500:
            errors[f"channels-{row}-address"] = check[1]
    if kind == "safe_house" and beds is None:
        errors["beds"] = lazy("a safe house needs its number of beds")
    return errors


def parse_beds(text: str) -> tuple[int | None, str | None]:
    text = text.strip()
    if not text:
        return None, None
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None, lazy("must be a whole number")
    return int(text), None


def apply_changes(item: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(item)
    for key, value in changes.items():
        if value is None or value == []:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def edited_text(text: str, code: str, item: dict[str, Any]) -> str:
    """agencies.yaml with agency `code` replaced by `item`, other lines untouched."""
    data = yaml.safe_load(text) or {}
    expected = dict(data)
    expected["agencies"] = [item if a.get("code") == code else a for a in data["agencies"]]
    try:
        candidate = _replace_block(text, code, item)
        if yaml.safe_load(candidate) == expected:
            return candidate
    except (yaml.YAMLError, ValueError, KeyError, IndexError):
        pass
    header = "# The agency directory (rewritten by the admin page).\n"
    return header + yaml.safe_dump(
        expected, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None
    )


def _last_line(node: Any) -> int:
    """The 0-based line where a node's text ends (block collections end at their last item)."""
    while (
        isinstance(node, yaml.MappingNode | yaml.SequenceNode)
        and not node.flow_style
        and node.value
    ):
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    end = node.end_mark
    return end.line - 1 if end.column == 0 else end.line


def _replace_block(text: str, code: str, item: dict[str, Any]) -> str:
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):  # empty or not a mapping: write it whole
        raise ValueError("unexpected layout")
    agencies = next(v for k, v in root.value if k.value == "agencies")
    node = next(
        n for n in agencies.value if any(k.value == "code" and v.value == code for k, v in n.value)
    )
    lines = text.splitlines(keepends=True)
    first, last = node.start_mark.line, _last_line(node)
    indent = node.start_mark.column - 2
    if indent < 0 or not lines[first][indent:].startswith("- "):
        raise ValueError("unexpected layout")
    block = yaml.safe_dump(
        [item], allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None
    )
    pad = " " * indent
    new = "".join(pad + line if line.strip() else line for line in block.splitlines(keepends=True))
    return "".join(lines[:first]) + new + "".join(lines[last + 1 :])


def validate_in_copy(rules_dir: Path, text: str) -> RuleSet:
    """Load the rules as they would be with this agencies.yaml; RulesError when they fail."""
    with tempfile.TemporaryDirectory(prefix="hotline-rules-") as tmp:
        copy = Path(tmp) / "rules"
        shutil.copytree(rules_dir, copy, ignore=shutil.ignore_patterns(".*"))
        (copy / FILE).write_text(text, encoding="utf-8")
        return load_ruleset(copy)


def replace_file(rules_dir: Path, text: str) -> None:
    """Write next to the real file, then rename over it: readers see old or new, never half."""
    target = rules_dir / FILE
    fd, tmp = tempfile.mkstemp(prefix=".agencies-", suffix=".yaml", dir=rules_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def save_agency(
    rules_dir: Path, code: str, changes: dict[str, Any], *, based_on: str
) -> None:
    """Validate and write. ValueError when the file changed since the form was shown;
    RulesError (nothing written) when the rules would not load."""
    async with _lock:
        if digest(rules_dir) != based_on:
            raise ValueError("agencies.yaml changed since this page was opened")
        text = (rules_dir / FILE).read_text(encoding="utf-8")
        item = raw_agency(rules_dir, code)
        if item is None:
            raise KeyError(code)
        new = edited_text(text, code, apply_changes(item, changes))
        await asyncio.to_thread(validate_in_copy, rules_dir, new)
        replace_file(rules_dir, new)


def field_errors(
    error: RulesError, index: int | None, rows: list[int]
) -> tuple[dict[str, str], list[str]]:
    """Problems about this agency, keyed by form field; the rest as plain lines."""
    fields: dict[str, str] = {}
    general: list[str] = []
    prefix = f"agencies[{index}]"
    for problem in error.problems:
        name = problem.field[len(prefix) :].lstrip(".")
        if problem.file != FILE or index is None or not problem.field.startswith(prefix):
            general.append(str(problem))
            continue
        channel = re.match(r"^channels\[(\d+)\]\.?(\w*)", name)
        if channel and int(channel[1]) < len(rows):
            name = f"channels-{rows[int(channel[1])]}-{channel[2] or 'address'}"
        else:
            name = name.split(".")[0].split("[")[0]
        fields[name] = problem.message
    return fields, general


def index_of(rules_dir: Path, code: str) -> int | None:
    data = yaml.safe_load((rules_dir / FILE).read_text(encoding="utf-8")) or {}
    return next((i for i, a in enumerate(data.get("agencies", [])) if a.get("code") == code), None)
