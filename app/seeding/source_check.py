"""Verify the seed figures against the report's text, number by number.

For every figure: its evidence phrase occurs verbatim in the report, and its value and
breakdown numbers occur in the phrase. For every number in the report: it lies inside some
figure's evidence or some exclusion phrase. Anything else is a miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.seeding.reader import EditionSeeds

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALE_WORDS = ["hundred", "thousand", "million"]

NUMBER_TOKEN = re.compile(
    r"\d{1,3}(?:,\d{3})+|\d+|\b(?:" + "|".join(_UNITS + _TENS + _SCALE_WORDS) + r")\b",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """The report as prose: no footnote markers or emphasis marks, whitespace collapsed."""
    text = re.sub(r"<sup>.*?</sup>", "", text)
    text = text.replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def number_spellings(value: int) -> set[str]:
    """Ways the report may write `value`: digits, with thousands separators, or in words."""
    spellings = {str(value), f"{value:,}"}
    if value < 20:
        spellings.add(_UNITS[value])
    elif value < 100:
        tens, unit = divmod(value, 10)
        spellings.add(_TENS[tens - 2] + (f"-{_UNITS[unit]}" if unit else ""))
    return spellings


def mentions(phrase: str, value: int) -> bool:
    """Does `phrase` write `value` as a whole number (not as part of a longer one)?"""
    return any(
        re.search(rf"(?<![\w,]){re.escape(spelling)}(?![\w]|,\d)", phrase, re.IGNORECASE)
        for spelling in number_spellings(value)
    )


def _occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(phrase)
    while start != -1:
        spans.append((start, start + len(phrase)))
        start = text.find(phrase, start + 1)
    return spans


@dataclass
class NumberStatus:
    token: str
    offset: int
    covered_by: str | None  # "figure <key>" or "excluded: <reason>"
    context: str


@dataclass
class CheckReport:
    misses: list[str] = field(default_factory=list)
    numbers: list[NumberStatus] = field(default_factory=list)
    figures_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.misses

    def coverage_line(self) -> str:
        total = len(self.numbers)
        by_figure = sum(
            1 for n in self.numbers if n.covered_by and n.covered_by.startswith("figure")
        )
        excluded = sum(
            1 for n in self.numbers if n.covered_by and n.covered_by.startswith("excluded")
        )
        uncovered = total - by_figure - excluded
        share = 100.0 * (by_figure + excluded) / total if total else 100.0
        return (
            f"{self.figures_checked} figures checked; {total} numbers in the report: "
            f"{by_figure} captured by figures, {excluded} excluded with a reason, "
            f"{uncovered} uncovered ({share:.1f}% coverage)"
        )


def check_edition(edition: EditionSeeds, report_path: Path) -> CheckReport:
    text = normalise(report_path.read_text(encoding="utf-8"))
    result = CheckReport()
    spans: list[tuple[int, int, str]] = []
    for _story, _activity, figure in edition.figures():
        result.figures_checked += 1
        evidence = normalise(figure.evidence)
        found = _occurrences(text, evidence)
        if not found:
            result.misses.append(
                f"figure {figure.key}: evidence not found in the report: {figure.evidence!r}"
            )
        spans.extend((start, end, f"figure {figure.key}") for start, end in found)
        for label, number in (
            ("value", figure.value),
            ("women", figure.women),
            ("men", figure.men),
            ("children", figure.children),
        ):
            if number is not None and not mentions(evidence, number):
                result.misses.append(
                    f"figure {figure.key}: {label} {number} does not occur in its evidence "
                    f"{figure.evidence!r}"
                )
    for exclusion in edition.exclusions:
        found = _occurrences(text, normalise(exclusion.phrase))
        if not found:
            result.misses.append(f"exclusion phrase not found in the report: {exclusion.phrase!r}")
        spans.extend((start, end, f"excluded: {exclusion.reason}") for start, end in found)
    for match in NUMBER_TOKEN.finditer(text):
        covered_by = next(
            (label for start, end, label in spans if start <= match.start() and match.end() <= end),
            None,
        )
        context = text[max(0, match.start() - 40) : match.end() + 40]
        result.numbers.append(NumberStatus(match.group(), match.start(), covered_by, context))
        if covered_by is None:
            result.misses.append(
                f"number {match.group()!r} is neither a figure nor excluded: ...{context}..."
            )
    return result
