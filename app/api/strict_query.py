"""Query strings are checked against what the route declares: a typo is an error, not a filter
silently dropped (`?misison=monusco` would otherwise list every activity)."""

from __future__ import annotations

import difflib
from typing import Any

from fastapi import Request
from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.errors import InvalidParameters, Problem, parameter_error


def query_aliases(field: ModelField) -> set[str]:
    """A parameter's name, or each field's of a query-parameter model (`Annotated[Model,
    Query()]`, which FastAPI reads field by field from the query string)."""
    model = field.field_info.annotation
    if isinstance(model, type) and issubclass(model, BaseModel):
        return {info.alias or name for name, info in model.model_fields.items()}
    return {field.alias}


def _query_names(dependant: Dependant) -> set[str]:
    names = {alias for field in dependant.query_params for alias in query_aliases(field)}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def accepted_parameters(route: APIRoute) -> tuple[str, ...]:
    """The query parameters a route declares, its dependencies' included (a few microseconds,
    and only for requests that carry a query string)."""
    return tuple(sorted(_query_names(route.dependant)))


def _unknown(name: str, accepted: tuple[str, ...]) -> dict[str, Any]:
    close = difflib.get_close_matches(name, accepted, n=1)
    reason = f"unknown parameter; did you mean '{close[0]}'?" if close else "unknown parameter"
    return {**parameter_error(name, reason), "accepted": list(accepted)}


async def known_query_parameters(request: Request) -> None:
    """422 for a parameter the route does not take, or one given with no value.

    Async because it does no I/O: a sync dependency would cost every request a thread hop."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    accepted = accepted_parameters(route)
    given = request.query_params.multi_items()
    unknown = sorted({name for name, _ in given if name not in accepted})
    if unknown:
        listed = ", ".join(accepted) if accepted else "none"
        raise Problem(
            422,
            f"Unknown query parameter: {', '.join(unknown)}. {request.url.path} accepts: {listed}.",
            slug="unknown-parameters",
            title="Unknown query parameters",
            errors=[_unknown(name, accepted) for name in unknown],
        )
    empty = sorted({name for name, value in given if not value.replace(",", "").strip()})
    if empty:
        raise InvalidParameters(
            [parameter_error(name, "must not be empty; leave it out instead") for name in empty]
        )
