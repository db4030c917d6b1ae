"""Filters as named parameters, so that a list statement is compiled once per shape.

A dataset's `conditions(filters)` normally receives values (ids, dates) and returns SQL with
those values inside. Given a *template* instead, whose present filters hold placeholders, the
same function returns the same SQL with a named parameter where each value goes: one
statement for every request that uses the same filters, whatever their values and however
many of them (`column = ANY(:mission)` rather than `IN (...)` with one parameter per value).
app/queries/pages.py compiles such statements once and binds each request's values.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Date, String, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY, array

from app.queries.keyset import Expression


@dataclass(frozen=True)
class Placeholder:
    """Where the values of the list filter `name` go: one value, or an array of several."""

    name: str
    several: bool


def one_of(column: Expression, values: list[Any] | Placeholder) -> ColumnElement[bool]:
    """`column IN (values)`; for a placeholder, `column = :name` or `column = ANY(:name)`.

    One value stays an equality, as `IN (x)` is for PostgreSQL: an index on (mission_id,
    order_key) then returns a mission's rows in order, which `= ANY(array)` cannot promise.
    """
    if isinstance(values, Placeholder):
        sql_type = cast(ColumnElement[Any], column).type
        if not values.several:
            return column == bindparam(values.name, type_=sql_type)
        return column == any_(bindparam(values.name, type_=ARRAY(sql_type)))
    return column.in_(values)


def array_of(values: list[Any] | Placeholder, element: Any) -> Any:
    """The values as a PostgreSQL array (for `&&`, array overlap): a list as it is, a
    placeholder as an array parameter, or an array of its one value."""
    if not isinstance(values, Placeholder):
        return list(values)
    if values.several:
        return bindparam(values.name, type_=ARRAY(element))
    return array([bindparam(values.name, type_=element)])


SCALAR_TYPES: dict[type, Any] = {date: Date, str: String}


def template(filters: type[Any], present: frozenset[str]) -> Any:
    """An instance of the filters dataclass `filters` with a placeholder in each `present`
    field (named as `bound_values` names them): a list field gets a `Placeholder`, a date or
    text field a typed bind parameter."""
    hints = hints_of(filters)
    values: dict[str, Any] = {}
    for field in fields(filters):
        several = f"{field.name}{SEVERAL}"
        if field.name not in present and several not in present:
            continue
        kind = next(a for a in typing.get_args(hints[field.name]) if a is not type(None))
        if typing.get_origin(kind) is list:
            values[field.name] = Placeholder(field.name, several in present)
        else:
            values[field.name] = bindparam(field.name, type_=SCALAR_TYPES[kind]())
    return filters(**values)


SEVERAL = "[]"
"""Marks a list filter given several values, in the names `bound_values` returns."""


def bound_values(filters: Any) -> tuple[frozenset[str], dict[str, Any]]:
    """The filters a resolved dataclass holds, as (their names for `template`: `mission`, or
    `mission[]` for several, and the parameters to bind: name -> value or list of values)."""
    names: set[str] = set()
    parameters: dict[str, Any] = {}
    for field in fields(filters):
        value = getattr(filters, field.name)
        if value is None:
            continue
        if isinstance(value, list) and len(value) != 1:
            names.add(f"{field.name}{SEVERAL}")
            parameters[field.name] = value
        else:
            names.add(field.name)
            parameters[field.name] = value[0] if isinstance(value, list) else value
    return frozenset(names), parameters


_HINTS: dict[type[Any], dict[str, Any]] = {}


def hints_of(filters: type[Any]) -> dict[str, Any]:
    """The type hints of a filters dataclass, worked out once (`typing.get_type_hints`
    evaluates every annotation: about 4% of a figure page's time when done per request)."""
    if filters not in _HINTS:
        _HINTS[filters] = typing.get_type_hints(filters)
    return _HINTS[filters]
