"""The HTML report: one offline file, the required sections, escaped data, evidence and appendix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.errors import UserError
from sanctrace.present.report import build_report
from sanctrace.store.executor import DuckDBEngine
from sanctrace.store.warehouse import connect
from tests.present.report_warehouse import DECLARATIONS_SHA, EVIL, IMT, build_warehouse, load_statistics


@pytest.fixture
def warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(":memory:")
    build_warehouse(con)
    yield con
    con.close()


@pytest.fixture
def html(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> str:
    return build_report(warehouse, tmp_path).read_text("utf-8")


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_heading = tag in {"h1", "h2"}
        self.external += [
            f"{tag}.{name}={value}"
            for name, value in attrs
            if name in {"src", "href"} and value and value.startswith(("http:", "https:", "//"))
        ]

    def handle_data(self, data: str) -> None:
        if self._in_heading and data.strip():
            self.headings.append(data.strip())
            self._in_heading = False


def _parse(html: str) -> _Attributes:
    parser = _Attributes()
    parser.feed(html)
    return parser


def test_one_self_contained_file(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = build_report(warehouse, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    html = path.read_text("utf-8")
    assert _parse(html).external == []
    assert "Plotly" in html  # plotly.js is inlined, not fetched


def test_required_sections_present(html: str) -> None:
    headings = " | ".join(_parse(html).headings)
    for section in (
        "Headline",
        "Monthly value by route",
        "Top makers",
        "Route switches",
        "difference method",
        "Hub indicators",
        "Screening",
        "Where the numbers come from",
        "Appendix",
    ):
        assert section in headings


def test_chart_has_hub_series_and_control_dates(html: str) -> None:
    assert "via CN" in html and "via TR" in html
    assert "2023-01-04" in html  # a control date inside the charted period


def test_hub_indicators_table_and_chart(html: str) -> None:
    section = html[html.index('<section id="hubs">') :]
    section = section[: section.index("</section>")]
    assert 'id="hub-chart-1-1"' in section  # the Plotly bar chart, baseline vs post
    assert "EUR 60,000" in section and "EUR 1,200,000" in section and "×20.00" in section
    assert "×0.25" in section and "(target: direct flow)" in section
    assert "2021-03 – 2021-12 (10 mo.)" in section and "2022-03 – 2022-06 (4 mo.)" in section
    assert "FROM hub_indicators" in section  # reproduce in SQL


def test_difference_method_summary_and_chart(html: str) -> None:
    section = html[html.index('<section id="indirect">') :]
    section = section[: section.index("</section>")]
    assert 'id="indirect-chart-1-1"' in section
    assert "CIF/FOB uplift 1.00–1.12, shipping lag 0–2 months." in section
    assert "$10,370,000" in section and "$1,500,000" in section
    assert f"${10_370_000 / 1.12 - 4_000_000:,.0f} … $10,370,000" in section  # the band, low … high
    assert "$4,350,000" in section  # declared via CN, TR and KZ
    assert "FROM indirect_estimates" in section


def test_statistics_alone_make_a_report(tmp_path: Path) -> None:
    con = connect(":memory:")
    con.execute("INSERT INTO baskets (basket, hs_prefix) VALUES ('cnc', '845710')")
    load_statistics(con)
    run_analyses(DuckDBEngine(con), AnalysisParams())
    html = build_report(con, tmp_path).read_text("utf-8")
    con.close()
    assert "×20.00" in html and 'id="hub-chart-1-1"' in html


def test_no_basket_with_rows_is_a_user_error(tmp_path: Path) -> None:
    con = connect(":memory:")
    run_analyses(DuckDBEngine(con), AnalysisParams())
    with pytest.raises(UserError, match="no basket has rows"):
        build_report(con, tmp_path)
    con.close()


def test_hub_indicators_without_statistics_say_so(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    warehouse.execute("DELETE FROM hub_indicators")
    html = build_report(warehouse, tmp_path).read_text("utf-8")
    assert "No trade statistics loaded for this basket." in html


def test_data_is_escaped(html: str) -> None:
    assert EVIL not in html
    assert "&lt;script&gt;alert(" in html


def test_top_consignee_and_its_lines(html: str) -> None:
    assert IMT in html
    assert re.search(r"\$[\d,]+", html)
    assert "declarations_2023.csv" in html  # evidence rows name their source file


def test_appendix_lists_every_source_with_full_hash(html: str) -> None:
    assert DECLARATIONS_SHA in html
    assert "CC BY-NC 4.0" in html  # an FtM (OpenSanctions-style) source is present


def test_missing_analysis_is_a_user_error(tmp_path: Path) -> None:
    con = connect(":memory:")
    with pytest.raises(UserError, match="run the analysis first"):
        build_report(con, tmp_path)


def test_unknown_basket_is_a_user_error(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="has no rows"):
        build_report(warehouse, tmp_path, basket="no-such-basket")
