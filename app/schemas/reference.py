"""Response models of the reference resources."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from app.enums import LocationKind, MissionStatus, PartnerKind
from app.schemas.common import Counts, PeriodOut, Schema, example


class CountryRef(Schema):
    model_config = example({"iso3": "COD", "name": "Democratic Republic of the Congo"})
    iso3: str
    name: str


class CountryOut(Schema):
    model_config = example({"id": "COD", "iso3": "COD", "name": "Democratic Republic of the Congo"})
    id: str = Field(description="ISO 3166-1 alpha-3 code.")
    iso3: str
    name: str


class ReportOut(Schema):
    model_config = example(
        {
            "id": "crsv-2023",
            "edition_year": 2023,
            "title": "Preventing and Responding to Conflict-related Sexual Violence, 2023",
            "publisher": "CRSV Team, Department of Peace Operations, United Nations",
            "published": {"start": "2024-06-01", "end": "2024-06-01", "precision": "month"},
            "source_url": "https://peacekeeping.un.org/en/conflict-related-sexual-violence",
            "licence_note": "United Nations publication; cite the report when reusing.",
        }
    )
    id: str
    edition_year: int
    title: str
    publisher: str
    published: PeriodOut
    source_url: str
    licence_note: str


class MissionOut(Schema):
    model_config = example(
        {
            "id": "MONUSCO",
            "code": "MONUSCO",
            "name": "United Nations Organization Stabilization Mission in the Democratic "
            "Republic of the Congo",
            "country": {"iso3": "COD", "name": "Democratic Republic of the Congo"},
            "status": "active",
            "mandate_start": "2010-07-01",
            "mandate_end": None,
            "mandate_note": "Security Council resolution 1925 (2010).",
        }
    )
    id: str = Field(description="The mission code; detail routes accept it in any case.")
    code: str
    name: str
    country: CountryRef
    status: MissionStatus
    mandate_start: date
    mandate_end: date | None
    mandate_note: str | None


class MissionDetail(MissionOut):
    counts: Counts


class ObjectiveOut(Schema):
    model_config = example(
        {
            "id": 2,
            "number": 2,
            "title": "Ending impunity for CRSV",
            "description": "Missions advocate for credible investigations...",
        }
    )
    id: int
    number: int
    title: str
    description: str


class ObjectiveDetail(ObjectiveOut):
    counts: Counts


class LocationOut(Schema):
    model_config = example(
        {
            "id": "goma",
            "name": "Goma",
            "kind": "city",
            "country": {"iso3": "COD", "name": "Democratic Republic of the Congo"},
            "admin1": "North Kivu",
            "latitude": None,
            "longitude": None,
        }
    )
    id: str
    name: str
    kind: LocationKind
    country: CountryRef
    admin1: str | None = Field(description="First-level administrative area.")
    latitude: float | None
    longitude: float | None


class PartnerOut(Schema):
    model_config = example(
        {
            "id": "unfpa",
            "name": "United Nations Population Fund",
            "acronym": "UNFPA",
            "kind": "un_entity",
            "country": None,
        }
    )
    id: str
    name: str
    acronym: str | None
    kind: PartnerKind
    country: str | None = Field(description="ISO3 of a national body's country.")


class MetricOut(Schema):
    model_config = example(
        {
            "id": "trainees",
            "code": "trainees",
            "label": "People trained",
            "unit": "person",
            "definition": "People who received a training.",
        }
    )
    id: str
    code: str
    label: str
    unit: str
    definition: str


class ActivityTypeOut(Schema):
    model_config = example(
        {
            "id": "mobile_court",
            "code": "mobile_court",
            "label": "Mobile court",
            "definition": "Court hearings held away from a permanent seat.",
        }
    )
    id: str
    code: str
    label: str
    definition: str
