"""The mission file's contract: the keys each table takes, the hints for missing ones, the value forms.

Shared by the section readers (`head`, `people`, `meetings`) and kept in one place, so the
shape of `config.toml` can be read at a glance.
"""

from __future__ import annotations

import re

from scheduler.mission.fields import Keys

# --- the contract: the keys each table takes (required first) --------------------------------
TOP: Keys = (("mission",), ("resources", "delegates", "counterparts", "meetings"))
MISSION: Keys = (
    ("name", "timezone", "start", "end", "organizer"),
    ("step", "buffer", "video"),
)
ORGANIZER: Keys = (("name", "email"), ("language", "title"))
CONTACT: Keys = (("name", "email"), ("language", "title"))
PERSON_COMMON = ("language", "holidays", "preferred", "overrides", "busy", "max_per_day")
DELEGATE: Keys = (("id", "name", "email", "timezone", "hours"), ("role", *PERSON_COMMON))
COUNTERPART: Keys = (("id", "name", "timezone", "hours", "contacts"), PERSON_COMMON)
MEETING: Keys = (
    ("id", "title", "delegates", "duration"),
    (
        "counterparts", "optional", "priority", "after", "resources", "not_before", "not_after",
        "fixed", "purpose", "agenda", "notes", "video",
    ),
)  # fmt: skip
FIXED: Keys = (("start",), ())

# What to write when a required key is missing.
HINTS = {
    "mission": "a [mission] table with name, timezone, start, end and organizer",
    "name": 'a name like "Patrick Brown"',
    "title": 'a title like "Briefing on Japan"',
    "timezone": 'an IANA zone like "America/Toronto" or "Asia/Tokyo"',
    "start": "a date like 2027-02-15",
    "end": "a date like 2027-02-26",
    "organizer": 'a table like { name = "Economic Development Office", email = "edo@example.org" }',
    "id": 'an id like "brown" (letters, digits, "-", "_" and ".")',
    "email": 'an address like "mayor@brampton.example.org"',
    "hours": 'a table like { mon-fri = "09:00-18:00" }',
    "contacts": 'a list like [{ name = "Sato Hanako", email = "sato@jetro.example.jp", language = "ja" }]',
    "delegates": 'a list of delegate ids like ["brown"]',
    "duration": 'a duration like "60m" or "1h30m"',
}
# Keys that belong elsewhere: a plain "unknown key" would not say where to put them.
MOVED = {
    "email": "counterparts are reached through contacts = [{ name, email, language }]",
    "role": "a counterpart is an organisation; give each contact a title instead",
}

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
URL = re.compile(r"^https?://[^\s/]+\S*$")
TOML_PLACE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
