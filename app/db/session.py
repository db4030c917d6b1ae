"""The per-request database session: the single place where transactions end, before the
response is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from anyio import CancelScope
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Yield a session; commit if the request succeeded, roll back if it raised.

    Repositories and services only flush, so a request's writes land together or not at all.
    It ends before the response is sent (`SessionDep` is function-scoped): a 2xx means the
    write is committed, and a failed commit is an error response, never a 2xx.
    Making a session does no I/O (it connects on its first statement), so this runs on the
    event loop; only ending a session that did connect goes to a worker thread. A sync
    dependency would cost two thread hops per request, each queued behind the others.
    """
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        await _end(session, commit=False)
        raise
    await _end(session, commit=True)


async def _end(session: Session, *, commit: bool) -> None:
    if not session.in_transaction():
        session.close()  # never connected: nothing to send
        return
    with CancelScope(shield=True):  # a cancelled request still hands its connection back
        await run_in_threadpool(_commit_or_roll_back, session, commit)


def _commit_or_roll_back(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""The session of a route and of its dependencies (one per request, shared).

`scope="function"`: FastAPI ends it when the route returns, before the first byte of the
response. With the default request scope it ended after the response was sent: a client could
hold a 2xx for a write that a kill -9 then lost, and read the old record right after a write.
A streamed export reads on a connection of its own (app/exports), held to the last byte.
"""
