"""Reference data: countries, locations, missions, objectives and partner organisations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base
from app.enums import CoordinatePrecision, LocationKind, MissionStatus, PartnerKind
from app.models.columns import enum_type, key_check, key_column


class Country(Base):
    __tablename__ = "country"
    __table_args__ = (CheckConstraint("iso3 ~ '^[A-Z]{3}$'", name="iso3_format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(300))


class Location(Base):
    """A place where something happened: town, camp, province, state, ..."""

    __tablename__ = "location"
    __table_args__ = (
        key_check(),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_paired"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        CheckConstraint(
            "(latitude IS NULL) = (precision IS NULL) AND (latitude IS NULL) = "
            "(coordinate_source IS NULL)",
            name="coordinates_described",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[LocationKind] = mapped_column(enum_type(LocationKind, "location_kind"))
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    admin1: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[CoordinatePrecision | None] = mapped_column(
        enum_type(CoordinatePrecision, "coordinate_precision")
    )
    coordinate_source: Mapped[str | None] = mapped_column(String(500))

    country: Mapped[Country] = relationship(lazy="raise")


class Mission(Base):
    """A peacekeeping operation; its public identifier is its code (`MONUSCO`)."""

    __tablename__ = "mission"
    __table_args__ = (
        CheckConstraint("code ~ '^[A-Z][A-Z0-9-]+$'", name="code_format"),
        CheckConstraint(
            "mandate_end IS NULL OR mandate_end >= mandate_start", name="mandate_ordered"
        ),
        CheckConstraint("status <> 'closed' OR mandate_end IS NOT NULL", name="closed_has_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    status: Mapped[MissionStatus] = mapped_column(enum_type(MissionStatus, "mission_status"))
    mandate_start: Mapped[date] = mapped_column(Date)
    mandate_end: Mapped[date | None] = mapped_column(Date)
    mandate_note: Mapped[str | None] = mapped_column(Text)

    country: Mapped[Country] = relationship(lazy="raise")


class Objective(Base):
    """One of the five priority objectives of the UN policy on CRSV in field missions."""

    __tablename__ = "objective"
    __table_args__ = (CheckConstraint("number BETWEEN 1 AND 5", name="number_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(SmallInteger, unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)


class Partner(Base):
    """An organisation working with a mission: UN entity, NGO, national body, network, ..."""

    __tablename__ = "partner"
    __table_args__ = (key_check(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[PartnerKind] = mapped_column(enum_type(PartnerKind, "partner_kind"))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id"), index=True)

    country: Mapped[Country | None] = relationship(lazy="raise")
