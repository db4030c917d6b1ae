"""The curator write API: POST, PUT, PATCH and DELETE on the editable resources.

Writes need a key with the `write` scope. PUT, PATCH and DELETE need `If-Match` with the ETag a
GET returned. No `from __future__ import annotations`: routes are built in a loop and FastAPI
must see each body model itself.
"""

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path
from pydantic import BaseModel
from starlette.responses import Response

from app.api.auth import Writer
from app.api.responses import JSONBytesResponse
from app.api.v1.media import json_body, patch_body
from app.curation import service
from app.curation.resources import WRITABLE, Writable
from app.db.session import SessionDep
from app.schemas.content import ActivityDetail, FigureOut, StoryOut
from app.schemas.reference import LocationOut, PartnerOut, ReportOut

router = APIRouter()

SHOWN_AS: dict[str, type[BaseModel]] = {
    "reports": ReportOut,
    "locations": LocationOut,
    "partners": PartnerOut,
    "stories": StoryOut,
    "activities": ActivityDetail,
    "figures": FigureOut,
}
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
RecordId = Annotated[
    str, Path(description="Id of the record.", examples=["2023-story-17-survivors-identified"])
]
EXAMPLE_IDS = {
    "reports": "crsv-2023",
    "locations": "goma",
    "partners": "unfpa",
    "stories": "2023-story-17",
    "activities": "2023-story-10-mobile-courts-support",
    "figures": "2023-story-17-survivors-identified",
}
# the same path parameter names as the GET routes, so each path is one OpenAPI path item
ID_PARAMETER = {
    "reports": "report_id",
    "locations": "location_id",
    "partners": "partner_id",
    "stories": "story_id",
    "activities": "activity_id",
    "figures": "figure_id",
}
# each write sits beside the reads of its resource in the documentation
TAGS = {
    "reports": "reports",
    "locations": "places",
    "partners": "partners",
    "stories": "stories",
    "activities": "activities",
    "figures": "figures",
}
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


def _register(plural: str, resource: Writable) -> None:
    shown = SHOWN_AS[plural]
    name = resource.name

    def create(
        session: SessionDep,
        writer: Writer,
        _media: JsonBody,
        body: Annotated[BaseModel, Body()],
    ) -> Response:
        result = service.create(session, resource, body.model_dump(), writer.name)
        return _respond(result, 201, f"/v1/{plural}/{result.body['id']}")

    def replace(
        session: SessionDep,
        writer: Writer,
        _media: JsonBody,
        record_id: RecordId,
        body: Annotated[BaseModel, Body()],
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
        record_id: RecordId,
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
        record_id: RecordId,
        if_match: IfMatch = None,
    ) -> Response:
        service.remove(session, resource, record_id.lower(), writer.name, if_match)
        return Response(status_code=204)

    # FastAPI validates and documents the body from the annotation: give it the real model,
    # and the id parameter the name the GET route uses
    handlers: list[Callable[..., Response]] = [create, replace]
    for handler in handlers:
        handler.__annotations__["body"] = Annotated[resource.body, Body()]
    record_id = Annotated[
        str,
        Path(
            alias=ID_PARAMETER[plural],
            description=f"Id of the {name}.",
            examples=[EXAMPLE_IDS[plural]],
        ),
    ]
    handlers = [replace, patch, delete]
    for handler in handlers:
        handler.__annotations__["record_id"] = record_id

    tag: list[str | Enum] = [TAGS[plural]]
    router.add_api_route(
        f"/{plural}",
        create,
        name=f"create_{name}",
        methods=["POST"],
        status_code=201,
        response_model=shown,
        responses=ERRORS,
        tags=tag,
        summary=f"Create a {name}",
        description=f"Create a {name} (write scope).",
    )
    router.add_api_route(
        f"/{plural}/{{{ID_PARAMETER[plural]}}}",
        replace,
        name=f"replace_{name}",
        methods=["PUT"],
        response_model=shown,
        responses=ERRORS,
        tags=tag,
        summary=f"Replace a {name}",
        description=f"Replace a {name} whole (write scope, If-Match).",
        openapi_extra={"parameters": [IF_MATCH]},
    )
    router.add_api_route(
        f"/{plural}/{{{ID_PARAMETER[plural]}}}",
        patch,
        name=f"patch_{name}",
        methods=["PATCH"],
        response_model=shown,
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
        f"/{plural}/{{{ID_PARAMETER[plural]}}}",
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


for _plural, _resource in WRITABLE.items():
    _register(_plural, _resource)
