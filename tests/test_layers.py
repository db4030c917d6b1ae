"""Layers point down only: no module imports from a layer above its own, and no import cycles.

`LAYERS` lists the parts of `app` (its top-level packages and modules) from the top layer down.
A module may import from its own part or from a part on a lower layer: never upwards, never
sideways into another part of its own layer (so the parts of one layer stay independent of
each other), and never in a cycle. Every import counts, also one inside a function or under
`TYPE_CHECKING`: a deferred import is still a dependency.
"""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

LAYERS: tuple[tuple[str, ...], ...] = (
    # entry points: the command line (`crsv serve` preloads the app before forking workers),
    # then the ASGI application
    ("app.cli",),
    ("app.main",),
    # the explorer: HTML pages, a client of the API that reuses its parameter models
    ("app.explore",),
    # HTTP: routes, problem+json handlers, middleware, uvicorn's protocol
    ("app.api", "app.http_protocol"),
    # services: the write API, exports, API keys
    ("app.curation", "app.exports", "app.auth"),
    # the seed files and their loader (curation validates writes with the seed schemas)
    ("app.seeding",),
    # reads: filters, sorting, the SQL of lists and statistics
    ("app.queries",),
    # the audit trail every write records; the response shapes
    ("app.audit", "app.schemas"),
    ("app.models",),
    ("app.db",),
    # no app imports: settings, vocabularies, domain errors, small helpers, log format
    ("app.config", "app.enums", "app.errors", "app.geo", "app.kit", "app.logging"),
)

ABOVE_THE_APP = ("bench", "clients", "migrations", "scripts", "tests")
"""They use the app; it never imports them."""

WEB_FRAMEWORKS = ("fastapi", "starlette", "uvicorn")


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


MODULES = _modules()


def _imported_names(name: str, path: Path) -> Iterator[str]:
    """Every dotted name the module imports, anywhere in its body; relative ones resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from app.queries import figures` names a module, `from app.models import Figure`
            # a name in one: `_module_of` tells which
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _module_of(dotted: str) -> str | None:
    """The app module a dotted name lives in (`app.models.Figure` is in `app.models`)."""
    while dotted and dotted not in MODULES:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        targets = {_module_of(imported) for imported in _imported_names(name, path)}
        graph[name] = {target for target in targets if target is not None and target != name}
    return graph


GRAPH = _graph()


def _part(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _layer(part: str) -> int:
    return next(index for index, parts in enumerate(LAYERS) if part in parts)


def test_every_part_of_the_app_has_one_layer() -> None:
    declared = [part for parts in LAYERS for part in parts]
    assert len(declared) == len(set(declared))
    parts = {_part(module) for module in MODULES} - {"app"}
    assert sorted(parts - set(declared)) == []  # a new package: give it a layer
    assert sorted(set(declared) - parts) == []  # a part that left the app: drop it


def test_the_graph_sees_every_kind_of_import() -> None:
    """Guards the parser: module level, `from package import module`, inside a function."""
    assert "app.api.problems" in GRAPH["app.main"]
    assert "app.queries.figures" in GRAPH["app.queries.details"]
    assert "app.seeding.loader" in GRAPH["app.cli"]  # imported inside a command
    assert "app.models" in GRAPH["app.audit"]


def test_the_package_root_imports_nothing() -> None:
    """Importing any module runs `app/__init__.py` first: it must not drag a layer in."""
    assert GRAPH["app"] == set()


def test_no_import_runs_up_or_across_a_layer() -> None:
    wrong = [
        f"{module} -> {target}"
        for module, targets in sorted(GRAPH.items())
        if module != "app"
        for target in sorted(targets)
        if _part(target) != _part(module) and _layer(_part(target)) <= _layer(_part(module))
    ]
    assert not wrong, "imports running up or across a layer:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    try:
        graphlib.TopologicalSorter(GRAPH).prepare()
    except graphlib.CycleError as exc:
        pytest.fail("import cycle: " + " -> ".join(exc.args[1]))


def test_the_app_never_imports_its_tools() -> None:
    wrong = sorted(
        f"{module} imports {imported}"
        for module, path in MODULES.items()
        for imported in _imported_names(module, path)
        if imported.split(".")[0] in ABOVE_THE_APP
    )
    assert not wrong, "the app imports what uses it:\n" + "\n".join(wrong)


def test_below_the_http_layer_no_web_framework() -> None:
    """Domain errors, queries and services raise and return plain Python: the API maps them."""
    http = _layer("app.api")
    web = sorted(
        f"{module} imports {imported}"
        for module, path in MODULES.items()
        if module != "app" and _layer(_part(module)) > http
        for imported in _imported_names(module, path)
        if imported.split(".")[0] in WEB_FRAMEWORKS
    )
    assert not web, "web framework below the HTTP layer:\n" + "\n".join(web)


SQL_IN_HTTP = {"sqlalchemy.Engine", "sqlalchemy.orm.Session", "app.models.ApiKey"}
"""All the HTTP layer may take from SQLAlchemy and the models: the engine and the session it
hands to `app.queries` and the services, and the key record a principal is made of. Database
errors (`sqlalchemy.exc`) are mapped to problem+json there too."""
ROUTES = ("app.api", "app.explore")
"""The parts that answer requests: the API and the explorer's pages."""


def test_routes_build_no_sql() -> None:
    """Every statement lives in `app.queries` (or a service): a route names what it wants."""
    sql = sorted(
        f"{module} imports {imported}"
        for module, path in MODULES.items()
        if _part(module) in ROUTES
        for imported in _imported_names(module, path)
        if imported.split(".")[0] == "sqlalchemy" or _module_of(imported) == "app.models"
        if imported not in SQL_IN_HTTP and not imported.startswith("sqlalchemy.exc.")
    )
    assert not sql, "SQL built in the HTTP layer:\n" + "\n".join(sql)
