"""The award of a lot through the services: proposal, §134 letters delivered by the outbox,
standstill, challenge, Zuschlag; the tender follows its lots.

The evaluation is set up directly (bids admitted or excluded through the bid machine, quality
points as rows), so these tests do not depend on the evaluation pages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Optional

import pytest
import time_machine
from sqlalchemy import select

from procurement.awards import award as service
from procurement.awards import letters
from procurement.awards.models import Award, BidReview, ExclusionGround, InformationLetter, QualityScore
from procurement.awards.permissions import can_evaluate
from procurement.bids.models import Bid
from procurement.errors import Conflict, DomainError, PermissionDenied
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.mail.services import send_pending
from procurement.tenders.models import CancellationReason, CriterionKind, Tender
from tests.conftest import audit_actions
from tests.procurement.awards.conftest import LEAD, LEAD_COLLEAGUE, OTHER_VENDOR, THIRD_VENDOR, VENDOR, user
from workflows.award import AwardStatus
from workflows.bid import BID, BidStatus
from workflows.machine import GuardFailed
from workflows.tender import TenderStatus

# Monday 28 December 2026, 10:00 Berlin: evaluation done, letters go out
EVALUATED = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
# sent on 28 December: ten calendar days from 29 December -> last day Thursday 7 January 2027,
# the contract may be concluded from Friday 8 January 00:00 Berlin (23:00 UTC the day before)
STANDSTILL_END = datetime(2027, 1, 7, 23, 0, tzinfo=UTC)
POINTS = {VENDOR: Decimal(8), OTHER_VENDOR: Decimal(6), THIRD_VENDOR: Decimal(7)}


def evaluate(
    app,  # type: ignore[no-untyped-def]
    opened,  # type: ignore[no-untyped-def]
    exclude: tuple[str, ...] = (),
    points: Optional[dict[str, Decimal]] = None,
    now: datetime = EVALUATED,
) -> None:
    """Admit every bid (or exclude those named) and enter the lead's quality points."""
    points = POINTS if points is None else points
    with app.test_request_context():
        tender = db.session.get(Tender, opened.tender_id)
        quality = [c for c in tender.criteria if c.kind is CriterionKind.quality]
        lead = user(LEAD)
        for email, bid_id in opened.bids.items():
            bid = db.session.get(Bid, bid_id)
            review = db.session.get(BidReview, bid_id)
            if email in exclude:
                BID.fire(bid, "exclude", now)
                review.exclusion_ground = ExclusionGround.missing_documents
                review.reason = "Der Nachweis der Haftpflichtversicherung fehlt."
            else:
                BID.fire(bid, "admit", now)
                review.reason = "Formal vollständig, geeignet."
                for criterion in quality if email in points else ():
                    db.session.add(
                        QualityScore(
                            tender_id=tender.id,
                            bid_id=bid_id,
                            criterion_id=criterion.id,
                            evaluator_id=lead.id,
                            points=points[email],
                        )
                    )
            review.decided_by_id = lead.id
            review.decided_at = now
        db.session.commit()


def act(app, fn, *args, email: str = LEAD, now: datetime = EVALUATED, **kw):  # type: ignore[no-untyped-def]
    """Run a service as ``email`` at ``now`` and commit; return the result's id if it has one."""
    with app.test_request_context():
        tender = db.session.get(Tender, args[0])
        lots = {lot.number: lot for lot in tender.lots}
        rest = [lots[a] if isinstance(a, LotNo) else a for a in args[1:]]
        result = fn(user(email), tender, *rest, now, **kw)
        db.session.commit()
        return getattr(result, "id", result)


class LotNo(int):
    """A lot by its number (resolved to the Lot inside `act`)."""


def propose_all(app, opened, now: datetime = EVALUATED) -> None:  # type: ignore[no-untyped-def]
    for number in (1, 2):
        act(
            app,
            service.propose_award,
            opened.tender_id,
            LotNo(number),
            opened.bids[VENDOR],
            "Bestes Verhältnis.",
            now=now,
        )


def letters_to(mailbox, address: str) -> list:  # type: ignore[no-untyped-def]
    """The §134 GWB letters the test SMTP server accepted for ``address``."""
    return [m for m in mailbox.to(address) if "134 GWB" in m["Subject"]]


def deliver(app, now: datetime) -> list[int]:  # type: ignore[no-untyped-def]
    """The outbox run and the delivery sync, as after a request or in `flask tick`."""
    with time_machine.travel(now, tick=False), app.test_request_context():
        send_pending()
        notified = letters.sync_deliveries(now)
        db.session.commit()
        return [award.id for award in notified]


def award_row(app, opened, number: int) -> Award:  # type: ignore[no-untyped-def]
    with app.app_context():
        row = db.session.scalars(select(Award).where(Award.lot_id == opened.lots[number])).one()
        db.session.expunge(row)
        return row


def tender_status(app, opened) -> TenderStatus:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.get(Tender, opened.tender_id).status


def notified_tender(app, opened, mailbox=None):  # type: ignore[no-untyped-def]
    """Both lots proposed to VENDOR, letters written and delivered on EVALUATED."""
    evaluate(app, opened)
    propose_all(app, opened)
    for number in (1, 2):
        act(app, service.send_letters, opened.tender_id, LotNo(number))
    deliver(app, EVALUATED)
    return opened


# --- proposal -------------------------------------------------------------------------------------


def test_a_lot_cannot_be_proposed_while_bids_are_unreviewed_or_points_missing(app, opened):
    with pytest.raises(Conflict, match="noch nicht geprüft"):
        act(app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[VENDOR], "Gründe")
    evaluate(app, opened, points={})
    with pytest.raises(Conflict, match="Punkte"):
        act(app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[VENDOR], "Gründe")
    with app.app_context():
        assert db.session.scalars(select(Award)).all() == []


def test_only_a_first_ranked_bid_with_reasons_can_be_proposed(app, opened):
    evaluate(app, opened)
    with pytest.raises(Conflict, match="Rang 1"):
        act(app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[THIRD_VENDOR], "Gründe")
    with pytest.raises(DomainError, match="begründen"):
        act(app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[VENDOR], "  ")
    award_id = act(
        app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[VENDOR], "Bestes Angebot."
    )
    award = award_row(app, opened, 1)
    assert award.id == award_id and award.status is AwardStatus.proposed
    ranking = award.ranking
    assert [row["bid_id"] for row in ranking["rows"]] == [
        opened.bids[VENDOR],
        opened.bids[THIRD_VENDOR],
        opened.bids[OTHER_VENDOR],
    ]
    assert ranking["rows"][0]["price"] == "48000.00" and isinstance(ranking["rows"][0]["total"], str)
    assert ranking["round"] == 1
    # one lot proposed, the other not yet: the tender stays in evaluation
    assert tender_status(app, opened) is TenderStatus.evaluation
    assert "award.proposed" in audit_actions(app)


def test_a_tie_needs_the_officer_to_say_why_one_of_the_tied_bids(app, opened):
    # lot 2: VENDOR 1,200.50 EUR (64.14 price points) with mean quality 6.955, OTHER_VENDOR
    # 1,100 EUR (70.00) with 5: both 85.00 after rounding, a tie at rank 1
    evaluate(
        app, opened, points={VENDOR: Decimal("6.95"), OTHER_VENDOR: Decimal(5), THIRD_VENDOR: Decimal(5)}
    )
    with app.app_context():
        second = user(LEAD_COLLEAGUE)
        criterion = next(
            c for c in db.session.get(Tender, opened.tender_id).criteria if c.kind is CriterionKind.quality
        )
        for email, points in ((VENDOR, "6.96"), (OTHER_VENDOR, "5"), (THIRD_VENDOR, "5")):
            db.session.add(
                QualityScore(
                    tender_id=opened.tender_id,
                    bid_id=opened.bids[email],
                    criterion_id=criterion.id,
                    evaluator_id=second.id,
                    points=Decimal(points),
                )
            )
        db.session.commit()
    with app.test_request_context():
        tender = db.session.get(Tender, opened.tender_id)
        lot = next(lot for lot in tender.lots if lot.number == 2)
        ranking = service.readiness(tender, lot).result.ranking
        first = sorted(row.bid_id for row in ranking.first_ranked)
    assert first == sorted([opened.bids[VENDOR], opened.bids[OTHER_VENDOR]])
    with pytest.raises(DomainError, match="gleichauf"):
        act(app, service.propose_award, opened.tender_id, LotNo(2), opened.bids[OTHER_VENDOR], "Gründe")
    act(
        app,
        service.propose_award,
        opened.tender_id,
        LotNo(2),
        opened.bids[OTHER_VENDOR],
        "Gründe",
        tie_reason="Das Los entschied in Anwesenheit zweier Zeugen.",
    )
    award = award_row(app, opened, 2)
    assert award.bid_id == opened.bids[OTHER_VENDOR]
    assert award.ranking["tie_reason"] == "Das Los entschied in Anwesenheit zweier Zeugen."
    assert sorted(award.ranking["tied_bid_ids"]) == first


def test_re_proposal_is_possible_until_the_letters_are_written(app, opened):
    evaluate(app, opened)
    propose_all(app, opened)
    assert tender_status(app, opened) is TenderStatus.award_proposed
    act(app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[VENDOR], "Neu begründet.")
    assert award_row(app, opened, 1).reasons == "Neu begründet."
    act(app, service.send_letters, opened.tender_id, LotNo(1))
    with pytest.raises(Conflict, match="nicht mehr geändert"):
        act(app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[VENDOR], "Noch einmal.")
    assert award_row(app, opened, 1).reasons == "Neu begründet."


def test_only_the_leads_officers_propose(app, opened):
    evaluate(app, opened)
    for email in ("vergabe@birkenfelde.example", "bedarf@talheim.example", VENDOR):
        with pytest.raises(PermissionDenied):
            act(app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[VENDOR], "G", email=email)


def test_a_stale_version_is_refused(app, opened):
    evaluate(app, opened)
    propose_all(app, opened)
    stale = award_row(app, opened, 1).version
    act(app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[VENDOR], "Zweiter.")
    with pytest.raises(Conflict, match="gerade geändert"):
        act(app, service.send_letters, opened.tender_id, LotNo(1), version=stale)
    assert award_row(app, opened, 1).unsuccessful_bidders == 0


# --- letters and standstill -----------------------------------------------------------------------


def test_one_letter_per_unsuccessful_bidder_arrives_and_starts_the_standstill(app, opened, mailbox):
    evaluate(app, opened)
    propose_all(app, opened)
    act(app, service.send_letters, opened.tender_id, LotNo(1))
    award = award_row(app, opened, 1)
    assert (
        award.unsuccessful_bidders == 2 and award.letters_sent == 0 and award.status is AwardStatus.proposed
    )
    notified = deliver(app, EVALUATED + timedelta(minutes=1))
    assert notified == [award.id]
    assert len(letters_to(mailbox, OTHER_VENDOR)) == 1 and len(letters_to(mailbox, THIRD_VENDOR)) == 1
    assert letters_to(mailbox, VENDOR) == []
    body = letters_to(mailbox, THIRD_VENDOR)[0].get_content()
    assert "Verkehrstechnik" in body  # the winner's name
    assert "Rang 2 von 3" in body
    assert "08.01.2027" in body  # the earliest contract date, Berlin
    award = award_row(app, opened, 1)
    assert award.status is AwardStatus.notified and award.letters_sent == 2
    assert award.standstill_ends_at == STANDSTILL_END
    with app.app_context():
        rows = db.session.scalars(select(InformationLetter).order_by(InformationLetter.rank)).all()
        assert [(r.rank, r.sent_at is not None, len(r.pdf_sha256)) for r in rows] == [
            (2, True, 64),
            (3, True, 64),
        ]
        assert all(r.outbox_mail_id for r in rows)
    # lot 2 still waits for its letters: the tender is not in standstill yet
    assert tender_status(app, opened) is TenderStatus.award_proposed
    act(app, service.send_letters, opened.tender_id, LotNo(2))
    deliver(app, EVALUATED + timedelta(minutes=2))
    assert tender_status(app, opened) is TenderStatus.standstill


def test_excluded_bidders_get_a_letter_with_the_exclusion_ground(app, opened, mailbox):
    evaluate(app, opened, exclude=(THIRD_VENDOR,))
    propose_all(app, opened)
    act(app, service.send_letters, opened.tender_id, LotNo(1))
    deliver(app, EVALUATED)
    body = letters_to(mailbox, THIRD_VENDOR)[0].get_content()
    assert "ausgeschlossen" in body and "§ 57 Abs. 1 Nr. 2 VgV" in body and "Rang" not in body
    with app.app_context():
        letter = db.session.scalars(
            select(InformationLetter).where(InformationLetter.bid_id == opened.bids[THIRD_VENDOR])
        ).one()
        assert letter.rank is None


def test_a_mail_outage_delays_the_standstill_but_loses_no_letter(app, opened, mailbox, smtp_server):
    evaluate(app, opened)
    propose_all(app, opened)
    act(app, service.send_letters, opened.tender_id, LotNo(1))
    url = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"  # nobody listens: connection refused
    try:
        assert deliver(app, EVALUATED) == []
    finally:
        app.config["SMTP_URL"] = url
    award = award_row(app, opened, 1)
    assert (
        award.status is AwardStatus.proposed and award.letters_sent == 0 and award.standstill_ends_at is None
    )
    assert letters_to(mailbox, OTHER_VENDOR) == []
    # the server is back two days later: the letters go, the standstill counts from then
    later = EVALUATED + timedelta(days=2)
    deliver(app, later)
    assert len(letters_to(mailbox, OTHER_VENDOR)) == 1 and len(letters_to(mailbox, THIRD_VENDOR)) == 1
    award = award_row(app, opened, 1)
    assert award.status is AwardStatus.notified
    # sent on 30 December -> last day 9 January 2027 (Saturday) -> runs to Monday 11 January
    assert award.standstill_ends_at == datetime(2027, 1, 11, 23, 0, tzinfo=UTC)
    with app.app_context():
        letters_sent = db.session.scalars(select(InformationLetter.sent_at)).all()
        assert all(sent.date() == date(2026, 12, 30) for sent in letters_sent)


def test_no_unsuccessful_bidder_notifies_at_once(app, opened):
    evaluate(app, opened, exclude=())
    with app.app_context():
        # lot 2: only VENDOR's bid counts when OTHER_VENDOR's offer is taken away
        from procurement.awards.models import Offer

        db.session.execute(
            Offer.__table__.delete().where(
                Offer.lot_id == opened.lots[2], Offer.bid_id == opened.bids[OTHER_VENDOR]
            )
        )
        db.session.commit()
    propose_all(app, opened)
    act(app, service.send_letters, opened.tender_id, LotNo(2))
    award = award_row(app, opened, 2)
    assert award.status is AwardStatus.notified and award.standstill_ends_at == EVALUATED


def test_sending_twice_is_refused_and_writes_no_second_letter(app, opened):
    evaluate(app, opened)
    propose_all(app, opened)
    act(app, service.send_letters, opened.tender_id, LotNo(1))
    with pytest.raises(Conflict, match="bereits geschrieben"):
        act(app, service.send_letters, opened.tender_id, LotNo(1))
    with app.app_context():
        assert len(db.session.scalars(select(InformationLetter)).all()) == 2
        assert (
            len(db.session.scalars(select(OutboxMail).where(OutboxMail.subject.contains("134"))).all()) == 2
        )


# --- Zuschlag ---------------------------------------------------------------------------------------


def test_the_zuschlag_waits_for_the_standstill_by_the_server_clock(app, opened, mailbox):
    notified_tender(app, opened)
    assert tender_status(app, opened) is TenderStatus.standstill
    with pytest.raises(GuardFailed) as refused:
        act(app, service.finalise_lot, opened.tender_id, LotNo(1), now=STANDSTILL_END - timedelta(seconds=1))
    assert "Wartefrist" in refused.value.message
    assert award_row(app, opened, 1).status is AwardStatus.notified
    act(app, service.finalise_lot, opened.tender_id, LotNo(1), now=STANDSTILL_END)
    assert award_row(app, opened, 1).status is AwardStatus.final
    assert tender_status(app, opened) is TenderStatus.standstill  # lot 2 not yet
    mailbox.clear()
    act(app, service.finalise_lot, opened.tender_id, LotNo(2), now=STANDSTILL_END)
    assert tender_status(app, opened) in (TenderStatus.awarded, TenderStatus.contracted)
    with app.app_context():
        statuses = {bid_id: db.session.get(Bid, bid_id).status for bid_id in opened.bids.values()}
    assert statuses[opened.bids[VENDOR]] is BidStatus.successful
    assert statuses[opened.bids[OTHER_VENDOR]] is BidStatus.unsuccessful
    assert statuses[opened.bids[THIRD_VENDOR]] is BidStatus.unsuccessful
    actions = audit_actions(app)
    assert "award.finalise" in actions and "tender.award" in actions and "bid.win" in actions
    with app.test_request_context():
        send_pending()
        db.session.commit()
    assert mailbox.to(VENDOR) and mailbox.to("vergabe@birkenfelde.example")


# --- challenge ------------------------------------------------------------------------------------


def test_a_challenged_lot_cannot_be_awarded_whatever_the_clock_says(app, opened):
    notified_tender(app, opened)
    act(app, service.challenge_lot, opened.tender_id, LotNo(1), "Antrag der Energienetz GmbH vom 5.1.")
    assert award_row(app, opened, 1).status is AwardStatus.challenged
    assert tender_status(app, opened) is TenderStatus.award_proposed  # the tender waits again
    with pytest.raises(Conflict):
        act(app, service.finalise_lot, opened.tender_id, LotNo(1), now=STANDSTILL_END + timedelta(days=60))
    assert award_row(app, opened, 1).status is AwardStatus.challenged


def test_a_rejected_application_keeps_the_award_blocked_until_the_entered_day(app, opened):
    notified_tender(app, opened)
    act(app, service.challenge_lot, opened.tender_id, LotNo(1), "Antrag")
    with pytest.raises(DomainError, match="bis wann"):
        act(app, service.resolve_challenge, opened.tender_id, LotNo(1), False, "Zurückgewiesen")
    act(
        app,
        service.resolve_challenge,
        opened.tender_id,
        LotNo(1),
        False,
        "Zurückgewiesen",
        period_end=date(2027, 2, 1),
    )
    award = award_row(app, opened, 1)
    assert award.status is AwardStatus.notified
    # end of 1 February 2027 Berlin (winter: UTC+1)
    assert award.standstill_ends_at == datetime(2027, 2, 1, 23, 0, tzinfo=UTC)
    assert tender_status(app, opened) is TenderStatus.standstill
    with pytest.raises(GuardFailed):
        act(
            app,
            service.finalise_lot,
            opened.tender_id,
            LotNo(1),
            now=datetime(2027, 2, 1, 22, 59, tzinfo=UTC),
        )
    act(app, service.finalise_lot, opened.tender_id, LotNo(1), now=datetime(2027, 2, 1, 23, 0, tzinfo=UTC))


def test_a_new_evaluation_needs_a_new_round_of_letters(app, opened, mailbox):
    notified_tender(app, opened)
    act(app, service.challenge_lot, opened.tender_id, LotNo(1), "Antrag")
    act(app, service.resolve_challenge, opened.tender_id, LotNo(1), True, "Neu werten")
    award = award_row(app, opened, 1)
    assert (
        award.status is AwardStatus.proposed and award.letters_sent == 0 and award.standstill_ends_at is None
    )
    assert award.ranking["round"] == 2
    # the evaluation is open again: the tender is back in it, points can change
    assert tender_status(app, opened) is TenderStatus.evaluation
    with app.test_request_context():
        tender = db.session.get(Tender, opened.tender_id)
        assert can_evaluate(user(LEAD), tender)
        assert tender.lot_award_states[0] is None  # lot 1 waits for its new proposal
    act(app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[VENDOR], "Nach erneuter Wertung.")
    assert tender_status(app, opened) is TenderStatus.award_proposed
    mailbox.clear()
    later = EVALUATED + timedelta(days=20)
    act(app, service.send_letters, opened.tender_id, LotNo(1), now=later)
    deliver(app, later)
    assert len(letters_to(mailbox, OTHER_VENDOR)) == 1
    award = award_row(app, opened, 1)
    assert award.status is AwardStatus.notified and award.letters_sent == 2
    with app.app_context():
        rounds = sorted(
            db.session.scalars(select(InformationLetter.round).where(InformationLetter.award_id == award.id))
        )
    assert rounds == [1, 1, 2, 2]


# --- cancellation -----------------------------------------------------------------------------------


def test_cancelling_one_lot_keeps_the_tender_cancelling_all_cancels_it(app, opened):
    evaluate(app, opened)
    act(
        app,
        service.cancel_lot,
        opened.tender_id,
        LotNo(2),
        CancellationReason.no_economic_result,
        "Zu teuer.",
    )
    assert award_row(app, opened, 2).status is AwardStatus.cancelled
    act(app, service.propose_award, opened.tender_id, LotNo(1), opened.bids[VENDOR], "Gründe")
    assert tender_status(app, opened) is TenderStatus.award_proposed
    act(app, service.cancel_lot, opened.tender_id, LotNo(1), CancellationReason.fundamental_change, "Anders.")
    assert tender_status(app, opened) is TenderStatus.cancelled
    with pytest.raises(Conflict):
        act(
            app,
            service.cancel_lot,
            opened.tender_id,
            LotNo(1),
            CancellationReason.fundamental_change,
            "Nochmal",
        )


def test_a_lot_without_admitted_bids_can_only_be_cancelled(app, opened):
    evaluate(app, opened, exclude=(VENDOR, OTHER_VENDOR))
    with pytest.raises(Conflict, match="nur aufgehoben"):
        act(app, service.propose_award, opened.tender_id, LotNo(2), opened.bids[VENDOR], "Gründe")
    act(
        app,
        service.cancel_lot,
        opened.tender_id,
        LotNo(2),
        CancellationReason.no_compliant_bid,
        "Kein Angebot.",
    )
    assert award_row(app, opened, 2).status is AwardStatus.cancelled


def test_a_final_lot_cannot_be_cancelled(app, opened):
    notified_tender(app, opened)
    act(app, service.finalise_lot, opened.tender_id, LotNo(1), now=STANDSTILL_END)
    with pytest.raises(Conflict):
        act(
            app,
            service.cancel_lot,
            opened.tender_id,
            LotNo(1),
            CancellationReason.fundamental_change,
            "Zu spät",
            now=STANDSTILL_END,
        )
    assert award_row(app, opened, 1).status is AwardStatus.final
    assert LEAD_COLLEAGUE  # a second officer exists for the page tests
