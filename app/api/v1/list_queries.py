"""Each list's filter parameters, declared once as a Pydantic model.

FastAPI reads a model given as `Annotated[Model, Query()]` field by field from the query
string, so one class gives the list route, its export route and (for figures) the stats route
the same parameters, the same validation and the same OpenAPI description. The model only
holds what FastAPI validated; the route resolves it against the data (`Criteria.resolve`) in
its own worker thread, with its session.

Routes take the model last and keyword-only (`*, sort=..., query: FigureParams`): FastAPI lists
a route's own parameters in signature order, and this keeps the filters after `sort`, `limit`
and `cursor` in the OpenAPI document, where the former per-dataset dependencies put them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict

from app.api.v1 import params
from app.queries.datasets import Criteria, DatasetName
from app.queries.facets import FACETS


class ListQuery(BaseModel):
    """The filter parameters of one dataset's list (none: the datasets that take no filters)."""

    model_config = ConfigDict(frozen=True)

    def criteria(self, dataset: DatasetName) -> Criteria:
        """The given parameters, not yet checked against the data."""
        return Criteria(dataset, self.model_dump(exclude_none=True))


class SharedContentQuery(ListQuery):
    """What stories, activities and figures can all be filtered by."""

    mission: params.Mission = None
    objective: params.ObjectiveNumber = None
    country: params.Country = None
    location: params.Location = None
    partner: params.Partner = None


class StoryQuery(SharedContentQuery):
    kind: params.StoryKindCode = None
    year: params.Year = None
    date_from: params.DateFrom = None
    date_to: params.DateTo = None
    q: params.SearchText = None


class ActivityQuery(SharedContentQuery):
    story: params.StoryId = None
    type: params.ActivityTypeCode = None
    year: params.Year = None
    date_from: params.DateFrom = None
    date_to: params.DateTo = None
    q: params.SearchText = None


class FigureQuery(SharedContentQuery):
    story: params.StoryId = None
    activity: params.ActivityId = None
    type: params.ActivityTypeCode = None
    metric: params.MetricCode = None
    qualifier: params.QualifierCode = None
    year: params.Year = None
    date_from: params.DateFrom = None
    date_to: params.DateTo = None
    q: params.SearchText = None


class MissionQuery(ListQuery):
    country: params.Country = None
    status: Annotated[str | None, params.listed("Status(es): active, closed.", "closed")] = None


class LocationQuery(ListQuery):
    country: params.Country = None
    kind: Annotated[str | None, params.listed("Location kind(s).", "camp")] = None
    q: params.NameSearch = None


class PartnerQuery(ListQuery):
    mission: params.Mission = None
    country: params.Country = None
    kind: Annotated[str | None, params.listed("Partner kind(s).", "un_entity")] = None
    q: params.NameSearch = None


FigureParams = Annotated[FigureQuery, Query()]
ActivityParams = Annotated[ActivityQuery, Query()]
StoryParams = Annotated[StoryQuery, Query()]
MissionParams = Annotated[MissionQuery, Query()]
LocationParams = Annotated[LocationQuery, Query()]
PartnerParams = Annotated[PartnerQuery, Query()]

QUERY_MODELS: dict[DatasetName, type[ListQuery]] = {
    DatasetName.FIGURES: FigureQuery,
    DatasetName.ACTIVITIES: ActivityQuery,
    DatasetName.STORIES: StoryQuery,
    DatasetName.MISSIONS: MissionQuery,
    DatasetName.LOCATIONS: LocationQuery,
    DatasetName.PARTNERS: PartnerQuery,
}
"""Each dataset's filter model; the others take none (`ListQuery`)."""


def facets_param(dataset: DatasetName) -> Any:
    """The `facets` parameter of one list: the names of the filters it can count."""
    names = list(FACETS[dataset])
    return Query(
        description=f"Comma list of {', '.join(names)}: adds `facets`, the number of "
        "records holding each value of those filters under the current filters (most first, "
        "at most 100 values each). A record linked to several values is counted under each.",
        examples=[",".join(names[:2])],
        max_length=200,
    )
