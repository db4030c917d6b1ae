"""The curator write API: POST, PUT, PATCH and DELETE on the editable resources.

Writes need a key with the `write` scope. PUT, PATCH and DELETE need `If-Match` with the ETag a
GET returned. No `from __future__ import annotations`: the routes are built by one generic
factory, and FastAPI reads each handler's annotations as the objects they name at definition.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path
from starlette.responses import Response

from app.api.auth import Writer
from app.api.responses import JSONBytesResponse
from app.api.session import SessionDep
from app.api.v1.list_queries import tags
from app.api.v1.media import json_body, patch_body
from app.curation import service
from app.curation.resources import (
    ACTIVITIES,
    FIGURES,
    LOCATIONS,
    PARTNERS,
    REPORTS,
    STORIES,
    BodyT,
    RowT,
    Writable,
)
from app.curation.schemas import (
    ActivityWrite,
    FigureWrite,
    LocationWrite,
    PartnerWrite,
    ReportWrite,
    StoryWrite,
)
from app.queries.datasets import DatasetName, described

router = APIRouter()

IfMatch = Annotated[str | None, Header(include_in_schema=False)]
"""Read as optional so that a missing If-Match is the service's 428, not a 422 from FastAPI's
validation; documented as required (IF_MATCH), since no write succeeds without it."""
IF_MATCH: dict[str, Any] = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "ETag from a GET of the record; without it the answer is 428.",
    "schema": {"type": "string", "examples": ['W/"3f2a..."']},
}
JsonBody = Annotated[None, Depends(json_body)]
PatchBody = Annotated[None, Depends(patch_body)]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not JSON"},
    401: {"description": "No key, or an unknown or revoked one"},
    403: {"description": "The key lacks the write scope"},
    404: {"description": "No record has this id"},
    408: {"description": "The body did not arrive in time (CRSV_BODY_TIMEOUT_SECONDS)"},
    409: {
        "description": "A referenced record is missing, the id is taken, or the record "
        "is still referenced"
    },
    412: {"description": "The record changed since the ETag was read"},
    413: {"description": "The body is too large"},
    415: {"description": "The body is not sent as JSON (Content-Type)"},
    422: {"description": "The body is invalid (problem+json with a JSON pointer per error)"},
    428: {"description": "If-Match is missing"},
    429: {"description": "Too many failed authentications"},
}


def _respond(result: service.WriteResult, status: int, location: str | None = None) -> Response:
    headers = {"ETag": result.etag}
    if location:
        headers["Location"] = location
    return JSONBytesResponse(result.body, status_code=status, headers=headers)


BodyOf = Callable[[BodyT], Awaitable[BodyT]]
"""A dependency reading the JSON body as one resource's write model.

The one place a concrete model must be written out: FastAPI validates and documents the body
from the annotation it finds in a signature, and a type variable names no model. The factory
below is generic over the model and takes this dependency, so mypy checks that a resource's
body, writer and dependency agree; nothing rewrites annotations at run time.
"""


async def _report(body: Annotated[ReportWrite, Body()]) -> ReportWrite:
    return body


async def _location(body: Annotated[LocationWrite, Body()]) -> LocationWrite:
    return body


async def _partner(body: Annotated[PartnerWrite, Body()]) -> PartnerWrite:
    return body


async def _story(body: Annotated[StoryWrite, Body()]) -> StoryWrite:
    return body


async def _activity(body: Annotated[ActivityWrite, Body()]) -> ActivityWrite:
    return body


async def _figure(body: Annotated[FigureWrite, Body()]) -> FigureWrite:
    return body


def _register(
    dataset: DatasetName, resource: Writable[RowT, BodyT], read_body: BodyOf[BodyT]
) -> None:
    """Add the POST, PUT, PATCH and DELETE routes of one resource.

    The body dependencies are async: they do no I/O, and a sync one would cost a thread hop.
    """
    name = resource.name
    data = Depends(read_body)
    record = described(dataset).record
    record_path = Path(
        alias=record.parameter, description=f"Id of the {name}.", examples=[record.example]
    )

    def create(
        session: SessionDep, writer: Writer, _media: JsonBody, body: Annotated[BodyT, data]
    ) -> Response:
        result = service.create(session, resource, body.model_dump(), writer.name)
        return _respond(result, 201, f"/v1/{dataset}/{result.body['id']}")

    def replace(
        session: SessionDep,
        writer: Writer,
        _media: JsonBody,
        record_id: Annotated[str, record_path],
        body: Annotated[BodyT, data],
        if_match: IfMatch = None,
    ) -> Response:
        result = service.replace(
            session, resource, record_id.lower(), body.model_dump(), writer.name, if_match
        )
        return _respond(result, 200)

    def patch(
        session: SessionDep,
        writer: Writer,
        _media: PatchBody,
        record_id: Annotated[str, record_path],
        changes: Annotated[
            dict[str, Any],
            Body(
                description="JSON merge patch (RFC 7396): the fields to change; null removes "
                "an optional field.",
                examples=[{"note": "Corrected after review."}],
            ),
        ],
        if_match: IfMatch = None,
    ) -> Response:
        result = service.patch(session, resource, record_id.lower(), changes, writer.name, if_match)
        return _respond(result, 200)

    def delete(
        session: SessionDep,
        writer: Writer,
        record_id: Annotated[str, record_path],
        if_match: IfMatch = None,
    ) -> Response:
        service.remove(session, resource, record_id.lower(), writer.name, if_match)
        return Response(status_code=204)

    tag = tags(dataset)  # each write sits beside the reads of its resource
    router.add_api_route(
        f"/{dataset}",
        create,
        name=f"create_{name}",
        methods=["POST"],
        status_code=201,
        response_model=resource.shape,
        responses=ERRORS,
        tags=tag,
        summary=f"Create a {name}",
        description=f"Create a {name} (write scope).",
    )
    router.add_api_route(
        f"/{dataset}/{{{record.parameter}}}",
        replace,
        name=f"replace_{name}",
        methods=["PUT"],
        response_model=resource.shape,
        responses=ERRORS,
        tags=tag,
        summary=f"Replace a {name}",
        description=f"Replace a {name} whole (write scope, If-Match).",
        openapi_extra={"parameters": [IF_MATCH]},
    )
    router.add_api_route(
        f"/{dataset}/{{{record.parameter}}}",
        patch,
        name=f"patch_{name}",
        methods=["PATCH"],
        response_model=resource.shape,
        responses=ERRORS,
        tags=tag,
        summary=f"Change some fields of a {name}",
        # one documented body type: `application/merge-patch+json` is accepted too, but a
        # second content type makes client generators emit code that does not import
        description=f"Merge-patch a {name} (write scope, If-Match). The body may be sent as "
        "`application/json` or `application/merge-patch+json`.",
        openapi_extra={"parameters": [IF_MATCH]},
    )
    router.add_api_route(
        f"/{dataset}/{{{record.parameter}}}",
        delete,
        name=f"delete_{name}",
        methods=["DELETE"],
        status_code=204,
        responses={status: text for status, text in ERRORS.items() if status not in (413, 415)},
        tags=tag,
        summary=f"Delete a {name}",
        description=f"Delete a {name} (write scope, If-Match).",
        openapi_extra={"parameters": [IF_MATCH]},
    )


# in the order of WRITABLE, which is the order of the documentation
_register(DatasetName.REPORTS, REPORTS, _report)
_register(DatasetName.LOCATIONS, LOCATIONS, _location)
_register(DatasetName.PARTNERS, PARTNERS, _partner)
_register(DatasetName.STORIES, STORIES, _story)
_register(DatasetName.ACTIVITIES, ACTIVITIES, _activity)
_register(DatasetName.FIGURES, FIGURES, _figure)
