"""Numbers, shares, durations and times as people read them: Vietnamese by default
(1.234.567; 91,5%; 23/11/2026 07:30), English on request, local time (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_decimal, format_percent

from hotline.reports.periods import DEFAULT_TZ

DASH = "–"
UNITS = {
    "vi": {"d": "ngày", "h": "giờ", "m": "phút", "s": "giây"},
    "en": {"d": "d", "h": "h", "m": "min", "s": "s"},
}
# Excel number formats for the same kinds of value (the XLSX export uses these).
EXCEL_FORMATS = {"int": "#,##0", "share": "0.0%", "duration": "[h]:mm", "decimal": "#,##0.0"}


def number(value: float | int | None, locale: str = "vi", digits: int = 0) -> str:
    if value is None:
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale)


def share(value: float | None, locale: str = "vi") -> str:
    """0.915 -> "91,5%" (vi) / "91.5%" (en)."""
    if value is None:
        return DASH
    return format_percent(value, format="#,##0.0%", locale=locale)


def duration(seconds: float | None, locale: str = "vi") -> str:
    """Two largest units: "2 giờ 15 phút", "3 ngày 4 giờ", "45 giây"."""
    if seconds is None:
        return DASH
    units = UNITS.get(locale, UNITS["en"])
    left = int(round(seconds))
    parts: list[str] = []
    for key, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size or (key == "s" and not parts):
            amount, left = divmod(left, size)
            parts.append(f"{amount} {units[key]}")
        if len(parts) == 2:
            break
    return " ".join(parts)


def local(moment: datetime, tz: str = DEFAULT_TZ) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def when(moment: datetime | None, locale: str = "vi", tz: str = DEFAULT_TZ) -> str:
    """A UTC instant in local time: "23/11/2026 07:30" (vi), "11/23/26, 7:30 AM" (en)."""
    if moment is None:
        return DASH
    pattern = "dd/MM/yyyy HH:mm" if locale == "vi" else "short"
    return _format_datetime(local(moment, tz), format=pattern, locale=locale)


def day(value: date, locale: str = "vi") -> str:
    return _format_date(value, format="short" if locale == "en" else "dd/MM/yyyy", locale=locale)
