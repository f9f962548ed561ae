"""The receipt (Eingangsbestätigung, §10(1) Nr. 1 VgV): facts on screen, as PDF and by mail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from procurement.bids import receipt as receipt_module
from procurement.bids.models import Bid
from procurement.bids.receipt import ReceiptRenderer, receipt_data
from procurement.extensions import db
from tests.conftest import page_text
from tests.procurement.bids.conftest import BEFORE_DEADLINE, PRICE
from tests.procurement.tenders.conftest import VENDOR, pdf_bytes
from tests.procurement.tenders.conftest import user as load_user


def receipt_url(tender_id: int, bid_id: int) -> str:
    return f"/ausschreibungen/{tender_id}/angebot/{bid_id}/eingangsbestaetigung.pdf"


@pytest.fixture
def submitted(app, make_bid):  # type: ignore[no-untyped-def]
    return make_bid(
        VENDOR, files={"Angebot.pdf": pdf_bytes(1200), "Preisblatt.xlsx": b"PK\x03\x04" + b"1" * 96}
    )


def test_the_receipt_states_time_files_sizes_and_hashes_but_no_content(app, submitted, bid_tender):
    with app.test_request_context():
        bid = db.session.get(Bid, submitted)
        data = receipt_data(bid)
        assert data.receipt_id == bid.receipt_id
        assert data.tender_title == bid.tender.title
        assert data.vendor_name == bid.organisation.name
        assert data.submitted_by == load_user(VENDOR).name
        assert data.received_at == BEFORE_DEADLINE
        assert [(f.filename, f.size, f.sha256) for f in data.files] == [
            (f.filename, f.size, f.sha256) for f in bid.files
        ]
        assert [f.size for f in data.files] == [1200, 100]
    assert data.received_berlin == "24.12.2026 10:00:00 CET"
    assert data.received_utc == "2026-12-24 09:00:00 UTC"
    assert str(PRICE) not in repr(data)


def test_the_receipt_pdf_is_a_pdf_drawn_from_the_receipt_facts(
    app, client, auth, submitted, bid_tender, monkeypatch
):
    drawn = []
    original = ReceiptRenderer.render

    def spy(self, data):  # type: ignore[no-untyped-def]
        drawn.append(data)
        return original(self, data)

    monkeypatch.setattr(receipt_module.ReceiptRenderer, "render", spy)
    auth.login(VENDOR)
    response = client.get(receipt_url(bid_tender, submitted))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert len(drawn) == 1
    with app.app_context():
        assert drawn[0].receipt_id == db.session.get(Bid, submitted).receipt_id


def test_the_renderer_draws_long_names_and_many_files(app):
    from procurement.bids.receipt import ReceiptData, ReceiptFile

    data = ReceiptData(
        tender_title="Ampeln <&> Schilder",
        tender_reference="",
        lead_name="Talheim",
        vendor_name="Verkehrstechnik Süd GmbH",
        receipt_id="0b6c3f0e-0000-4000-8000-000000000000",
        received_at=datetime(2026, 12, 24, 9, 0, tzinfo=UTC),
        bid_deadline=datetime(2026, 12, 25, 9, 0, tzinfo=UTC),
        submitted_by="",
        files=tuple(ReceiptFile(f"Anlage {n} " + "x" * 100 + ".pdf", n, "ab" * 32) for n in range(60)),
    )
    with app.test_request_context():
        assert ReceiptRenderer().render(data).startswith(b"%PDF-")


def test_a_draft_has_no_receipt(app, client, auth, make_bid, bid_tender):
    draft = make_bid(VENDOR, submit=False)
    auth.login(VENDOR)
    assert client.get(receipt_url(bid_tender, draft)).status_code == 404


def test_the_bid_page_shows_the_receipt_after_submitting(
    app, client, auth, submitted, bid_tender, time_machine
):
    time_machine.move_to(BEFORE_DEADLINE, tick=False)
    auth.login(VENDOR)
    page = page_text(client.get(f"/ausschreibungen/{bid_tender}/angebot"))
    with app.app_context():
        bid = db.session.get(Bid, submitted)
        facts = [bid.receipt_id, *(f.sha256 for f in bid.files), *(f.filename for f in bid.files)]
    for fact in facts:
        assert fact in page
    assert "2026-12-24 09:00:00 UTC" in page
    assert "verschlüsselt" in page
    assert "48.213,57" not in page and str(PRICE) not in page
