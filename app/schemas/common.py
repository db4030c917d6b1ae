"""Response models shared by several resources (documentation of the JSON the API sends)."""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from app.enums import DatePrecision, Qualifier

T = TypeVar("T")


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def example(payload: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [payload]})


class PeriodOut(Schema):
    """A date or period at the precision the report gives it."""

    model_config = example({"start": "2023-07-01", "end": "2023-09-30", "precision": "month"})
    start: date = Field(description="First day covered.")
    end: date = Field(description="Last day covered.")
    precision: DatePrecision


class FacetValue(Schema):
    value: Any = Field(description="A value of the filter; send it back as that filter.")
    label: str | None = Field(description="Its name (mission name, metric label, ...).")
    count: int = Field(description="Records holding it, under the current filters.")


class Facet(Schema):
    model_config = example(
        {
            "values": [
                {
                    "value": "MONUSCO",
                    "label": "United Nations Organization Stabilization "
                    "Mission in the Democratic Republic of the Congo",
                    "count": 26,
                }
            ],
            "truncated": False,
        }
    )
    values: list[FacetValue] = Field(description="Most records first (at most 100).")
    truncated: bool = Field(description="Whether more values hold records.")


class Page(Schema, Generic[T]):
    """One page of a list. Follow `next_cursor` (or the `Link: rel=next` header) for more."""

    model_config = example(
        {"items": [], "total": 0, "total_qualifier": "exact", "next_cursor": None}
    )
    items: list[T]
    total: int = Field(description="Number of items matching the filters, over all pages.")
    total_qualifier: Literal[Qualifier.EXACT, Qualifier.MORE_THAN] = Field(
        description="`exact`; or, for a full-text search (`q`) with more than 1,000 matches, "
        "`more_than`: `total` is then 1,000 and the matches were not all counted (walking the "
        "cursor still reaches every one, and an export of the same query holds them all)."
    )
    next_cursor: str | None = Field(description="Token for the next page; null on the last.")
    facets: dict[str, Facet] | None = Field(
        None, description="Only with `facets`: per facet asked, its values and their counts."
    )


class Counts(Schema):
    model_config = example({"stories": 9, "activities": 27, "figures": 21})
    stories: int
    activities: int
    figures: int
