"""Who may see or change needs and invitations: the one place these rules live.

Needs belong to a municipality. Its members see all of its needs; officers of other
municipalities see open needs only as part of bundling proposals and invitations (title,
municipality, CPV code, quantity, value, period). Vendors and the Kompetenzzentrum never see
needs.
"""

from __future__ import annotations

from procurement.accounts.models import OrganisationKind, Role, User
from procurement.needs.models import JointTenderInvitation, Need
from workflows.need import NeedStatus

# The triggers a person may fire on the web; bundle, unbundle and fulfil belong to the joint tender.
OFFICER_TRIGGERS = frozenset({"open", "reopen", "withdraw"})


def is_municipal(user: User) -> bool:
    return user.organisation.kind is OrganisationKind.municipality


def _own(user: User, need: Need) -> bool:
    return is_municipal(user) and user.organisation_id == need.organisation_id


def can_use_dashboard(user: User) -> bool:
    return is_municipal(user)


def can_create_need(user: User) -> bool:
    """Requesters (Bedarfsträger) and officers of a municipality draft needs."""
    return is_municipal(user) and user.has_role(Role.requester, Role.officer)


def can_view_need(user: User, need: Need) -> bool:
    """The need's page: members of its municipality only (everyone else gets 404)."""
    return _own(user, need)


def can_edit_need(user: User, need: Need) -> bool:
    """Requesters and officers of the municipality edit its drafts."""
    return (
        _own(user, need) and need.status is NeedStatus.draft and user.has_role(Role.requester, Role.officer)
    )


def can_fire_need(user: User, need: Need, trigger: str) -> bool:
    """Officers open, reopen and withdraw their municipality's needs; requesters withdraw drafts."""
    if not _own(user, need):
        return False
    if user.has_role(Role.officer):
        return trigger in OFFICER_TRIGGERS
    return trigger == "withdraw" and need.status is NeedStatus.draft and user.has_role(Role.requester)


def can_see_proposals(user: User) -> bool:
    """Officers of municipalities see bundling proposals (with other municipalities' open needs)."""
    return is_municipal(user) and user.has_role(Role.officer)


def can_invite(user: User) -> bool:
    """Officers invite the owners of matching needs to a joint tender (§4 VgV)."""
    return can_see_proposals(user)


def _involved(user: User, invitation: JointTenderInvitation) -> bool:
    return user.organisation_id == invitation.organisation_id or any(
        recipient.organisation_id == user.organisation_id for recipient in invitation.recipients
    )


def can_view_invitation(user: User, invitation: JointTenderInvitation) -> bool:
    """Officers of the inviting and of the invited municipalities."""
    return can_see_proposals(user) and _involved(user, invitation)


def can_respond_to_invitation(user: User, invitation: JointTenderInvitation) -> bool:
    """Officers of an invited municipality accept or decline for it."""
    return (
        can_see_proposals(user)
        and user.organisation_id != invitation.organisation_id
        and any(recipient.organisation_id == user.organisation_id for recipient in invitation.recipients)
    )
