"""The municipality's inbox and settling: only its own received invoices, filters, sums, pages;
mark paid with a payment date or reject with a reason (machine, audit, mail); refusals; access.

Received invoices are written directly into the database in the state the tests need (a
documented shortcut: issuing and sending are the vendor's services, tested beside them); paying
and rejecting go through the views and ``procurement.invoices.inbox``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask, render_template_string
from flask_login import login_user
from sqlalchemy import select

from procurement.audit.models import AuditEntry
from procurement.awards.models import Contract
from procurement.extensions import db
from procurement.invoices.models import Invoice, InvoiceKind
from tests.conftest import csrf_token, one, page_text
from tests.procurement.invoices.conftest import (
    BUYER,
    BUYER_AUDITOR,
    BUYER_COLLEAGUE,
    BUYER_REQUESTER,
    CURATOR,
    LEAD_OFFICER,
    NOW,
    OTHER_MUNICIPALITY,
    OTHER_VENDOR,
    PARTNER,
    THIRD,
    VENDOR,
    Awarded,
    user,
)
from workflows.invoice import InvoiceStatus

INBOX = "/rechnungen/eingang"
BERLIN = ZoneInfo("Europe/Berlin")
ISSUED_ON = date(2027, 2, 20)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def make_invoice(app: Flask, awarded: Awarded) -> Callable[..., int]:
    """Return a factory: an invoice of ``awarded``'s vendor to ``buyer``, in ``status``; its id."""
    numbers = iter(range(1, 100_000))

    def make(
        buyer: str = BUYER,
        status: InvoiceStatus = InvoiceStatus.sent,
        payable: str = "38080.00",
        issue_date: date = ISSUED_ON,
        sent_hours_ago: int = 24,
        kind: InvoiceKind = InvoiceKind.invoice,
        contract_id: int | None = None,
        number: str | None = None,
    ) -> int:
        with app.app_context():
            contract = db.session.get(Contract, contract_id or awarded.contracts[buyer])
            amount = Decimal(payable)
            sent_at = NOW - timedelta(hours=sent_hours_ago)
            invoice = Invoice(
                kind=kind,
                number=number or f"RE-2027-{next(numbers):05d}",
                status=status,
                contract_id=contract.id,
                tender_id=contract.tender_id,
                vendor_organisation_id=contract.vendor_organisation_id,
                buyer_organisation_id=contract.buyer_organisation_id,
                issue_date=issue_date,
                due_date=issue_date + timedelta(days=30),
                currency="EUR",
                net_total=(amount / Decimal("1.19")).quantize(Decimal("0.01")),
                vat_total=amount - (amount / Decimal("1.19")).quantize(Decimal("0.01")),
                gross_total=amount,
                payable_amount=amount,
                xml=b"<Invoice/>",
                xml_valid=True,
                validation_level="official",
                issued_at=sent_at - timedelta(hours=1) if status is not InvoiceStatus.draft else None,
                sent_at=sent_at
                if status in (InvoiceStatus.sent, InvoiceStatus.paid, InvoiceStatus.rejected)
                else None,
                paid_at=sent_at + timedelta(hours=1) if status is InvoiceStatus.paid else None,
                rejected_at=sent_at + timedelta(hours=1) if status is InvoiceStatus.rejected else None,
                rejection_reason="Menge falsch" if status is InvoiceStatus.rejected else "",
                created_at=sent_at - timedelta(hours=2),
                updated_at=sent_at,
            )
            db.session.add(invoice)
            db.session.commit()
            return invoice.id

    return make


def numbers_shown(response) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r'data-invoice="([^"]+)"', response.get_data(as_text=True))


def sums_shown(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True)
    table = html[html.index('id="inbox-sums"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'data-status="(\w+)">(.*?)</tr>', table, flags=re.S)
    return {status: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells)).strip() for status, cells in rows}


def settle(client, invoice_id: int, **data: Any):  # type: ignore[no-untyped-def]
    payload = {"csrf_token": csrf_token(client, INBOX), **data}
    return client.post(f"/rechnungen/{invoice_id}/erledigen", data=payload)


def load(app: Flask, invoice_id: int) -> Invoice:
    return one(app, Invoice, Invoice.id == invoice_id)


# --- the inbox -------------------------------------------------------------------------------


def test_inbox_shows_only_the_municipalitys_received_invoices(app, auth, make_invoice):
    sent = make_invoice(number="RE-SENT")
    make_invoice(number="RE-PAID", status=InvoiceStatus.paid)
    make_invoice(number="RE-REJECTED", status=InvoiceStatus.rejected)
    make_invoice(number="RE-DRAFT", status=InvoiceStatus.draft)
    make_invoice(number="RE-ISSUED", status=InvoiceStatus.issued)
    make_invoice(number="RE-BIRKENFELDE", buyer=PARTNER)
    make_invoice(number="RE-NORDHAFEN", buyer=THIRD)
    auth.login(BUYER)
    response = auth.client.get(INBOX)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert sorted(numbers_shown(response)) == ["RE-PAID", "RE-REJECTED", "RE-SENT"]
    assert f'/rechnungen/{sent}"' in response.get_data(as_text=True) or "RE-SENT" in page_text(response)
    auth.logout()
    auth.login(PARTNER)
    assert numbers_shown(auth.client.get(INBOX)) == ["RE-BIRKENFELDE"]


def test_auditor_sees_the_inbox_and_the_lead_of_the_tender_sees_none_of_it(app, auth, make_invoice):
    make_invoice(number="RE-TALHEIM")
    auth.login(BUYER_AUDITOR)
    assert numbers_shown(auth.client.get(INBOX)) == ["RE-TALHEIM"]
    auth.logout()
    auth.login(LEAD_OFFICER)  # Wiesental runs the tender but has no contract
    response = auth.client.get(INBOX)
    assert response.status_code == 200 and numbers_shown(response) == []
    assert "Keine Rechnungen" in page_text(response)


def test_newest_received_first(app, auth, make_invoice):
    make_invoice(number="RE-OLD", sent_hours_ago=72)
    make_invoice(number="RE-NEW", sent_hours_ago=1)
    make_invoice(number="RE-MIDDLE", sent_hours_ago=30)
    auth.login(BUYER)
    assert numbers_shown(auth.client.get(INBOX)) == ["RE-NEW", "RE-MIDDLE", "RE-OLD"]


def test_filters_by_status_vendor_and_period(app, auth, make_invoice, make_award):
    other = make_award(vendor=OTHER_VENDOR)
    make_invoice(number="RE-FEB", issue_date=date(2027, 2, 10))
    make_invoice(number="RE-JAN-PAID", issue_date=date(2027, 1, 15), status=InvoiceStatus.paid)
    make_invoice(number="RE-OTHER", contract_id=other.contracts[BUYER], issue_date=date(2027, 2, 12))
    with app.app_context():
        vendor_id = user(VENDOR).organisation_id
        other_id = user(OTHER_VENDOR).organisation_id
    auth.login(BUYER)
    client = auth.client
    assert numbers_shown(client.get(INBOX, query_string={"status": "paid"})) == ["RE-JAN-PAID"]
    assert sorted(numbers_shown(client.get(INBOX, query_string={"status": "sent"}))) == ["RE-FEB", "RE-OTHER"]
    assert numbers_shown(client.get(INBOX, query_string={"vendor": other_id})) == ["RE-OTHER"]
    assert "RE-OTHER" not in numbers_shown(client.get(INBOX, query_string={"vendor": vendor_id}))
    february = {"issued_from": "2027-02-01", "issued_until": "2027-02-28"}
    assert sorted(numbers_shown(client.get(INBOX, query_string=february))) == ["RE-FEB", "RE-OTHER"]
    january_only = {"issued_until": "2027-01-31"}
    assert numbers_shown(client.get(INBOX, query_string=january_only)) == ["RE-JAN-PAID"]
    # the vendor filter offers the vendors that sent invoices, and nothing invalid breaks the page
    page = client.get(INBOX)
    assert "Energienetz" in page_text(page) or "energienetz" in page.get_data(as_text=True).lower()
    nonsense = client.get(INBOX, query_string={"status": "draft", "vendor": "x", "issued_from": "gestern"})
    assert nonsense.status_code == 200
    assert len(numbers_shown(nonsense)) == 3


def test_sums_per_status_are_exact_and_credit_notes_reduce_them(app, auth, make_invoice):
    make_invoice(payable="0.10")
    make_invoice(payable="0.20")
    make_invoice(payable="1000000.01")
    make_invoice(payable="100.00", kind=InvoiceKind.credit_note)
    make_invoice(payable="19.99", status=InvoiceStatus.paid)
    make_invoice(payable="5.00", status=InvoiceStatus.rejected)
    make_invoice(payable="777.00", buyer=PARTNER)
    with app.test_request_context():
        from procurement.invoices.inbox import InboxFilter, inbox_sums

        sums = {entry.status: entry for entry in inbox_sums(user(BUYER), InboxFilter())}
    assert sums[InvoiceStatus.sent].count == 4
    assert sums[InvoiceStatus.sent].amounts == {"EUR": Decimal("999900.31")}
    assert sums[InvoiceStatus.paid].amounts == {"EUR": Decimal("19.99")}
    assert sums[InvoiceStatus.rejected].amounts == {"EUR": Decimal("5.00")}
    auth.login(BUYER)
    shown = sums_shown(auth.client.get(INBOX, query_string={"status": "paid"}))
    assert shown["sent"] == "Eingegangen, offen 4 999.900,31 €"  # the status filter does not narrow the sums
    assert shown["paid"] == "Bezahlt 1 19,99 €"
    assert shown["rejected"] == "Zurückgewiesen 1 5,00 €"


def test_pages_of_fifty_keep_the_filters(app, auth, make_invoice):
    for n in range(53):
        make_invoice(number=f"RE-{n:03d}", sent_hours_ago=100 - n)
    make_invoice(number="RE-PAID", status=InvoiceStatus.paid)
    auth.login(BUYER)
    first = auth.client.get(INBOX, query_string={"status": "sent"})
    assert numbers_shown(first)[:2] == ["RE-052", "RE-051"] and len(numbers_shown(first)) == 50
    assert "53 Rechnungen" in page_text(first)
    link = re.search(r'href="(/rechnungen/eingang\?[^"]*seite=2[^"]*)"', first.get_data(as_text=True)).group(
        1
    )
    assert "status=sent" in link
    second = auth.client.get(link.replace("&amp;", "&"))
    assert numbers_shown(second) == ["RE-002", "RE-001", "RE-000"]


# --- settling --------------------------------------------------------------------------------


def test_officer_marks_an_invoice_paid_and_the_vendor_is_told(app, auth, make_invoice, mailbox):
    invoice_id = make_invoice(number="RE-PAY")
    version = load(app, invoice_id).version
    auth.login(BUYER)
    response = settle(auth.client, invoice_id, action="paid", payment_date="2027-02-27", version=version)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/rechnungen/{invoice_id}")
    invoice = load(app, invoice_id)
    assert invoice.status is InvoiceStatus.paid
    assert invoice.paid_at.astimezone(BERLIN).date() == date(2027, 2, 27)  # the day of the payment
    with app.app_context():
        assert invoice.paid_by_id == user(BUYER).id
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
        assert entry.action == "invoice.mark_paid"
        after = json.loads(entry.after) if isinstance(entry.after, str) else entry.after
        assert after["payment_date"] == "2027-02-27" and entry.actor_email == BUYER
    mails = mailbox.to(VENDOR)
    assert len(mails) == 1
    assert "RE-PAY" in mails[0]["Subject"] and "bezahlt" in mails[0]["Subject"]
    body = mails[0].get_content()
    assert "38.080,00\xa0€" in body and "27.02.2027" in body
    assert f"http://localhost/rechnungen/{invoice_id}" in body


def test_officer_rejects_with_a_reason_the_vendor_reads(app, auth, make_invoice, mailbox):
    invoice_id = make_invoice(number="RE-WRONG")
    auth.login(BUYER_COLLEAGUE)
    reason = "Die Leitweg-ID gehört nicht zu uns; bitte an 08111000-RECHNUNG-xx."
    response = settle(auth.client, invoice_id, action="reject", reason=f"  {reason}  ")
    assert response.status_code == 303
    invoice = load(app, invoice_id)
    assert invoice.status is InvoiceStatus.rejected
    assert invoice.rejection_reason == reason
    assert invoice.rejected_at == NOW
    with app.app_context():
        assert invoice.rejected_by_id == user(BUYER_COLLEAGUE).id
    mails = mailbox.to(VENDOR)
    assert len(mails) == 1 and "zurückgewiesen" in mails[0]["Subject"]
    assert reason in mails[0].get_content()


@pytest.mark.parametrize(
    ("payment_date", "message"),
    [
        ("2027-03-02", "nicht in der Zukunft"),  # tomorrow in Berlin
        ("2027-02-19", "nicht vor dem Rechnungsdatum (20.02.2027)"),
        ("", "Bitte geben Sie das Zahlungsdatum an"),
        ("31.02.2027", "Zahlungsdatum"),
    ],
)
def test_payment_date_must_lie_between_issue_date_and_today(
    app, auth, make_invoice, mailbox, payment_date, message
):
    invoice_id = make_invoice()
    auth.login(BUYER)
    response = settle(auth.client, invoice_id, action="paid", payment_date=payment_date)
    assert response.status_code == 422
    assert message in page_text(response)
    assert load(app, invoice_id).status is InvoiceStatus.sent
    assert mailbox.to(VENDOR) == []


def test_today_and_the_issue_date_are_allowed_payment_dates(app, auth, make_invoice):
    first, second = make_invoice(), make_invoice()
    auth.login(BUYER)
    assert settle(auth.client, first, action="paid", payment_date="2027-03-01").status_code == 303
    assert settle(auth.client, second, action="paid", payment_date=ISSUED_ON.isoformat()).status_code == 303


def test_rejection_needs_a_reason(app, auth, make_invoice, mailbox):
    invoice_id = make_invoice()
    auth.login(BUYER)
    response = settle(auth.client, invoice_id, action="reject", reason="   ")
    assert response.status_code == 422
    assert "warum Sie die Rechnung zurückweisen" in page_text(response)
    assert load(app, invoice_id).status is InvoiceStatus.sent
    assert mailbox.to(VENDOR) == []


@pytest.mark.parametrize("status", [InvoiceStatus.paid, InvoiceStatus.rejected])
def test_a_settled_invoice_cannot_be_settled_again(app, auth, make_invoice, mailbox, status):
    invoice_id = make_invoice(status=status)
    before = load(app, invoice_id)
    auth.login(BUYER)
    for data in ({"action": "paid", "payment_date": "2027-02-27"}, {"action": "reject", "reason": "doppelt"}):
        response = settle(auth.client, invoice_id, **data)
        assert response.status_code == 409
        assert "nicht möglich" in page_text(response)
    after = load(app, invoice_id)
    assert (after.status, after.version, after.paid_at, after.rejection_reason) == (
        before.status,
        before.version,
        before.paid_at,
        before.rejection_reason,
    )
    assert mailbox.to(VENDOR) == []


def test_a_stale_form_is_refused_with_409(app, auth, make_invoice):
    invoice_id = make_invoice()
    version = load(app, invoice_id).version
    with app.app_context():
        db.session.get(Invoice, invoice_id).note = "vom Auftragnehmer geändert"  # someone else's change
        db.session.commit()
    auth.login(BUYER)
    response = settle(auth.client, invoice_id, action="reject", reason="zu spät", version=version)
    assert response.status_code == 409
    assert "gerade geändert" in page_text(response) or "gerade bearbeitet" in page_text(response)
    assert load(app, invoice_id).status is InvoiceStatus.sent


def test_unknown_action_is_a_bad_request(app, auth, make_invoice):
    invoice_id = make_invoice()
    auth.login(BUYER)
    assert settle(auth.client, invoice_id, action="delete").status_code == 400
    assert load(app, invoice_id).status is InvoiceStatus.sent


def test_settle_without_csrf_token_changes_nothing(app, auth, make_invoice):
    invoice_id = make_invoice()
    auth.login(BUYER)
    response = auth.client.post(
        f"/rechnungen/{invoice_id}/erledigen", data={"action": "paid", "payment_date": "2027-02-27"}
    )
    assert response.status_code == 400
    assert load(app, invoice_id).status is InvoiceStatus.sent


def test_an_invoice_not_yet_sent_is_invisible_to_the_buyer(app, auth, make_invoice):
    invoice_id = make_invoice(status=InvoiceStatus.issued)
    auth.login(BUYER)
    assert settle(auth.client, invoice_id, action="paid", payment_date="2027-02-27").status_code == 404
    assert load(app, invoice_id).status is InvoiceStatus.issued


# --- the buyer's actions on the invoice page -------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "shown"),
    [
        (BUYER, InvoiceStatus.sent, True),
        (BUYER, InvoiceStatus.paid, False),
        (BUYER_AUDITOR, InvoiceStatus.sent, False),
        (VENDOR, InvoiceStatus.sent, False),
        (PARTNER, InvoiceStatus.sent, False),
    ],
)
def test_buyer_actions_partial_only_for_officers_of_the_buyer_while_open(
    app, make_invoice, who, status, shown
):
    invoice_id = make_invoice(status=status)
    with app.test_request_context():
        login_user(user(who))
        html = render_template_string(
            '{% include "invoices/_buyer_actions.html" %}', invoice=db.session.get(Invoice, invoice_id)
        )
    assert ("Als bezahlt markieren" in html) is shown
    assert ("Rechnung zurückweisen" in html) is shown
    if shown:
        assert f'action="/rechnungen/{invoice_id}/erledigen"' in html
        assert 'name="csrf_token"' in html and 'name="version"' in html
        assert 'value="2027-03-01"' in html  # today in Berlin is offered as the payment date


# --- who may do what -------------------------------------------------------------------------

ANONYMOUS = ""
# who -> (GET inbox, POST settle of Talheim's sent invoice)
EXPECTED = {
    ANONYMOUS: (302, 302),
    VENDOR: (403, 403),  # reads its own invoice, settles nothing
    OTHER_VENDOR: (403, 404),
    BUYER: (200, 303),
    BUYER_AUDITOR: (200, 403),  # reads, does not settle
    BUYER_REQUESTER: (403, 404),
    PARTNER: (200, 404),  # officer of another buyer of the same award
    LEAD_OFFICER: (200, 404),  # the tender's lead authority is not the buyer
    OTHER_MUNICIPALITY: (200, 404),
    CURATOR: (403, 404),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_access_matrix(app, client, auth, make_invoice, who):
    invoice_id = make_invoice(number="RE-MATRIX")
    if who:
        auth.login(who)
    inbox_status, settle_status = EXPECTED[who]
    response = client.get(INBOX)
    assert response.status_code == inbox_status
    if inbox_status == 200:
        shown = numbers_shown(response)
        assert shown == (["RE-MATRIX"] if who in (BUYER, BUYER_AUDITOR) else [])
    if inbox_status == 302:
        assert "/login" in response.headers["Location"]
    token = csrf_token(client, "/login" if not who else "/rechnungen/pruefen")
    response = client.post(
        f"/rechnungen/{invoice_id}/erledigen",
        data={"csrf_token": token, "action": "paid", "payment_date": "2027-02-27"},
    )
    assert response.status_code == settle_status
    expected = InvoiceStatus.paid if settle_status == 303 else InvoiceStatus.sent
    assert load(app, invoice_id).status is expected
    assert client.get(f"/rechnungen/{invoice_id}/erledigen").status_code in (302, 405)


@pytest.mark.parametrize(
    ("who", "shown"), [(BUYER, True), (BUYER_AUDITOR, True), (BUYER_REQUESTER, False), (VENDOR, False)]
)
def test_the_navigation_leads_officers_and_auditors_to_the_inbox(app, auth, demo, who, shown):
    auth.login(who)
    html = auth.client.get("/rechnungen/pruefen").get_data(as_text=True)
    assert ('href="/rechnungen/eingang"' in html) is shown
