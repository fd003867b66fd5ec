"""The CLI: every command exists, user mistakes are one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sanctrace.present.cli import app

COMMANDS = ("ingest", "resolve", "analyze", "report", "screen", "demo", "simulate", "serve")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from sanctrace.present.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


def test_missing_input_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = _run("ingest", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nope.csv" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_file_fails_but_good_files_still_load(tmp_path: Path) -> None:
    binary = tmp_path / "garbage.csv"
    binary.write_bytes(bytes(range(256)) * 20)
    template = tmp_path / "flows.csv"
    template.write_text(
        "reporter,partner,flow,commodity_code,period,value,currency,valuation,quantity,quantity_unit,net_kg\n"
        "TW,RU,export,845710,2023-01,1000.00,USD,FOB,,,\n",
        "utf-8",
    )
    db = tmp_path / "w.duckdb"
    result = _run("ingest", str(binary), str(template), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 1
    assert "garbage.csv" in result.stderr and "Traceback" not in result.stderr
    import duckdb

    con = duckdb.connect(str(db))
    assert con.execute("SELECT count(*) FROM trade_flows").fetchone() == (1,)


def test_bad_date_option_is_a_user_error(tmp_path: Path) -> None:
    result = _run("resolve", "--as-of", "yesterday", "--db", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    assert result.returncode == 2
    assert "not a date" in result.stderr and "Traceback" not in result.stderr


def test_analyze_scope_options_are_checked(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    bad_date = _run("analyze", "--from", "2023-13-01", "--db", db, cwd=tmp_path)
    assert bad_date.returncode == 2 and "--from must be a date" in bad_date.stderr
    reversed_period = _run("analyze", "--from", "2024-01-01", "--to", "2023-01-01", "--db", db, cwd=tmp_path)
    assert reversed_period.returncode == 2 and "after it ends" in reversed_period.stderr
    assert "Traceback" not in bad_date.stderr + reversed_period.stderr


def test_analyze_runs_for_one_basket_period_and_event(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    result = _run(
        "analyze", "--basket", "machine-tools", "--from", "2023-01-01", "--to", "2023-12-31",
        "--event", "no-such-event", "--db", db, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "tables written" in result.stdout


def test_analysis_periods_and_band_are_options(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    bad_month = _run("analyze", "--baseline", "2019:2021", "--db", db, cwd=tmp_path)
    assert bad_month.returncode == 2 and "--baseline: not a month" in bad_month.stderr
    bad_band = _run("analyze", "--cif-fob-low", "1.2", "--cif-fob-high", "1.1", "--db", db, cwd=tmp_path)
    assert bad_band.returncode == 2 and "CIF/FOB band" in bad_band.stderr
    assert "Traceback" not in bad_month.stderr + bad_band.stderr
    ok = _run(
        "analyze",
        "--lag",
        "1",
        "--baseline",
        "2020-01:2021-12",
        "--post",
        "2022-03:2022-11",
        "--db",
        db,
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    import duckdb

    con = duckdb.connect(db)
    assert con.execute("SELECT count(*) FROM hub_indicators").fetchone() == (0,)


def test_resolve_passes_its_worker_count_to_screening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanctrace.present import steps

    asked: list[int] = []

    def recording(con: object, **kwargs: Any) -> int:
        asked.append(kwargs["workers"])
        return 0

    monkeypatch.setattr(steps, "screen_parties", recording)
    db = str(tmp_path / "w.duckdb")
    for option in (["--workers", "3"], []):
        result = CliRunner().invoke(app, ["resolve", "--db", db, *option])
        assert result.exit_code == 0, result.output
    assert asked == [3, os.cpu_count() or 1]
    assert CliRunner().invoke(app, ["resolve", "--db", db, "--workers", "0"]).exit_code == 2
