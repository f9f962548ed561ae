"""Who may see, change and curate marketplace entries: the one place these rules live.

An entry (solution or pilot project) belongs to an organisation. Its *owners* are the members
of that organisation with the authoring role: vendors for a vendor's solutions, curators and
admins for the Kompetenzzentrum's own solutions, officers (Vergabestelle) for a municipality's
pilot projects. Only published entries are public; the owning organisation and the curators of
the Kompetenzzentrum also see drafts, submitted and archived entries; to everybody else they do
not exist (404).

Editing: owners edit the content of a draft only. A published entry was checked by a curator,
so its content does not change without a new check: owners may only correct the contact there;
for anything else they archive it, reopen it as a draft and submit it again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Union

from procurement.accounts.models import OrganisationKind, Role
from procurement.marketplace.models import Document, PilotProject, Solution
from workflows.curation import CURATION, EntryStatus

Entry = Union[Solution, PilotProject]

# Triggers of the curation workflow and who fires them (the status decides the rest).
OWNER_TRIGGERS = ("submit", "withdraw", "archive", "reopen")
CURATOR_TRIGGERS = ("publish", "reject")


def _user(user: Any) -> Any:
    """The user if logged in, else None (anonymous visitors carry no roles)."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def is_curator(user: Any) -> bool:
    """Curators and admins of the Kompetenzzentrum curate the marketplace."""
    user = _user(user)
    return (
        user is not None
        and user.organisation.kind is OrganisationKind.competence_centre
        and user.has_role(Role.curator, Role.admin)
    )


def can_create_solution(user: Any) -> bool:
    """Vendors and the Kompetenzzentrum (curators, admins) offer solutions."""
    user = _user(user)
    if user is None:
        return False
    if user.organisation.kind is OrganisationKind.vendor:
        return user.has_role(Role.vendor)
    return is_curator(user)


def can_create_pilot_project(user: Any) -> bool:
    """A municipality's officers document the projects it ran."""
    user = _user(user)
    return (
        user is not None
        and user.organisation.kind is OrganisationKind.municipality
        and user.has_role(Role.officer)
    )


def is_owner(user: Any, entry: Entry) -> bool:
    """A member of the entry's organisation with the role that authors such entries."""
    user = _user(user)
    if user is None or user.organisation_id != entry.organisation_id:
        return False
    if isinstance(entry, Solution):
        return can_create_solution(user)
    return can_create_pilot_project(user)


def can_view_entry(user: Any, entry: Entry) -> bool:
    if entry.status is EntryStatus.published:
        return True
    user = _user(user)
    if user is None:
        return False
    return user.organisation_id == entry.organisation_id or is_curator(user)


def can_edit_entry(user: Any, entry: Entry) -> bool:
    """Change the content: owners, while the entry is a draft."""
    return entry.status is EntryStatus.draft and is_owner(user, entry)


def can_edit_contact(user: Any, entry: Entry) -> bool:
    """Correct the contact of a published entry without a new check (owners)."""
    return entry.status is EntryStatus.published and is_owner(user, entry)


def can_fire(user: Any, entry: Entry, trigger: str) -> bool:
    """Whether ``user`` may fire ``trigger`` on ``entry`` (the workflow decides if it is legal now)."""
    if trigger in OWNER_TRIGGERS and is_owner(user, entry):
        return True
    if trigger in CURATOR_TRIGGERS:
        return is_curator(user)
    # Curators take a published entry off the marketplace (outdated, or in breach of the rules).
    return trigger == "archive" and entry.status is EntryStatus.published and is_curator(user)


def allowed_triggers(user: Any, entry: Entry, now: datetime) -> list[str]:
    """The curation triggers ``user`` may fire on ``entry`` now: one button each on the pages."""
    return [trigger for trigger in CURATION.allowed_triggers(entry, now) if can_fire(user, entry, trigger)]


def can_manage_documents(user: Any, entry: Entry) -> bool:
    """Upload or delete documents: owners of a draft; curators on any entry not archived."""
    if can_edit_entry(user, entry):
        return True
    return entry.status is not EntryStatus.archived and is_curator(user)


def can_delete_document(user: Any, document: Document) -> bool:
    return can_manage_documents(user, document_entry(document))


def can_download_document(user: Any, document: Document) -> bool:
    return can_view_entry(user, document_entry(document))


def can_start_need_from(user: Any, entry: Entry) -> bool:
    """Officers and requesters of a municipality draft a need from a published entry."""
    user = _user(user)
    return (
        user is not None
        and entry.status is EntryStatus.published
        and user.organisation.kind is OrganisationKind.municipality
        and user.has_role(Role.officer, Role.requester)
    )


def can_see_curation_queue(user: Any) -> bool:
    return is_curator(user)


def document_entry(document: Document) -> Entry:
    entry = document.solution if document.solution_id is not None else document.pilot_project
    assert entry is not None  # the table's check constraint: exactly one owner
    return entry
