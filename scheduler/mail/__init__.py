"""Mail: Jinja2 letters → MIME (iMIP) messages → a durable outbox → SMTP or a Maildir folder.

Must not import `scheduler.ical`: callers at the edge pass the calendar object in as bytes.
"""
