"""The harness reports what it measured, and the CPU time the host took away during each step."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.harness import Measurement, measure_here, stolen_note

from benchmarks import harness


def test_a_step_records_the_cpu_time_stolen_while_it_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    readings = iter([100.0, 103.5])
    monkeypatch.setattr(harness, "stolen_cpu_seconds", lambda: next(readings))
    measured = measure_here("step", 10, lambda: None)
    assert measured.stolen_seconds == pytest.approx(3.5)


def test_no_reading_leaves_the_stolen_time_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "stolen_cpu_seconds", lambda: None)
    assert measure_here("step", 10, lambda: None).stolen_seconds is None
    assert stolen_note([Measurement("step", 10, 1.0, 5.0)]) == ""


def test_the_note_names_each_measured_step() -> None:
    note = stolen_note([Measurement("ingest", 10, 1.0, 5.0, 2.5), Measurement("read", 10, 1.0, 5.0, None)])
    assert "ingest 2.5 s" in note and "read" not in note


def test_this_machine_reads_a_count_that_does_not_go_back() -> None:
    if not Path("/proc/stat").exists():
        pytest.skip("no /proc/stat here")
    first = harness.stolen_cpu_seconds()
    second = harness.stolen_cpu_seconds()
    assert first is not None and second is not None and 0 <= first <= second
