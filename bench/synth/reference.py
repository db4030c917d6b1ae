"""Reference rows of the synthetic database: the real seeds plus invented places and partners.

The four real missions, their countries, the 44 real locations and 64 real partners are kept;
eleven more (real, historical) peacekeeping missions and their host countries are added so that
the synthetic data has 15 missions, and invented towns and organisations fill out the places and
partners. Everything is deterministic for a given `random.Random`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date

from app.seeding.reader import SeedSet

EXTRA_COUNTRIES = [
    ("SDN", "Sudan"),
    ("LBN", "Lebanon"),
    ("CYP", "Cyprus"),
    ("SYR", "Syrian Arab Republic"),
    ("ESH", "Western Sahara"),
    ("XKX", "Kosovo"),
    ("HTI", "Haiti"),
    ("LBR", "Liberia"),
    ("CIV", "Côte d'Ivoire"),
]

# code, name, country, status, start, end
EXTRA_MISSIONS = [
    (
        "UNAMID",
        "African Union-United Nations Hybrid Operation in Darfur",
        "SDN",
        "closed",
        date(2007, 7, 31),
        date(2020, 12, 31),
    ),
    (
        "UNISFA",
        "United Nations Interim Security Force for Abyei",
        "SDN",
        "active",
        date(2011, 6, 27),
        None,
    ),
    ("UNIFIL", "United Nations Interim Force in Lebanon", "LBN", "active", date(1978, 3, 19), None),
    (
        "UNFICYP",
        "United Nations Peacekeeping Force in Cyprus",
        "CYP",
        "active",
        date(1964, 3, 4),
        None,
    ),
    (
        "UNDOF",
        "United Nations Disengagement Observer Force",
        "SYR",
        "active",
        date(1974, 5, 31),
        None,
    ),
    (
        "MINURSO",
        "United Nations Mission for the Referendum in Western Sahara",
        "ESH",
        "active",
        date(1991, 4, 29),
        None,
    ),
    (
        "UNMIK",
        "United Nations Interim Administration Mission in Kosovo",
        "XKX",
        "active",
        date(1999, 6, 10),
        None,
    ),
    (
        "MINUSTAH",
        "United Nations Stabilization Mission in Haiti",
        "HTI",
        "closed",
        date(2004, 4, 30),
        date(2017, 10, 15),
    ),
    (
        "MINUJUSTH",
        "United Nations Mission for Justice Support in Haiti",
        "HTI",
        "closed",
        date(2017, 4, 13),
        date(2019, 10, 15),
    ),
    (
        "UNMIL",
        "United Nations Mission in Liberia",
        "LBR",
        "closed",
        date(2003, 9, 19),
        date(2018, 3, 30),
    ),
    (
        "UNOCI",
        "United Nations Operation in Côte d'Ivoire",
        "CIV",
        "closed",
        date(2004, 2, 27),
        date(2017, 6, 30),
    ),
]

# How much each mission reports, relative to the others: the real four carry the report (their
# shares in 2023 were 26, 26, 17 and 12 activities), the others less.
MISSION_WEIGHTS = {
    "MINUSCA": 26,
    "MONUSCO": 26,
    "MINUSMA": 17,
    "UNMISS": 12,
    "UNAMID": 9,
    "UNISFA": 6,
    "UNIFIL": 5,
    "UNFICYP": 2,
    "UNDOF": 2,
    "MINURSO": 3,
    "UNMIK": 3,
    "MINUSTAH": 7,
    "MINUJUSTH": 3,
    "UNMIL": 6,
    "UNOCI": 5,
}

SYLLABLES = [
    "ba",
    "ka",
    "ma",
    "ngo",
    "lu",
    "bo",
    "ri",
    "da",
    "zi",
    "ko",
    "te",
    "mu",
    "sa",
    "wa",
    "ye",
    "go",
    "ni",
    "ra",
    "tu",
    "be",
    "ha",
    "jo",
    "le",
    "pi",
    "so",
    "ve",
]
LOCATION_KINDS = ["town", "town", "town", "city", "camp", "site", "territory", "province"]
PARTNER_PATTERNS = [
    ("{n} Women's Association", "civil_society"),
    ("{n} Survivors' Network", "survivors_network"),
    ("{n} Legal Aid Clinic", "ngo"),
    ("{n} Community Radio", "media"),
    ("{n} Bar Association", "judicial_body"),
    ("Ministry of Gender of {c}", "government_body"),
    ("{n} Police Directorate", "security_forces"),
    ("{n} Peace Foundation", "foundation_or_fund"),
    ("{n} Youth Forum", "civil_society"),
    ("{n} Medical Relief", "ngo"),
]

KEY_SAFE = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return KEY_SAFE.sub("-", text.lower()).strip("-")


@dataclass
class Reference:
    """Rows for the reference tables, with internal ids assigned, and lookups for the content."""

    metrics: list[tuple[object, ...]] = field(default_factory=list)
    activity_types: list[tuple[object, ...]] = field(default_factory=list)
    objectives: list[tuple[object, ...]] = field(default_factory=list)
    countries: list[tuple[object, ...]] = field(default_factory=list)
    missions: list[tuple[object, ...]] = field(default_factory=list)
    locations: list[tuple[object, ...]] = field(default_factory=list)
    partners: list[tuple[object, ...]] = field(default_factory=list)
    metric_id: dict[str, int] = field(default_factory=dict)
    type_id: dict[str, int] = field(default_factory=dict)
    objective_id: dict[int, int] = field(default_factory=dict)
    country_id: dict[str, int] = field(default_factory=dict)
    mission_id: dict[str, int] = field(default_factory=dict)
    mission_country: dict[int, int] = field(default_factory=dict)
    """mission id -> country id"""
    locations_by_country: dict[int, list[int]] = field(default_factory=dict)
    location_ids: list[int] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if word not in used:
            used.add(word)
            return word


def build_reference(
    seeds: SeedSet, rng: random.Random, locations_per_country: int = 25, partners: int = 400
) -> Reference:
    ref = Reference()
    for i, m in enumerate(seeds.metrics, start=1):
        ref.metrics.append((i, m.code, m.label, m.unit, m.definition))
        ref.metric_id[m.code] = i
    for i, t in enumerate(seeds.activity_types, start=1):
        ref.activity_types.append((i, t.code, t.label, t.definition))
        ref.type_id[t.code] = i
    for i, o in enumerate(seeds.objectives, start=1):
        ref.objectives.append((i, o.number, o.title, o.description))
        ref.objective_id[o.number] = i

    countries = [(c.iso3, c.name) for c in seeds.countries] + EXTRA_COUNTRIES
    for i, (iso3, name) in enumerate(countries, start=1):
        ref.countries.append((i, iso3, name))
        ref.country_id[iso3] = i

    missions = [
        (m.code, m.name, m.country, m.status.value, m.mandate_start, m.mandate_end, m.mandate_note)
        for m in seeds.missions
    ] + [(*extra, "Synthetic benchmark data.") for extra in EXTRA_MISSIONS]
    for i, (code, name, iso3, status, start, end, note) in enumerate(missions, start=1):
        ref.missions.append((i, code, name, ref.country_id[iso3], status, start, end, note))
        ref.mission_id[code] = i
        ref.mission_country[i] = ref.country_id[iso3]

    used_names: set[str] = set()
    keys: set[str] = set()
    location_id = 0
    for loc in seeds.locations:
        location_id += 1
        keys.add(loc.key)
        used_names.add(loc.name)
        ref.locations.append(
            (
                location_id,
                loc.key,
                loc.name,
                loc.kind.value,
                ref.country_id[loc.country],
                loc.admin1,
                loc.latitude,
                loc.longitude,
                loc.precision.value if loc.precision else None,
                loc.coordinate_source,
            )
        )
    for country_index, (iso3, _) in enumerate(countries, start=1):
        for _ in range(locations_per_country):
            location_id += 1
            name = _name(rng, used_names)
            key = f"{slug(name)}-{iso3.lower()}"
            keys.add(key)
            lat = round(rng.uniform(-10, 35), 4)
            lon = round(rng.uniform(-15, 45), 4)
            admin1 = f"{_name(rng, set())} Province"
            ref.locations.append(
                (
                    location_id,
                    key,
                    name,
                    rng.choice(LOCATION_KINDS),
                    country_index,
                    admin1,
                    lat,
                    lon,
                    "approximate",
                    "synthetic: bench/synth",
                )
            )
    for row in ref.locations:
        ref.locations_by_country.setdefault(row[4], []).append(row[0])  # type: ignore[arg-type]
        ref.location_ids.append(row[0])  # type: ignore[arg-type]

    partner_id = 0
    partner_keys: set[str] = set()
    for p in seeds.partners:
        partner_id += 1
        partner_keys.add(p.key)
        ref.partners.append(
            (
                partner_id,
                p.key,
                p.name,
                p.acronym,
                p.kind.value,
                ref.country_id[p.country] if p.country else None,
            )
        )
    for _ in range(partners):
        iso3, country_name = rng.choice(countries)
        pattern, kind = rng.choice(PARTNER_PATTERNS)
        name = pattern.format(n=_name(rng, used_names), c=country_name)
        key = slug(name)
        if key in partner_keys:
            key = f"{key}-{iso3.lower()}"
        if key in partner_keys:
            continue
        partner_id += 1
        partner_keys.add(key)
        ref.partners.append((partner_id, key, name, None, kind, ref.country_id[iso3]))
    ref.partner_ids = [row[0] for row in ref.partners]  # type: ignore[misc]
    return ref
