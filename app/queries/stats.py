"""Aggregates for dashboards, computed by PostgreSQL (GROUP BY), never in Python loops."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Select,
    Subquery,
    Table,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.enums import Qualifier
from app.models import (
    ActivityType,
    Figure,
    Location,
    Metric,
    Mission,
    Objective,
    activity_rollup,
    figure_rollup,
    story_rollup,
)
from app.queries import figures, grouping
from app.queries.axes import TIME_AXES, arrange
from app.queries.figures import effective_end, effective_precision, effective_start, figure_country
from app.queries.grouping import Grouping, GroupKey
from app.queries.keyset import Expression
from app.queries.listing import AnySelect
from app.queries.selection import Selection
from app.queries.versions import PerVersion

ROLLUP_FROM = (
    select(figure_rollup)
    .outerjoin(Mission, Mission.id == figure_rollup.c.mission_id)
    .outerjoin(Objective, Objective.id == figure_rollup.c.objective_id)
    .outerjoin(Metric, Metric.id == figure_rollup.c.metric_id)
)
"""The figure rollup with the codes its dimensions report (stats read it when they can)."""


def _period(axis: str) -> GroupKey:
    return GroupKey(TIME_AXES[axis].key(effective_start, effective_end, effective_precision))


ROLLUP_SUMS = (
    "figures",
    "value_sum",
    "women_sum",
    "women_count",
    "men_sum",
    "men_count",
    "children_sum",
    "children_count",
    "with_breakdown",
    "breakdown_base",
)
"""The figure rollup's additive columns: what a coarser grouping of its rows sums."""

FIGURE_UNIT = func.coalesce(Figure.unit, Metric.unit)
"""What one unit of a figure's value is: its own unit, else its metric's."""
ROLLUP_UNIT = func.coalesce(figure_rollup.c.unit, Metric.unit)

FIGURES = Grouping(
    figures.SPEC,
    {
        "mission": GroupKey(Mission.code, rollup=Mission.code),
        "objective": GroupKey(Objective.number, rollup=Objective.number),
        "country": GroupKey(figure_country),
        "metric": GroupKey(Metric.code, rollup=Metric.code),
        "year": GroupKey(Figure.edition_year, rollup=figure_rollup.c.edition_year),
        "activity_type": GroupKey(ActivityType.code),
        "location": GroupKey(Location.key),
        "month": _period("month"),
        "quarter": _period("quarter"),
        "period_year": _period("period_year"),
        "qualifier": GroupKey(Figure.qualifier, rollup=figure_rollup.c.qualifier),
        # added when a metric's figures count in different units, never asked for
        "unit": GroupKey(FIGURE_UNIT, rollup=ROLLUP_UNIT),
    },
    "figures",
    func.count(Figure.id),
    ROLLUP_FROM,
    func.sum(figure_rollup.c.figures),
    rollup_folded=figure_rollup.c.edition_year,
    rollup_sums=ROLLUP_SUMS,
)
"""Figures grouped by any dimension (and by qualifier, for facets)."""

DIMENSIONS = (
    "mission",
    "objective",
    "country",
    "metric",
    "year",
    "activity_type",
    "location",
    "month",
    "quarter",
    "period_year",
)
"""What `group_by` takes on figure stats."""

LOWER_BOUND = (Qualifier.AT_LEAST, Qualifier.MORE_THAN)
APPROXIMATE = (Qualifier.APPROXIMATELY, Qualifier.NEARLY)


def parse_group_by(text: str | None) -> list[str]:
    return grouping.parse_group_by(text, DIMENSIONS)


def _rollup_measures(r: Any = figure_rollup.c) -> list[ColumnElement[Any]]:
    """`_measures` over rollup groups (`r`: the rollup's columns, or those of rollup groups
    summed further, with the same names): the same names, types and NULLs.

    Parts are left out (`is_part`): the rollup is read only when every part lands in the same
    group as its whole (see `_parts_split`)."""
    counted = r.is_part.is_(False)

    def total(column: Expression) -> ColumnElement[Any]:
        return cast(func.coalesce(func.sum(case((counted, column))), 0), BigInteger)

    def sum_or_null(column: Expression, count: Expression) -> ColumnElement[Any]:
        return case((func.sum(case((counted, count))) > 0, total(column)))

    return [
        total(r.value_sum).label("sum"),
        total(r.figures).label("figures"),
        sum_or_null(r.women_sum, r.women_count).label("women"),
        sum_or_null(r.men_sum, r.men_count).label("men"),
        sum_or_null(r.children_sum, r.children_count).label("children"),
        total(r.with_breakdown).label("with_breakdown"),
        total(r.breakdown_base).label("breakdown_base"),
        _flag(counted, r.qualifier.in_(LOWER_BOUND)).label("lower_bound"),
        _flag(counted, r.qualifier.in_(APPROXIMATE)).label("approximate"),
        _flag(counted, r.qualifier == Qualifier.UP_TO).label("upper_bound"),
    ]


def _flag(counted: ColumnElement[bool], test: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.bool_or(and_(counted, test)), False)


def _measures() -> list[ColumnElement[Any]]:
    has_breakdown = or_(
        Figure.women.is_not(None), Figure.men.is_not(None), Figure.children.is_not(None)
    )
    return [
        func.sum(Figure.value).label("sum"),
        func.count(Figure.id).label("figures"),
        func.sum(Figure.women).label("women"),
        func.sum(Figure.men).label("men"),
        func.sum(Figure.children).label("children"),
        func.count(case((has_breakdown, 1))).label("with_breakdown"),
        cast(func.coalesce(func.sum(case((has_breakdown, Figure.value))), 0), BigInteger).label(
            "breakdown_base"
        ),
        func.bool_or(Figure.qualifier.in_(LOWER_BOUND)).label("lower_bound"),
        func.bool_or(Figure.qualifier.in_(APPROXIMATE)).label("approximate"),
        func.bool_or(Figure.qualifier == Qualifier.UP_TO).label("upper_bound"),
    ]


_WHOLE = aliased(Figure, name="whole")
PARTS_SPLIT = (
    select(
        func.count(),
        func.bool_or(
            or_(
                Figure.mission_id.is_distinct_from(_WHOLE.mission_id),
                Figure.qualifier != _WHOLE.qualifier,
            )
        ),
    )
    .select_from(Figure)
    .join(_WHOLE, _WHOLE.id == Figure.part_of_id)
    .where(Figure.part_of_id.is_not(None))  # the parts alone, through their index
)
"""How many figures are parts, and whether one differs from its whole in a rollup column
(built once: an alias made per call cost the overview ~5 ms of Python)."""


def _parts_split(session: Session) -> bool | None:
    """None when no figure is a part; True when some part differs from its whole in a column
    the rollup keeps apart (mission, qualifier), so that a rollup filter or group could hold
    the one without the other; else False (every part shares every rollup group with its
    whole, since they share story, hence year and objective, and metric and unit)."""
    found = session.execute(PARTS_SPLIT).one()
    return None if not found[0] else bool(found[1])


def _without_parts_whose_whole_is_in(
    base: AnySelect, keys: list[Expression]
) -> ColumnElement[bool]:
    """The rule, on the rows: a figure is left out of a group when it is a part and its whole
    is selected too and falls in the same group. A part selected without its whole (a search
    that finds only it, another location) still counts."""
    grouped: list[ColumnElement[Any]] = [key.label(f"k{i}") for i, key in enumerate(keys)]
    columns: list[ColumnElement[Any]] = [
        Figure.id.label("id"),
        Figure.part_of_id.label("part_of_id"),
        *grouped,
    ]
    selected = base.with_only_columns(*columns).order_by(None).cte("selected")
    part, whole = selected.alias("part"), selected.alias("whole")
    # only the figure's id is correlated: the group keys (scalar subqueries among them) are
    # compared inside the selection, never against the outer query
    return ~exists(
        select(1)
        .select_from(part)
        .join(whole, whole.c.id == part.c.part_of_id)
        .where(
            part.c.id == Figure.id,
            *(whole.c[f"k{i}"].is_not_distinct_from(part.c[f"k{i}"]) for i in range(len(keys))),
        )
    )


GROUPING_MEMORY = text("SET LOCAL work_mem = '16MB'")
"""Grouping the 36,000 rows of the figure rollup (at 1,000,000 figures) sorts them on disk
within PostgreSQL's default 4 MB, because the planner guesses thousands of groups for a few
hundred; with room to hash them the statement takes about half the time. Local to the
request's transaction, so it holds behind a transaction pooler too."""


def figure_stats(
    session: Session,
    selection: Selection,
    group_by: list[str],
    raw: Mapping[str, Any] | None = None,
    *,
    fill: bool = True,
) -> tuple[list[str], list[dict[str, Any]]]:
    """Sums of figure values per group, and the dimensions they were grouped by.

    Figures of different metrics count different things, so they are never added together:
    when the selection holds several metrics and `metric` is not asked for, the groups are
    split by metric as well (by the metrics present only); figures of one metric in several
    units (convictions of persons, convictions in cases) are split by `unit` too. A part is
    never added to its whole: it is left out of a group that holds its whole. Read from the
    figure rollup when the selection and every dimension allow it (thousands of groups instead
    of every figure), and no part could sit in another rollup group than its whole;
    otherwise from the figures themselves. With `fill`, every value the filters `raw` allow
    on each asked dimension appears, an empty group holding zero figures.
    """
    session.execute(GROUPING_MEMORY)
    split_pairs = _parts_split(session)
    if split_pairs:  # a part could sit in another rollup group than its whole
        selection = replace(selection, rollup=None)
    # grouped by metric and unit as well, in the one statement: then whether the selection
    # holds several metrics, or one metric in several units, is read off the groups
    fine = [*group_by, *([] if "metric" in group_by else ["metric"]), "unit"]
    exclude = None
    if split_pairs is not None:
        exclude = _without_parts_whose_whole_is_in
    rows = FIGURES.rows(session, selection, fine, _measures(), _rollup_measures(), exclude=exclude)
    metrics = {row["metric"] for row in rows}
    split: list[str] = []
    if "metric" not in group_by and len(metrics) > 1:
        split.append("metric")
    if len({(row["metric"], row["unit"]) for row in rows}) > len(metrics):
        split.append("unit")  # one metric in several units
    names = [*group_by, *split]
    if "metric" not in names:  # one metric: each group here is one group asked for
        for row in rows:
            del row["metric"]
    # without the unit among the names, each group has one unit: it stays, as a measure
    groups = arrange(
        session,
        names,
        rows,
        raw or {},
        lambda: empty_measures(session),
        fill=fill,
        present_only=split,
    )
    if "unit" not in names:
        _name_units_of_empty_groups(session, selection, names, groups)
    return names, groups


def _name_units_of_empty_groups(
    session: Session, selection: Selection, names: list[str], groups: list[dict[str, Any]]
) -> None:
    """Give a zero-filled group the unit its zero counts in, as its neighbours have it.

    Without `unit` among the dimensions, each metric of the selection counts in one unit: a
    group of a metric (grouped by metric) takes the unit its figures count in, else the
    metric's own; without a metric dimension, the one unit of the selection, else that of the
    one metric filtered on. So `?group_by=mission&metric=cases` says `case` on MINUSCA's 0
    too, and a chart can title its axis from any group.
    """
    empty = [g for g in groups if g["unit"] is None and not g["figures"]]
    if not empty:
        return
    counted = {g.get("metric"): g["unit"] for g in groups if g["figures"]}
    if "metric" in names:
        own: dict[str, str | None] = {
            code: unit for code, unit in session.execute(select(Metric.code, Metric.unit))
        }
        for group in empty:
            group["unit"] = counted.get(group["metric"]) or own.get(group["metric"])
        return
    units = set(counted.values())
    metric_ids = getattr(selection.values, "metric", None)
    if not units and metric_ids is not None and len(metric_ids) == 1:
        units = {session.execute(select(Metric.unit).where(Metric.id == metric_ids[0])).scalar()}
    if len(units) == 1:
        (unit,) = units
        for group in empty:
            group["unit"] = unit


def empty_measures(session: Session) -> dict[str, Any]:
    """The measures of a group holding no figure: what the aggregates give over no row, with
    `sum` 0 and every flag (a boolean, by PostgreSQL's own types) false, so that a chart
    draws a zero, not a gap."""
    measures = _measures()
    types = [cast(func.pg_typeof(m), Text).label(f"_type{i}") for i, m in enumerate(measures)]
    statement = figures.SPEC.select.with_only_columns(*measures, *types).where(false())
    # an aggregate without GROUP BY gives one row even over no row
    found = session.execute(statement).mappings().one()
    row = {m.name: found[m.name] for m in measures}
    for i, measure in enumerate(measures):
        if row[measure.name] is None and found[f"_type{i}"] == "boolean":
            row[measure.name] = False
    return {
        "unit": None,
        **row,
        "sum": row["sum"] or 0,
        "breakdown_base": row["breakdown_base"] or 0,
    }


HEADLINE_METRICS = ("trainees", "convictions", "survivors_identified")


def _by_place(rollup: Table, count: str) -> CTE:
    """A rollup's counts per (mission, objective): at most a hundred rows, read twice."""
    keys = (rollup.c.mission_id, rollup.c.objective_id)
    return select(*keys, func.sum(rollup.c[count]).label("n")).group_by(*keys).cte(count)


_FIGURES = _by_place(figure_rollup, "figures")
_ACTIVITIES = _by_place(activity_rollup, "activities")
_STORIES = (
    select(
        story_rollup.c.objective_id,
        story_rollup.c.mission_ids,
        func.sum(story_rollup.c.stories).label("n"),
    )
    .group_by(story_rollup.c.objective_id, story_rollup.c.mission_ids)
    .cte("stories")
)
"""Stories per objective and set of missions: a few hundred rows, unnested by mission."""
_STORY_MISSIONS = (
    func.unnest(_STORIES.c.mission_ids).table_valued("id").render_derived().lateral("sm")
)


def _per(key: Any, count: Any, name: str, source: Any = None) -> Subquery:
    # a sum of bigint sums is numeric: back to bigint, so that the JSON holds integers
    n = cast(func.sum(count), BigInteger).label("n")
    statement = select(key.label("id"), n).group_by(key)
    if source is not None:
        statement = statement.select_from(source)
    return statement.subquery(name)


def _counts_of(part: int, reference: Any, counted: list[Subquery]) -> Select[Any]:
    """Every mission (or objective), with the sums of `counted` (stories, activities,
    figures) for it; the other dimension's column is NULL."""
    mission = Mission.code if reference is Mission else cast(null(), Mission.code.type)
    number = Objective.number if reference is Objective else cast(null(), Objective.number.type)
    statement = select(
        literal(part).label("part"),
        mission.label("mission"),
        number.label("objective"),
        *(
            func.coalesce(c.c.n, 0).label(name)
            for name, c in zip(("stories", "activities", "figures"), counted, strict=True)
        ),
    ).select_from(reference)
    for c in counted:
        statement = statement.outerjoin(c, c.c.id == reference.id)
    return statement


OVERVIEW_COUNTS = union_all(
    _counts_of(
        0,
        Mission,
        [
            # a story counts once under each mission of its set (an empty set: under none)
            _per(
                _STORY_MISSIONS.c.id,
                _STORIES.c.n,
                "stories_per",
                _STORIES.join(_STORY_MISSIONS, true()),
            ),
            _per(_ACTIVITIES.c.mission_id, _ACTIVITIES.c.n, "activities_per"),
            _per(_FIGURES.c.mission_id, _FIGURES.c.n, "figures_per"),
        ],
    ),
    _counts_of(
        1,
        Objective,
        [
            _per(_STORIES.c.objective_id, _STORIES.c.n, "stories_per"),
            _per(_ACTIVITIES.c.objective_id, _ACTIVITIES.c.n, "activities_per"),
            _per(_FIGURES.c.objective_id, _FIGURES.c.n, "figures_per"),
        ],
    ),
).order_by("part", "mission", "objective")
"""Stories, activities and figures per mission, then per objective (every one, in order), in
one statement that reads each rollup once."""


def overview(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Per mission and per objective: counts of stories, activities and figures, and
    headlines; read from the rollups once per version of the data (`PerVersion`).

    Reading them takes about 30 ms at 1,000,000 figures (two passes over the rollups), the
    same at every request although the answer only changes with a write."""
    answer: dict[str, list[dict[str, Any]]] = _OVERVIEWS(session)
    return answer


def _overview(session: Session) -> dict[str, list[dict[str, Any]]]:
    """`overview`, read from the rollups in three statements at any size."""
    headlines = _headlines(session)
    found: dict[str, list[dict[str, Any]]] = {"missions": [], "objectives": []}
    for row in session.execute(OVERVIEW_COUNTS).mappings():
        name = "objective" if row["part"] else "mission"
        value = row[name]
        in_group = headlines[name].get(value, {})
        found[f"{name}s"].append(
            {
                name: value,
                "stories": row["stories"],
                "activities": row["activities"],
                "figures": row["figures"],
                "headlines": {
                    **{metric: in_group.get(metric) for metric in HEADLINE_METRICS},
                    **{k: v for k, v in in_group.items() if k not in HEADLINE_METRICS},
                },
            }
        )
    return found


_OVERVIEWS = PerVersion(_overview)


HEADLINE_MEASURES = (
    "unit",
    "sum",
    "figures",
    "women",
    "men",
    "children",
    "with_breakdown",
    "breakdown_base",
    "lower_bound",
    "approximate",
    "upper_bound",
)


Headlines = dict[Any, dict[str, dict[str, Any]]]
"""Group value -> headline name -> the figure stats of that metric in that group."""

_r = figure_rollup.c
_HEADLINE_KEYS = (
    _r.mission_id,
    _r.objective_id,
    _r.metric_id,
    ROLLUP_UNIT,
    _r.is_part,
    _r.qualifier,
)
_HEADLINE_NAMES = ("mission_id", "objective_id", "metric_id", "unit", "is_part", "qualifier")
_headline_rows = (
    select(
        *(key.label(name) for key, name in zip(_HEADLINE_KEYS, _HEADLINE_NAMES, strict=True)),
        *(cast(func.sum(_r[name]), BigInteger).label(name) for name in ROLLUP_SUMS),
    )
    .select_from(figure_rollup)
    .join(Metric, Metric.id == _r.metric_id)
    .where(_r.metric_id.in_(select(Metric.id).where(Metric.code.in_(HEADLINE_METRICS))))
    .group_by(*_HEADLINE_KEYS)
    .cte("headline_rows")
)
"""The headline metrics' rollup groups summed over the years (a sixteenth of them at 16
editions), keeping every column the measures read."""
_h = _headline_rows.c
_HEADLINE_IDS = {"mission": _h.mission_id, "objective": _h.objective_id}
_headline_groups = (
    select(
        *(func.grouping(key).label(f"no_{name}") for name, key in _HEADLINE_IDS.items()),
        *_HEADLINE_IDS.values(),
        _h.metric_id,
        _h.unit,
        *_rollup_measures(_h),
    )
    .group_by(
        func.grouping_sets(*(tuple_(key, _h.metric_id, _h.unit) for key in _HEADLINE_IDS.values()))
    )
    .having(func.sum(_h.figures) > 0)
    .subquery("grouped")
)
HEADLINE_GROUPS = (
    select(
        *(_headline_groups.c[f"no_{name}"] for name in _HEADLINE_IDS),
        Mission.code.label("mission"),
        Objective.number.label("objective"),
        Metric.code.label("metric"),
        Metric.unit.label("own_unit"),
        *(_headline_groups.c[measure] for measure in HEADLINE_MEASURES),
    )
    .select_from(_headline_groups)
    .join(Metric, Metric.id == _headline_groups.c.metric_id)
    .outerjoin(Mission, Mission.id == _headline_groups.c.mission_id)
    .outerjoin(Objective, Objective.id == _headline_groups.c.objective_id)
)
"""The headline metrics' figure stats per mission and per objective, in one pass over their
rollup groups (grouped by ids, named after): what `figure_stats` gives from the rollup grouped
by mission (or objective), metric and unit."""


def _headlines(session: Session) -> dict[str, Headlines]:
    """Per dimension (mission, objective), the headlines of each value, summed exactly as
    /v1/stats/figures does (parts left out, units apart, same flags). A headline in its
    metric's own unit is named by the metric (`convictions`); one in another unit by the metric
    and the unit (`convictions:case`), after the others in metric and unit order."""
    if _parts_split(session):  # a part could sit in another rollup group: count the figures
        return {name: _headlines_from_figures(session, name) for name in _HEADLINE_IDS}
    rows = session.execute(HEADLINE_GROUPS).mappings().all()
    found: dict[str, Headlines] = {name: {} for name in _HEADLINE_IDS}
    for row in sorted(rows, key=lambda r: (r["metric"], str(r["unit"]))):
        for name in _HEADLINE_IDS:
            if row[f"no_{name}"] or row[name] is None:
                continue
            metric, unit = row["metric"], row["unit"]
            headline = metric if unit == row["own_unit"] else f"{metric}:{unit}"
            found[name].setdefault(row[name], {})[headline] = {
                measure: row[measure] for measure in HEADLINE_MEASURES
            }
    return found


def _headlines_from_figures(session: Session, name: str) -> Headlines:
    """`_headlines` for one dimension, through `figure_stats` (which counts the figures when
    a part could sit in another rollup group than its whole)."""
    metric_ids = select(Metric.id).where(Metric.code.in_(HEADLINE_METRICS))
    own_units = {
        code: unit
        for code, unit in session.execute(
            select(Metric.code, Metric.unit).where(Metric.code.in_(HEADLINE_METRICS))
        )
    }
    selection = Selection(
        [Figure.metric_id.in_(metric_ids)], rollup=[figure_rollup.c.metric_id.in_(metric_ids)]
    )
    _, groups = figure_stats(session, selection, [name, "metric"], fill=False)
    headlines: Headlines = {}
    for group in groups:
        if group[name] is None:
            continue
        metric, unit = group["metric"], group["unit"]
        headline = metric if unit == own_units.get(metric) else f"{metric}:{unit}"
        headlines.setdefault(group[name], {})[headline] = {
            measure: group[measure] for measure in HEADLINE_MEASURES
        }
    return headlines
