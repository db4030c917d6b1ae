"""Each list's filter parameters as a Pydantic model, made from the dataset's filters.

A dataset's filters are declared once, as the fields of its filters dataclass in the query
layer (app/queries/selection.py), which resolves them; each field becomes a query parameter
here, documented by its name (`PARAMETERS`) or, for a closed vocabulary, by the vocabulary
(`VOCABULARIES`).

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

import typing
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, create_model

from app.api.v1 import params
from app.enums import LocationKind, MissionStatus, PartnerKind, Qualifier, StoryKind
from app.queries.datasets import DATASETS, Criteria, DatasetName, described
from app.queries.facets import FACETS
from app.queries.selection import Filters, vocabulary_of


class ListQuery(BaseModel):
    """The filter parameters of one dataset's list (none: the datasets that take no filters)."""

    model_config = ConfigDict(frozen=True)

    def criteria(self, dataset: DatasetName) -> Criteria:
        """The given parameters, not yet checked against the data."""
        return Criteria(dataset, self.model_dump(exclude_none=True))


PARAMETERS: dict[str, Any] = {
    "mission": params.Mission,
    "objective": params.ObjectiveNumber,
    "country": params.Country,
    "location": params.Location,
    "partner": params.Partner,
    "story": params.StoryId,
    "activity": params.ActivityId,
    "type": params.ActivityTypeCode,
    "metric": params.MetricCode,
    "year": params.Year,
    "date_from": params.DateFrom,
    "date_to": params.DateTo,
    "q": params.NameSearch,
}
"""How each filter is given and documented, by its name: the same in every list."""
VOCABULARIES: dict[type[StrEnum], Any] = {
    Qualifier: params.QualifierCode,
    StoryKind: params.StoryKindCode,
    MissionStatus: Annotated[str | None, params.listed("Status(es): active, closed.", "closed")],
    LocationKind: Annotated[str | None, params.listed("Location kind(s).", "camp")],
    PartnerKind: Annotated[str | None, params.listed("Partner kind(s).", "un_entity")],
}
"""A filter of a closed vocabulary (`kind`, `status`, ...), by its vocabulary."""


def query_model(dataset: str, filters: Filters[Any], *, searchable: bool) -> type[ListQuery]:
    """The query model of a dataset's filters: the fields of its filters dataclass
    (app/queries/selection.py), in order, then `q` when the dataset is full-text searchable."""
    hints = typing.get_type_hints(filters.fields)
    fields: dict[str, Any] = {}
    for name in filters.names():
        vocabulary = vocabulary_of(hints[name])
        fields[name] = (VOCABULARIES[vocabulary] if vocabulary else PARAMETERS[name], None)
    if searchable:
        fields["q"] = (params.SearchText, None)
    title = "".join(part.title() for part in dataset.split("-"))
    return create_model(f"{title}Query", __base__=ListQuery, **fields)


QUERY_MODELS: dict[DatasetName, type[ListQuery]] = {
    name: query_model(name, declared.filters, searchable=declared.searchable)
    for name, declared in DATASETS.items()
    if declared.filters
}
"""Each dataset's filter model; the others take none (`ListQuery`)."""

if TYPE_CHECKING:
    # made at run time; to mypy each is a ListQuery, which is all a route uses (the stats
    # routes; the list routes, app/api/v1/reads.py, take QUERY_MODELS in a loop)
    FigureParams = ListQuery
    ActivityParams = ListQuery
    StoryParams = ListQuery
else:
    FigureParams = Annotated[QUERY_MODELS[DatasetName.FIGURES], Query()]
    ActivityParams = Annotated[QUERY_MODELS[DatasetName.ACTIVITIES], Query()]
    StoryParams = Annotated[QUERY_MODELS[DatasetName.STORIES], Query()]


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


def tags(dataset: DatasetName) -> list[str | Enum]:
    """The OpenAPI tags of a dataset's list, record and write routes: its declared tag."""
    return [described(dataset).tag]
