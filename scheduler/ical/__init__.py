"""iCalendar in and out: busy-time import with recurrences (busy.py), invitations and feeds.

`parse_busy` and `load_busy` turn a calendar into the UTC busy `IntervalSet` of its owner.
"""

from scheduler.ical.busy import clear_cache, load_busy, parse_busy, parse_occurrences

__all__ = ["clear_cache", "load_busy", "parse_busy", "parse_occurrences"]
