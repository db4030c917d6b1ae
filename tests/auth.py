"""Helpers for the authentication tests: keys that fail, the throttle's counts, client apps."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.api.session import get_session
from app.config import Settings
from app.enums import FailureSubject
from app.main import create_app
from app.models import AuthFailure

ClientFactory = Callable[..., TestClient]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wrong_key(prefix: str | None = None) -> str:
    """A well-formed key that matches nothing: a fresh secret, and a fresh prefix unless given."""
    prefix = prefix or "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
    return f"crsv_{prefix}_{secrets.token_urlsafe(32)}"


def counts(
    session: Session, kind: FailureSubject, subjects: Iterable[str] | None = None
) -> dict[str, int]:
    """The throttle's failure counts, of these addresses or prefixes only when given (other
    tests may leave their own in the shared database)."""
    query = select(AuthFailure.subject, AuthFailure.failures).where(AuthFailure.kind == kind)
    if subjects is not None:
        query = query.where(AuthFailure.subject.in_(list(subjects)))
    return {subject: failures for subject, failures in session.execute(query)}


@contextmanager
def client_factory(engine: Engine, db: Session) -> Iterator[ClientFactory]:
    """Apps on the test's rolled-back session, each with its own settings and client address."""
    with ExitStack() as stack:

        def make(address: str = "198.51.100.20", **overrides: Any) -> TestClient:
            settings = Settings(
                database_url=engine.url.render_as_string(hide_password=False), **overrides
            )
            app = create_app(settings, engine=engine)

            def test_session() -> Iterator[Session]:
                yield db
                db.commit()

            app.dependency_overrides[get_session] = test_session
            return stack.enter_context(TestClient(app, client=(address, 50000)))

        yield make
