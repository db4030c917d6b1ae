"""Jinja2 templates and the explorer's static files.

Autoescaping is on for every template: report text and curated text reach the page as text,
never as markup.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import HTMLResponse, Response

from app.config import get_settings
from app.errors import Problem
from app.explore.text import Translator
from app.queries.datasets import MAPPABLE, DatasetName

if TYPE_CHECKING:
    from jinja2 import Environment

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_MEDIA = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
STATIC: dict[str, bytes] = {
    path.name: path.read_bytes()
    for path in sorted(STATIC_DIR.iterdir())
    if path.suffix in STATIC_MEDIA
}
STATIC_VERSION = {name: hashlib.sha256(body).hexdigest()[:12] for name, body in STATIC.items()}
"""A content hash in each static file's address, so browsers may keep it for a year."""
IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def environment() -> Environment:
    """The templates' environment, built by the first page: Jinja2 and the labels are imported
    and read then, not when the app starts, so an API worker that serves no page never holds
    them (about 2 MB of each worker's memory; tests/test_lazy_imports.py keeps it so)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    templates = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.globals.update(
        t=Translator(get_settings().explore_language),
        static=lambda name: f"/explore/static/{name}?v={STATIC_VERSION[name]}",
        query=lambda values: urlencode({k: v for k, v in values.items() if v not in (None, "")}),
        # a chart whose bars count in several units names each bar's unit
        units_in=lambda bars: len({bar.unit for bar in bars if bar.unit and bar.figures}),
    )
    return templates


def downloads(dataset: str, raw: dict[str, str]) -> list[tuple[str, str]]:
    """Links to the export routes for `dataset` under the page's filters: CSV, XLSX, and
    GeoJSON for the datasets whose rows have places (the registry's `MAPPABLE`)."""
    wanted = ["csv", "xlsx", *(["geojson"] if DatasetName(dataset) in MAPPABLE else [])]
    suffix = f"?{urlencode(raw)}" if raw else ""
    return [(fmt, f"/v1/exports/{dataset}.{fmt}{suffix}") for fmt in wanted]


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> Response:
    body = (
        environment()
        .get_template(template)
        .render(
            request=request,
            path=request.url.path,
            downloads=downloads,
            **context,
        )
    )
    return HTMLResponse(body, status_code=status)


def render_problem(request: Request | None, problem: Problem | None) -> Response:
    """The HTML page of a 404 or 422 (the API would answer the same status as problem+json)."""
    status = problem.status if problem is not None else 404
    body = (
        environment()
        .get_template("error.html")
        .render(
            request=request,
            path=request.url.path if request is not None else "",
            problem=problem,
            status=status,
        )
    )
    return HTMLResponse(body, status_code=status, headers=(problem.headers if problem else None))


def static_response(name: str) -> Response:
    media = STATIC_MEDIA[Path(name).suffix]
    return Response(STATIC[name], media_type=media, headers={"Cache-Control": IMMUTABLE})
