from __future__ import annotations

import re

import pytest

from app.config import PROJECT_ROOT, Settings
from app.db.url import normalise_url


def test_env_example_documents_every_setting() -> None:
    documented = set(
        re.findall(r"^#?\s*CRSV_([A-Z0-9_]+)=", (PROJECT_ROOT / ".env.example").read_text(), re.M)
    )
    assert documented == {name.upper() for name in Settings.model_fields}


def test_settings_read_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRSV_CORS_ORIGINS", "https://dash.example, https://news.example")
    monkeypatch.setenv("CRSV_LOG_FORMAT", "json")
    settings = Settings()
    assert settings.cors_origins == ["https://dash.example", "https://news.example"]
    assert settings.log_format == "json"


def test_plain_postgresql_urls_use_psycopg() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_sqlite_is_refused() -> None:
    with pytest.raises(ValueError, match="crsv-data needs PostgreSQL, not sqlite"):
        normalise_url("sqlite:///x.db")


def test_the_explorer_language_needs_its_labels_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused when the service starts, not as a 500 on the first page."""
    monkeypatch.setenv("CRSV_EXPLORE_LANGUAGE", "fr")
    with pytest.raises(ValueError, match=r"no labels file fr\.toml; the explorer has: en"):
        Settings()
    monkeypatch.setenv("CRSV_EXPLORE_LANGUAGE", "en")
    assert Settings().explore_language == "en"
