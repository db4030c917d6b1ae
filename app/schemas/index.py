"""Response model of the API's front door."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from app.schemas.common import Schema, example

BASE = "https://crsv.example.org"


class IndexLinks(Schema):
    self: str
    openapi: str = Field(description="The OpenAPI document.")
    docs: str = Field(description="Interactive documentation (Swagger UI).")
    redoc: str = Field(description="Reference documentation (ReDoc).")
    datapackage: str = Field(description="Every dataset as CSV in a Frictionless Data Package.")


class ApiIndex(Schema):
    """Where everything is, and which version of the data is served."""

    model_config = example(
        {
            "title": "crsv-data",
            "api_version": "1.0.0",
            "data_version": 412,
            "data_changed_at": "2026-12-01T09:30:00Z",
            "links": {
                "self": f"{BASE}/v1",
                "openapi": f"{BASE}/openapi.json",
                "docs": f"{BASE}/docs",
                "redoc": f"{BASE}/redoc",
                "datapackage": f"{BASE}/v1/exports/datapackage.zip",
            },
            "collections": {"figures": f"{BASE}/v1/figures", "missions": f"{BASE}/v1/missions"},
            "stats": {"figures": f"{BASE}/v1/stats/figures"},
            "exports": {"figures": {"csv": f"{BASE}/v1/exports/figures.csv"}},
        }
    )
    title: str
    api_version: str
    data_version: int = Field(
        description="Grows with every change to the data (the id of the latest audited write)."
    )
    data_changed_at: datetime | None = Field(description="When the data last changed.")
    links: IndexLinks
    collections: dict[str, str] = Field(description="Every public list, by name.")
    stats: dict[str, str] = Field(description="Dashboard aggregates, by name.")
    exports: dict[str, dict[str, str]] = Field(
        description="Each dataset as a file, by dataset then format."
    )
