"""Sealed bids: draft -> submitted (sealed) -> opened; withdrawn or superseded before the deadline.

A vendor may withdraw a submitted bid or submit a newer one until the bid deadline; the newest
submitted bid counts, the earlier ones stay recorded as ``superseded`` (or ``withdrawn``). The
server clock decides (§57(1) VgV): after the deadline nothing is submitted, changed or
withdrawn. ``open`` belongs to the tender's opening by two officers (§55 VgV).

After the opening the lead's officers review every bid (formal check, suitability, §§56-57 VgV):
``admit`` it to the scoring or ``exclude`` it with a ground of §57 VgV (or §§123-124 GWB, §60(3)
VgV). A bid cannot be admitted while documents requested under §56 VgV are still outstanding
(the service keeps ``open_document_requests`` on the object). ``reconsider`` takes a decision back
while the tender is still being evaluated (the service checks the tender). When the awards of all
lots are final, a bid that won at least one lot is ``successful``, every other admitted bid
``unsuccessful``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from workflows.machine import N_, Guard, Transition, Workflow


class BidStatus(enum.Enum):
    draft = "draft"
    submitted = "submitted"  # sealed: nobody reads it before the opening
    withdrawn = "withdrawn"
    superseded = "superseded"  # the vendor submitted a newer bid before the deadline
    opened = "opened"
    admitted = "admitted"
    excluded = "excluded"
    successful = "successful"
    unsuccessful = "unsuccessful"


def _before_deadline(bid: Any, now: datetime) -> bool:
    return bid.bid_deadline is not None and now < bid.bid_deadline


def _after_deadline(bid: Any, now: datetime) -> bool:
    return bid.bid_deadline is not None and now >= bid.bid_deadline


def _has_content(bid: Any, now: datetime) -> bool:
    return bid.has_prices and bid.file_count > 0


before_deadline = Guard(
    _before_deadline,
    N_(
        "Die Angebotsfrist ist abgelaufen: Angebote können nicht mehr abgegeben, geändert "
        "oder zurückgezogen werden."
    ),
)
after_deadline = Guard(_after_deadline, N_("Die Angebotsfrist läuft noch."))


def _no_open_request(bid: Any, now: datetime) -> bool:
    return getattr(bid, "open_document_requests", 0) == 0


no_open_request = Guard(
    _no_open_request,
    N_(
        "Für dieses Angebot sind nachgeforderte Unterlagen noch offen (§56 VgV): erst nach der "
        "Antwort oder dem Ablauf der Frist kann es zugelassen werden."
    ),
)
has_content = Guard(
    _has_content,
    N_("Ein Angebot braucht mindestens einen Preis für ein Los und mindestens eine Datei."),
)

BID = Workflow(
    "bid",
    BidStatus,
    initial=BidStatus.draft,
    transitions=[
        Transition("submit", [BidStatus.draft], BidStatus.submitted, [before_deadline, has_content]),
        Transition("withdraw", [BidStatus.submitted], BidStatus.withdrawn, [before_deadline]),
        Transition("supersede", [BidStatus.submitted], BidStatus.superseded, [before_deadline]),
        Transition("discard", [BidStatus.draft], BidStatus.withdrawn),
        Transition("open", [BidStatus.submitted], BidStatus.opened, [after_deadline]),
        # the review after the opening (§§56-57 VgV)
        Transition("admit", [BidStatus.opened], BidStatus.admitted, [no_open_request]),
        Transition("exclude", [BidStatus.opened, BidStatus.admitted], BidStatus.excluded),
        Transition("reconsider", [BidStatus.admitted, BidStatus.excluded], BidStatus.opened),
        # the outcome once the awards are final
        Transition("win", [BidStatus.admitted], BidStatus.successful),
        Transition("lose", [BidStatus.admitted], BidStatus.unsuccessful),
    ],
)
