"""The audit trail, for keys with the admin scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.auth import Admin
from app.api.session import SessionDep
from app.api.v1 import params
from app.api.v1.responses import page_response
from app.queries import audit
from app.queries.filters import split_values
from app.queries.listing import PageRequest, list_page
from app.schemas.audit import AuditEventOut
from app.schemas.common import Page

router = APIRouter(tags=["audit"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No key, or an unknown or revoked one"},
    403: {"description": "The key lacks the admin scope"},
    429: {"description": "Too many failed authentications"},
}


@router.get(
    "/audit", name="list_audit_events", response_model=Page[AuditEventOut], responses=RESPONSES
)
def list_audit(
    request: Request,
    session: SessionDep,
    admin: Admin,
    resource: Annotated[
        str | None, params.listed("Resource(s): figure, story, ...", "figure")
    ] = None,
    id: Annotated[
        str | None, params.listed("Record id(s).", "2023-story-17-survivors-identified")
    ] = None,
    key: Annotated[
        str | None, params.listed("Name(s) of the API key that wrote, or seed-loader.", "data-team")
    ] = None,
    since: Annotated[
        params.IsoDateTime | None,
        Query(description="From this time (inclusive).", examples=["2026-01-01T00:00:00Z"]),
    ] = None,
    until: Annotated[
        params.IsoDateTime | None,
        Query(description="Before this time.", examples=["2027-01-01T00:00:00Z"]),
    ] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, params.cursor_param(audit.SPEC)] = None,
) -> Response:
    """Every write, newest first: who, when, what, and the record before and after."""
    filters = audit.AuditFilters(
        resource=split_values(resource) or None,
        resource_id=split_values(id) or None,
        actor=split_values(key) or None,
        since=since,
        until=until,
    )
    page = list_page(
        session, audit.SPEC, audit.conditions(filters), PageRequest(limit=limit, cursor=cursor)
    )
    return page_response(request, page)
