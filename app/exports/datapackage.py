"""A Frictionless Data Package: `datapackage.json` describing every CSV, plus the CSVs.

Field types, primary keys and foreign keys let Frictionless tools validate and join the files;
the `sources` entry cites the report.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.exports.files import file_chunks
from app.models import Report
from app.queries.datasets import DATASETS, DatasetName
from app.queries.selection import Selection

PACKAGE_DATASETS = (
    DatasetName.COUNTRIES,
    DatasetName.MISSIONS,
    DatasetName.OBJECTIVES,
    DatasetName.LOCATIONS,
    DatasetName.PARTNERS,
    DatasetName.STORIES,
    DatasetName.ACTIVITIES,
    DatasetName.FIGURES,
    DatasetName.METRICS,
    DatasetName.ACTIVITY_TYPES,
)
"""The package's resources, in order; reports are its `sources`, not a resource."""


def _resource_name(dataset: str) -> str:
    return dataset.replace("-", "_")


def descriptor(reports: list[Report]) -> dict[str, Any]:
    resources = []
    for dataset in PACKAGE_DATASETS:
        declared = DATASETS[dataset]
        schema: dict[str, Any] = {
            "fields": [
                {
                    "name": c.name,
                    "type": c.type,
                    **({"description": c.description} if c.description else {}),
                }
                for c in declared.columns
            ],
            "primaryKey": [declared.primary_key],
        }
        if declared.foreign_keys:
            schema["foreignKeys"] = [
                {
                    "fields": [key.column],
                    "reference": {
                        # a key into the same resource (a figure's part_of) names none
                        "resource": "" if key.target == dataset else _resource_name(key.target),
                        "fields": [DATASETS[key.target].primary_key],
                    },
                }
                for key in declared.foreign_keys
            ]
        resources.append(
            {
                "name": _resource_name(dataset),
                "path": f"data/{dataset}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "crsv-data",
        "title": "Preventing and Responding to Conflict-related Sexual Violence: curated data",
        "description": (
            "Stories, activities and figures of the UN DPO annual reports on preventing and "
            "responding to CRSV, each figure with its qualifier, breakdown and verbatim evidence. "
            "Public, aggregate figures only."
        ),
        "licenses": [
            {"name": "other-at", "title": report.licence_note, "path": report.source_url}
            for report in reports
        ][:1],
        "sources": [
            {"title": f"{report.title} ({report.publisher})", "path": report.source_url}
            for report in reports
        ],
        "resources": resources,
    }


def package_chunks(engine: Engine, *, timeout_ms: int = 0) -> Iterator[bytes]:
    """The zipped package, written to a temporary file and then streamed; `timeout_ms` bounds
    each CSV's COPY (0: no bound)."""
    with Session(engine) as session:
        reports = list(session.scalars(select(Report).order_by(Report.edition_year)))
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "datapackage.json", orjson.dumps(descriptor(reports), option=orjson.OPT_INDENT_2)
            )
            for dataset in PACKAGE_DATASETS:
                with archive.open(f"data/{dataset}.csv", "w") as entry:
                    for chunk in file_chunks(
                        engine, dataset, Selection(), "csv", timeout_ms=timeout_ms
                    ):
                        entry.write(chunk)
        spool.seek(0)
        while block := spool.read(1 << 16):
            yield block
