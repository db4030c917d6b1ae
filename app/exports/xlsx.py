"""XLSX workbooks that open cleanly in a spreadsheet: typed cells, a frozen header, a filter on
every column, widths that fit, and a first sheet saying where the data comes from.

Each column's type comes from the dataset registry (`ExportColumn.type`, the Table Schema type
the Data Package uses too), so a column added there is written with the right cell type.
xlsxwriter's constant-memory mode keeps one row in memory; the widths are measured while the
rows go by, and the autofilter's range and the cover's row count are set once they have.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from enum import Enum
from typing import Any

from app.exports.cover import Cover
from app.queries.columns import ExportColumn

COVER_SHEET = "About"
MIN_WIDTH = 6
MAX_WIDTH = 60
"""Characters; a longer text (evidence, descriptions) is cut off on screen, not in the cell."""
DATE_FORMAT = "yyyy-mm-dd"


def _text(value: Any) -> str:
    return str(value.value if isinstance(value, Enum) else value)


def _width(value: Any) -> int:
    """How many characters a cell shows (its longest line)."""
    if isinstance(value, date):
        return len(DATE_FORMAT)
    return max((len(line) for line in _text(value).splitlines()), default=0)


def _writer(kind: str, sheet: Any, date_format: Any) -> Callable[[int, int, Any], Any]:
    """How a cell of a column of Table Schema type `kind` is written.

    Text is always written as text: a value that starts with `=` stays a string, never a
    formula, and a URL stays a string, not a hyperlink (which xlsxwriter would count).
    """
    if kind == "date":
        return lambda row, col, value: sheet.write_datetime(row, col, value, date_format)
    if kind == "integer":
        return lambda row, col, value: sheet.write_number(row, col, int(value))
    if kind == "number":
        return lambda row, col, value: sheet.write_number(row, col, float(value))
    if kind == "boolean":
        return lambda row, col, value: sheet.write_boolean(row, col, bool(value))
    return lambda row, col, value: sheet.write_string(row, col, _text(value))


def _write_cover(workbook: Any, sheet: Any, cover: Cover, rows: int) -> None:
    """Label and value, one per row; every value written as text (filters are user input)."""
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    label = workbook.add_format({"bold": True, "valign": "top"})
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 100)
    sheet.write_string(0, 0, f"crsv-data: {cover.dataset}", bold)
    lines: list[tuple[str, str]] = []
    for edition in cover.editions:
        lines += [
            ("Source", f"{edition.title}. {edition.publisher}."),
            ("Edition", str(edition.year)),
            ("Published", edition.published),
            ("Source address", edition.source_url),
            ("Licence", edition.licence),
        ]
    if not cover.editions:
        lines.append(("Source", "No report edition is loaded."))
    given = [f"{name}={value}" for name, value in cover.given] or ["none: every row"]
    lines += [("Filters" if i == 0 else "", text) for i, text in enumerate(given)]
    lines += [
        ("Sheet", cover.dataset[:31]),
        ("Rows", str(rows)),
        ("Data version", str(cover.data_version)),
    ]
    for index, (name, text) in enumerate(lines, start=2):
        if name:
            sheet.write_string(index, 0, name, label)
        sheet.write_string(index, 1, text, wrap)


def xlsx_chunks(
    columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]], cover: Cover
) -> Iterator[bytes]:
    """The workbook: the cover first, then the rows. The format is a zip, so it is built in a
    temporary file, then streamed."""
    import xlsxwriter  # only here: 3 MB that each server process need not hold until asked

    with tempfile.TemporaryFile() as spool:
        workbook = xlsxwriter.Workbook(spool, {"constant_memory": True, "in_memory": False})
        try:
            about = workbook.add_worksheet(COVER_SHEET)
            sheet = workbook.add_worksheet(cover.dataset[:31])
            dates = workbook.add_format({"num_format": DATE_FORMAT})
            writers = [_writer(column.type, sheet, dates) for column in columns]
            widths = [len(column.name) for column in columns]
            bold = workbook.add_format({"bold": True})
            for col, column in enumerate(columns):
                sheet.write_string(0, col, column.name, bold)
            count = 0
            for count, row in enumerate(rows, start=1):
                for col, value in enumerate(row):
                    if value is not None:
                        writers[col](count, col, value)
                        widths[col] = max(widths[col], _width(value))
            for col, width in enumerate(widths):
                sheet.set_column(col, col, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, count, len(columns) - 1)
            _write_cover(workbook, about, cover, count)
        finally:
            workbook.close()  # also when the rows fail: it holds a temporary file per sheet
        spool.seek(0)
        while block := spool.read(1 << 16):
            yield block
