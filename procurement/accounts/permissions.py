"""Who may see or change organisations and users: the one place these rules live."""

from __future__ import annotations

from procurement.accounts.models import Organisation, OrganisationKind, Role, User


def _is_platform_admin(user: User) -> bool:
    return user.organisation.kind is OrganisationKind.competence_centre and user.has_role(Role.admin)


def _is_curator(user: User) -> bool:
    return user.organisation.kind is OrganisationKind.competence_centre and user.has_role(
        Role.curator, Role.admin
    )


def can_view_members(user: User, organisation: Organisation) -> bool:
    """Officers and admins see their own organisation's members; whoever manages them, too."""
    if can_manage_members(user, organisation):
        return True
    return user.organisation_id == organisation.id and user.has_role(Role.officer, Role.admin)


def can_manage_members(user: User, organisation: Organisation) -> bool:
    """Invite, change roles, disable: officers of the municipality, or the Kompetenzzentrum."""
    if _is_platform_admin(user):
        return True
    if organisation.kind is OrganisationKind.municipality and _is_curator(user):
        return True
    return (
        organisation.kind is OrganisationKind.municipality
        and user.organisation_id == organisation.id
        and user.has_role(Role.officer)
    )


def can_list_organisations(user: User) -> bool:
    return _is_curator(user)


def can_create_municipality(user: User) -> bool:
    """The Kompetenzzentrum onboards municipalities."""
    return _is_curator(user)


def assignable_roles(user: User, organisation: Organisation) -> tuple[Role, ...]:
    """Return the roles ``user`` may grant to members of ``organisation``."""
    if not can_manage_members(user, organisation):
        return ()
    roles = organisation.allowed_roles
    if not _is_platform_admin(user):
        roles = tuple(role for role in roles if role is not Role.admin)
    return roles
