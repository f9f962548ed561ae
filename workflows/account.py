"""User account lifecycle: invited -> active -> disabled (and back)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from workflows.machine import N_, Guard, Transition, Workflow


class UserStatus(enum.Enum):
    invited = "invited"  # invited by mail, or self-registered and not yet confirmed
    active = "active"
    disabled = "disabled"


def _invitation_valid(user: Any, now: datetime) -> bool:
    return user.invitation_expires_at is not None and now < user.invitation_expires_at


invitation_valid = Guard(
    _invitation_valid,
    N_("Die Einladung ist abgelaufen. Bitte fordern Sie eine neue Einladung an."),
)


def _has_password(user: Any, now: datetime) -> bool:
    return user.password_hash is not None


has_password = Guard(
    _has_password,
    N_("Das Konto wurde nie aktiviert. Bitte laden Sie die Person erneut ein."),
)

ACCOUNT = Workflow(
    "account",
    UserStatus,
    initial=UserStatus.invited,
    transitions=[
        Transition("activate", [UserStatus.invited], UserStatus.active, [invitation_valid]),
        Transition("reinvite", [UserStatus.invited], UserStatus.invited),
        Transition("disable", [UserStatus.invited, UserStatus.active], UserStatus.disabled),
        Transition("enable", [UserStatus.disabled], UserStatus.active, [has_password]),
    ],
)
