"""Closed vocabularies shared by the models, the seed files and the API.

These are fixed by the data model (changing one needs a migration); open vocabularies such as
metrics and activity types live in the database as data instead.
"""

from __future__ import annotations

from enum import StrEnum


class Qualifier(StrEnum):
    """How the report words a number: 'at least 27' is `at_least`, 'nearly 200' is `nearly`."""

    EXACT = "exact"
    AT_LEAST = "at_least"
    MORE_THAN = "more_than"
    APPROXIMATELY = "approximately"
    NEARLY = "nearly"
    UP_TO = "up_to"


class StoryKind(StrEnum):
    NUMBERED_STORY = "numbered_story"
    HIGHLIGHT_BOX = "highlight_box"
    OVERVIEW_SECTION = "overview_section"


class DatePrecision(StrEnum):
    """How precisely the report dates something: 'May 2023' is `month`, 'in 2023' is `year`."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class MissionStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class PartnerKind(StrEnum):
    UN_ENTITY = "un_entity"
    NGO = "ngo"
    GOVERNMENT_BODY = "government_body"
    JUDICIAL_BODY = "judicial_body"
    SECURITY_FORCES = "security_forces"
    SURVIVORS_NETWORK = "survivors_network"
    CIVIL_SOCIETY = "civil_society"
    FOUNDATION_OR_FUND = "foundation_or_fund"
    MEDIA = "media"
    OTHER = "other"


class LocationKind(StrEnum):
    CITY = "city"
    TOWN = "town"
    CAMP = "camp"
    SITE = "site"
    TERRITORY = "territory"
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    STATE = "state"
    ADMINISTRATIVE_AREA = "administrative_area"
    REGION = "region"


class CoordinatePrecision(StrEnum):
    """What a location's coordinates stand for, so a map can draw them honestly.

    `point`: the place itself (a town, a camp, a site). `centroid`: the middle of an area (a
    province, a state, a territory), not a place anyone went to. `approximate`: a nearby known
    point stands in for a place no gazetteer gives; `coordinate_source` says which and why.
    """

    POINT = "point"
    CENTROID = "centroid"
    APPROXIMATE = "approximate"


class Scope(StrEnum):
    """What an API key may do; each scope includes the ones before it."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    def allows(self, needed: Scope) -> bool:
        order = [Scope.READ, Scope.WRITE, Scope.ADMIN]
        return order.index(self) >= order.index(needed)


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class FailureSubject(StrEnum):
    """What a count of failed authentications is about: a client address or a key prefix."""

    ADDRESS = "address"
    PREFIX = "prefix"
