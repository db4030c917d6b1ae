"""Authentication and authorisation dependencies for the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from app.api.problems import Problem
from app.auth.service import authenticate
from app.auth.throttle import FailureThrottle
from app.db.session import SessionDep
from app.enums import Scope

CHALLENGE = 'Bearer realm="crsv-data"'
BEARER = HTTPBearer(
    scheme_name="apiKey",
    description="An API key made with `crsv keys create`, sent as `Authorization: Bearer "
    "crsv_...`. Writes need the write scope, the audit trail the admin scope; reads are "
    "public unless the server sets CRSV_REQUIRE_READ_KEY.",
    auto_error=False,
)


@dataclass(frozen=True)
class Principal:
    name: str
    scope: Scope


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _unauthorized(detail: str, *, invalid: bool) -> Problem:
    challenge = CHALLENGE + (', error="invalid_token"' if invalid else "")
    return Problem(401, detail, slug="unauthorized", headers={"WWW-Authenticate": challenge})


async def current_principal(request: Request, session: SessionDep) -> Principal | None:
    """The caller's key, if it sent one; 401 for a bad key, 429 after repeated failures.

    Async, so that an anonymous request (most reads) costs no thread hop here; only a key is
    looked up, in a worker thread.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    throttle: FailureThrottle = request.app.state.auth_throttle
    client = _client(request)
    wait = throttle.retry_after(client)
    if wait is not None:
        raise Problem(
            429,
            "Too many failed authentications; try again later.",
            slug="too-many-failures",
            headers={"Retry-After": str(wait)},
        )
    scheme, _, token = header.partition(" ")
    key = (
        await run_in_threadpool(authenticate, session, token.strip())
        if scheme.lower() == "bearer"
        else None
    )
    if key is None:
        throttle.record_failure(client)
        raise _unauthorized("The API key is unknown, revoked or malformed.", invalid=True)
    return Principal(name=key.name, scope=key.scope)


CurrentPrincipal = Annotated[Principal | None, Depends(current_principal)]


def _allow(principal: Principal | None, scope: Scope) -> Principal:
    if principal is None:
        raise _unauthorized(f"This requires an API key with the '{scope}' scope.", invalid=False)
    if not principal.scope.allows(scope):
        raise Problem(
            403,
            f"The key '{principal.name}' has the '{principal.scope}' scope; "
            f"this requires '{scope}'.",
            slug="forbidden",
        )
    return principal


class RequiredScope:
    """A dependency that lets through only keys whose scope includes `scope`."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    async def __call__(
        self,
        principal: CurrentPrincipal,
        _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
    ) -> Principal:
        # `_scheme` only declares the bearer scheme, so OpenAPI marks exactly the operations
        # that need a key (Swagger UI's Authorize button, generated clients' auth);
        # `current_principal` reads and checks the header
        return _allow(principal, self.scope)


Writer = Annotated[Principal, Depends(RequiredScope(Scope.WRITE))]
Admin = Annotated[Principal, Depends(RequiredScope(Scope.ADMIN))]


async def read_gate(request: Request, principal: CurrentPrincipal) -> None:
    """Reads are public unless the `require_read_key` setting says otherwise."""
    if request.app.state.settings.require_read_key:
        _allow(principal, Scope.READ)
