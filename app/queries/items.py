"""A list item's shape, declared once: the response model says which keys an item has, and
where each value comes from is all the SQL adds.

The response model (`app/schemas`) is the one declaration of an item's JSON: its keys, their
order, which are nested objects and which of those may be null. `Shape(Model, From(...))`
walks the model and yields the two things the query layer used to write out by hand:

- `columns`: one labelled SELECT column per leaf value, read from the table the `From` names
  (the column of the field's own name, unless the `From` names another expression);
- `to_item`: row (a tuple whose first values are those columns) -> dict, generated as
  Python source from the model and compiled once, so that
  building an item is the dict literal it used to be; no per-row validation.

A field the model gains is in the SELECT and in every item at once (or the import fails, when
no column feeds it); a field it loses leaves both.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Union

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.orm import ColumnProperty, QueryableAttribute

from app.queries.keyset import Expression

ItemBuilder = Callable[[Sequence[Any]], dict[str, Any]]
"""Row -> item; the row's first values are the `Shape`'s columns, in order (more may follow)."""


@dataclass(frozen=True)
class Computed:
    """A value Python computes from columns (e.g. a period's last day from its precision)."""

    function: Callable[..., Any]
    columns: tuple[Expression, ...]

    def __init__(self, function: Callable[..., Any], *columns: Expression) -> None:
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "columns", columns)


class From:
    """Where one object's fields are read: by default the column of the same name in `table`;
    `fields` names another expression, a nested `From` (a nested object) or a `Computed`."""

    def __init__(self, table: Any = None, /, **fields: Source) -> None:
        self.table = table
        self.fields = fields

    def source(self, name: str) -> Source:
        if name in self.fields:
            return self.fields[name]
        attribute = getattr(self.table, name, None) if self.table is not None else None
        if isinstance(attribute, QueryableAttribute) and isinstance(
            attribute.property, ColumnProperty
        ):
            return attribute
        raise TypeError(f"no column for field {name!r}: name its source in From(...)")


Source = Expression | From | Computed
"""Where a field's value comes from."""


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The nested model a field holds (None for a plain value), and whether it may be null."""
    args = typing.get_args(annotation)
    optional = typing.get_origin(annotation) in (Union, types.UnionType) and type(None) in args
    candidates = [arg for arg in args if arg is not type(None)] if optional else [annotation]
    (model, *others) = candidates
    if not others and isinstance(model, type) and issubclass(model, BaseModel):
        return model, optional
    return None, optional


@dataclass
class _Compiler:
    columns: list[ColumnElement[Any]]
    namespace: dict[str, Any]

    def column(self, path: str, expression: Expression) -> str:
        self.columns.append(expression.label(path))
        return f"row[{len(self.columns) - 1}]"  # by position: a tuple or a Row, read as-is

    def value(self, path: str, source: Source, model: type[BaseModel] | None, null: bool) -> str:
        if isinstance(source, Computed):
            name = f"_computed{len(self.namespace)}"
            self.namespace[name] = source.function
            arguments = ", ".join(
                self.column(f"{path}__{i}", column) for i, column in enumerate(source.columns)
            )
            return f"{name}({arguments})"
        if model is None:
            if isinstance(source, From):
                raise TypeError(f"{path}: a plain value, not an object")
            return self.column(path, source)
        if not isinstance(source, From):
            return self.column(path, source)  # an object SQL builds whole (jsonb)
        parts = list(self.fields(model, source, path))
        literal = "{" + ", ".join(f"{key!r}: {code}" for key, code in parts) + "}"
        # a nullable object is null when its first field is (an absent join's key)
        return f"({literal} if {parts[0][1]} is not None else None)" if null else literal

    def fields(
        self, model: type[BaseModel], source: From, prefix: str
    ) -> Iterator[tuple[str, str]]:
        unknown = set(source.fields) - set(model.model_fields)
        if unknown:
            raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
        hints = typing.get_type_hints(model)
        for name in model.model_fields:
            nested, null = _model_of(hints[name])
            path = f"{prefix}__{name}" if prefix else name
            yield name, self.value(path, source.source(name), nested, null)


class Shape:
    """`model`'s items, read from the columns `source` names: SELECT columns and item builder."""

    def __init__(self, model: type[BaseModel], source: From) -> None:
        compiler = _Compiler([], {})
        fields = list(compiler.fields(model, source, ""))
        body = "{" + ", ".join(f"{key!r}: {code}" for key, code in fields) + "}"
        code = f"def to_item(row):\n    return {body}\n"
        exec(compile(code, f"<{model.__name__} item>", "exec"), compiler.namespace)
        self.model = model
        self.source = source
        self.columns: tuple[ColumnElement[Any], ...] = tuple(compiler.columns)
        self.to_item: ItemBuilder = compiler.namespace["to_item"]
        self.source_code = code
        """The generated builder, for reading and for tests."""


def object_pairs(model: type[BaseModel], source: From) -> list[Any]:
    """Alternating key, expression arguments for `jsonb_build_object`: the JSON objects of a
    list field (e.g. an activity's locations) built in SQL, keyed by the model's fields."""
    pairs: list[Any] = []
    for name in model.model_fields:
        expression = source.source(name)
        if isinstance(expression, From | Computed):
            raise TypeError(f"{model.__name__}.{name}: a JSON object field is one column")
        pairs += [name, expression]
    return pairs
