"""The HTML report: one self-contained file with diagrams, call trees, findings, tables
and plots (``meshwright report``, and the build's ``report`` stage). The renderer is
:func:`meshwright.report.document.render_report`."""
