"""Use cases: import, export, plan, propose, book, reschedule, cancel, decline.

Transaction boundaries live here: each use case is one unit of work. Services import only
the core, the ports and the errors (DESIGN.md); the store, mail and ical packages are
reached through the Protocols in `scheduler.services.ports`.
"""

from scheduler.services.booking import (
    BookingResult,
    CancelResult,
    book,
    book_time,
    cancel,
    reschedule,
)
from scheduler.services.context import Services, Settings, token_hash
from scheduler.services.missions import export_mission, import_mission, mission_ids, mission_source, plan
from scheduler.services.proposals import (
    DeclineResult,
    ProposalCreated,
    ProposalPage,
    decline,
    list_proposals,
    proposal_page,
    propose,
)

__all__ = [
    "BookingResult",
    "CancelResult",
    "DeclineResult",
    "ProposalCreated",
    "ProposalPage",
    "Services",
    "Settings",
    "book",
    "book_time",
    "cancel",
    "decline",
    "export_mission",
    "import_mission",
    "list_proposals",
    "mission_ids",
    "mission_source",
    "plan",
    "proposal_page",
    "propose",
    "reschedule",
    "token_hash",
]
