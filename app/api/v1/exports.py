"""Routes for file exports: every dataset as CSV (optionally HXL), NDJSON, JSON or XLSX, and the
whole database as a Frictionless Data Package.

No `from __future__ import annotations` here: the routes are built in a loop and FastAPI must
see each one's dependency object, not a string it cannot resolve.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response, StreamingResponse

from app.api.session import SessionDep, read_engine
from app.api.v1.list_queries import QUERY_MODELS, ListQuery
from app.api.v1.params import Bom
from app.api.v1.responses import export_response, file_etag, file_response, not_modified
from app.errors import InvalidParameters, parameter_error
from app.exports.datapackage import package_chunks
from app.queries.datasets import MAPPABLE, DatasetName

router = APIRouter(prefix="/exports", tags=["exports"])

Format = Annotated[
    Literal["csv", "ndjson", "json", "xlsx"],
    Path(description="File format: csv, ndjson, json or xlsx.", examples=["csv"]),
]
Hxl = Annotated[
    bool,
    Query(description="CSV only: add the HXL hashtag row under the header.", examples=[True]),
]
# files are documented as strings (binary where they are), so generated clients return bytes
TEXT: dict[str, Any] = {"schema": {"type": "string"}}
BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, streamed.",
        "content": {
            "text/csv": TEXT,
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "application/x-ndjson": TEXT,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": BINARY,
        },
    },
    422: {"description": "A parameter is invalid (problem+json naming each one)"},
}


@router.get(
    "/datapackage.zip",
    name="export_data_package",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Zip with datapackage.json and data/*.csv",
            "content": {"application/zip": BINARY},
        }
    },
)
def datapackage(request: Request) -> Response:
    """Every dataset as CSV, described by a Frictionless `datapackage.json`."""
    etag = file_etag(request, "datapackage.zip")
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    return file_response(
        request,
        package_chunks(
            read_engine(request),
            timeout_ms=request.app.state.settings.db_export_timeout_ms,
        ),
        "zip",
        "crsv-datapackage.zip",
        etag,
    )


def _register(dataset: DatasetName, model: type[ListQuery]) -> None:
    def export(
        request: Request,
        session: SessionDep,
        fmt: Format,
        *,
        hxl: Hxl = False,
        bom: Bom = False,
        query: Annotated[model, Query()],  # type: ignore[valid-type]
    ) -> Response:
        wrong = [
            parameter_error(name, reason)
            for name, given, reason in (
                ("hxl", hxl, "HXL hashtags apply to CSV only"),
                ("bom", bom, "the byte-order mark applies to CSV only"),
            )
            if given and fmt != "csv"
        ]
        if wrong:
            raise InvalidParameters(wrong)
        selection = ListQuery.criteria(query, dataset).resolve(session)
        # the filters exactly as the client wrote them, for the cover sheet of a workbook
        given = [(k, v) for k, v in request.query_params.multi_items() if k in filter_names]
        return export_response(request, dataset, selection, fmt, hxl=hxl, bom=bom, given=given)

    filter_names = frozenset(info.alias or name for name, info in model.model_fields.items())

    export.__doc__ = (
        f"All {dataset.replace('-', ' ')} matching the filters of `/v1/{dataset}`, streamed."
    )
    router.add_api_route(
        f"/{dataset}.{{fmt}}",
        export,
        methods=["GET"],
        name=f"export_{dataset}",
        response_class=StreamingResponse,
        responses=FILE,
        summary=f"Export {dataset.replace('-', ' ')}",
    )


GEOJSON: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An RFC 7946 FeatureCollection of Point features ([longitude, latitude], "
        "WGS84), streamed: one feature per row and place (`id`: `row-id@location-id` for "
        "activities and figures, whose `place` property names the location). Rows without "
        "coordinates are left out; the foreign member `without_coordinates` gives their count "
        "and ids.",
        "content": {
            "application/geo+json": {
                "schema": {
                    "type": "object",
                    "required": ["type", "features", "without_coordinates"],
                    "properties": {
                        "type": {"const": "FeatureCollection"},
                        "features": {"type": "array", "items": {"type": "object"}},
                        "without_coordinates": {"type": "object"},
                    },
                }
            }
        },
    },
    422: {"description": "A parameter is invalid (problem+json naming each one)"},
}


def _register_geojson(dataset: DatasetName, model: type[ListQuery]) -> None:
    def export(
        request: Request,
        session: SessionDep,
        *,
        query: Annotated[model, Query()],  # type: ignore[valid-type]
    ) -> Response:
        selection = ListQuery.criteria(query, dataset).resolve(session)
        return export_response(request, dataset, selection, "geojson")

    export.__doc__ = (
        f"All {dataset} matching the filters of `/v1/{dataset}`, as GeoJSON points, streamed."
    )
    router.add_api_route(
        f"/{dataset}.geojson",
        export,
        methods=["GET"],
        name=f"export_{dataset}_geojson",
        response_class=StreamingResponse,
        responses=GEOJSON,
        summary=f"Export {dataset} as GeoJSON",
    )


# before the `{dataset}.{fmt}` routes, which would otherwise take `.geojson` as a bad format
for _dataset in MAPPABLE:
    _register_geojson(_dataset, QUERY_MODELS.get(_dataset, ListQuery))
for _dataset in DatasetName:
    _register(_dataset, QUERY_MODELS.get(_dataset, ListQuery))
