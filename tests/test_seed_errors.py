"""Bad seed data stops the load with a message naming the file, the record and the field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config import PROJECT_ROOT
from app.seeding.errors import SeedError
from app.seeding.reader import read_seeds

STORY_17 = "reports/2023/stories/26-story-17.yaml"


@pytest.fixture
def seed_tree(tmp_path: Path) -> Path:
    root = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", root)
    return root


def edit_yaml(root: Path, relative: str, change: Callable[[Any], None]) -> None:
    path = root / relative
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(root: Path) -> list[str]:
    with pytest.raises(SeedError) as caught:
        read_seeds(root)
    return [str(problem) for problem in caught.value.problems]


def first_figure(story: dict[str, Any]) -> dict[str, Any]:
    return story["activities"][0]["figures"][0]  # type: ignore[no-any-return]


def test_story_17_file_is_where_these_tests_expect_it(seed_tree: Path) -> None:
    story = yaml.safe_load((seed_tree / STORY_17).read_text(encoding="utf-8"))
    assert first_figure(story)["key"] == "2023-story-17-survivors-identified"


def test_breakdown_above_value(seed_tree: Path) -> None:
    edit_yaml(seed_tree, STORY_17, lambda s: first_figure(s).update(women=600))
    assert problems(seed_tree) == [
        f"seeds/{STORY_17}: record key '2023-story-17-survivors-identified' at "
        "activities[0].figures[0]: Value error, women + men + children (650) exceed the "
        "value (604)"
    ]


def test_unknown_qualifier(seed_tree: Path) -> None:
    edit_yaml(seed_tree, STORY_17, lambda s: first_figure(s).update(qualifier="roughly"))
    assert problems(seed_tree) == [
        f"seeds/{STORY_17}: record key '2023-story-17-survivors-identified' at "
        "activities[0].figures[0]: field 'qualifier': Input should be 'exact', 'at_least', "
        "'more_than', 'approximately', 'nearly' or 'up_to'"
    ]


def test_negative_value(seed_tree: Path) -> None:
    edit_yaml(seed_tree, STORY_17, lambda s: first_figure(s).update(value=-1, women=None, men=None))
    assert problems(seed_tree) == [
        f"seeds/{STORY_17}: record key '2023-story-17-survivors-identified' at "
        "activities[0].figures[0]: field 'value': Input should be greater than or equal to 0"
    ]


def test_unknown_field_is_refused(seed_tree: Path) -> None:
    edit_yaml(seed_tree, STORY_17, lambda s: first_figure(s).update(survivor_name="x"))
    assert problems(seed_tree) == [
        f"seeds/{STORY_17}: record key '2023-story-17-survivors-identified' at "
        "activities[0].figures[0]: field 'survivor_name': Extra inputs are not permitted"
    ]


def test_bad_period(seed_tree: Path) -> None:
    edit_yaml(seed_tree, STORY_17, lambda s: s["activities"][1].update(period="May 2023"))
    assert problems(seed_tree) == [
        f"seeds/{STORY_17}: record key '2023-story-17-dekoa-case-screening' at "
        "activities[1]: field 'period': Value error, 'May 2023' is not YYYY, YYYY-MM or "
        "YYYY-MM-DD"
    ]


def test_unknown_metric_reference(seed_tree: Path) -> None:
    edit_yaml(seed_tree, STORY_17, lambda s: first_figure(s).update(metric="survivors"))
    assert problems(seed_tree) == [
        "seeds/reports/2023/stories (2023-story-17): figure "
        "'2023-story-17-survivors-identified': field 'metric': unknown metric 'survivors'"
    ]


def test_unknown_partner_reference(seed_tree: Path) -> None:
    edit_yaml(
        seed_tree, STORY_17, lambda s: s["activities"][0]["partners"].append("no-such-partner")
    )
    assert problems(seed_tree) == [
        "seeds/reports/2023/stories (2023-story-17): activity "
        "'2023-story-17-reparations-project-support': field 'partners': unknown partners "
        "'no-such-partner'"
    ]


def test_duplicate_partner(seed_tree: Path) -> None:
    edit_yaml(
        seed_tree, "reference/partners.yaml", lambda partners: partners.append(dict(partners[0]))
    )
    first_key = yaml.safe_load((seed_tree / "reference/partners.yaml").read_text())[0]["key"]
    assert problems(seed_tree) == [
        f"seeds/reference/partners.yaml: partner '{first_key}': appears 2 times"
    ]


def test_invalid_yaml(seed_tree: Path) -> None:
    (seed_tree / "reference/countries.yaml").write_text("- iso3: COD\n  name: [unclosed\n")
    [message] = problems(seed_tree)
    assert message.startswith("seeds/reference/countries.yaml: invalid YAML: ")


def test_missing_file(seed_tree: Path) -> None:
    (seed_tree / "vocabularies/metrics.yaml").unlink()
    assert problems(seed_tree) == ["seeds/vocabularies/metrics.yaml: file is missing"]


def test_numbered_story_without_number(seed_tree: Path) -> None:
    edit_yaml(seed_tree, STORY_17, lambda s: s.update(number=None))
    assert problems(seed_tree) == [
        f"seeds/{STORY_17}: Value error, a numbered_story needs a number, and only it may have one"
    ]


def test_every_problem_is_reported_at_once(seed_tree: Path) -> None:
    edit_yaml(seed_tree, STORY_17, lambda s: first_figure(s).update(qualifier="roughly"))
    (seed_tree / "vocabularies/metrics.yaml").unlink()
    assert problems(seed_tree) == [
        "seeds/vocabularies/metrics.yaml: file is missing",
        f"seeds/{STORY_17}: record key '2023-story-17-survivors-identified' at "
        "activities[0].figures[0]: field 'qualifier': Input should be 'exact', 'at_least', "
        "'more_than', 'approximately', 'nearly' or 'up_to'",
    ]


def test_part_of_names_a_whole_of_the_same_story_that_it_fits_in(seed_tree: Path) -> None:
    def link(story: dict[str, Any]) -> None:
        first_figure(story).update(part_of="2023-story-09-court-martial-cases")

    edit_yaml(seed_tree, STORY_17, link)
    found = problems(seed_tree)
    record = (
        "seeds/reports/2023/stories (2023-story-17): figure '2023-story-17-survivors-identified'"
    )
    assert len(found) == 3, found
    assert found[0].startswith(record)
    assert "from the same story" in found[0]
    assert "count the same metric" in found[1]
    assert "its value 604 is larger than its whole's 14" in found[2]


def test_part_of_a_missing_figure(seed_tree: Path) -> None:
    edit_yaml(seed_tree, STORY_17, lambda s: first_figure(s).update(part_of="2023-nothing"))
    [found] = problems(seed_tree)
    assert "part_of" in found and "unknown figure '2023-nothing'" in found
