"""The OpenAPI document: FastAPI's, with every error documented as RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from app.api.problems import PROBLEM_MEDIA_TYPE

TAGS: list[dict[str, Any]] = [
    {"name": "index", "description": "Where everything is, and the data version."},
    {"name": "missions", "description": "The peacekeeping missions and what they did."},
    {"name": "objectives", "description": "The five priority objectives of the report."},
    {"name": "stories", "description": "Stories of good practice, boxes and overviews."},
    {"name": "activities", "description": "What a mission did, within a story."},
    {"name": "figures", "description": "The numbers activities produced, with evidence."},
    {"name": "stats", "description": "Aggregates for dashboards, computed in SQL."},
    {"name": "exports", "description": "Whole datasets as files, and the data package."},
    {"name": "places", "description": "Countries and locations."},
    {"name": "partners", "description": "Organisations missions worked with."},
    {"name": "vocabularies", "description": "Metrics and activity types."},
    {"name": "reports", "description": "Report editions."},
    {"name": "audit", "description": "Who changed what through the write API (admin key)."},
    {"name": "health", "description": "Liveness and readiness probes."},
]
"""Tags in the order a reader meets them: the report's content first, plumbing last."""

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "URI reference naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong, for a human."},
        "instance": {"type": "string", "description": "The request path."},
        "errors": {
            "type": "array",
            "description": "For validation problems: each bad parameter or body field.",
            "items": {"type": "object", "additionalProperties": True},
        },
    },
    "examples": [
        {
            "type": "/problems/not-found",
            "title": "Resource not found",
            "status": 404,
            "detail": "No figure has the identifier 'x'.",
            "instance": "/v1/figures/x",
        }
    ],
}
COMMON_ERRORS = {
    "400": "The request could not be parsed",
    "405": "The method is not allowed on this path",
}


def operation_id(route: APIRoute) -> str:
    """Short, stable ids for generated clients: `list_activities` becomes `listActivities`."""
    first, *rest = route.name.replace("-", "_").split("_")
    return first + "".join(word.capitalize() for word in rest)


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        license_info=app.license_info,
        tags=TAGS,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema["paths"].values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = problem
    app.openapi_schema = schema
    return schema
