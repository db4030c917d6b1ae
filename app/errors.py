"""The errors a client can act on, raised by any layer: queries, services and routes alike.

Plain exceptions carrying their HTTP status, with no web framework behind them: the API's
registered handlers (app/api/problems.py) turn them into RFC 9457 `application/problem+json`.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class Problem(Exception):
    """An error a client can act on, carrying its HTTP status and explanation."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title or HTTPStatus(status).phrase
        self.errors = errors
        self.headers = headers
        self.extensions = extensions or {}
        """Extra members of the problem object (RFC 9457 §3.2)."""


class NotFound(Problem):
    def __init__(self, resource: str, identifier: object) -> None:
        super().__init__(
            404,
            f"No {resource} has the identifier {identifier!r}.",
            slug="not-found",
            title="Resource not found",
        )


class InvalidParameters(Problem):
    """422 naming each bad query parameter, like FastAPI's own validation errors."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        names = ", ".join(sorted({str(error["name"]) for error in errors}))
        super().__init__(
            422,
            f"Invalid value for: {names}.",
            slug="invalid-parameters",
            title="Invalid request parameters",
            errors=errors,
        )


def parameter_error(name: str, reason: str, location: str = "query") -> dict[str, Any]:
    return {"name": name, "in": location, "reason": reason}
