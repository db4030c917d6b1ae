"""Schemathesis fuzzes the write API with a write key: every phase, stateful included, every
check, against a seeded scratch database of its own. Not one server error.

The run is what `st run --checks all` does, in process and seeded (the same requests on every
run), bounded to about a minute on a shared 2-core machine. The list reads are left to
tests/test_fuzz.py; the record reads stay, as the stateful phase follows them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.auth.service import create_key
from app.config import Settings
from app.curation.resources import WRITABLE
from app.enums import Scope
from app.kit.etag import etag_for
from app.kit.json import dumps
from app.main import create_app
from app.seeding.loader import apply_seeds
from app.seeding.reader import SeedSet
from tests.conftest import migrated_engine
from tests.database import TestServer

# Schema-valid requests the API refuses by design: a missing reference or a taken id (409),
# an If-Match that does not match (412) or is missing (428), a rule across fields (422: a
# breakdown above the value, a PUT whose key is not the URL's id, an end before a start).
REFUSED_BY_DESIGN = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "428", "429"]
# If-Match is documented as required; leaving it out is answered 428 Precondition Required
# (RFC 6585), the status made for exactly that, rather than a generic 400 or 422
MISSING_HEADER = ["400", "401", "403", "406", "415", "422", "428"]


@pytest.fixture(scope="module")
def fuzz_engine(pg_server: TestServer, seeds: SeedSet) -> Iterator[Engine]:
    """A seeded database the fuzzer may change at will (never the session's shared one)."""
    with pg_server.database("fuzz") as url:
        engine = migrated_engine(url)
        apply_seeds(engine, seeds)
        yield engine
        engine.dispose()


def fuzz_config(token: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": 20261202,
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {"deterministic": True, "max-examples": 8, "allow-x00": True},
            "checks": {
                "positive_data_acceptance": {"expected-statuses": REFUSED_BY_DESIGN},
                "missing_required_header": {"expected-statuses": MISSING_HEADER},
            },
            "phases": {"stateful": {"max-steps": 12}},
        }
    )


def fuzz_schema(engine: Engine, token: str) -> Any:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        auth_max_failures=1_000_000,  # the fuzzer's own bad keys must not lock out its key
        log_level="WARNING",
    )
    app = create_app(settings, engine=engine)
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app, config=fuzz_config(token))
    plurals = "|".join(WRITABLE)
    schema = loaded.include(path_regex=f"^/v1/({plurals})(/{{[a-z_]+}})?$").exclude(
        method="GET", path_regex=f"^/v1/({plurals})$"
    )

    @schema.hook("map_case")
    def current_etag(context: Any, case: Any) -> Any:
        """An If-Match the fuzzer sends becomes the record's real ETag, so changes get past
        the precondition into validation and the database; a missing one still tests 428."""
        if case.method.upper() not in ("PUT", "PATCH", "DELETE") or not case.headers:
            return case
        name = next((key for key in case.headers if key.lower() == "if-match"), None)
        record_id = next(iter((case.path_parameters or {}).values()), None)
        if name is None or not isinstance(record_id, str):
            return case
        resource = WRITABLE[case.path.split("/")[2]]
        with Session(engine) as session:
            shown = resource.representation(session, record_id.lower())
        if shown is not None:
            case.headers[name] = etag_for(dumps(shown))
        return case

    return schema


def test_the_write_api_never_answers_with_a_server_error(fuzz_engine: Engine) -> None:
    with Session(fuzz_engine) as session:
        token = create_key(session, "fuzzer", Scope.WRITE)
        session.commit()
    failures: list[str] = []
    answered: Counter[tuple[str, int]] = Counter()
    phases: set[str] = set()
    for event in schemathesis.engine.from_schema(fuzz_schema(fuzz_engine, token)).execute():
        if isinstance(event, events.ScenarioFinished):
            phases.add(str(event.phase))
            for interaction in event.recorder.interactions.values():
                if interaction.response is not None:
                    status = interaction.response.status_code
                    answered[interaction.request.method, status // 100 * 100] += 1
            failures.extend(
                f"{event.phase} {check.name}: {check.failure_info}"
                for checks in event.recorder.checks.values()
                for check in checks
                if check.failure_info is not None
            )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"error: {event}")
    assert not failures, "\n".join(failures)
    assert phases == {"examples", "coverage", "fuzzing", "stateful"}
    assert not any(status == 500 for _, status in answered)
    for method in ("POST", "PUT", "PATCH", "DELETE"):  # changes did reach the database
        assert answered[method, 200] > 0, answered
