"""Column helpers shared by the models."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Computed, Enum, Index, String
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import MappedColumn, mapped_column

KEY_REGEX = "^[a-z0-9]+(-[a-z0-9]+)*$"
UNACCENT_FUNCTION = "crsv_unaccent"
"""Immutable wrapper around `unaccent`, created by the first migration (see there)."""


def key_column() -> MappedColumn[str]:
    """The stable public identifier of a row, chosen in the seed data."""
    return mapped_column(String(120), unique=True)


def key_check() -> CheckConstraint:
    return CheckConstraint(f"key ~ '{KEY_REGEX}'", name="key_format")


def enum_type(enum: type[StrEnum], name: str) -> Enum:
    """A closed vocabulary stored as text with a CHECK constraint (no native enum to migrate)."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def search_vector(*weighted_columns: tuple[str, str]) -> MappedColumn[Any]:
    """A stored tsvector over the given (column, weight) pairs: English stemming, no accents."""
    parts = [
        f"setweight(to_tsvector('english'::regconfig, "
        f"{UNACCENT_FUNCTION}(coalesce({column}, ''))), '{weight}')"
        for column, weight in weighted_columns
    ]
    return mapped_column(TSVECTOR, Computed(" || ".join(parts), persisted=True), deferred=True)


def search_index(table: str) -> Index:
    return Index(f"ix_{table}_search_vector", "search_vector", postgresql_using="gin")
