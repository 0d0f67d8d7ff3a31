"""Report exports: XLSX (one sheet per section, Vietnamese headers, number formats) and
CSV (UTF-8 with a BOM, so Excel shows Vietnamese correctly).

Durations are Excel durations in the XLSX ([h]:mm, value in days) and minutes in the CSV;
shares are fractions formatted as percentages in the XLSX and percentages in the CSV.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import IO, Any, cast

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hotline.reports import fmt
from hotline.reports.periods import ONE_OF, ReportInputError
from hotline.reports.tables import Column, Report, Section

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
BOLD = Font(bold=True)
SHEET_TITLES = {
    "summary": "Tổng hợp",
    "areas": "Địa bàn",
    "categories": "Loại vụ việc",
    "agency_kinds": "Cơ quan",
    "lines": "Đường dây",
    "funnel": "Phễu",
    "interventions": "Can thiệp",
    "open_cases": "Chưa xong",
}


def _kind(column: Column, row: list[Any], section: Section) -> str:
    if column.kind == "auto":
        return str(row[section.column("kind")])
    return column.kind


def _xlsx_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "duration":
        return value / 86400  # Excel keeps durations in days
    return value


AREAS_AS_LABEL = {
    "today": "theo bản đồ hiện hành / as today's map",
    "logged": "theo địa bàn lúc ghi nhận / as logged",
}


def _write_sheet(wb: Workbook, report: Report, section: Section, locale: str) -> None:
    ws = wb.create_sheet(SHEET_TITLES.get(section.key, section.key)[:31])
    p = report.period
    ws.append([section.title(locale)])
    ws["A1"].font = Font(bold=True, size=13)
    scope = report.area or ("toàn bộ" if locale == "vi" else "all areas")
    scope += " (" + AREAS_AS_LABEL[report.areas_as] + ")"
    ws.append(
        [
            f"Kỳ báo cáo: {p.label} ({fmt.day(p.first_day)} – {fmt.day(p.last_day)}); "
            f"địa bàn: {scope}; lập lúc {fmt.when(report.generated_at)}"
        ]
    )
    for note in [*report.notes, section.note]:
        if note:
            ws.append([note])
    ws.append([])
    columns = [c for c in section.columns if c.key != "kind"]
    ws.append([c.label(locale) for c in columns])
    header = ws.max_row
    for cell in ws[header]:
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    rows = [*section.rows, *([section.total] if section.total else [])]
    for index, row in enumerate(rows):
        values = []
        kinds = []
        for column in columns:
            i = section.column(column.key)
            kind = _kind(column, row, section)
            values.append(_xlsx_value(row[i], kind))
            kinds.append(kind)
        ws.append(values)
        for cell, kind in zip(ws[ws.max_row], kinds, strict=True):
            if kind in fmt.EXCEL_FORMATS:
                cell.number_format = fmt.EXCEL_FORMATS[kind]
            if section.total is not None and index == len(rows) - 1:
                cell.font = BOLD
    for i, column in enumerate(columns, start=1):
        width = 34 if column.kind == "text" else 16
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = ws.cell(row=header + 1, column=1)


def write_xlsx(report: Report, target: str | Path | IO[bytes], *, locale: str = "vi") -> None:
    """Write the report as an Excel workbook: one sheet per section."""
    wb = Workbook()
    wb.remove(wb.active)
    for section in report.sections:
        _write_sheet(wb, report, section, locale)
    wb.save(target)


def _csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "duration":
        return round(value / 60, 1)  # minutes
    if kind == "share":
        return round(value * 100, 1)
    return value


def _csv_header(column: Column, locale: str) -> str:
    unit = {"duration": " (phút)" if locale == "vi" else " (minutes)", "share": " (%)"}
    return column.label(locale) + unit.get(column.kind, "")


def write_csv(
    report: Report, stream: IO[str] | IO[bytes], section: str, *, locale: str = "vi"
) -> None:
    """Write one section as CSV (UTF-8 with BOM). A text stream gets the BOM as U+FEFF,
    a binary stream the UTF-8 bytes."""
    try:
        sec = report.section(section)
    except StopIteration:
        known = ", ".join(s.key for s in report.sections)
        raise ReportInputError("section", ONE_OF, choices=known) from None
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    columns = [c for c in sec.columns if c.key != "kind"]
    writer.writerow([_csv_header(c, locale) for c in columns])
    for row in [*sec.rows, *([sec.total] if sec.total else [])]:
        writer.writerow([_csv_value(row[sec.column(c.key)], _kind(c, row, sec)) for c in columns])
    data = "\ufeff" + text.getvalue()
    # IO[str] and IO[bytes] are one class at run time: a text stream is the one with an
    # encoding, so the casts tell the type checker what that test found.
    if isinstance(stream, io.TextIOBase) or hasattr(stream, "encoding"):
        cast(IO[str], stream).write(data)
    else:
        cast(IO[bytes], stream).write(data.encode("utf-8"))
