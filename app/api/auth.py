"""Authentication and authorisation dependencies for the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.api.session import SessionDep
from app.auth import keys
from app.auth.service import authenticate
from app.auth.throttle import FailureThrottle
from app.enums import Scope
from app.errors import Problem
from app.models import ApiKey

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


@dataclass(frozen=True)
class Refusal:
    """A failed authentication, already counted; `retry_after` is set once it is throttled."""

    retry_after: int | None


def _client(request: Request) -> str:
    # the direct peer, or the client a trusted proxy names (app.main, CRSV_TRUSTED_PROXIES)
    return request.client.host if request.client else "unknown"


def _unauthorized(detail: str, *, invalid: bool) -> Problem:
    challenge = CHALLENGE + (', error="invalid_token"' if invalid else "")
    return Problem(401, detail, slug="unauthorized", headers={"WWW-Authenticate": challenge})


def check_credentials(
    session: Session, throttle: FailureThrottle, token: str | None, client: str
) -> ApiKey | Refusal:
    """The live key for `token`; otherwise the failure, counted and committed at once.

    The count is committed here because the request then fails and its transaction is rolled
    back; so far that transaction has only read the key. A success writes nothing more.
    """
    key = authenticate(session, token) if token is not None else None
    if key is not None:
        return key
    parsed = keys.parse(token) if token is not None else None
    retry_after = throttle.record_failure(session, client, parsed[0] if parsed else None)
    session.commit()
    return Refusal(retry_after)


def _check_on_primary(
    session: Session, throttle: FailureThrottle, token: str | None, client: str
) -> ApiKey | Refusal:
    """`check_credentials` in a primary session of its own, committed (the key's last use)."""
    with session:
        outcome = check_credentials(session, throttle, token, client)
        session.commit()
        return outcome


async def current_principal(request: Request, session: SessionDep) -> Principal | None:
    """The caller's key, if it sent one; 401 for a bad key, 429 once failures pile up.

    A correct key always passes, however many failures its address or prefix has. Async, so
    that an anonymous request (most reads) costs no thread hop here; only a key is looked up,
    in a worker thread.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    check = check_credentials
    if getattr(request.state, "read_replica", None) is not None:
        # a read served by a replica: keys are checked, and their use and failures counted,
        # on the primary (a replica is read-only)
        session, check = request.app.state.sessionmaker(), _check_on_primary
    outcome = await run_in_threadpool(
        check,
        session,
        request.app.state.auth_throttle,
        token.strip() if scheme.lower() == "bearer" else None,
        _client(request),
    )
    if isinstance(outcome, ApiKey):
        return Principal(name=outcome.name, scope=outcome.scope)
    if outcome.retry_after is not None:
        raise Problem(
            429,
            "Too many failed authentications; try again later.",
            slug="too-many-failures",
            headers={"Retry-After": str(outcome.retry_after)},
        )
    raise _unauthorized("The API key is unknown, revoked or malformed.", invalid=True)


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
