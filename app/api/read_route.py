"""Plain GET requests of the hot read routes, answered without FastAPI's routing and
dependency solving.

Per request, FastAPI tries each route in turn (three times over for a route of a router
included in another), walks the route's dependency tree (the router's checks, the session,
content negotiation, every query parameter), keeps its results in an exit stack, and ends
the session in a second hop to the thread pool. On a figure page at 1,000,000 figures that
was about half of a worker's CPU (bench/RESULTS.md), for a request whose answer is settled
by a few lookups. `ShortPaths` finds the `ReadRoute` of a request by its path and answers a
*plain* request with the route's plan: a GET without credentials, whose `Accept` chooses
JSON and whose query string holds each accepted parameter once, with a value. The query
parameters are validated by FastAPI's own `request_params_to_args`, on the route's own
fields, so they mean exactly what they mean on the full path; the route runs with its
session, committed and closed, in one thread hop.

Anything else takes FastAPI's full path, unchanged: a repeated or unknown parameter, an
empty value, an invalid value (so every 422 is FastAPI's own), a NUL, another representation
(CSV, NDJSON, GeoJSON, 406), `bom`, an API key, replicas (the session's choice of server),
a dependency override other than the session's. (A HEAD reaches routes as its GET.)

The router-level dependencies this replaces are exactly `HANDLED_ROUTER_DEPENDENCIES`; a
test keeps them equal to the `/v1` router's, so a new one cannot be skipped unseen, and
another test compares both paths' answers, byte for byte, over the routes' requests.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.auth import read_gate
from app.api.negotiation import (
    LIST_MEDIA_TYPES,
    MAP_LIST_MEDIA_TYPES,
    VARIES_BY_ACCEPT,
    ListRepresentation,
    list_representation,
    map_list_representation,
    preferred,
)
from app.api.session import end_transaction, get_session
from app.api.strict_query import known_query_parameters, query_aliases
from app.api.v1.params import no_nul_bytes

HANDLED_ROUTER_DEPENDENCIES: frozenset[Callable[..., Any]] = frozenset(
    {no_nul_bytes, read_gate, known_query_parameters}
)
"""What the `/v1` router checks on every request, and what a plain request stands for:
no NUL anywhere, no key needed nor sent, every parameter known and given a value."""

JSON_PAGE = ListRepresentation(None)

VALIDATED_KEPT = 256
"""Query strings whose validated parameters a route keeps (then it starts afresh)."""
KEPT_QUERY_BYTES = 512
"""A longer query string is validated every time and never kept, so that what the routes
keep stays small (at most VALIDATED_KEPT of these per route, whatever a client sends)."""


@dataclass(frozen=True)
class _Plan:
    """How one route's plain requests are answered: its parameters, by kind."""

    endpoint: Callable[..., Response]
    query: list[Any]
    """The route's query fields (a query model counts as one), as FastAPI declares them."""
    accepted: frozenset[str]
    path: list[Any]
    session: str
    request: str | None
    negotiated: tuple[str, dict[str, str | None]] | None
    """The list representation's parameter and what it offers, on a list route."""
    validated: dict[bytes, dict[str, Any] | None] = field(default_factory=dict, compare=False)
    """Query string (of at most KEPT_QUERY_BYTES) -> its validated parameters (None: not
    plain), VALIDATED_KEPT at most. Read and written on the event loop's thread only."""

    @classmethod
    def of(cls, route: APIRoute) -> _Plan | None:
        """The plan of a GET route whose dependencies are all understood here; else None."""
        dependant = route.dependant
        if route.methods != {"GET"} or dependant.header_params or dependant.cookie_params:
            return None
        if dependant.body_params or dependant.response_param_name:
            return None
        session: str | None = None
        negotiated: tuple[str, dict[str, str | None]] | None = None
        for sub in dependant.dependencies:
            if sub.call is get_session and sub.name:
                session = sub.name
            elif sub.call is list_representation and sub.name:
                negotiated = (sub.name, LIST_MEDIA_TYPES)
            elif sub.call is map_list_representation and sub.name:
                negotiated = (sub.name, MAP_LIST_MEDIA_TYPES)
            else:
                return None
        if session is None:
            return None
        return cls(
            route.endpoint,
            dependant.query_params,
            frozenset(_query_names(dependant)),
            dependant.path_params,
            session,
            dependant.request_param_name,
            negotiated,
        )

    def arguments(self, request: Request) -> dict[str, Any] | None:
        """The endpoint's arguments for a plain request (see the module); None otherwise."""
        state = request.app.state
        if request.method != "GET" or state.replicas is not None:
            return None
        overrides = request.app.dependency_overrides
        if overrides and (set(overrides) != {get_session} or not _plain_override(overrides)):
            return None
        if state.settings.require_read_key or "authorization" in request.headers:
            return None
        query = self._query_arguments(request.scope["query_string"])
        if query is None:
            return None
        if any("\x00" in str(value) for value in request.path_params.values()):
            return None
        arguments: dict[str, Any] = {}
        if self.negotiated is not None:
            name, offered = self.negotiated
            request.scope[VARIES_BY_ACCEPT] = True  # as the full path's negotiation does
            media_type = preferred(request.headers.get("accept"), list(offered))
            if media_type is None or offered[media_type] is not None:
                return None  # a file, a GeoJSON page or a 406: the full path
            arguments[name] = JSON_PAGE
        found, errors = request_params_to_args(self.path, request.path_params)
        if errors:
            return None
        arguments.update(query)
        arguments.update(found)
        if self.request is not None:
            arguments[self.request] = request
        return arguments

    def _query_arguments(self, query_string: bytes) -> dict[str, Any] | None:
        """The query parameters of a plain request, validated; None when the query string is
        not plain. Kept by query string: validation depends on nothing else, a dashboard asks
        the same few questions over and over, and validating them was a tenth of a worker's
        CPU on a figure page. The values are immutable (a query model is frozen)."""
        if query_string in self.validated:
            return self.validated[query_string]
        params = QueryParams(query_string)
        given = params.multi_items()
        names = {name for name, _ in given}
        plain = len(names) == len(given) and names <= self.accepted
        plain = plain and all("\x00" not in v and v.replace(",", "").strip() for _, v in given)
        values: dict[str, Any] | None = None
        if plain:
            values, errors = request_params_to_args(self.query, params)
            values = None if errors else values
        if len(query_string) <= KEPT_QUERY_BYTES:
            if len(self.validated) >= VALIDATED_KEPT:
                self.validated.clear()
            self.validated[query_string] = values
        return values

    def run(self, request: Request, arguments: dict[str, Any]) -> Response:
        """The endpoint in its own session, ended as `get_session` ends one: committed when
        the endpoint returned, rolled back when it raised, closed either way."""
        override = request.app.dependency_overrides.get(get_session)
        if override is not None:
            return self._run_overridden(override, arguments)
        session = request.app.state.sessionmaker()
        try:
            response = self.endpoint(**arguments, **{self.session: session})
        except BaseException:
            end_transaction(session, commit=False)
            raise
        end_transaction(session, commit=True)
        return response

    def _run_overridden(
        self, override: Callable[[], Generator[Session, None, None]], arguments: dict[str, Any]
    ) -> Response:
        """With the session dependency overridden (tests bind one to their transaction), the
        override's session, ended as FastAPI ends it: resumed after the endpoint returned,
        closed (so never committed) when it raised."""
        provided = override()
        session = next(provided)
        try:
            response = self.endpoint(**arguments, **{self.session: session})
        except BaseException:
            provided.close()
            raise
        next(provided, None)
        return response


def _plain_override(overrides: dict[Any, Any]) -> bool:
    """Whether the session's override is a generator taking no argument, as tests write it."""
    override = overrides[get_session]
    return inspect.isgeneratorfunction(override) and not inspect.signature(override).parameters


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters the route itself reads (a query model's fields one by one); a
    parameter of a dependency (`bom`) is not among them, so it takes the full path."""
    return {alias for param in dependant.query_params for alias in query_aliases(param)}


class ReadRoute(APIRoute):
    """An API route whose plain GET requests skip FastAPI's routing and dependency solving:
    `ShortPaths` finds them by path and answers them with the route's `plan`; every other
    request reaches the route through FastAPI's router and is answered FastAPI's way."""

    fast = True
    """Whether plain requests take the short path (tests turn it off to compare)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.plan: _Plan | None = _Plan.of(self)
        """How a plain request is answered; None for a route whose dependencies are not all
        understood here (it has no short path)."""


class ShortPaths:
    """Plain requests of the read routes, found by their path before FastAPI's router runs.

    FastAPI finds a route by trying each in turn, and a route of an included router is
    matched once more at each level to be handled (a list of /v1 is tried three times over
    the routes before it), with bookkeeping at every try: about a tenth of a figure page's
    worker CPU. Here a path is looked up among the read routes' own paths (a dict for those
    without a parameter, the route's own pattern for the others), and a plain request is
    answered as its `ReadRoute` answers it. Every other request, and any path not found, goes
    to the router unchanged. Installed inside the exception layer (as Starlette's
    `Router(middleware=...)` installs one), so an error raised here is answered by the same
    handlers.
    """

    def __init__(self, app: ASGIApp, routes: Iterator[tuple[str, ReadRoute]]) -> None:
        self.app = app
        self.static: dict[str, _Plan] = {}
        self.patterned: list[tuple[re.Pattern[str], dict[str, Convertor[Any]], _Plan]] = []
        for path, route in routes:
            if route.plan is None:
                continue
            regex, _, convertors = compile_path(path)
            if convertors:
                self.patterned.append((regex, convertors, route.plan))
            else:
                self.static[path] = route.plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and ReadRoute.fast:
            found = self._find(get_route_path(scope))
            if found is not None:
                plan, params = found
                scope["path_params"] = params
                request = Request(scope, receive, send)
                arguments = plan.arguments(request)
                if arguments is not None:
                    response = await run_in_threadpool(plan.run, request, arguments)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    def _find(self, path: str) -> tuple[_Plan, dict[str, Any]] | None:
        plan = self.static.get(path)
        if plan is not None:
            return plan, {}
        for regex, convertors, patterned in self.patterned:
            match = regex.match(path)
            if match:
                params = {k: convertors[k].convert(v) for k, v in match.groupdict().items()}
                return patterned, params
        return None


def read_routes(router: APIRouter, prefix: str = "") -> Iterator[tuple[str, ReadRoute]]:
    """Each `ReadRoute` under `router` with its full path (its routers' prefixes before it)."""
    for route in router.routes:
        if isinstance(route, ReadRoute):
            yield prefix + route.path, route
