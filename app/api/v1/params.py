"""Query parameters shared by the list routes, each documented with an example."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import Query, Request
from pydantic import AfterValidator, BeforeValidator

from app.errors import InvalidParameters, parameter_error
from app.queries.keyset import example_cursor, parse_sort
from app.queries.listing import ListSpec
from app.queries.websearch import MAX_NEGATIONS, check_search_text


def listed(description: str, example: str) -> object:
    return Query(
        description=f"{description} Several values, comma-separated, match any of them.",
        examples=[example],
        max_length=2000,
    )


Mission = Annotated[str | None, listed("Mission code(s), case-insensitive.", "monusco,minusca")]
ObjectiveNumber = Annotated[str | None, listed("Priority objective number(s), 1 to 5.", "2")]
Country = Annotated[str | None, listed("ISO 3166-1 alpha-3 country code(s).", "COD")]
Location = Annotated[str | None, listed("Location id(s).", "goma")]
Partner = Annotated[str | None, listed("Partner organisation id(s).", "unfpa")]
StoryId = Annotated[str | None, listed("Story id(s).", "2023-story-10")]
ActivityId = Annotated[str | None, listed("Activity id(s).", "2023-story-10-mobile-courts-support")]
ActivityTypeCode = Annotated[str | None, listed("Activity type code(s).", "training")]
MetricCode = Annotated[str | None, listed("Metric code(s).", "convictions")]
QualifierCode = Annotated[
    str | None,
    listed("Qualifier(s): exact, at_least, more_than, approximately, nearly, up_to.", "at_least"),
]
Year = Annotated[str | None, listed("Report edition year(s).", "2023")]
StoryKindCode = Annotated[
    str | None,
    listed("Story kind(s): numbered_story, highlight_box, overview_section.", "numbered_story"),
]


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD: no timestamps ('0' would otherwise mean 1970-01-01)."""
    if isinstance(value, str) and not ISO_DATE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _iso_datetime(value: object) -> object:
    """Only ISO 8601 date-times, with a time zone."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None or not ISO_DATE.match(value):
            raise ValueError("must be an ISO 8601 date-time with a time zone")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]

DateFrom = Annotated[
    IsoDate | None,
    Query(
        description="Only records whose period ends on or after this date.", examples=["2023-06-01"]
    ),
]
DateTo = Annotated[
    IsoDate | None,
    Query(
        description="Only records whose period starts on or before this date.",
        examples=["2023-12-31"],
    ),
]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page (1 to 500).", examples=[50])]
Bom = Annotated[
    bool,
    Query(
        description="CSV only: start the file with the UTF-8 byte-order mark (EF BB BF), so "
        "that Excel on Windows reads it as UTF-8 and shows ’ “ é as written. `bom=0` or no "
        "`bom`: no mark.",
        examples=[True],
    ),
]


def cursor_param(spec: ListSpec) -> object:
    """The `cursor` parameter of one list, with an example made for its default order."""
    default = parse_sort(spec.default_sort, spec.sort_fields, spec.id_column)
    return Query(
        description="Opaque token from `next_cursor` of the previous page.",
        examples=[example_cursor(default)],
        max_length=1000,
    )


SearchText = Annotated[
    str | None,
    Query(
        description="Full-text search (English stemming, accents ignored, web-search syntax: "
        '"quoted phrase", -excluded). Results are sorted by relevance unless `sort` is given. '
        f"At most {MAX_NEGATIONS} `-` in a row without a letter or digit between them.",
        examples=["mobile court"],
        min_length=1,
        max_length=200,
    ),
    AfterValidator(check_search_text),
]
NameSearch = Annotated[
    str | None,
    Query(
        description="Case- and accent-insensitive match on the name.",
        examples=["kivu"],
        min_length=1,
        max_length=200,
    ),
]


def sort_param(spec: ListSpec) -> object:
    """The `sort` parameter of one list: its fields as an enum, or a comma list of them."""
    fields = list(spec.sort_fields)
    one = f"-?({'|'.join(fields)})"
    return Query(
        description=(
            f"Comma list of {', '.join(fields)}; prefix `-` for descending. "
            f"Default `{spec.default_sort}`; ties are broken by internal id, so the order is "
            "stable."
        ),
        examples=[spec.default_sort],
        max_length=200,
        json_schema_extra={
            "anyOf": [
                {
                    "type": "string",
                    "enum": [f"{sign}{name}" for name in fields for sign in ("", "-")],
                },
                {"type": "string", "pattern": f"^{one}(,{one})*$", "maxLength": 200},
            ]
        },
    )


async def no_nul_bytes(request: Request) -> None:
    """PostgreSQL text cannot hold NUL, so a parameter carrying one is refused up front.

    Async because it does no I/O: a sync dependency would cost every request a thread hop."""
    bad = [
        parameter_error(name, "must not contain NUL characters", location)
        for location, values in (
            ("query", request.query_params.multi_items()),
            ("path", list(request.path_params.items())),
        )
        for name, value in values
        if "\x00" in str(value)
    ]
    if bad:
        raise InvalidParameters(bad)
