"""Sorting and keyset pagination: any page costs what the first page costs.

A sort is a list of named fields, each mapped to SQL expressions; the row id always ends the
order so it is total and stable. A cursor carries the sort it was made for and the last row's
sort values; the next page starts strictly after them.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, cast

import orjson
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    SQLColumnExpression,
    and_,
    false,
    literal,
    or_,
    tuple_,
)
from sqlalchemy.sql.elements import BindParameter

from app.errors import InvalidParameters, parameter_error

Expression = SQLColumnExpression[Any]
"""A column or SQL expression (mapped attributes included)."""


@dataclass(frozen=True)
class SortKey:
    """One SQL expression of the order, its direction and whether it can be NULL."""

    expression: Expression
    descending: bool
    nullable: bool = False

    def order_by(self) -> list[ColumnElement[Any]]:
        if self.nullable:  # NULLs last in both directions, matching `after` below
            nulls_last = self.expression.is_(None)
            direction = self.expression.desc() if self.descending else self.expression.asc()
            return [nulls_last.asc(), direction]
        return [self.expression.desc() if self.descending else self.expression.asc()]

    def after(self, value: Any, rest: ColumnElement[bool]) -> ColumnElement[bool]:
        """Rows strictly after `value` on this key, or equal on it and after on `rest`."""
        column = self.expression
        if self.nullable and value is None:
            return and_(column.is_(None), rest)
        beyond = column < value if self.descending else column > value
        if self.nullable:
            beyond = or_(beyond, column.is_(None))
        return or_(beyond, and_(column == value, rest))


@dataclass(frozen=True)
class SortField:
    """A client-facing sort name and the expressions it orders by (ascending sense)."""

    expressions: tuple[Expression, ...]
    nullable: bool | tuple[bool, ...] = False
    """Whether the expressions can be NULL: one flag for all, or one per expression."""

    def keys(self, descending: bool) -> list[SortKey]:
        flags = (
            self.nullable
            if isinstance(self.nullable, tuple)
            else (self.nullable,) * len(self.expressions)
        )
        return [
            SortKey(expression, descending, nullable)
            for expression, nullable in zip(self.expressions, flags, strict=True)
        ]


@dataclass(frozen=True)
class Sort:
    spec: str
    keys: tuple[SortKey, ...]

    def order_by(self) -> list[ColumnElement[Any]]:
        return [clause for key in self.keys for clause in key.order_by()]

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        directions = {key.descending for key in self.keys}
        if len(directions) == 1 and not any(key.nullable for key in self.keys):
            # one row comparison: an index on the sort columns turns it into a range scan
            row = tuple_(*(key.expression for key in self.keys))
            bound = tuple_(*(v if isinstance(v, BindParameter) else literal(v) for v in values))
            return row < bound if directions == {True} else row > bound
        condition: ColumnElement[bool] = false()
        for key, value in reversed(list(zip(self.keys, values, strict=True))):
            condition = key.after(value, condition)
        return condition


def parse_sort(text: str, fields: Mapping[str, SortField], id_column: Expression) -> Sort:
    """Parse 'a,-b' against the allowed `fields`; unknown names are a 422 naming them."""
    keys: list[SortKey] = []
    seen: set[str] = set()
    for raw in (part.strip() for part in text.split(",")):
        descending = raw.startswith("-")
        name = raw.lstrip("-")
        if name not in fields or name in seen:
            reason = (
                f"'{name}' is given twice"
                if name in seen
                else f"unknown sort field '{name}'; allowed: {', '.join(sorted(fields))}"
            )
            raise InvalidParameters([parameter_error("sort", reason)])
        seen.add(name)
        keys.extend(fields[name].keys(descending))
    keys.append(SortKey(id_column, descending=False))  # the tie-breaker makes the order total
    return Sort(spec=",".join(p.strip() for p in text.split(",")), keys=tuple(keys))


def relevance_sort(rank: Expression, id_column: Expression) -> Sort:
    return Sort(spec="relevance", keys=(SortKey(rank, descending=True), SortKey(id_column, False)))


# --- cursors ---------------------------------------------------------------------------------


def encode_cursor(sort: Sort, values: Sequence[Any]) -> str:
    payload = orjson.dumps({"s": sort.spec, "v": list(values)})  # dates become ISO strings
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")


def example_cursor(sort: Sort) -> str:
    """A well-formed cursor for `sort`, for the documentation: each key gets a sample of its
    type, so the example resumes a real order and answers a (possibly short) page."""
    return encode_cursor(sort, [_sample(key) for key in sort.keys])


def _sample(key: SortKey) -> Any:
    expected = cast(ColumnElement[Any], key.expression).type.python_type
    if issubclass(expected, StrEnum):
        return next(iter(expected)).value
    samples: dict[type, Any] = {int: 1, float: 1.0, str: "a", date: "2023-01-01"}
    return samples[expected]


def decode_cursor(cursor: str, sort: Sort) -> list[Any]:
    """The sort values a cursor resumes after; 422 when it is malformed or for another sort."""
    malformed = InvalidParameters([parameter_error("cursor", "malformed cursor")])
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        spec, raw_values = payload["s"], payload["v"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeEncodeError) as exc:
        raise malformed from exc
    if spec != sort.spec or not isinstance(raw_values, list) or len(raw_values) != len(sort.keys):
        raise InvalidParameters(
            [parameter_error("cursor", "this cursor belongs to another sort or query")]
        )
    try:
        return [_revive(key, value) for key, value in zip(sort.keys, raw_values, strict=True)]
    except (TypeError, ValueError) as exc:
        raise malformed from exc


def _revive(key: SortKey, value: Any) -> Any:
    """Turn a JSON value back into its key's type, so a forged cursor cannot break the SQL."""
    if value is None:
        if not key.nullable:
            raise ValueError("null for a key that cannot be null")
        return None
    sql_type = cast(ColumnElement[Any], key.expression).type
    expected = sql_type.python_type
    if isinstance(value, bool):
        raise TypeError("booleans are never sort values")
    if expected is float and isinstance(value, int | float):
        return float(value)
    limit = 2**63 if isinstance(sql_type, BigInteger) else 2**31
    if expected is int and isinstance(value, int) and abs(value) < limit:
        return value
    if expected is date and isinstance(value, str):
        return date.fromisoformat(value)
    if expected is str and isinstance(value, str) and "\x00" not in value:
        return value  # PostgreSQL text cannot hold NUL: such a cursor was never ours
    if issubclass(expected, StrEnum) and isinstance(value, str):
        return expected(value).value
    raise TypeError(f"{value!r} does not fit a {expected.__name__} sort key")
