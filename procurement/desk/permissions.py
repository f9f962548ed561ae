"""Who may use the support desk: the one place these rules live.

- Members of a municipality (requesters, officers) send advisory requests, read and answer the
  conversation of their own municipality's requests, and close them. Other municipalities never
  see them.
- Curators of the Kompetenzzentrum see the queue of all requests, assign, answer, introduce a
  pilot municipality and curate the FAQ. Admins of the Kompetenzzentrum likewise.
- Everyone reads the published FAQ.
"""

from __future__ import annotations

from typing import Optional

from procurement.accounts.models import OrganisationKind, Role, User
from procurement.desk.models import AdvisoryRequest


def _signed_in(user: Optional[User]) -> bool:
    return user is not None and user.is_authenticated


def is_curator(user: Optional[User]) -> bool:
    return (
        _signed_in(user)
        and user.organisation.kind is OrganisationKind.competence_centre  # type: ignore[union-attr]
        and user.has_role(Role.curator, Role.admin)  # type: ignore[union-attr]
    )


def can_ask(user: Optional[User]) -> bool:
    """Members of a municipality send advisory requests."""
    return (
        _signed_in(user)
        and user.organisation.kind is OrganisationKind.municipality  # type: ignore[union-attr]
        and user.has_role(Role.requester, Role.officer)  # type: ignore[union-attr]
    )


def can_view_request(user: Optional[User], request: AdvisoryRequest) -> bool:
    """The requesting municipality's members and the Kompetenzzentrum's curators."""
    if is_curator(user):
        return True
    return can_ask(user) and user.organisation_id == request.organisation_id  # type: ignore[union-attr]


def can_reply(user: Optional[User], request: AdvisoryRequest) -> bool:
    """Both sides write in the conversation (the machine decides what a reply does)."""
    return can_view_request(user, request)


def can_work_queue(user: Optional[User]) -> bool:
    """The queue, assignment, answers, introductions: curators."""
    return is_curator(user)


def can_curate_faq(user: Optional[User]) -> bool:
    return is_curator(user)
