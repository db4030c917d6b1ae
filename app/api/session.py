"""The per-request database session: the single place where transactions end, before the
response is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from anyio import CancelScope
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.db.replicas import (
    ReadChoice,
    ReplicaSet,
    flushed_position,
    parse_lsn,
    replayed_past,
)

CONSISTENCY_HEADER = "Consistency-Token"
"""Sent with every committed write when replicas are configured: the WAL position its commit
reached. A GET that sends it back is answered by a replica only once that replica has
replayed past it."""

READ_METHODS = frozenset({"GET", "HEAD"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Yield a session; commit if the request succeeded, roll back if it raised.

    Repositories and services only flush, so a request's writes land together or not at all.
    It ends before the response is sent (`SessionDep` is function-scoped): a 2xx means the
    write is committed, and a failed commit is an error response, never a 2xx.
    Making a session does no I/O (it connects on its first statement), so this runs on the
    event loop; only ending a session that did connect goes to a worker thread. A sync
    dependency would cost two thread hops per request, each queued behind the others.

    With replicas (`CRSV_DATABASE_REPLICA_URLS`), a GET's session is opened on a replica fresh
    enough for it, connected first in a worker thread, so that a replica gone since the
    watcher last looked costs a fallback to the primary, not an error. A committed write then
    reads the WAL position its commit reached, for the `Consistency-Token` header.
    """
    replicas: ReplicaSet | None = request.app.state.replicas
    session: Session | None = None
    if replicas is not None and request.method in READ_METHODS:
        session = await _replica_session(request, replicas)
    if session is None:
        session = request.app.state.sessionmaker()
    tokened = replicas is not None and request.method not in READ_METHODS
    try:
        yield session
    except BaseException:
        await _end(session, commit=False)
        raise
    position = await _end(session, commit=True, position=tokened)
    if position is not None:
        request.state.consistency_token = position


async def _end(session: Session, *, commit: bool, position: bool = False) -> str | None:
    if not session.in_transaction():
        session.close()  # never connected: nothing to send
        return None
    with CancelScope(shield=True):  # a cancelled request still hands its connection back
        ended = await run_in_threadpool(end_transaction, session, commit, position)
    return ended


def end_transaction(session: Session, commit: bool, position: bool = False) -> str | None:
    """End the transaction and close the session (here and in app/api/read_route.py); after a
    commit, with `position`, the WAL position it reached."""
    try:
        if commit:
            session.commit()
            if position:
                return flushed_position(session)
        else:
            session.rollback()
        return None
    finally:
        session.close()


async def _replica_session(request: Request, replicas: ReplicaSet) -> Session | None:
    """A session on a replica fit for this GET, already connected; None for the primary.

    Connecting here, before the route runs, means a replica that went down since the watcher
    last looked costs this request a fallback to the primary, never an error.
    """
    token = request.headers.get(CONSISTENCY_HEADER)
    position = parse_lsn(token.strip()) if token is not None else None
    if token is not None and position is None:
        return None  # not a position we wrote: only the primary is sure to be fresh enough
    choice = replicas.choose(position)
    if choice is None:
        return None
    with CancelScope(shield=True):
        session = await run_in_threadpool(_connect, choice, replicas)
    if session is not None:
        request.state.read_engine = choice.replica.engine
        request.state.read_replica = choice.replica.name
    return session


def _connect(choice: ReadChoice, replicas: ReplicaSet) -> Session | None:
    session = choice.replica.sessionmaker()
    try:
        session.connection()  # checkout: the pool's pre-ping reconnects or fails here
        if choice.verify_token is not None and not replayed_past(session, choice.verify_token):
            session.close()
            return None
    except SQLAlchemyError as exc:
        session.close()
        replicas.mark_down(choice.replica, type(exc).__name__)
        return None
    return session


def read_engine(request: Request) -> Engine:
    """The engine a GET reads from on connections of its own (exports, their ETags): the
    replica its session was opened on, else the primary."""
    engine: Engine = getattr(request.state, "read_engine", None) or request.app.state.engine
    return engine


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""The session of a route and of its dependencies (one per request, shared).

`scope="function"`: FastAPI ends it when the route returns, before the first byte of the
response. With the default request scope it ended after the response was sent: a client could
hold a 2xx for a write that a kill -9 then lost, and read the old record right after a write.
A streamed export reads on a connection of its own (app/exports), held to the last byte.
"""
