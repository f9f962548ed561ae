"""Signed links for e-mail confirmation, invitations and password resets.

A token names the user, its purpose, its expiry and the user's current session token. Every
successful use rotates the session token, so a link works once; the expiry is checked against an
explicit ``now``.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

PURPOSES = ("confirm", "invitation", "reset")


class InvalidToken(Exception):
    """The link is malformed, forged, used already, or expired."""


def _serializer(purpose: str) -> URLSafeSerializer:
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}")


def make_token(purpose: str, user_id: int, session_token: str, expires_at: datetime) -> str:
    return _serializer(purpose).dumps(
        {"u": user_id, "s": session_token[:16], "e": int(expires_at.timestamp())}
    )


def read_token(purpose: str, token: str, now: datetime) -> tuple[int, str]:
    """Return ``(user_id, session token prefix)``; raise InvalidToken if forged or expired."""
    try:
        data = _serializer(purpose).loads(token)
    except BadSignature as err:
        raise InvalidToken("bad signature") from err
    if not isinstance(data, dict) or not {"u", "s", "e"} <= data.keys():
        raise InvalidToken("malformed")
    if now.timestamp() >= data["e"]:
        raise InvalidToken("expired")
    return int(data["u"]), str(data["s"])
