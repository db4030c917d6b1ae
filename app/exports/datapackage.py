"""A Frictionless Data Package: `datapackage.json` describing every CSV, plus the CSVs.

Field types, primary keys and foreign keys let Frictionless tools validate and join the files;
the `sources` entry cites the report. Every dataset of the registry is a resource, with the
columns and keys declared there, and so is each many-to-many link (app/queries/links.py): the
flat CSVs keep their `"a; b"` cells for people, the link tables serve the joins.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

import orjson
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.exports.copy import copy_csv
from app.exports.files import file_chunks
from app.models import Report
from app.queries.columns import ExportColumn
from app.queries.datasets import DATASETS, ForeignKey
from app.queries.links import LINKS
from app.queries.selection import Selection


def _resource_name(dataset: str) -> str:
    return dataset.replace("-", "_")


def _resource(
    name: str,
    path: str,
    columns: Sequence[ExportColumn],
    primary_key: list[str],
    foreign_keys: Sequence[ForeignKey],
    description: str = "",
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [
            {
                "name": c.name,
                "type": c.type,
                **({"description": c.description} if c.description else {}),
            }
            for c in columns
        ],
        "primaryKey": primary_key,
    }
    if foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": [key.column],
                "reference": {
                    # a key into the same resource (a figure's part_of) names none
                    "resource": ""
                    if _resource_name(key.target) == name
                    else _resource_name(key.target),
                    "fields": [key.target_field],
                },
            }
            for key in foreign_keys
        ]
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        **({"description": description} if description else {}),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def descriptor(reports: list[Report]) -> dict[str, Any]:
    resources = [
        _resource(
            _resource_name(dataset),
            f"data/{dataset}.csv",
            declared.columns,
            [declared.primary_key],
            declared.foreign_keys,
        )
        for dataset, declared in DATASETS.items()  # in the registry's order; links follow
    ]
    resources += [
        _resource(
            link.name,
            f"data/{link.name}.csv",
            link.columns,
            [column.name for column in link.columns],
            link.foreign_keys,
            link.description,
        )
        for link in LINKS
    ]
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
            for dataset in DATASETS:
                with archive.open(f"data/{dataset}.csv", "w") as entry:
                    for chunk in file_chunks(
                        engine, dataset, Selection(), "csv", timeout_ms=timeout_ms
                    ):
                        entry.write(chunk)
            for link in LINKS:
                with archive.open(f"data/{link.name}.csv", "w") as entry:
                    for chunk in copy_csv(
                        engine, link.statement, link.columns, timeout_ms=timeout_ms
                    ):
                        entry.write(chunk)
        spool.seek(0)
        while block := spool.read(1 << 16):
            yield block
