"""What a spreadsheet says about itself on its first sheet: the source, the edition, the licence
and the filters it was made with.

A CSV or JSON file travels with the API's documentation; a workbook is opened, forwarded and
re-saved on its own, so it carries its provenance inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select

from app.enums import DatePrecision
from app.models import Report
from app.queries.versions import data_version


@dataclass(frozen=True)
class Edition:
    """One report edition the data comes from."""

    year: int
    title: str
    publisher: str
    published: str
    """As precisely as the report dates it: `2024-06` for June 2024."""
    source_url: str
    licence: str


@dataclass(frozen=True)
class Cover:
    """The first sheet's content (the row count is known only once the rows are written)."""

    dataset: str
    editions: list[Edition]
    data_version: int
    given: Sequence[tuple[str, str]]
    """Each filter parameter exactly as requested, in the order given: (name, value)."""


def _years(given: Sequence[tuple[str, str]]) -> set[int]:
    """The editions a `year` filter asks for (already checked by the route)."""
    return {
        int(part)
        for name, value in given
        if name == "year"
        for part in value.split(",")
        if part.strip().isdigit()
    }


def _dated(day: date, precision: DatePrecision) -> str:
    """`day` to the precision the report gives: 2024-06-01 of a `month` is 2024-06."""
    return day.isoformat()[: {"year": 4, "month": 7}.get(precision, 10)]


def read_cover(engine: Engine, dataset: str, given: Sequence[tuple[str, str]]) -> Cover:
    """The editions held (those a `year` filter names, if any) and the data version."""
    years = _years(given)
    statement = select(
        Report.edition_year,
        Report.title,
        Report.publisher,
        Report.published_date,
        Report.published_precision,
        Report.source_url,
        Report.licence_note,
    ).order_by(Report.edition_year)
    if years:
        statement = statement.where(Report.edition_year.in_(sorted(years)))
    with engine.connect() as connection:
        reports = connection.execute(statement).all()
        version = data_version(connection).number
    editions = [
        Edition(year, title, publisher, _dated(published, precision), url, licence)
        for year, title, publisher, published, precision, url, licence in reports
    ]
    return Cover(dataset, editions, version, list(given))
