"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.api.strict_query import known_query_parameters
from app.db.replicas import ReplicaSet
from app.db.revisions import database_revision
from app.errors import Problem

router = APIRouter(tags=["health"], dependencies=[Depends(known_query_parameters)])


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})
    status: str


class ReplicaHealth(BaseModel):
    name: str = Field(description="`replica N`: the Nth of CRSV_DATABASE_REPLICA_URLS.")
    up: bool
    lag_seconds: float | None = Field(
        description="How far it trails the primary, at most (null while down)."
    )
    serving: bool = Field(description="Up and within CRSV_REPLICA_MAX_LAG_SECONDS: reads go to it.")


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ready", "database": "ok", "migration": "0001"}]}
    )
    status: str
    database: str
    migration: str | None
    replicas: list[ReplicaHealth] | None = Field(
        default=None,
        description="Only with CRSV_DATABASE_REPLICA_URLS: each replica. A replica down never "
        "makes the service unready (reads fall back to the primary).",
    )


NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz", name="get_liveness", summary="Process is alive")
def healthz(response: Response) -> Health:
    """Answers as long as the process serves requests; touches no dependency."""
    response.headers.update(NO_STORE)
    return Health(status="ok")


@router.get(
    "/readyz",
    name="get_readiness",
    summary="Ready to serve: database reachable and migrated",
    responses={503: {"description": "Database unreachable or not at the latest migration"}},
    response_model_exclude_none=True,
)
def readyz(request: Request, response: Response) -> Readiness:
    """200 only when PostgreSQL answers and its schema is at the migration head."""
    response.headers.update(NO_STORE)
    engine: Engine = request.app.state.engine
    head: str | None = request.app.state.migration_head
    try:
        with engine.connect() as connection:
            current = database_revision(connection)
    except SQLAlchemyError as exc:
        raise Problem(
            503,
            f"The database is unreachable: {type(exc).__name__}.",
            slug="not-ready",
            headers={"Retry-After": "5"},
        ) from exc
    if current != head:
        raise Problem(
            503,
            f"The database schema is at migration {current!r}, not at head {head!r}; "
            "run `crsv db upgrade`.",
            slug="not-ready",
            headers={"Retry-After": "5"},
        )
    replicas: ReplicaSet | None = request.app.state.replicas
    return Readiness(
        status="ready",
        database="ok",
        migration=current,
        replicas=None if replicas is None else [ReplicaHealth(**r) for r in replicas.status()],
    )
