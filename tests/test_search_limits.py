"""A full-text `q` PostgreSQL cannot parse is a 422 naming `q`, never a 500.

websearch_to_tsquery keeps pending operators on a stack of 32: 33 `-` in a row overflow it
("tsquery stack too small"). The check of app/queries/websearch.py is proven against the real
parser here, on the test server, with its own `unaccent` rules.
"""

from __future__ import annotations

import random
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.queries.listing import text_query
from app.queries.websearch import DASHES, MAX_NEGATIONS, longest_negation

REFUSED = [{"name": "q", "in": "query", "reason": "Value error, at most 30 '-' (NOT) in a row"}]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/figures",
        "/v1/activities",
        "/v1/stories",
        "/v1/stats/figures",
        "/v1/exports/figures.csv",
        "/v1/exports/activities.json",
        "/v1/exports/stories.ndjson",
    ],
)
@pytest.mark.parametrize("q", ["-" * 33, "- " * 33, "mobile " + "\u2013" * 40 + " court"])
def test_too_many_dashes_in_a_row_are_422(client: TestClient, path: str, q: str) -> None:
    response = client.get(path, params={"q": q})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == REFUSED


@pytest.mark.parametrize(
    "q", ["-" * MAX_NEGATIONS, "court or training " + "- " * MAX_NEGATIONS, "-" * 40 + "a"]
)
def test_the_longest_runs_postgresql_parses_are_searched(client: TestClient, q: str) -> None:
    expected = 422 if longest_negation(q) > MAX_NEGATIONS else 200
    assert client.get("/v1/figures", params={"q": q}).status_code == expected
    assert client.get("/v1/exports/figures.csv", params={"q": q}).status_code == expected


def parses(db: Session, q: str) -> bool:
    try:
        with db.begin_nested():
            db.execute(select(text_query(q)))
    except DBAPIError as exc:
        assert "tsquery stack too small" in str(exc.orig), exc
        return False
    return True


def test_every_q_postgresql_cannot_parse_is_refused_first(db: Session) -> None:
    """Random queries made of long runs of dashes, separators and words, against the parser."""
    rng = random.Random(12)
    dashes = ["-"] * 20 + list(DASHES)
    between = [" "] * 4 + ["", "!", "(", ")", "&", "|", "<", "\t", "\u3000", "\u0301"]
    words = ["court", "or", '"mobile court"', '"', "x-", "\\", "_", "\u02b9", "the", "a or b"]
    failures = refused = 0
    for _ in range(600):
        parts = []
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.5:
                parts.append(rng.choice(words) + rng.choice([" ", ""]))
            else:
                run = (
                    rng.choice(dashes) + (rng.choice(between) if rng.random() < 0.3 else "")
                    for _ in range(rng.randint(30, 40))
                )
                parts.append("".join(run))
        q = "".join(parts)[:200]
        refused += longest_negation(q) > MAX_NEGATIONS
        if not parses(db, q):
            failures += 1
            assert longest_negation(q) > MAX_NEGATIONS, q
    assert failures > 50  # the sample does reach the parser's limit
    assert refused < 600


def test_the_dashes_cover_what_unaccent_turns_into_a_dash(db: Session) -> None:
    """Characters `unaccent` rewrites (planes 0 and 1 hold all its rules): every one that
    yields a `-` is counted as one, and no word character vanishes into a separator."""
    rewritten = db.execute(
        text(
            "SELECT code, crsv_unaccent(chr(code)) FROM generate_series(1, 131071) AS code "
            "WHERE code NOT BETWEEN 55296 AND 57343 AND crsv_unaccent(chr(code)) <> chr(code)"
        )
    ).all()
    assert len(rewritten) > 1000
    assert {chr(code) for code, out in rewritten if "-" in out} <= set(DASHES)
    separators = re.compile(r"[\s!&|()<-]*")  # what the parser skips between two `-`
    vanishing = [
        chr(code)
        for code, out in rewritten
        if re.fullmatch(r"\w", chr(code)) and separators.fullmatch(out)
    ]
    assert vanishing == []
