"""A clone without the report's text beside it: its tests skip, `make check-seeds` says what to
do, and CI refuses to run without the text."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import PROJECT_ROOT
from tests.conftest import find_report_source

MISSING_HINT = (
    "run CRSV_REPORT_SOURCE=PATH make check-seeds, PATH being the report's Markdown text."
)


def test_without_the_text_the_report_tests_skip_saying_how_to_run_them(tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "report.md"
    with pytest.raises(pytest.skip.Exception) as skipped:
        find_report_source(None, missing)
    assert str(skipped.value) == (
        f"the report's text is not at {missing}; run with CRSV_REPORT_SOURCE=PATH "
        "(the report's Markdown text) to check the seeds against it"
    )


def test_a_configured_path_that_is_missing_fails_instead_of_skipping(tmp_path: Path) -> None:
    missing = tmp_path / "report.md"
    with pytest.raises(pytest.fail.Exception) as failed:
        find_report_source(str(missing), tmp_path / "default.md")
    assert str(failed.value) == f"CRSV_REPORT_SOURCE names no file: {missing}"


def test_a_configured_path_wins_over_the_default(tmp_path: Path) -> None:
    text = tmp_path / "report.md"
    text.write_text("# report\n")
    assert find_report_source(str(text), tmp_path / "missing.md") == text


def test_seed_check_without_the_text_says_so_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "report.md"
    outcome = CliRunner().invoke(cli, ["seed", "check", "--report", str(missing)])
    assert outcome.exit_code == 2
    assert outcome.output == (
        f"No report text at {missing}: pass --report PATH, PATH being the edition's Markdown "
        "text.\n"
    )


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "CRSV_REPORT_SOURCE"}
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=60
    )


def test_make_check_seeds_without_the_text_says_what_to_do(tmp_path: Path) -> None:
    missing = tmp_path / "report.md"
    # -o: never (re)install the virtualenv for this
    outcome = _run(
        ["make", "-s", "-o", ".venv/.installed", "check-seeds", f"CRSV_REPORT_SOURCE={missing}"],
        PROJECT_ROOT,
    )
    assert outcome.returncode == 2
    assert outcome.stdout == ""
    assert outcome.stderr.splitlines()[0] == f"No report text at {missing}: {MISSING_HINT}"


def test_ci_refuses_to_run_without_the_text(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    (clone / ".ci").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / ".ci" / "run", clone / ".ci" / "run")
    outcome = _run(["bash", ".ci/run"], clone)
    assert outcome.returncode == 1
    assert outcome.stderr == (
        f"CI needs the report's text at {tmp_path}/shared/source/crsv-2023-annual-summaries.md "
        "(the seed checks must run)\n"
    )
