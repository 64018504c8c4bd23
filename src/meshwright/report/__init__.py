"""The HTML report: one self-contained file with diagrams, call trees, findings, tables
and plots (``meshwright report``, and the build's ``report`` stage)."""

from __future__ import annotations

from meshwright.report.document import ReportInputs, render_report

__all__ = ["ReportInputs", "render_report"]
