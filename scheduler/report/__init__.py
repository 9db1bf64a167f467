"""Rendering the mission report (issue 17): an adapter, like `mail/` and `ical/`.

`core.report.build_report` says *what* the report holds; this package says how it looks:

* `html.render_html(report)`: the report as one HTML page (`templates/report/mission.html`),
  printable; the same page the PDF is made from.
* `pdf.render_pdf(report)`: that page as PDF with WeasyPrint (Pango lays the text out; the
  Japanese is set in the Noto CJK fonts of Debian's `fonts-noto-cjk`).
* `tables.render_csv(report)` / `tables.render_xlsx(report)`: the meetings as a table (UTF-8
  CSV with a byte-order mark, so a spreadsheet opens the Japanese correctly), and in the XLSX
  also the action items and the organisations, one sheet each (openpyxl).

Layer rule: imports core, ports, errors and its libraries (Jinja2, WeasyPrint, openpyxl);
never services, store, mail, ical or web.
"""

from __future__ import annotations

from scheduler.core.report import Report
from scheduler.report.html import render_html
from scheduler.report.pdf import render_pdf
from scheduler.report.tables import render_csv, render_xlsx

FORMATS = ("pdf", "csv", "xlsx", "html")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}

__all__ = ["FORMATS", "MEDIA_TYPES", "render", "render_csv", "render_html", "render_pdf", "render_xlsx"]


def render(report: Report, fmt: str) -> bytes:
    """The report in `fmt` (one of FORMATS) as bytes."""
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    if fmt == "html":
        return render_html(report).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}: one of {', '.join(FORMATS)}")
