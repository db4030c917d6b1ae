"""One change a seed load makes to a record: what the loader reports and the guard checks
against the API's edits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    action: str  # "create" | "update" | "delete"
    table: str
    key: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        sign = {"create": "+", "update": "~", "delete": "-"}[self.action]
        detail = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{sign} {self.table} {self.key}{detail}"
