"""Needs (Bedarfe) of a municipality: draft -> open -> bundled -> fulfilled; withdrawn."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from workflows.machine import N_, Guard, Transition, Workflow


class NeedStatus(enum.Enum):
    draft = "draft"  # being written by the requesting department
    open = "open"  # opened by an officer: visible for bundling
    bundled = "bundled"  # part of a joint tender
    fulfilled = "fulfilled"
    withdrawn = "withdrawn"


# Delivery periods are calendar days of the municipality: compare with the date in Germany.
_BERLIN = ZoneInfo("Europe/Berlin")


def _delivery_not_over(need: Any, now: datetime) -> bool:
    return need.delivery_until is None or need.delivery_until >= now.astimezone(_BERLIN).date()


delivery_not_over = Guard(
    _delivery_not_over,
    N_("Der gewünschte Lieferzeitraum ist bereits vorbei. Bitte passen Sie ihn an."),
)

NEED = Workflow(
    "need",
    NeedStatus,
    initial=NeedStatus.draft,
    transitions=[
        Transition("open", [NeedStatus.draft], NeedStatus.open, [delivery_not_over]),
        Transition("reopen", [NeedStatus.open], NeedStatus.draft),
        Transition("bundle", [NeedStatus.open], NeedStatus.bundled),
        Transition("unbundle", [NeedStatus.bundled], NeedStatus.open),
        Transition("fulfil", [NeedStatus.bundled], NeedStatus.fulfilled),
        Transition("withdraw", [NeedStatus.draft, NeedStatus.open], NeedStatus.withdrawn),
    ],
)
