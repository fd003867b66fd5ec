"""Rich console helpers shared by the CLI commands: one look, progress bars, summary tables."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from sanctrace.sources.base import LoadReport

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # one error = one line, never wrapped


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A progress display that disappears when the step is done (so logs stay readable)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        yield progress


def ingest_summary(reports: Sequence[LoadReport]) -> Table:
    table = Table(title="Ingest summary", show_lines=False)
    for column, justify in [
        ("file", "left"),
        ("format", "left"),
        ("dataset", "left"),
        ("read", "right"),
        ("accepted", "right"),
        ("quarantined", "right"),
        ("top reasons", "left"),
    ]:
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for report in reports:
        reasons = _remarks(report)
        table.add_row(
            report.path.name,
            report.format,
            report.dataset,
            f"{report.rows_read:,}",
            f"{report.rows_accepted:,}",
            f"{report.rows_quarantined:,}",
            reasons,
        )
    return table


def _remarks(report: LoadReport) -> str:
    """The last column: what else to know about the load, most important first."""
    if report.already_loaded and not report.note:
        return "already loaded: nothing changed"
    parts = [report.note] if report.note else []
    parts += [f"warning: {w}" for w in report.warnings]
    if not report.already_loaded:
        parts += [f"{reason} ({count:,})" for reason, count in report.top_reasons]
    return "; ".join(parts)
