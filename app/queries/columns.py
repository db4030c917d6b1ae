"""The flat columns of each exported dataset: names, SQL, types and HXL hashtags.

`app/queries/datasets.py` gives each dataset its list.

Each dataset's export SELECT reuses the FROM clause (joins and aliases) of its list query, so
the filters of the list route apply to exports unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from app.models import (
    Activity,
    ActivityType,
    Country,
    Figure,
    Location,
    Metric,
    Mission,
    Objective,
    Partner,
    Report,
    Story,
    activity_location,
    activity_partner,
    story_country,
    story_mission,
)
from app.queries import figures
from app.queries.figures import figure_country
from app.queries.keyset import Expression
from app.queries.reference import PartnerCountry
from app.queries.shapes import linked


@dataclass(frozen=True)
class ExportColumn:
    name: str
    expression: Expression
    type: str = "string"  # Frictionless Table Schema type
    hxl: str | None = None
    description: str = ""


def _joined(values: Expression) -> ColumnElement[Any]:
    """'a; b; c', sorted, for a many-to-many relation in a flat file."""
    return func.array_to_string(func.array_agg(aggregate_order_by(values, values)), "; ")


def _c(
    name: str,
    expression: Expression,
    kind: str = "string",
    hxl: str | None = None,
    description: str = "",
) -> ExportColumn:
    return ExportColumn(name, expression, kind, hxl, description)


activity_locations = linked(_joined(Location.key), activity_location, Activity.id)
activity_location_names = linked(_joined(Location.name), activity_location, Activity.id)
activity_partners = linked(_joined(Partner.key), activity_partner, Activity.id)
story_missions = linked(_joined(Mission.code), story_mission, Story.id)
story_countries = linked(_joined(Country.iso3), story_country, Story.id)
activity_figures = (
    select(func.count(Figure.id)).where(Figure.activity_id == Activity.id).scalar_subquery()
)

FIGURES: list[ExportColumn] = [
    _c("id", Figure.key, hxl="#meta+id", description="Stable figure id."),
    _c("year", Report.edition_year, "integer", "#date+year", "Report edition year."),
    _c("mission", Mission.code, hxl="#org+impl", description="Mission code."),
    _c("objective", Objective.number, "integer", "#sector+objective"),
    _c(
        "country",
        figure_country,
        hxl="#country+code",
        description="ISO3 of the figure's place, else of its mission.",
    ),
    _c("admin1", Location.admin1, hxl="#adm1+name"),
    _c("location_id", Location.key),
    _c("location", Location.name, hxl="#loc+name"),
    _c("story_id", Story.key),
    _c("story_number", Story.number, "integer"),
    _c("story_title", Story.title),
    _c("activity_id", Activity.key),
    _c("activity_title", Activity.title, hxl="#activity+name"),
    _c("activity_type", ActivityType.code, hxl="#activity+type"),
    _c("metric", Metric.code, hxl="#indicator+code"),
    _c("metric_label", Metric.label, hxl="#indicator+name"),
    _c(
        "unit",
        func.coalesce(Figure.unit, Metric.unit),
        hxl="#indicator+unit",
        description="What one unit is: the figure's own unit, else its metric's.",
    ),
    _c("value", Figure.value, "integer", "#reached+total", "The number as written."),
    _c(
        "part_of",
        figures.Whole.key,
        hxl="#meta+part_of",
        description="Id of the figure this one is a subset of; never add the two.",
    ),
    _c(
        "qualifier",
        Figure.qualifier,
        hxl="#indicator+qualifier",
        description="exact, at_least, more_than, approximately, nearly or up_to.",
    ),
    _c("women", Figure.women, "integer", "#reached+f"),
    _c("men", Figure.men, "integer", "#reached+m"),
    _c("children", Figure.children, "integer", "#reached+children"),
    _c("subject", Figure.subject, hxl="#description+subject"),
    _c(
        "date_start",
        func.coalesce(Figure.date_start, Activity.date_start),
        "date",
        "#date+start",
    ),
    _c("date_end", func.coalesce(Figure.date_end, Activity.date_end), "date", "#date+end"),
    _c(
        "date_precision",
        func.coalesce(Figure.date_precision, Activity.date_precision),
        hxl="#date+precision",
    ),
    _c(
        "evidence",
        Figure.evidence,
        hxl="#meta+source",
        description="Verbatim phrase of the report holding the number.",
    ),
    _c("section", Figure.section, hxl="#meta+section"),
    _c("note", Figure.note, hxl="#meta+note"),
]


ACTIVITIES: list[ExportColumn] = [
    _c("id", Activity.key, hxl="#meta+id"),
    _c("year", Report.edition_year, "integer", "#date+year"),
    _c("mission", Mission.code, hxl="#org+impl"),
    _c("objective", Objective.number, "integer", "#sector+objective"),
    _c("story_id", Story.key),
    _c("story_number", Story.number, "integer"),
    _c("type", ActivityType.code, hxl="#activity+type"),
    _c("type_label", ActivityType.label),
    _c("title", Activity.title, hxl="#activity+name"),
    _c("description", Activity.description, hxl="#description"),
    _c("date_start", Activity.date_start, "date", "#date+start"),
    _c("date_end", Activity.date_end, "date", "#date+end"),
    _c("date_precision", Activity.date_precision, hxl="#date+precision"),
    _c("locations", activity_locations, description="Location ids, '; '-separated."),
    _c("location_names", activity_location_names, hxl="#loc+name"),
    _c(
        "partners",
        activity_partners,
        hxl="#org+partner",
        description="Partner ids, '; '-separated.",
    ),
    _c("figure_count", activity_figures, "integer"),
]


STORIES: list[ExportColumn] = [
    _c("id", Story.key, hxl="#meta+id"),
    _c("year", Report.edition_year, "integer", "#date+year"),
    _c("number", Story.number, "integer"),
    _c("kind", Story.kind),
    _c("position", Story.position, "integer"),
    _c("title", Story.title),
    _c("summary", Story.summary, hxl="#description"),
    _c("section", Story.section, hxl="#meta+section"),
    _c("objective", Objective.number, "integer", "#sector+objective"),
    _c("missions", story_missions, hxl="#org+impl"),
    _c("countries", story_countries, hxl="#country+code"),
    _c("editorial_note", Story.editorial_note),
]


MISSIONS: list[ExportColumn] = [
    _c("code", Mission.code, hxl="#org+code"),
    _c("name", Mission.name, hxl="#org+name"),
    _c("country", Country.iso3, hxl="#country+code"),
    _c("status", Mission.status, hxl="#status"),
    _c("mandate_start", Mission.mandate_start, "date", "#date+start"),
    _c("mandate_end", Mission.mandate_end, "date", "#date+end"),
    _c("mandate_note", Mission.mandate_note, hxl="#meta+source"),
]


OBJECTIVES: list[ExportColumn] = [
    _c("number", Objective.number, "integer", "#sector+code"),
    _c("title", Objective.title, hxl="#sector+name"),
    _c("description", Objective.description, hxl="#description"),
]


COUNTRIES: list[ExportColumn] = [
    _c("iso3", Country.iso3, hxl="#country+code"),
    _c("name", Country.name, hxl="#country+name"),
]


LOCATIONS: list[ExportColumn] = [
    _c("id", Location.key, hxl="#loc+code"),
    _c("name", Location.name, hxl="#loc+name"),
    _c("kind", Location.kind, hxl="#loc+type"),
    _c("country", Country.iso3, hxl="#country+code"),
    _c("admin1", Location.admin1, hxl="#adm1+name"),
    _c("latitude", Location.latitude, "number", "#geo+lat"),
    _c("longitude", Location.longitude, "number", "#geo+lon"),
    _c(
        "precision",
        Location.precision,
        hxl="#geo+precision",
        description="point (the place), centroid (the middle of an area) or approximate.",
    ),
    _c(
        "coordinate_source",
        Location.coordinate_source,
        hxl="#meta+source",
        description="Gazetteer entry of the coordinates, or why they were recorded by hand.",
    ),
]


PARTNERS: list[ExportColumn] = [
    _c("id", Partner.key, hxl="#org+code"),
    _c("name", Partner.name, hxl="#org+name"),
    _c("acronym", Partner.acronym, hxl="#org+acronym"),
    _c("kind", Partner.kind, hxl="#org+type"),
    _c("country", PartnerCountry.iso3, hxl="#country+code"),
]


REPORTS: list[ExportColumn] = [
    _c("id", Report.key, hxl="#meta+id"),
    _c("edition_year", Report.edition_year, "integer", "#date+year"),
    _c("title", Report.title),
    _c("publisher", Report.publisher, hxl="#org+name"),
    _c("published_date", Report.published_date, "date", "#date"),
    _c("source_url", Report.source_url, hxl="#meta+url"),
    _c("licence_note", Report.licence_note),
]


METRICS: list[ExportColumn] = [
    _c("code", Metric.code, hxl="#indicator+code"),
    _c("label", Metric.label, hxl="#indicator+name"),
    _c("unit", Metric.unit, hxl="#indicator+unit"),
    _c("definition", Metric.definition, hxl="#description"),
]


ACTIVITY_TYPES: list[ExportColumn] = [
    _c("code", ActivityType.code, hxl="#activity+code"),
    _c("label", ActivityType.label, hxl="#activity+name"),
    _c("definition", ActivityType.definition, hxl="#description"),
]
