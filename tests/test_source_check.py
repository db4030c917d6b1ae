"""`crsv seed check`: every figure proven against the report, every number accounted for."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.seeding.reader import EditionSeeds, SeedSet
from app.seeding.source_check import check_edition, mentions, normalise


@pytest.fixture(scope="module")
def report(report_source: Path) -> Path:
    return report_source


def edition_2023(seeds: SeedSet) -> EditionSeeds:
    [edition] = [e for e in seeds.editions if e.report.edition_year == 2023]
    return edition


def test_seeds_cover_every_number_of_the_report(seeds: SeedSet, report: Path) -> None:
    result = check_edition(edition_2023(seeds), report)
    assert result.misses == []
    assert result.figures_checked == 49
    assert result.coverage_line() == (
        "49 figures checked; 209 numbers in the report: 60 captured by figures, "
        "149 excluded with a reason, 0 uncovered (100.0% coverage)"
    )


def test_cli_reports_full_coverage(report: Path) -> None:
    outcome = CliRunner().invoke(cli, ["seed", "check", "--report", str(report)])
    assert outcome.exit_code == 0, outcome.output
    assert "0 uncovered (100.0% coverage)" in outcome.output


def _with_figure_change(seeds: SeedSet, key: str, **changes: object) -> EditionSeeds:
    edition = edition_2023(seeds)
    stories = [
        story.model_copy(
            update={
                "activities": [
                    activity.model_copy(
                        update={
                            "figures": [
                                figure.model_copy(update=changes) if figure.key == key else figure
                                for figure in activity.figures
                            ]
                        }
                    )
                    for activity in story.activities
                ]
            }
        )
        for story in edition.stories
    ]
    return replace(edition, stories=stories)


def test_a_value_missing_from_its_evidence_is_a_miss(seeds: SeedSet, report: Path) -> None:
    edition = _with_figure_change(seeds, "2023-story-17-survivors-identified", value=605)
    result = check_edition(edition, report)
    assert result.misses == [
        "figure 2023-story-17-survivors-identified: value 605 does not occur in its evidence "
        "'604 CRSV survivors were identified (50 men and 554 women)'"
    ]


def test_a_paraphrased_evidence_is_a_miss(seeds: SeedSet, report: Path) -> None:
    edition = _with_figure_change(
        seeds,
        "2023-story-07-police-officers-trained",
        evidence="trained 234 Congolese police officers",
    )
    result = check_edition(edition, report)
    assert result.misses[0] == (
        "figure 2023-story-07-police-officers-trained: evidence not found in the report: "
        "'trained 234 Congolese police officers'"
    )
    assert any("'234' is neither a figure nor excluded" in miss for miss in result.misses)


def test_an_unaccounted_number_is_a_miss(seeds: SeedSet, report: Path) -> None:
    edition = edition_2023(seeds)
    without = [e for e in edition.exclusions if "2640" not in e.phrase]
    result = check_edition(replace(edition, exclusions=without), report)
    assert [miss.split(":")[0] for miss in result.misses] == [
        "number '2640' is neither a figure nor excluded",
        "number '2022' is neither a figure nor excluded",
    ]
    assert not result.ok


def test_cli_exits_non_zero_on_a_miss(tmp_path: Path, report: Path) -> None:
    damaged = tmp_path / "report.md"
    damaged.write_text(report.read_text(encoding="utf-8").replace("604 CRSV", "605 CRSV"))
    outcome = CliRunner().invoke(cli, ["seed", "check", "--report", str(damaged)])
    assert outcome.exit_code == 1
    assert "MISS figure 2023-story-17-survivors-identified: evidence not found" in (outcome.output)


@pytest.mark.parametrize(
    ("phrase", "value", "expected"),
    [
        ("Eleven joint investigation missions", 11, True),
        ("more than 3,500 elements", 3500, True),
        ("more than 50,000 visitors", 50, False),
        ("the 10 states", 1, False),
        ("twenty-one", 21, True),
        ("including one woman", 1, True),
    ],
)
def test_numbers_are_found_as_digits_or_words(phrase: str, value: int, expected: bool) -> None:
    assert mentions(phrase, value) is expected


def test_normalise_drops_emphasis_and_footnotes() -> None:
    assert normalise("in 2019.<sup>1</sup> **MINUSCA**\n\ncontinued") == (
        "in 2019. MINUSCA continued"
    )
