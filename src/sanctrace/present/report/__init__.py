"""The HTML report: one self-contained file built from the analysis tables."""

from sanctrace.present.report.build import REPORT_FILE, build_report, render

__all__ = ["REPORT_FILE", "build_report", "render"]
