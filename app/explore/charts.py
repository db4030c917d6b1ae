"""Bar charts that keep the report's honesty flags: drawn as inline SVG by the server.

A bar is the sum of one metric's figures in a group (`GET /v1/stats/figures`), split into one
segment per figure, so "65" reads "36 + 3 + 26". A bar that holds a lower bound, an
approximate figure or an upper bound says so in words and with a mark, and the share of the
total that the report breaks down by sex is drawn (hatched) and written, never implied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.explore.data import Chart

BAR_WIDTH = 100.0
"""Bars are drawn in a 100-unit-wide viewBox that the page stretches to its width."""


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    figure_id: str
    value: int
    qualifier: str
    broken_down: bool
    """The report gives this figure's breakdown by sex."""


@dataclass(frozen=True)
class Bar:
    key: Any
    unit: str | None
    total: int
    figures: int
    lower_bound: bool
    approximate: bool
    upper_bound: bool
    with_breakdown: int
    broken_down: int
    """How much of `total` the report breaks down by sex (the API's `breakdown_base`)."""
    women: int | None
    men: int | None
    width: float
    breakdown_width: float
    segments: list[Segment]

    @property
    def flagged(self) -> bool:
        return self.lower_bound or self.approximate or self.upper_bound


def bars(chart: Chart) -> list[Bar]:
    """The chart's groups scaled to the longest bar, segments laid end to end."""
    longest = max((int(group["sum"] or 0) for group in chart.groups), default=0) or 1
    scale = BAR_WIDTH / longest
    drawn = []
    for group in chart.groups:
        total = int(group["sum"] or 0)
        segments = []
        x = 0.0
        for part in group.get("parts", []):
            width = int(part["value"]) * scale
            segments.append(
                Segment(
                    x,
                    width,
                    part["id"],
                    int(part["value"]),
                    part["qualifier"],
                    _has_breakdown(part),
                )
            )
            x += width
        # what the sex breakdown covers: the API's own figure when it gives one
        base = group.get("breakdown_base")
        broken_down = int(base) if base is not None else _broken_down(group.get("parts", []))
        drawn.append(
            Bar(
                key=group[chart.group_by],
                unit=group.get("unit"),
                total=total,
                figures=int(group["figures"]),
                lower_bound=bool(group["lower_bound"]),
                approximate=bool(group["approximate"]),
                upper_bound=bool(group["upper_bound"]),
                with_breakdown=int(group["with_breakdown"] or 0),
                broken_down=broken_down,
                women=group.get("women"),
                men=group.get("men"),
                width=total * scale,
                breakdown_width=broken_down * scale,
                segments=segments,
            )
        )
    return drawn


def _has_breakdown(part: dict[str, Any]) -> bool:
    return any(part.get(sex) is not None for sex in ("women", "men", "children"))


def _broken_down(parts: list[dict[str, Any]]) -> int:
    return sum(int(part["value"]) for part in parts if _has_breakdown(part))
