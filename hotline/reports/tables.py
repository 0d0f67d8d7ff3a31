"""Report tables: a Report is Sections of rows under bilingual Columns; exports read these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotline.reports.periods import Period


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    kind: str = "int"  # text | int | share | duration

    def label(self, locale: str = "vi") -> str:
        return self.vi if locale == "vi" else self.en


@dataclass
class Section:
    key: str
    vi: str
    en: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None
    note: str = ""

    def title(self, locale: str = "vi") -> str:
        return self.vi if locale == "vi" else self.en

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def to_dict(self) -> dict[str, Any]:
        keys = [c.key for c in self.columns]
        return {
            "key": self.key,
            "title": {"vi": self.vi, "en": self.en},
            "columns": [
                {"key": c.key, "vi": c.vi, "en": c.en, "kind": c.kind} for c in self.columns
            ],
            "rows": [dict(zip(keys, r, strict=True)) for r in self.rows],
            "total": dict(zip(keys, self.total, strict=True)) if self.total else None,
            "note": self.note,
        }


@dataclass
class Report:
    period: Period
    area: str | None
    line: str | None
    framework: str | None
    generated_at: datetime
    sections: list[Section]
    empty: bool
    notes: list[str] = field(default_factory=list)
    areas_as: str = "today"  # areas grouped as today's map, or as the calls were logged

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.to_dict(),
            "area": self.area,
            "line": self.line,
            "framework": self.framework,
            "generated_at": self.generated_at.isoformat(),
            "empty": self.empty,
            "notes": self.notes,
            "sections": [s.to_dict() for s in self.sections],
        }
