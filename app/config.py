"""Settings read from the environment (prefix `CRSV_`) or an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, IPvAnyNetwork, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXPLORE_LABELS = Path(__file__).resolve().parent / "explore" / "labels"
"""One TOML file of the explorer's words per language (read by app/explore/text.py)."""


class Settings(BaseSettings):
    """Every setting the service reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_prefix="CRSV_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL. Unset: the project starts its own embedded server.",
    )
    database_replica_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated URLs of streaming replicas of CRSV_DATABASE_URL for GETs.",
    )
    replica_max_lag_seconds: float = Field(
        default=5,
        gt=0,
        description="Most a replica may lag behind the primary and still serve reads.",
    )
    db_transaction_pooler: bool = Field(
        default=False,
        description="Connections go through PgBouncer in transaction mode: no prepared "
        "statements, and the session settings are sent per transaction.",
    )
    embedded_data_dir: Path = Field(
        default=PROJECT_ROOT / ".data" / "postgres",
        description="Where the embedded PostgreSQL server keeps its data.",
    )
    embedded_database: str = Field(
        default="crsv", description="Database created on the embedded server."
    )
    seeds_dir: Path = Field(default=PROJECT_ROOT / "seeds")
    log_level: str = "INFO"
    log_format: Literal["plain", "json"] = "plain"
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["*"],
        description="Comma-separated origins allowed by CORS; `*` (default) any; empty: none.",
    )
    db_pool_size: int = Field(default=10, ge=1)
    db_connect_timeout: int = Field(default=5, ge=1, description="Seconds.")
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)
    db_export_timeout_ms: int = Field(
        default=600_000, ge=0, description="Bound on one CSV/NDJSON export's COPY (0: none)."
    )
    require_read_key: bool = Field(
        default=False, description="Reads need a key with the read scope too."
    )
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, description="Largest request body.")
    body_timeout_seconds: float = Field(
        default=10, gt=0, description="A request body must arrive within this time (else 408)."
    )
    header_timeout_seconds: float = Field(
        default=10, gt=0, description="A request's head must arrive within this time."
    )
    auth_max_failures: int = Field(
        default=10, ge=1, description="Failed authentications per client address or key prefix"
    )
    auth_failure_window_seconds: int = Field(default=60, ge=1, description="... per this window.")
    auth_failure_max_entries: int = Field(
        default=10_000, ge=10, description="Bound on the throttle's rows (addresses and prefixes)."
    )
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1)
    explore_language: str = Field(
        default="en",
        pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$",
        description="The explorer's language: the labels in app/explore/labels/{language}.toml.",
    )

    @field_validator("explore_language")
    @classmethod
    def _labels_exist(cls, value: str) -> str:
        """Refused at start, not at the first page: a language needs its labels file."""
        if not (EXPLORE_LABELS / f"{value}.toml").is_file():
            known = sorted(path.stem for path in EXPLORE_LABELS.glob("*.toml"))
            raise ValueError(f"no labels file {value}.toml; the explorer has: {', '.join(known)}")
        return value

    @field_validator("cors_origins", "trusted_proxies", "database_replica_urls", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        """Accept the comma-separated form an environment variable gives."""
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
