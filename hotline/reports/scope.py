"""Whose figures: the calls a reader's dashboard, statistics and reports are made of.

A supervisor limited to some lines or areas sees the figures of those calls only: a call on
one of their lines, or in one of their areas or below (hotline.calls.views.figures_scope,
the same rule as the call lists). Every report function takes `scope` (None: every call)
beside the `areas` and `line` the reader asks for; narrow() applies all three to a query over
calls or over the rollups, Scope.admits() to rows counted in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from sqlmodel import col

from hotline.models import Call

_Row = TypeVarTuple("_Row")


@dataclass(frozen=True)
class Scope:
    lines: frozenset[str] = frozenset()
    roots: tuple[str, ...] = ()  # the reader's areas, as their account names them
    areas: frozenset[str] = frozenset()  # the roots' subtrees, the old map's areas included

    def admits(self, line: str, area: str | None) -> bool:
        return line in self.lines or (area or "") in self.areas

    def condition(self, line_column: Any, area_column: Any) -> sa.ColumnElement[bool]:
        return sa.or_(line_column.in_(sorted(self.lines)), area_column.in_(sorted(self.areas)))

    def to_dict(self) -> dict[str, list[str]]:
        return {"lines": sorted(self.lines), "areas": list(self.roots)}


def narrow(
    query: sa.Select[*_Row],
    *,
    areas: Iterable[str] | None,
    line: str | None,
    scope: Scope | None,
    columns: tuple[Any, Any] | None = None,
) -> sa.Select[*_Row]:
    """The query limited to the areas and the line asked for, and to the reader's scope;
    `columns` are the line and area columns to test (default: the call's)."""
    line_column, area_column = columns or (col(Call.line_code), col(Call.area_code))
    if areas is not None:
        query = query.where(area_column.in_(sorted(areas)))
    if line is not None:
        query = query.where(line_column == line)
    if scope is not None:
        query = query.where(scope.condition(line_column, area_column))
    return query
