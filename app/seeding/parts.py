"""The rules a part and its whole obey (`part_of`), stated once for the seeds and the write API.

A part is a subset of its whole ("Of the 14 cases, 4 related to sexual violence"), so totals
leave it out wherever its whole is counted (app/queries/stats.py). That is only sound when
both count the same thing in the same story, and the part is not larger. Parts nest one level
deep: a whole is never itself a part, which also rules out every cycle.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    """What the rules look at in a figure that is a part, or a whole."""

    key: str
    story: str
    metric: str
    unit: str
    """The effective unit: the figure's own, else its metric's."""
    value: int
    part_of: str | None


@dataclass(frozen=True)
class Breach:
    field: str
    """The part's field the rule is about (`part_of`, `value`, ...)."""
    message: str


def breaches(part: Member, whole: Member) -> list[Breach]:
    """Every rule the link from `part` to `whole` breaks, in plain words."""
    found: list[Breach] = []
    link = f"'{part.key}' is part of '{whole.key}'"
    if part.key == whole.key:
        return [Breach("part_of", f"a figure cannot be part of itself ('{part.key}')")]
    if part.story != whole.story:
        found.append(
            Breach(
                "part_of",
                f"{link}, but they belong to different stories ('{part.story}' and "
                f"'{whole.story}'): a part and its whole come from the same story",
            )
        )
    if part.metric != whole.metric:
        found.append(
            Breach(
                "metric",
                f"{link}, but it counts '{part.metric}' and its whole '{whole.metric}': "
                "a part and its whole count the same metric",
            )
        )
    elif part.unit != whole.unit:
        found.append(
            Breach(
                "unit",
                f"{link}, but it counts in '{part.unit}' and its whole in '{whole.unit}': "
                "a part and its whole count in the same unit",
            )
        )
    if part.value > whole.value:
        found.append(
            Breach(
                "value",
                f"{link}, but its value {part.value} is larger than its whole's "
                f"{whole.value}: a part cannot exceed its whole",
            )
        )
    if whole.part_of is not None:
        found.append(
            Breach(
                "part_of",
                f"{link}, but '{whole.key}' is itself part of '{whole.part_of}': parts nest "
                f"one level deep (no chains, no cycles); link to '{whole.part_of}' instead",
            )
        )
    return found


def whole_of_others(figure: str, parts: list[str]) -> Breach:
    """A figure that other figures are part of cannot become a part itself."""
    return Breach(
        "part_of",
        f"'{figure}' is the whole of {', '.join(repr(p) for p in parts)}, so it cannot be a "
        "part itself: parts nest one level deep (no chains, no cycles)",
    )
