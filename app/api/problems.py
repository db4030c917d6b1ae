"""RFC 9457 problem details: the one error format of the API.

Every layer raises `Problem` (app/errors.py), or validation fails; the handlers registered here
turn every error, including unknown routes, wrong methods and database outages, into
`application/problem+json`.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from psycopg.errors import QueryCanceled
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.responses import JSONBytesResponse
from app.errors import InvalidParameters, Problem
from app.kit.json import json_pointer

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "/problems/"


def problem_response(problem: Problem, request: Request) -> JSONBytesResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + problem.slug if problem.slug else "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
    }
    if problem.errors is not None:
        body["errors"] = problem.errors
    body.update(problem.extensions)
    return JSONBytesResponse(
        body, status_code=problem.status, headers=problem.headers, media_type=PROBLEM_MEDIA_TYPE
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        location, *path = error["loc"] or ("request",)
        name = ".".join(str(part) for part in path) or str(location)
        entry = {"name": name, "in": location, "reason": error["msg"]}
        if location == "body":  # a JSON pointer (RFC 6901) into the body; "" is the whole body
            entry["pointer"] = json_pointer(path)
        errors.append(entry)
    return errors


async def _handle_problem(request: Request, exc: Exception) -> JSONBytesResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc, request)


def validation_problem(exc: RequestValidationError) -> Problem:
    """The 422 a request FastAPI could not validate gets: its body, or its parameters."""
    errors = _validation_errors(exc)
    if errors and all(error["in"] == "body" for error in errors):
        return Problem(
            422,
            "The body does not describe a valid record.",
            slug="invalid-body",
            title="Invalid request body",
            errors=errors,
        )
    return InvalidParameters(errors)


async def _handle_validation(request: Request, exc: Exception) -> JSONBytesResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(validation_problem(exc), request)


async def _handle_http(request: Request, exc: Exception) -> JSONBytesResponse:
    assert isinstance(exc, StarletteHTTPException)
    slugs = {404: "not-found", 405: "method-not-allowed"}
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"There is no resource at {request.url.path}."
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
        allowed = allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    problem = Problem(exc.status_code, detail, slug=slugs.get(exc.status_code), headers=headers)
    return problem_response(problem, request)


def allowed_methods(request: Request) -> list[str]:
    """Every method the API offers on this path, from all routes (Starlette names only one)."""
    methods: set[str] = set()
    for path, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path))
        if re.fullmatch(pattern, request.url.path):
            methods.update(method.upper() for method in operations)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def _handle_database_unavailable(request: Request, exc: Exception) -> JSONBytesResponse:
    """SQLAlchemy's OperationalError, or psycopg's own from a raw connection (an export's COPY)."""
    if isinstance(getattr(exc, "orig", exc), QueryCanceled):
        log.warning(
            "query cancelled by the statement timeout: %s %s", request.method, request.url.path
        )
        problem = Problem(
            503,
            "The query ran longer than the database allows; narrow the filters or retry later.",
            slug="query-timeout",
            title="Query timed out",
            headers={"Retry-After": "5"},
        )
        return problem_response(problem, request)
    log.error("database unavailable: %s", exc)
    problem = Problem(
        503,
        "The database is unavailable; retry shortly.",
        slug="database-unavailable",
        headers={"Retry-After": "5"},
    )
    return problem_response(problem, request)


async def _handle_busy(request: Request, exc: Exception) -> JSONBytesResponse:
    """No pooled connection came free in time: the service is overloaded, not broken."""
    log.error("no database connection free: %s", exc)
    problem = Problem(
        503,
        "The service is busy; retry shortly.",
        slug="busy",
        title="Service Unavailable",
        headers={"Retry-After": "1"},
    )
    return problem_response(problem, request)


async def _handle_unexpected(request: Request, exc: Exception) -> JSONBytesResponse:
    log.exception("unhandled error", exc_info=exc)
    problem = Problem(500, "An unexpected error occurred; it has been logged.", slug="internal")
    return problem_response(problem, request)


def register_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _handle_problem)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(StarletteHTTPException, _handle_http)
    app.add_exception_handler(OperationalError, _handle_database_unavailable)
    app.add_exception_handler(psycopg.OperationalError, _handle_database_unavailable)
    app.add_exception_handler(PoolTimeoutError, _handle_busy)
    app.add_exception_handler(DBAPIError, _handle_unexpected)
    app.add_exception_handler(Exception, _handle_unexpected)
