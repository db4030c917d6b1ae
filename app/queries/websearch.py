"""What a full-text query `q` may hold so that PostgreSQL's `websearch_to_tsquery` can parse it.

The parser keeps pending operators on a fixed stack of 32: each `-` (NOT) waiting for its word
takes a place, and at most two binary operators (OR, an implicit AND) may be waiting beneath
them. So 33 `-` in a row is an internal error ("tsquery stack too small"), not a result; such
a `q` is refused up front with a 422 naming it.

The count is taken the safe way round: every `-`, or character `unaccent` turns into one
(the query is unaccented before it is parsed), counts, and only a letter, digit or `_` (which
always starts a word, and a word ends a run) breaks a run. So it may refuse a run the parser
would have taken inside a word or a quoted phrase, never the other way.
"""

from __future__ import annotations

import re

MAX_NEGATIONS = 30
"""The longest run of `-` accepted: 32 places less the two binary operators beneath."""

DASHES = (
    "-\u00ad\u00b1\u02d7\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
    "\ufe31\ufe32\ufe58\ufe63\uff0d\uffe9\uffeb"
)
"""`-` and every character PostgreSQL's `unaccent` rules map to text holding one."""

_RUN = re.compile(f"[{re.escape(DASHES)}](?:\\W*?[{re.escape(DASHES)}])*")


def longest_negation(q: str) -> int:
    """The most `-` (or dashes unaccent makes `-`) in one run not broken by a word character."""
    return max((sum(char in DASHES for char in run.group()) for run in _RUN.finditer(q)), default=0)


def check_search_text(q: str | None) -> str | None:
    """Pydantic validator of `q`: refuse what the tsquery parser cannot hold."""
    if q is not None and longest_negation(q) > MAX_NEGATIONS:
        raise ValueError(f"at most {MAX_NEGATIONS} '-' (NOT) in a row")
    return q
