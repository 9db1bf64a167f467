"""The report as PDF: the HTML page through WeasyPrint.

WeasyPrint lays text out with Pango and finds fonts with fontconfig, so the Japanese comes
out in Noto Sans CJK JP (fonts-noto-cjk) as the page's CSS asks; the fonts are embedded
(subset), so the PDF reads the same on a machine without them.
"""

from __future__ import annotations

import logging

from scheduler.core.report import Report
from scheduler.report.html import render_html

# WeasyPrint and fontTools log every font subset at INFO/WARNING; a report is not news.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment, only the PDF needs it

    pdf = HTML(string=render_html(report)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


__all__ = ["render_pdf"]
