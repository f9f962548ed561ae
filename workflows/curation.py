"""Curation of marketplace entries (solutions, pilot projects) by the Kompetenzzentrum.

draft -> submitted -> published -> archived; a curator sends a submitted entry back to draft
with a reason (the service keeps the reason). Only published entries are public.
"""

from __future__ import annotations

import enum

from workflows.machine import Transition, Workflow


class EntryStatus(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    published = "published"
    archived = "archived"


CURATION = Workflow(
    "curation",
    EntryStatus,
    initial=EntryStatus.draft,
    transitions=[
        Transition("submit", [EntryStatus.draft], EntryStatus.submitted),
        Transition("withdraw", [EntryStatus.submitted], EntryStatus.draft),
        Transition("publish", [EntryStatus.submitted], EntryStatus.published),
        Transition("reject", [EntryStatus.submitted], EntryStatus.draft),
        Transition("archive", [EntryStatus.draft, EntryStatus.published], EntryStatus.archived),
        Transition("reopen", [EntryStatus.archived], EntryStatus.draft),
    ],
)
