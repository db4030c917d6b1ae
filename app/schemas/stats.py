"""Response models of the aggregates."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from app.schemas.common import Schema, example


class FigureGroup(Schema):
    """One group: its dimension values (named as in group_by), their labels (`mission_name`,
    `objective_title`, `country_name`, `metric_label` and `unit`, `activity_type_label`,
    `location_name`, `month_label`, ...) and its measures."""

    model_config = ConfigDict(
        extra="allow",
        **example(
            {
                "mission": "MONUSCO",
                "metric": "convictions",
                "mission_name": "United Nations Organization Stabilization Mission in the "
                "Democratic Republic of the Congo",
                "metric_label": "Convictions",
                "unit": "person",
                "sum": 65,
                "figures": 3,
                "women": 1,
                "men": None,
                "children": None,
                "with_breakdown": 1,
                "breakdown_base": 26,
                "lower_bound": False,
                "approximate": False,
                "upper_bound": False,
            }
        ),
    )
    unit: str | None = Field(
        default=None,
        description="What one unit of the sum is. A metric's figures in different units "
        "(convictions of persons, convictions in cases) are separate groups.",
    )
    sum: int = Field(description="Sum of the values.")
    figures: int = Field(description="How many figures were summed.")
    women: int | None = Field(description="Sum of the women counts where the report gives them.")
    men: int | None
    children: int | None
    with_breakdown: int = Field(description="How many figures had a breakdown.")
    breakdown_base: int = Field(
        description="Sum of the values of the figures that had a breakdown: what `women`, "
        "`men` and `children` are counted out of (never `sum`, unless every figure had one)."
    )
    lower_bound: bool = Field(
        description="Some figure is 'at least'/'more than': the sum is a lower bound."
    )
    approximate: bool = Field(description="Some figure is approximate ('nearly', 'around').")
    upper_bound: bool = Field(description="Some figure is 'up to'.")


class FigureStats(Schema):
    model_config = example({"group_by": ["mission", "metric"], "groups": []})
    group_by: list[str]
    groups: list[FigureGroup]


class ActivityGroup(Schema):
    """One group: its dimension values and labels (as in the figure stats), and its count."""

    model_config = ConfigDict(
        extra="allow",
        **example(
            {
                "mission": "MONUSCO",
                "mission_name": "United Nations Organization Stabilization Mission in the "
                "Democratic Republic of the Congo",
                "activities": 26,
            }
        ),
    )
    activities: int = Field(description="Activities in the group.")


class ActivityStats(Schema):
    model_config = example({"group_by": ["mission"], "total": 84, "groups": []})
    group_by: list[str]
    total: int = Field(description="Activities selected, each counted once.")
    groups: list[ActivityGroup]


class StoryGroup(Schema):
    """One group: its dimension values and labels (as in the figure stats), and its count."""

    model_config = ConfigDict(
        extra="allow",
        **example({"objective": 2, "objective_title": "Accountability", "stories": 4}),
    )
    stories: int = Field(description="Stories in the group.")


class StoryStats(Schema):
    model_config = example({"group_by": ["objective"], "total": 32, "groups": []})
    group_by: list[str]
    total: int = Field(description="Stories selected, each counted once.")
    groups: list[StoryGroup]


class Headline(Schema):
    """One metric's sums in one group, as /v1/stats/figures gives them (same flags)."""

    unit: str = Field(
        description="What one unit is; another unit than the metric's is a "
        "headline of its own, named `metric:unit`."
    )
    sum: int
    figures: int
    women: int | None
    men: int | None
    children: int | None
    with_breakdown: int
    breakdown_base: int = Field(
        description="Sum of the values of the figures that had a breakdown."
    )
    lower_bound: bool
    approximate: bool
    upper_bound: bool


class OverviewRow(Schema):
    """Counts for one mission (`mission`) or one objective (`objective`)."""

    model_config = ConfigDict(extra="allow")
    stories: int
    activities: int
    figures: int
    headlines: dict[str, Headline | None]


class Overview(Schema):
    model_config = example(
        {
            "missions": [
                {
                    "mission": "MONUSCO",
                    "stories": 11,
                    "activities": 26,
                    "figures": 15,
                    "headlines": {
                        "trainees": {
                            "unit": "person",
                            "sum": 353,
                            "figures": 4,
                            "women": 52,
                            "men": None,
                            "children": None,
                            "with_breakdown": 2,
                            "breakdown_base": 89,
                            "lower_bound": False,
                            "approximate": False,
                            "upper_bound": False,
                        },
                        "convictions": None,
                        "survivors_identified": None,
                    },
                }
            ],
            "objectives": [],
        }
    )
    missions: list[OverviewRow]
    objectives: list[OverviewRow]
