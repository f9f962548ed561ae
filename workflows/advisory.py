"""Advisory requests to the Kompetenzzentrum: new -> assigned -> answered -> closed; a reply of
the municipality reopens an answered or closed request (back to assigned).

- ``assign``: a curator takes the request (or hands it to another curator).
- ``answer``: the assigned curator answered; the municipality is told by mail.
- ``reopen``: the municipality wrote again after the answer (or after closing).
- ``close``: the curator or the municipality closes the request.

The service keeps ``assignee_id`` on the object; answering needs an assignee.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from workflows.machine import N_, Guard, Transition, Workflow


class AdvisoryStatus(enum.Enum):
    new = "new"
    assigned = "assigned"
    answered = "answered"
    closed = "closed"


def _has_assignee(request: Any, now: datetime) -> bool:
    return request.assignee_id is not None


has_assignee = Guard(_has_assignee, N_("Die Anfrage ist noch niemandem im Kompetenzzentrum zugewiesen."))

NEW, ASSIGNED, ANSWERED, CLOSED = (
    AdvisoryStatus.new,
    AdvisoryStatus.assigned,
    AdvisoryStatus.answered,
    AdvisoryStatus.closed,
)

ADVISORY = Workflow(
    "advisory",
    AdvisoryStatus,
    initial=AdvisoryStatus.new,
    transitions=[
        Transition(
            "assign", [AdvisoryStatus.new, AdvisoryStatus.assigned], AdvisoryStatus.assigned, [has_assignee]
        ),
        Transition("answer", [AdvisoryStatus.assigned], AdvisoryStatus.answered, [has_assignee]),
        Transition(
            "reopen",
            [AdvisoryStatus.answered, AdvisoryStatus.closed],
            AdvisoryStatus.assigned,
            [has_assignee],
        ),
        Transition(
            "close",
            [AdvisoryStatus.new, AdvisoryStatus.assigned, AdvisoryStatus.answered],
            AdvisoryStatus.closed,
        ),
    ],
)
