"""Vendors prepare, submit, supersede and withdraw sealed bids; nothing is kept in clear."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import select, text

from procurement.audit.models import AuditEntry
from procurement.bids import services
from procurement.bids.models import Bid, BidFile
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.tenders.models import Tender
from tests.conftest import audit_actions, count, csrf_token, one, page_text, submit
from tests.procurement.bids.conftest import AFTER_DEADLINE, BEFORE_DEADLINE, DEADLINE, PRICE
from tests.procurement.tenders.conftest import LEAD, OTHER_VENDOR, VENDOR, pdf_bytes, user
from workflows.bid import BidStatus

SECRET_FILE_TEXT = b"Kalkulation streng vertraulich 7731"


def bid_url(tender_id: int) -> str:
    return f"/ausschreibungen/{tender_id}/angebot"


@pytest.fixture
def ctx(app):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        yield
        db.session.rollback()


def tender_of(tender_id: int) -> Tender:
    return db.session.get(Tender, tender_id)


def draft_for(tender_id: int, email: str = VENDOR) -> Bid:
    return services.get_or_create_draft(user(email), tender_of(tender_id), BEFORE_DEADLINE)


def lot_ids(tender_id: int) -> list[int]:
    return [lot.id for lot in tender_of(tender_id).lots]


# --- drafts ----------------------------------------------------------------------------------------


def test_a_vendor_organisation_has_one_draft_per_tender(app, bid_tender, ctx):
    first = draft_for(bid_tender)
    assert draft_for(bid_tender) is first
    assert draft_for(bid_tender, OTHER_VENDOR) is not first
    assert first.status is BidStatus.draft


def test_officers_do_not_prepare_bids(app, bid_tender, ctx):
    with pytest.raises(PermissionDenied):
        draft_for(bid_tender, LEAD)


def test_no_draft_for_a_tender_that_is_not_published(app, public_tender, bid_config, ctx):
    tender_id = public_tender(published=False)
    with pytest.raises(Conflict):
        draft_for(tender_id)


def test_no_draft_after_the_deadline(app, bid_tender, ctx):
    with pytest.raises(services.LateSubmission):
        services.get_or_create_draft(user(VENDOR), tender_of(bid_tender), DEADLINE)


def test_the_draft_is_sealed_and_only_its_vendor_reads_it_back(app, bid_tender, ctx):
    bid = draft_for(bid_tender)
    tender = tender_of(bid_tender)
    quality = next(c.id for c in tender.criteria if c.kind.value == "quality")
    data = services.BidData(
        prices={lot_ids(bid_tender)[1]: PRICE},
        answers={quality: "Wartung binnen 24 Stunden"},
        consortium=["Verkehrstechnik Süd GmbH", " Tiefbau Nord KG "],
    )
    services.save_draft(user(VENDOR), bid, data, BEFORE_DEADLINE)
    assert bid.has_prices
    assert str(PRICE).encode() not in bid.content_sealed
    assert b"Wartung" not in bid.content_sealed
    back = services.draft_content(user(VENDOR), bid)
    assert back.prices == {lot_ids(bid_tender)[1]: PRICE}
    assert back.answers == {quality: "Wartung binnen 24 Stunden"}
    assert back.consortium == ["Verkehrstechnik Süd GmbH", "Tiefbau Nord KG"]
    with pytest.raises(NotFound):
        services.draft_content(user(OTHER_VENDOR), bid)
    with pytest.raises(NotFound):
        services.draft_content(user(LEAD), bid)


def test_every_save_uses_a_new_data_key(app, bid_tender, ctx):
    bid = draft_for(bid_tender)
    data = services.BidData(prices={lot_ids(bid_tender)[0]: PRICE})
    services.save_draft(user(VENDOR), bid, data, BEFORE_DEADLINE)
    first = bid.content_key_wrapped, bid.content_sealed
    services.save_draft(user(VENDOR), bid, data, BEFORE_DEADLINE)
    assert bid.content_key_wrapped != first[0] and bid.content_sealed != first[1]


@pytest.mark.parametrize(
    "price", [Decimal("0"), Decimal("-5"), Decimal("1.234"), Decimal("100000000000.00"), Decimal("NaN")]
)
def test_implausible_prices_are_refused(app, bid_tender, ctx, price):
    bid = draft_for(bid_tender)
    with pytest.raises(DomainError) as refused:
        services.save_draft(
            user(VENDOR), bid, services.BidData(prices={lot_ids(bid_tender)[0]: price}), BEFORE_DEADLINE
        )
    assert refused.value.status_code == 422


def test_a_price_for_a_lot_that_does_not_exist_is_refused(app, bid_tender, public_tender, ctx):
    other_tender = public_tender(lots=1)
    bid = draft_for(bid_tender)
    for lot_id in (lot_ids(other_tender)[0], 999_999):
        with pytest.raises(DomainError) as refused:
            services.save_draft(user(VENDOR), bid, services.BidData(prices={lot_id: PRICE}), BEFORE_DEADLINE)
        assert refused.value.status_code == 422
    assert bid.content_sealed is None


def test_answers_only_for_the_quality_criteria_of_the_tender(app, bid_tender, ctx):
    bid = draft_for(bid_tender)
    price_criterion = next(c.id for c in tender_of(bid_tender).criteria if c.kind.value == "price")
    for criterion_id in (price_criterion, 999_999):
        with pytest.raises(DomainError):
            services.save_draft(
                user(VENDOR), bid, services.BidData(answers={criterion_id: "x"}), BEFORE_DEADLINE
            )


def test_file_names_lose_control_characters_and_paths(app, bid_tender, ctx):
    bid = draft_for(bid_tender)
    added = services.add_file(
        user(VENDOR),
        bid,
        "../\x00An\ngebot\u202e.pdf",
        BytesIO(pdf_bytes()),
        BEFORE_DEADLINE,
        clock=lambda: BEFORE_DEADLINE,
    )
    assert added.filename == "Angebot.pdf"


def test_files_are_deleted_from_drafts_only(app, bid_tender, make_bid, bid_config):
    bid_id = make_bid(VENDOR, submit=False, files={"A.pdf": pdf_bytes(), "B.pdf": pdf_bytes()})
    with app.test_request_context():
        bid = db.session.get(Bid, bid_id)
        key = bid.files[0].storage_key
        services.delete_file(user(VENDOR), bid.files[0], BEFORE_DEADLINE)
        db.session.commit()
        assert [f.filename for f in bid.files] == ["B.pdf"]
        assert not (bid_config / key[:2] / key).exists()
        services.submit_bid(user(VENDOR), bid, BEFORE_DEADLINE)
        db.session.commit()
        with pytest.raises(Conflict):
            services.delete_file(user(VENDOR), bid.files[0], BEFORE_DEADLINE)
    assert "bid.file_deleted" in audit_actions(app)


# --- submission ------------------------------------------------------------------------------------


def test_submitting_seals_the_bid_with_the_time_of_receipt_and_mails_a_receipt(app, make_bid, mailbox):
    bid_id = make_bid(VENDOR, files={"Angebot.pdf": pdf_bytes() + SECRET_FILE_TEXT})
    bid = one(app, Bid, Bid.id == bid_id)
    assert bid.status is BidStatus.submitted
    assert bid.submitted_at == BEFORE_DEADLINE
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "bid.submitted")).one()
        after = json.loads(entry.after)
        files = db.session.scalars(select(BidFile)).all()
        assert after["receipt_id"] == bid.receipt_id
        assert after["files"] == [
            {"filename": "Angebot.pdf", "size": files[0].size, "sha256": files[0].sha256}
        ]
        assert str(PRICE) not in entry.after
    # the receipt mail goes out after a request; here it waits in the outbox
    with app.app_context():
        from procurement.mail.models import OutboxMail

        mail = db.session.scalars(select(OutboxMail)).one()
        assert mail.recipient == VENDOR
        assert bid.receipt_id in mail.body and files[0].sha256 in mail.body
        assert "/eingangsbestaetigung.pdf" in mail.body
        assert str(PRICE) not in mail.body and "48.213,57" not in mail.body


def test_a_submitted_bid_is_sealed_even_for_its_vendor(app, make_bid, ctx):
    bid = db.session.get(Bid, make_bid(VENDOR))
    with pytest.raises(PermissionDenied):
        services.draft_content(user(VENDOR), bid)


def test_a_bid_needs_a_price_and_a_file(app, make_bid, ctx):
    no_file = db.session.get(Bid, make_bid(VENDOR, files={}, submit=False))
    with pytest.raises(DomainError) as refused:
        services.submit_bid(user(VENDOR), no_file, BEFORE_DEADLINE)
    assert refused.value.status_code == 422
    assert no_file.status is BidStatus.draft


def test_submitting_twice_is_a_conflict(app, make_bid, ctx):
    bid = db.session.get(Bid, make_bid(VENDOR))
    with pytest.raises(Conflict):
        services.submit_bid(user(VENDOR), bid, BEFORE_DEADLINE)


def test_another_vendor_cannot_submit_or_withdraw_a_bid(app, make_bid, ctx):
    draft = db.session.get(Bid, make_bid(VENDOR, submit=False))
    with pytest.raises(NotFound):
        services.submit_bid(user(OTHER_VENDOR), draft, BEFORE_DEADLINE)
    with pytest.raises(NotFound):
        services.add_file(user(OTHER_VENDOR), draft, "x.pdf", BytesIO(pdf_bytes()), BEFORE_DEADLINE)


def test_a_submission_received_one_second_after_the_deadline_is_refused(app, make_bid, ctx):
    bid = db.session.get(Bid, make_bid(VENDOR, submit=False))
    with pytest.raises(services.LateSubmission) as refused:
        services.submit_bid(user(VENDOR), bid, AFTER_DEADLINE)
    assert refused.value.message == (
        "Ihr Angebot ist um 10:00:01 Uhr eingegangen, nach Ablauf der Frist um 10:00:00 Uhr; "
        "es wurde nicht angenommen."
    )
    assert refused.value.status_code == 409
    assert bid.status is BidStatus.draft and bid.submitted_at is None


def test_the_deadline_second_itself_is_too_late(app, make_bid, ctx):
    bid = db.session.get(Bid, make_bid(VENDOR, submit=False))
    with pytest.raises(services.LateSubmission):
        services.submit_bid(user(VENDOR), bid, DEADLINE)
    db.session.rollback()  # as the request would: the tender's move to the opening is undone too
    bid = db.session.get(Bid, bid.id)
    services.submit_bid(user(VENDOR), bid, DEADLINE - timedelta(microseconds=1))
    assert bid.status is BidStatus.submitted


def test_a_newer_bid_supersedes_the_earlier_and_both_stay_recorded(app, make_bid):
    first = make_bid(VENDOR, prices={1: Decimal("100.00")})
    second = make_bid(VENDOR, prices={1: Decimal("90.00")}, now=BEFORE_DEADLINE + timedelta(hours=1))
    other = make_bid(OTHER_VENDOR)
    assert one(app, Bid, Bid.id == first).status is BidStatus.superseded
    assert one(app, Bid, Bid.id == second).status is BidStatus.submitted
    assert one(app, Bid, Bid.id == other).status is BidStatus.submitted
    assert audit_actions(app).count("bid.superseded") == 1
    assert count(app, Bid) == 3


def test_a_vendor_withdraws_before_the_deadline_and_may_submit_again(app, make_bid):
    bid_id = make_bid(VENDOR)
    with app.test_request_context():
        bid = db.session.get(Bid, bid_id)
        services.withdraw_bid(user(VENDOR), bid, BEFORE_DEADLINE + timedelta(minutes=1))
        db.session.commit()
    withdrawn = one(app, Bid, Bid.id == bid_id)
    assert withdrawn.status is BidStatus.withdrawn
    assert withdrawn.withdrawn_at == BEFORE_DEADLINE + timedelta(minutes=1)
    assert "bid.withdrawn" in audit_actions(app)
    again = make_bid(VENDOR, now=BEFORE_DEADLINE + timedelta(minutes=2))
    assert one(app, Bid, Bid.id == again).status is BidStatus.submitted
    assert one(app, Bid, Bid.id == bid_id).status is BidStatus.withdrawn


def test_no_withdrawal_after_the_deadline(app, make_bid, ctx):
    bid = db.session.get(Bid, make_bid(VENDOR))
    with pytest.raises(services.LateSubmission):
        services.withdraw_bid(user(VENDOR), bid, DEADLINE)
    assert bid.status is BidStatus.submitted


# --- nothing in clear ------------------------------------------------------------------------------


def test_the_database_and_the_storage_hold_no_price_and_no_file_content_in_clear(app, make_bid, bid_config):
    make_bid(VENDOR, files={"Angebot.pdf": pdf_bytes() + SECRET_FILE_TEXT}, submit=False)
    make_bid(OTHER_VENDOR, files={"Angebot.pdf": pdf_bytes() + SECRET_FILE_TEXT})
    needles = [str(PRICE).encode(), b"48.213,57", SECRET_FILE_TEXT, b"Wartung binnen"]
    with app.app_context():
        for table in ("bids", "bid_files", "tender_keys", "audit_entries", "outbox_mails"):
            exists = db.session.execute(
                text("SELECT 1 FROM information_schema.tables WHERE table_name = :t")
                if db.engine.dialect.name == "postgresql"
                else text("SELECT 1 FROM sqlite_master WHERE name = :t"),
                {"t": table},
            ).first()
            assert exists, table
            rows = db.session.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608 - fixed names
            assert rows or table == "outbox_mails", table
            for row in rows:
                raw = b"".join(
                    bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
                    for value in row
                )
                for needle in needles:
                    assert needle not in raw, f"{needle!r} in clear in {table}"
    blobs = [path.read_bytes() for path in bid_config.rglob("*") if path.is_file()]
    for blob in blobs:
        for needle in needles:
            assert needle not in blob


# --- the pages -----------------------------------------------------------------------------------


class LotRef:
    def __init__(self, lot_id: int) -> None:
        self.id = lot_id


def first_lot(app, tender_id: int) -> list[LotRef]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [LotRef(lot_id) for lot_id in lot_ids(tender_id)]


def login_vendor(auth, time_machine, email=VENDOR):  # type: ignore[no-untyped-def]
    time_machine.move_to(BEFORE_DEADLINE, tick=False)
    auth.login(email)


def test_the_vendor_saves_a_draft_with_german_numbers_and_sees_it_again(
    app, client, auth, bid_tender, time_machine
):
    login_vendor(auth, time_machine)
    lots = first_lot(app, bid_tender)
    response = submit(
        client,
        bid_url(bid_tender),
        {f"price_{lots[0].id}": "48.213,57", "consortium": "Verkehrstechnik Süd GmbH\nTiefbau Nord KG"},
    )
    assert response.status_code == 302
    page = client.get(bid_url(bid_tender)).get_data(as_text=True)
    assert 'value="48.213,57"' in page
    assert "Tiefbau Nord KG" in page
    assert audit_actions(app)[-2:] == ["bid.draft_created", "bid.draft_saved"]


def test_a_wrong_number_is_shown_at_its_field(app, client, auth, bid_tender, time_machine):
    login_vendor(auth, time_machine)
    lots = first_lot(app, bid_tender)
    response = submit(client, bid_url(bid_tender), {f"price_{lots[0].id}": "viel"})
    assert response.status_code == 422
    assert f'id="price_{lots[0].id}-error"' in response.get_data(as_text=True)
    assert count(app, Bid) == 0


def test_a_zero_price_is_refused_on_the_page(app, client, auth, bid_tender, time_machine):
    login_vendor(auth, time_machine)
    lots = first_lot(app, bid_tender)
    response = submit(client, bid_url(bid_tender), {f"price_{lots[0].id}": "0"})
    assert response.status_code == 422
    assert "größer als 0" in page_text(response)


def test_the_vendor_submits_and_sees_the_receipt_then_double_submit_is_409(
    app, client, auth, make_bid, bid_tender, time_machine, mailbox
):
    bid_id = make_bid(VENDOR, submit=False)
    login_vendor(auth, time_machine)
    token = csrf_token(client, bid_url(bid_tender))
    url = f"{bid_url(bid_tender)}/{bid_id}/abgeben"
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 302
    bid = one(app, Bid, Bid.id == bid_id)
    assert bid.status is BidStatus.submitted
    assert bid.submitted_at == BEFORE_DEADLINE
    page = page_text(client.get(bid_url(bid_tender)))
    assert "Eingangsbestätigung" in page and bid.receipt_id in page
    assert "24.12.2026, 10:00:00" in page  # server time of receipt, Europe/Berlin
    again = client.post(url, data={"csrf_token": token})
    assert again.status_code == 409
    assert count(app, Bid, Bid.status == BidStatus.submitted) == 1
    mails = mailbox.to(VENDOR)
    assert len(mails) == 1 and bid.receipt_id in mails[0].get_content()


def test_the_vendor_withdraws_on_the_page(app, client, auth, make_bid, bid_tender, time_machine, mailbox):
    bid_id = make_bid(VENDOR)
    login_vendor(auth, time_machine)
    response = submit(
        client, f"{bid_url(bid_tender)}/{bid_id}/zurueckziehen", {}, form_url=bid_url(bid_tender)
    )
    assert response.status_code == 302
    assert one(app, Bid, Bid.id == bid_id).status is BidStatus.withdrawn
    assert "zurückgezogen" in mailbox.to(VENDOR)[-1]["Subject"]


def test_the_notice_links_vendors_to_the_bid_page_while_published(
    app, client, auth, bid_tender, time_machine
):
    login_vendor(auth, time_machine)
    page = client.get(f"/ausschreibungen/{bid_tender}").get_data(as_text=True)
    assert f'href="{bid_url(bid_tender)}"' in page
    time_machine.move_to(DEADLINE + timedelta(minutes=1), tick=False)
    auth.login(VENDOR)
    page = client.get(f"/ausschreibungen/{bid_tender}").get_data(as_text=True)
    assert f'href="{bid_url(bid_tender)}"' not in page


def test_my_bids_lists_the_organisations_bids_only(app, client, auth, make_bid, time_machine):
    own = one(app, Bid, Bid.id == make_bid(VENDOR))
    other = one(app, Bid, Bid.id == make_bid(OTHER_VENDOR))
    login_vendor(auth, time_machine)
    page = page_text(client.get("/angebote"))
    assert own.receipt_id in page
    assert other.receipt_id not in page


def test_two_simultaneous_first_uploads_of_a_vendor_make_one_draft(app, bid_tender):
    import threading
    import time

    barrier = threading.Barrier(2)
    made: list[int] = []
    errors: list[BaseException] = []

    def first_upload() -> None:
        try:
            with app.test_request_context():
                tender = tender_of(bid_tender)
                actor = user(VENDOR)
                barrier.wait()
                draft = services.get_or_create_draft(actor, tender, BEFORE_DEADLINE)
                time.sleep(0.2)  # the other request arrives meanwhile
                made.append(draft.id)
                db.session.commit()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=first_upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert made[0] == made[1]
    assert count(app, Bid) == 1
