"""Application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.api import health, v1
from app.api.caching import ConditionalGetMiddleware
from app.api.consistency import ConsistencyTokenMiddleware
from app.api.cors import add_cors
from app.api.head import HeadMiddleware
from app.api.middleware import (
    ConcurrencyLimitMiddleware,
    RequestBodyMiddleware,
    RequestContextMiddleware,
)
from app.api.negotiation import VaryMiddleware
from app.api.openapi import operation_id, problem_openapi
from app.api.problems import register_problem_handlers
from app.api.read_route import ShortPaths
from app.auth.throttle import FailureThrottle
from app.config import Settings, get_settings
from app.db.engine import build_engine, build_sessionmaker
from app.db.replicas import replica_set
from app.db.revisions import code_head
from app.db.url import resolve_database_url
from app.explore.pages import router as explore_router
from app.logging import configure_logging

DESCRIPTION = """\
Open data on what United Nations peacekeeping missions did to prevent and respond to
conflict-related sexual violence (CRSV), as told by the DPO annual reports, starting with the
2023 edition: stories, activities and the figures they produced, each figure with its qualifier,
its breakdown by sex where the report gives one, and a verbatim evidence phrase.

Only public, aggregate figures are held; nothing here describes an individual survivor.
Errors are RFC 9457 `application/problem+json`. Every GET also answers HEAD: the same status
and headers (ETag included), without the body.
"""
DOCS_ASSETS = "/docs/assets"


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the API. Without an `engine`, connect to the configured or embedded database."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = engine is None
        app.state.engine = engine or build_engine(resolve_database_url(settings), settings)
        app.state.sessionmaker = build_sessionmaker(app.state.engine)
        app.state.replicas = replica_set(settings, app.state.engine)
        if app.state.replicas is not None:
            app.state.replicas.start()
        app.state.migration_head = code_head()
        # a request's sync work (its route, then the end of its session) runs in AnyIO's
        # thread pool one piece at a time: as many threads as requests admitted
        # (ConcurrencyLimitMiddleware), no idle extras; dependencies without I/O are async
        to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
        try:
            yield
        finally:
            if app.state.replicas is not None:
                app.state.replicas.stop()
            if owned:
                app.state.engine.dispose()

    # Swagger UI and ReDoc from the assets the `fastapi-offline` wheel ships: no CDN, so the
    # docs work offline and behind strict firewalls
    app = FastAPIOffline(
        static_url=DOCS_ASSETS,
        title="crsv-data",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        license_info={"name": "Data: UN DPO report, quoted for public information"},
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.replicas = None
    app.state.auth_throttle = FailureThrottle(
        settings.auth_max_failures,
        settings.auth_failure_window_seconds,
        settings.auth_failure_max_entries,
    )
    app.openapi = lambda: problem_openapi(app)  # type: ignore[method-assign]
    register_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(v1.router)
    app.include_router(v1.index.root_router)
    app.include_router(explore_router)  # HTML pages for people; not in the OpenAPI document
    # plain reads found by their path, inside the exception layer, before FastAPI's router
    # tries each route in turn (app/api/read_route.py); as Router(middleware=...) installs one
    app.router.middleware_stack = ShortPaths(app.router.middleware_stack, v1.hot_read_routes())
    app.add_middleware(VaryMiddleware)
    if settings.database_replica_urls:
        app.add_middleware(ConsistencyTokenMiddleware)
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(HeadMiddleware)  # outside the layers whose headers a HEAD must show
    # a request may hold two connections (an export streams on its own): the pool has
    # 2 * db_pool_size, so this many requests at once can never wait on it
    app.add_middleware(
        ConcurrencyLimitMiddleware, limit=settings.db_pool_size, exempt=frozenset({"/healthz"})
    )
    # outside the slots: a slow or unfinished body waits here and holds none
    app.add_middleware(
        RequestBodyMiddleware,
        max_bytes=settings.max_body_bytes,
        timeout_seconds=settings.body_timeout_seconds,
    )
    add_cors(
        app, settings.cors_origins, consistency_token=bool(settings.database_replica_urls)
    )  # outside all but the request id: errors carry CORS too
    app.add_middleware(RequestContextMiddleware)
    if settings.trusted_proxies:
        # outermost, so everything inside sees the client a trusted proxy names; without
        # trusted proxies the connecting peer is the client (`crsv serve` turns off
        # uvicorn's own handling, which would trust any local peer)
        app.add_middleware(
            ProxyHeadersMiddleware,
            trusted_hosts=[str(network) for network in settings.trusted_proxies],
        )
    return app
