"""The explorer's words, read from one TOML file per language (labels/en.toml).

Templates never hold prose: they call `t("section.key", name=value)`, so translating the
explorer is writing labels/fr.toml and setting `CRSV_EXPLORE_LANGUAGE=fr`, not editing
templates. A key the translation lacks shows in English until it is translated.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from app.config import EXPLORE_LABELS

LABELS = EXPLORE_LABELS
DEFAULT_LANGUAGE = "en"


@cache
def labels(language: str = DEFAULT_LANGUAGE) -> dict[str, dict[str, str]]:
    """Every label of `language`, by section and key; English where it has none."""
    with (LABELS / f"{language}.toml").open("rb") as file:
        loaded: dict[str, dict[str, str]] = tomllib.load(file)
    if language == DEFAULT_LANGUAGE:
        return loaded
    english = labels(DEFAULT_LANGUAGE)
    return {
        section: {**english.get(section, {}), **loaded.get(section, {})}
        for section in english.keys() | loaded.keys()
    }


class Translator:
    """`t("nav.missions")` in a template; a missing key shows itself rather than vanishing,
    unless the template names a `default` (a code the labels may not know, such as a unit)."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language
        self.labels = labels(language)

    def __call__(self, key: str, default: str | None = None, **values: Any) -> str:
        section, _, name = key.partition(".")
        text = self.labels.get(section, {}).get(name)
        if text is None:
            return f"[{key}]" if default is None else default
        return text.format(**values) if values else text
