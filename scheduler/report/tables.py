"""The report as tables: CSV (the meetings) and XLSX (meetings, action items, organisations).

Every cell is text or a date-time the spreadsheet understands; the CSV is UTF-8 with a
byte-order mark so that Excel opens the Japanese as Japanese, and uses CRLF as RFC 4180 says.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from scheduler.core.report import Report
from scheduler.report import text


def meeting_rows(report: Report) -> list[list[str]]:
    """The meetings table: a header, then one row per meeting."""
    zones = [text.city(z) for z in report.zones]
    head = ["Meeting", "State", *[f"Time ({c})" for c in zones], "Delegates", "Counterparts"]
    head += ["Organisations", "Purpose", "Outcome", "Action items"]
    rows = [head]
    for m in report.meetings:
        shown = dict(text.times(m))
        rows.append(
            [
                m.title,
                m.state,
                *[shown.get(c, "") for c in zones],
                "; ".join(text.person(a) for a in m.delegates),
                "; ".join(text.person(a, with_org=True) for a in m.counterparts),
                "; ".join(m.organisations),
                m.purpose,
                m.outcome,
                "; ".join(f"[{i.item.state}] {i.item.text}" for i in m.items),
            ]
        )
    return rows


def item_rows(report: Report) -> list[list[str]]:
    rows = [["State", "Meeting", "Item", "Item (Japanese)", "Owner", "Due (owner's date)", "Note"]]
    for items in report.items.values():
        for i in items:
            a = i.item
            due = a.due.isoformat() if a.due else ""
            rows.append([a.state, i.meeting_title, a.text, a.text_ja, i.owner_name, due, a.note])
    return rows


def organisation_rows(report: Report) -> list[list[str]]:
    rows = [["Organisation", "Zone", "Meetings"]]
    rows += [[o.name, o.timezone, "; ".join(o.meetings)] for o in report.organisations]
    return rows


def render_csv(report: Report) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(meeting_rows(report))
    return out.getvalue().encode("utf-8-sig")


def render_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheets = (
        ("Meetings", meeting_rows(report)),
        ("Action items", item_rows(report)),
        ("Organisations", organisation_rows(report)),
    )
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = min(max(width + 2, 10), 60)
            for c in column[1:]:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["item_rows", "meeting_rows", "organisation_rows", "render_csv", "render_xlsx"]
