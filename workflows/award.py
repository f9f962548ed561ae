"""The award of one lot: proposed -> notified (§134 letters out, standstill running) -> final.

- ``notify``: the lead proposed the award and the §134 Abs. 1 GWB information went out to every
  unsuccessful bidder. The service keeps ``letters_sent`` (letters sent for this proposal) and
  ``unsuccessful_bidders`` (how many must be informed) on the object, and sets
  ``standstill_ends_at`` to ``procurement.reference.standstill.latest_standstill_end`` of the
  letters (the first instant the contract may be concluded). With no unsuccessful bidder there is
  nothing to wait for: the service sets ``standstill_ends_at`` to the moment of notification.
- ``finalise``: the contract may be concluded (§134 Abs. 2 GWB): all letters out and
  ``now >= standstill_ends_at``. Earlier the contract would be void (§135 Abs. 1 Nr. 1 GWB).
  ``final`` is the end: after it a review can only seek a declaration of ineffectiveness
  (§135 GWB), which is no move of this machine.
- ``challenge``: review proceedings (§160 GWB) can be started before the contract is concluded,
  i.e. from ``proposed`` (a bidder learnt of the intended award otherwise) and from ``notified``.
  Once the Vergabekammer has informed the authority of the application, the contract must not be
  concluded (§169 Abs. 1 GWB): ``challenged`` is the state that blocks it, ``finalise`` is not
  possible from there whatever the clock says. That is how "not challenged" is enforced: by the
  state, not by a second flag that could disagree with it.
- ``resolve_to_proposed``: the review body orders a new evaluation; the service resets the
  letters, a new proposal needs new letters and a new standstill.
- ``resolve_to_notified``: the application was rejected or withdrawn and the proposal stands. We
  go back to ``notified``, not straight to ``final``: the award prohibition lasts until the end of
  the two weeks for the sofortige Beschwerde (§169 Abs. 1, §172 Abs. 1 GWB) and, with a Beschwerde,
  may be extended (§173 Abs. 1 GWB), and the original standstill may not be over yet. The service
  moves ``standstill_ends_at`` to the latest of these instants; ``finalise`` then waits for it.
  The letters must have gone out (a challenge from ``proposed`` cannot skip them).
- ``cancel``: the lot is cancelled (Aufhebung, §63 VgV) in any state before ``final``.

Guards are pure functions of the object and an explicit ``now``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from workflows.machine import N_, Guard, Transition, Workflow


class AwardStatus(enum.Enum):
    proposed = "proposed"
    notified = "notified"  # §134 letters out, standstill running
    challenged = "challenged"  # review proceedings (§160 GWB): no contract (§169 Abs. 1 GWB)
    final = "final"
    cancelled = "cancelled"


# Aufhebung (§63 VgV) of the lot is possible until the award is final.
CANCELLABLE = (AwardStatus.proposed, AwardStatus.notified, AwardStatus.challenged)

# A review application (§160 GWB) is possible until the contract is concluded.
CHALLENGEABLE = (AwardStatus.proposed, AwardStatus.notified)


def _letters_complete(award: Any, now: datetime) -> bool:
    return award.unsuccessful_bidders >= 0 and award.letters_sent >= award.unsuccessful_bidders


def _standstill_over(award: Any, now: datetime) -> bool:
    return award.standstill_ends_at is not None and now >= award.standstill_ends_at


letters_complete = Guard(
    _letters_complete,
    N_("Die Information nach §134 Abs. 1 GWB ist noch nicht an alle nicht berücksichtigten Bieter versandt."),
)
standstill_over = Guard(
    _standstill_over,
    N_(
        "Die Wartefrist nach §134 Abs. 2 GWB läuft noch: ein vorher geschlossener Vertrag wäre "
        "unwirksam (§135 GWB)."
    ),
)

AWARD = Workflow(
    "award",
    AwardStatus,
    initial=AwardStatus.proposed,
    transitions=[
        Transition("notify", [AwardStatus.proposed], AwardStatus.notified, [letters_complete]),
        Transition(
            "finalise", [AwardStatus.notified], AwardStatus.final, [letters_complete, standstill_over]
        ),
        Transition("challenge", CHALLENGEABLE, AwardStatus.challenged),
        Transition("resolve_to_proposed", [AwardStatus.challenged], AwardStatus.proposed),
        Transition("resolve_to_notified", [AwardStatus.challenged], AwardStatus.notified, [letters_complete]),
        Transition("cancel", CANCELLABLE, AwardStatus.cancelled),
    ],
)
