"""API tokens: create (the plain token is shown once), revoke, resolve a bearer token.

Only the SHA-256 of a token is stored; its first characters (the prefix, e.g. ``vm_ab12cd34``)
identify it in lists. Officers of a municipality and vendor users manage their organisation's
tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.accounts.models import OrganisationKind, Role, User
from procurement.api.models import ApiToken
from procurement.audit.services import record
from procurement.errors import NotFound, PermissionDenied
from procurement.extensions import db

TOKEN_MARKER = "vm_"  # noqa: S105 - the public start of every token, not a secret
PREFIX_LENGTH = len(TOKEN_MARKER) + 8
SCOPES = {"read": "read", "write": "read write"}
# last_used_at is written at most once per interval: one write per request would make every
# read a write
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(plain: str) -> str:
    """Return the hex SHA-256 under which a token is stored."""
    return hashlib.sha256(plain.encode()).hexdigest()


def can_manage_tokens(user: User) -> bool:
    """Officers of municipalities and vendor users manage their organisation's tokens."""
    kind = user.organisation.kind
    if kind is OrganisationKind.municipality:
        return user.has_role(Role.officer)
    if kind is OrganisationKind.vendor:
        return user.has_role(Role.vendor)
    return False


def create_token(user: User, name: str, access: str, *, now: datetime) -> tuple[ApiToken, str]:
    """Create a token of the user's organisation; return it with the plain token (shown once).

    :param access: "read" or "write" (write includes read)
    """
    if not can_manage_tokens(user):
        raise PermissionDenied(_l("Sie dürfen für Ihre Organisation keine API-Tokens anlegen."))
    if access not in SCOPES:
        raise ValueError(f"unknown access {access!r}")
    plain = TOKEN_MARKER + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        name=name.strip()[:100],
        prefix=plain[:PREFIX_LENGTH],
        token_hash=hash_token(plain),
        scopes=SCOPES[access],
        created_at=now,
    )
    db.session.add(token)
    db.session.flush()
    record(
        "api_token.created",
        actor=user,
        object_type="api_token",
        object_id=token.id,
        now=now,
        organisation_id=user.organisation_id,
        after={"name": token.name, "prefix": token.prefix, "scopes": token.scopes},
    )
    return token, plain


def organisation_tokens(user: User) -> list[ApiToken]:
    """Return the tokens of the user's organisation, newest first (revoked ones included)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.organisation_id == user.organisation_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(user: User, token_id: int, *, now: datetime) -> ApiToken:
    """Revoke a token of the user's organisation; it is refused from now on."""
    if not can_manage_tokens(user):
        raise PermissionDenied(_l("Sie dürfen für Ihre Organisation keine API-Tokens verwalten."))
    token = db.session.get(ApiToken, token_id)
    if token is None or token.organisation_id != user.organisation_id:
        raise NotFound(_l("Diesen API-Token gibt es nicht."))
    if token.revoked_at is None:
        token.revoked_at = now
        token.revoked_by_id = user.id
        record(
            "api_token.revoked",
            actor=user,
            object_type="api_token",
            object_id=token.id,
            now=now,
            organisation_id=user.organisation_id,
            after={"name": token.name, "prefix": token.prefix},
        )
        db.session.flush()
    return token


def bearer_value(authorization: Optional[str]) -> Optional[str]:
    """Return the token of an ``Authorization: Bearer ...`` header, or None."""
    if not authorization:
        return None
    scheme, _sep, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def resolve_token(plain: Optional[str]) -> Optional[ApiToken]:
    """Return the active token for a plain bearer value, or None (unknown or revoked)."""
    if not plain or not plain.startswith(TOKEN_MARKER) or len(plain) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or not token.active:
        return None
    return token


def mark_used(token: ApiToken, *, now: datetime) -> None:
    """Note when the token was last used (at most once per minute)."""
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
