"""Account operations: registration, invitations, login, password reset, roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from procurement.accounts.models import CompanySize, Organisation, OrganisationKind, Role, User, UserRole
from procurement.accounts.permissions import (
    assignable_roles,
    can_create_municipality,
    can_manage_members,
)
from procurement.accounts.tokens import InvalidToken, make_token, read_token
from procurement.audit.services import record
from procurement.errors import Conflict, DomainError, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.web import external_url
from workflows.account import ACCOUNT, UserStatus

PASSWORD_HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = PASSWORD_HASHER.hash("not a password of anybody")
MIN_PASSWORD_LENGTH = 12


class LoginFailed(DomainError):
    status_code = 200  # the form is shown again with the message


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_("Das Passwort muss mindestens %(n)d Zeichen lang sein.", n=MIN_PASSWORD_LENGTH))
    return PASSWORD_HASHER.hash(password)


def _password_matches(user: Optional[User], password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(
            user.password_hash if user and user.password_hash else _DUMMY_HASH, password
        )
    except (VerificationError, InvalidHashError):
        return False


def user_by_email(email: str) -> Optional[User]:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _ensure_email_free(email: str) -> None:
    if user_by_email(email) is not None:
        raise Conflict(_("Für diese E-Mail-Adresse besteht bereits ein Konto."))


def _set_roles(user: User, roles: set[Role]) -> None:
    current = {row.role: row for row in user.role_rows}
    for role, row in current.items():
        if role not in roles:
            user.role_rows.remove(row)
    for role in sorted(roles - current.keys(), key=lambda r: r.value):
        user.role_rows.append(UserRole(role=role))


def add_organisation(
    organisation: Organisation, *, actor: Optional[User], now: datetime, action: str = "organisation.created"
) -> Organisation:
    """Persist a new organisation (checked by the caller) and record it in the audit log.

    :param actor: the acting user, or None for self-registration and the demo seed
    """
    db.session.add(organisation)
    db.session.flush()
    after = {"kind": organisation.kind.value, "name": organisation.name}
    after |= {
        key: value
        for key in ("ags", "leitweg_id", "vat_id")
        if (value := getattr(organisation, key)) is not None
    }
    record(
        action,
        actor=actor,
        object_type="organisation",
        object_id=organisation.id,
        organisation_id=organisation.id,
        now=now,
        after=after,
    )
    return organisation


def _link(endpoint: str, token: str) -> str:
    return external_url(endpoint, token=token)


def _user_audit(user: User) -> dict[str, object]:
    return {
        "status": user.status.value,
        "roles": sorted(role.value for role in user.roles),
        "organisation_id": user.organisation_id,
    }


@dataclass(frozen=True)
class VendorRegistration:
    company_name: str
    vat_id: str
    street: str
    postal_code: str
    city: str
    country_code: str
    contact_name: str
    email: str
    password: str
    company_size: str = ""  # CompanySize value (eForms BT-165); "" when not given


def register_vendor(data: VendorRegistration, now: datetime) -> User:
    """Create a vendor organisation and its first user; mail the confirmation link.

    :param data: validated form data (VAT id already normalised)
    :param now: the time of registration; the link is valid for INVITATION_VALID_DAYS
    """
    _ensure_email_free(data.email)
    if db.session.scalar(select(Organisation).where(Organisation.vat_id == data.vat_id)):
        raise Conflict(
            _(
                "Ein Unternehmen mit dieser USt-IdNr. ist bereits registriert. "
                "Bitten Sie dessen Ansprechperson um Zugang."
            )
        )
    password_hash = _hash_password(data.password)
    organisation = add_organisation(
        Organisation(
            kind=OrganisationKind.vendor,
            name=data.company_name.strip(),
            vat_id=data.vat_id,
            street=data.street.strip(),
            postal_code=data.postal_code.strip(),
            city=data.city.strip(),
            country_code=data.country_code,
            email=normalise_email(data.email),
            company_size=CompanySize(data.company_size) if data.company_size else None,
        ),
        actor=None,
        now=now,
        action="organisation.registered",
    )
    user = add_invited_user(
        organisation,
        data.email,
        data.contact_name,
        {Role.vendor},
        actor=None,
        now=now,
        action="user.registered",
        password_hash=password_hash,
    )
    token = make_token("confirm", user.id, user.session_token, user.invitation_expires_at)
    queue_mail(
        user.email,
        "confirm_email",
        user.language,
        user=user,
        link=_link("accounts.confirm_email", token),
        expires_at=user.invitation_expires_at,
    )
    return user


def add_invited_user(
    organisation: Organisation,
    email: str,
    name: str,
    roles: set[Role],
    *,
    actor: Optional[User],
    now: datetime,
    action: str,
    password_hash: Optional[str] = None,
) -> User:
    """Persist a new user in state ``invited`` (checked by the caller) and record it.

    :param action: the audit action, e.g. ``user.invited`` or ``user.registered``
    """
    user = User(
        organisation=organisation,
        email=normalise_email(email),
        name=name.strip(),
        password_hash=password_hash,
        status=UserStatus.invited,
        invited_by_id=actor.id if actor else None,
        invitation_expires_at=now + timedelta(days=current_app.config["INVITATION_VALID_DAYS"]),
    )
    _set_roles(user, roles)
    db.session.add(user)
    db.session.flush()
    record(
        action,
        actor=actor,
        object_type="user",
        object_id=user.id,
        organisation_id=organisation.id,
        now=now,
        after=_user_audit(user) | {"email": user.email},
    )
    return user


def _user_for_token(purpose: str, token: str, now: datetime) -> User:
    try:
        user_id, session_prefix = read_token(purpose, token, now)
    except InvalidToken as err:
        raise DomainError(_("Der Link ist ungültig oder abgelaufen.")) from err
    user = db.session.get(User, user_id)
    if user is None or not user.session_token.startswith(session_prefix):
        raise DomainError(_("Der Link wurde bereits verwendet oder ist nicht mehr gültig."))
    return user


def confirm_email(token: str, now: datetime) -> User:
    """Activate a self-registered vendor account from its confirmation link."""
    user = _user_for_token("confirm", token, now)
    return activate_user(user, "user.email_confirmed", now)


def invite_user(
    actor: User, organisation: Organisation, email: str, name: str, roles: set[Role], now: datetime
) -> User:
    """Create an invited user in ``organisation`` and mail the invitation link.

    :param actor: an officer of that municipality, or Kompetenzzentrum staff
    :param roles: at least one, each allowed for the organisation and grantable by ``actor``
    """
    if not can_manage_members(actor, organisation):
        raise PermissionDenied(_("Sie dürfen in diese Organisation niemanden einladen."))
    _check_roles(actor, organisation, roles)
    _ensure_email_free(email)
    user = add_invited_user(organisation, email, name, roles, actor=actor, now=now, action="user.invited")
    _mail_invitation(actor, user)
    return user


def _mail_invitation(actor: User, user: User) -> None:
    token = make_token("invitation", user.id, user.session_token, user.invitation_expires_at)
    queue_mail(
        user.email,
        "invitation",
        user.language,
        user=user,
        inviter=actor,
        link=_link("accounts.accept_invitation", token),
        expires_at=user.invitation_expires_at,
    )


def reinvite_user(actor: User, user: User, now: datetime) -> User:
    """Send a fresh invitation link; earlier links stop working."""
    if not can_manage_members(actor, user.organisation):
        raise PermissionDenied(_("Sie dürfen diese Person nicht verwalten."))
    ACCOUNT.fire(user, "reinvite", now)
    user.invitation_expires_at = now + timedelta(days=current_app.config["INVITATION_VALID_DAYS"])
    user.rotate_session_token()
    record(
        "user.reinvited",
        actor=actor,
        object_type="user",
        object_id=user.id,
        organisation_id=user.organisation_id,
        now=now,
        after=_user_audit(user),
    )
    _mail_invitation(actor, user)
    return user


def invitation_user(token: str, now: datetime) -> User:
    """Return the invited user of a link (to greet them on the page) or raise."""
    user = _user_for_token("invitation", token, now)
    if user.status is not UserStatus.invited:
        raise DomainError(_("Der Link wurde bereits verwendet oder ist nicht mehr gültig."))
    return user


def accept_invitation(token: str, password: str, now: datetime) -> User:
    """Set the invited user's password and activate the account."""
    user = invitation_user(token, now)
    password_hash = _hash_password(password)
    return activate_user(user, "user.invitation_accepted", now, password_hash=password_hash)


def activate_user(user: User, action: str, now: datetime, password_hash: Optional[str] = None) -> User:
    """Fire ``activate`` on an invited user (the invitation must still be valid) and record it."""
    before = _user_audit(user)
    ACCOUNT.fire(user, "activate", now)
    if password_hash is not None:
        user.password_hash = password_hash
    user.activated_at = now
    user.rotate_session_token()
    record(
        action,
        actor=user,
        object_type="user",
        object_id=user.id,
        now=now,
        before=before,
        after=_user_audit(user),
    )
    return user


def authenticate(email: str, password: str, now: datetime) -> User:
    """Return the active user with these credentials; record the login or the failed attempt."""
    user = user_by_email(email)
    if not _password_matches(user, password) or user is None:
        record(
            "user.login_failed",
            actor=None,
            object_type="user",
            object_id=user.id if user else "-",
            now=now,
            organisation_id=user.organisation_id if user else None,
            after={"email": normalise_email(email)[:254]},
        )
        raise LoginFailed(_("E-Mail-Adresse oder Passwort ist falsch."))
    if user.status is not UserStatus.active:
        record(
            "user.login_refused",
            actor=None,
            object_type="user",
            object_id=user.id,
            organisation_id=user.organisation_id,
            now=now,
            after={"status": user.status.value},
        )
        if user.status is UserStatus.invited:
            raise LoginFailed(
                _(
                    "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den "
                    "Link, den wir Ihnen geschickt haben."
                )
            )
        raise LoginFailed(
            _(
                "Dieses Konto ist gesperrt. Bitte wenden Sie sich an Ihre "
                "Vergabestelle oder das Kompetenzzentrum."
            )
        )
    if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = PASSWORD_HASHER.hash(password)
    user.last_login_at = now
    record("user.login", actor=user, object_type="user", object_id=user.id, now=now)
    return user


def record_logout(user: User, now: datetime) -> None:
    record("user.logout", actor=user, object_type="user", object_id=user.id, now=now)


def request_password_reset(email: str, now: datetime) -> None:
    """Mail a reset link if an active account has this address; say nothing either way."""
    user = user_by_email(email)
    if user is None or user.status is not UserStatus.active:
        return
    expires_at = now + timedelta(seconds=current_app.config["PASSWORD_RESET_VALID_SECONDS"])
    token = make_token("reset", user.id, user.session_token, expires_at)
    record(
        "user.password_reset_requested",
        actor=None,
        object_type="user",
        object_id=user.id,
        organisation_id=user.organisation_id,
        now=now,
    )
    queue_mail(
        user.email,
        "password_reset",
        user.language,
        user=user,
        link=_link("accounts.reset_password", token),
        expires_at=expires_at,
    )


def reset_link_user(token: str, now: datetime) -> User:
    """Return the user a reset link is for, or raise if it is forged, used, expired or locked."""
    user = _user_for_token("reset", token, now)
    if user.status is not UserStatus.active:
        raise DomainError(
            _(
                "Dieses Konto ist gesperrt. Bitte wenden Sie sich an Ihre "
                "Vergabestelle oder das Kompetenzzentrum."
            )
        )
    return user


def reset_password(token: str, password: str, now: datetime) -> User:
    """Set a new password from a reset link; every other session of the user ends."""
    user = reset_link_user(token, now)
    user.password_hash = _hash_password(password)
    user.rotate_session_token()
    record("user.password_reset", actor=user, object_type="user", object_id=user.id, now=now)
    return user


def change_password(user: User, current: str, new: str, now: datetime) -> None:
    """Change the own password after checking the current one."""
    if not _password_matches(user, current):
        raise DomainError(_("Das bisherige Passwort ist falsch."))
    user.password_hash = _hash_password(new)
    user.rotate_session_token()
    record("user.password_changed", actor=user, object_type="user", object_id=user.id, now=now)


def update_profile(user: User, name: str, language: str, now: datetime) -> None:
    """Change the own display name and preferred language."""
    before = {"name": user.name, "language": user.language}
    user.name = name.strip()
    user.language = language if language in current_app.config["LANGUAGES"] else "de"
    after = {"name": user.name, "language": user.language}
    if after != before:
        record(
            "user.profile_changed",
            actor=user,
            object_type="user",
            object_id=user.id,
            now=now,
            before=before,
            after=after,
        )


def _check_roles(actor: User, organisation: Organisation, roles: set[Role]) -> None:
    if not roles:
        raise DomainError(_("Bitte wählen Sie mindestens eine Rolle."))
    allowed = set(assignable_roles(actor, organisation))
    if not roles <= allowed:
        raise PermissionDenied(_("Diese Rolle dürfen Sie hier nicht vergeben."))


def change_roles(actor: User, user: User, roles: set[Role], now: datetime) -> None:
    """Replace the roles of a member of an organisation that ``actor`` manages."""
    if not can_manage_members(actor, user.organisation):
        raise PermissionDenied(_("Sie dürfen diese Person nicht verwalten."))
    _check_roles(actor, user.organisation, roles)
    if user.id == actor.id and not roles >= (actor.roles & {Role.officer, Role.admin}):
        raise DomainError(_("Ihre eigene Verwaltungsrolle können Sie nicht entfernen."))
    before = _user_audit(user)
    _set_roles(user, roles)
    db.session.flush()
    if _user_audit(user) != before:
        record(
            "user.roles_changed",
            actor=actor,
            object_type="user",
            object_id=user.id,
            organisation_id=user.organisation_id,
            now=now,
            before=before,
            after=_user_audit(user),
        )


def _fire_member(actor: User, user: User, trigger: str, now: datetime) -> None:
    if not can_manage_members(actor, user.organisation):
        raise PermissionDenied(_("Sie dürfen diese Person nicht verwalten."))
    if user.id == actor.id:
        raise DomainError(_("Ihr eigenes Konto können Sie hier nicht ändern."))
    before = _user_audit(user)
    ACCOUNT.fire(user, trigger, now)
    user.rotate_session_token()
    record(
        f"user.{trigger}d",
        actor=actor,
        object_type="user",
        object_id=user.id,
        organisation_id=user.organisation_id,
        now=now,
        before=before,
        after=_user_audit(user),
    )


def disable_user(actor: User, user: User, now: datetime) -> None:
    """Lock a member out at once (every session ends)."""
    _fire_member(actor, user, "disable", now)


def enable_user(actor: User, user: User, now: datetime) -> None:
    """Let a disabled member log in again."""
    _fire_member(actor, user, "enable", now)


@dataclass(frozen=True)
class MunicipalityData:
    name: str
    ags: str
    leitweg_id: str
    nuts_code: str
    street: str
    postal_code: str
    city: str
    email: str


def create_municipality(actor: User, data: MunicipalityData, now: datetime) -> Organisation:
    """Onboard a municipality (Kompetenzzentrum only); identifiers are already normalised."""
    if not can_create_municipality(actor):
        raise PermissionDenied(_("Nur das Kompetenzzentrum legt Kommunen an."))
    if db.session.scalar(select(Organisation).where(Organisation.ags == data.ags)):
        raise Conflict(_("Eine Kommune mit diesem AGS ist bereits angelegt."))
    return add_organisation(
        Organisation(
            kind=OrganisationKind.municipality,
            name=data.name.strip(),
            ags=data.ags,
            leitweg_id=data.leitweg_id,
            nuts_code=data.nuts_code,
            street=data.street.strip(),
            postal_code=data.postal_code.strip(),
            city=data.city.strip(),
            email=normalise_email(data.email) or None,
            country_code="DE",
        ),
        actor=actor,
        now=now,
    )


def organisations_by_kind() -> dict[OrganisationKind, list[tuple[Organisation, int]]]:
    """Return every organisation with its member count, grouped by kind."""
    counts = (
        select(User.organisation_id, func.count(User.id).label("n")).group_by(User.organisation_id).subquery()
    )
    rows = db.session.execute(
        select(Organisation, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.organisation_id == Organisation.id)
        .order_by(Organisation.kind, Organisation.name)
    ).all()
    grouped: dict[OrganisationKind, list[tuple[Organisation, int]]] = {k: [] for k in OrganisationKind}
    for organisation, count in rows:
        grouped[organisation.kind].append((organisation, count))
    return grouped


def active_members(organisation_ids: Iterable[int], role: Role) -> list[User]:
    """The active users with ``role`` of these organisations (by id): who acts and is told."""
    ids = set(organisation_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.organisation_id.in_(ids), User.status == UserStatus.active, UserRole.role == role)
            .order_by(User.id)
        )
    )


def active_officers(organisation_ids: Iterable[int]) -> list[User]:
    """The active officers of these organisations: who acts and is told for a municipality."""
    return active_members(organisation_ids, Role.officer)
