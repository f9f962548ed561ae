"""Invoice all participants of an award; invoice numbers under concurrency; units; the billing profile."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select

from procurement.awards.models import Award, Contract
from procurement.database import utcnow
from procurement.extensions import db
from procurement.invoices import services
from procurement.invoices.models import BillingProfile, Invoice
from procurement.invoices.units import unit_code
from tests.conftest import audit_actions, count, page_text, submit
from tests.procurement.invoices.conftest import (
    IBAN,
    NOW,
    THIRD,
    VENDOR,
    Awarded,
    complete_billing_profile,
    user,
)
from workflows.invoice import InvoiceStatus


def invoice_all(app: Flask, award_id: int) -> tuple[list[str], list[str], int]:
    """Run the service; (issued numbers, contract numbers that failed, skipped count)."""
    with app.test_request_context():
        summary = services.invoice_all(user(VENDOR), db.session.get(Award, award_id), NOW)
        db.session.commit()
        return (
            [invoice.number for invoice in summary.issued],
            [contract.number for contract, _findings in summary.failed],
            len(summary.skipped),
        )


def stored_xml(app: Flask) -> list[bytes]:
    with app.app_context():
        return list(db.session.scalars(select(Invoice.xml).where(Invoice.status == InvoiceStatus.issued)))


def test_invoice_all_issues_one_valid_invoice_per_municipality_and_skips_them_the_second_time(
    app, client, auth, billing_profile: Awarded, official_fatal
):
    auth.login(VENDOR)
    url = f"/zuschlaege/{billing_profile.award_id}/rechnungen"
    response = submit(client, url, {})
    assert response.status_code == 200
    text = page_text(response)
    assert "Ausgestellt: 3 Rechnungen" in text and "Nicht ausgestellt: 0" in text
    with app.app_context():
        rows = db.session.scalars(select(Invoice).order_by(Invoice.number)).all()
        year = services.today_in_berlin(utcnow()).year  # the page issues today
        assert [row.number for row in rows] == [f"RE-{year}-{n:06d}" for n in (1, 2, 3)]
        assert {row.buyer_organisation_id for row in rows} == {
            db.session.get(Contract, cid).buyer_organisation_id for cid in billing_profile.contracts.values()
        }
        assert all(row.status is InvoiceStatus.issued and row.xml_valid for row in rows)
    for xml in stored_xml(app):
        assert official_fatal(xml) == []
    assert audit_actions(app).count("invoice.batch_issued") == 1
    again = submit(client, url, {}, form_url=url)
    assert "Übersprungen (schon eine Rechnung vorhanden): 3" in page_text(again)
    assert count(app, Invoice) == 3


def test_invoice_all_for_33_municipalities_in_worker_processes_gives_valid_gapless_numbers(
    app, make_award, official_fatal
):
    awarded = make_award(extra=30)
    with app.app_context():
        complete_billing_profile(awarded.vendor_organisation_id)
        db.session.commit()
    workers = app.config["INVOICE_VALIDATION_WORKERS"]
    app.config.update(INVOICE_PARALLEL_MIN=10, INVOICE_VALIDATION_WORKERS=2)
    try:
        issued, failed, skipped = invoice_all(app, awarded.award_id)
    finally:
        app.config.pop("INVOICE_PARALLEL_MIN")
        app.config["INVOICE_VALIDATION_WORKERS"] = workers
    assert (len(issued), failed, skipped) == (33, [], 0)
    assert issued == [f"RE-2027-{n:06d}" for n in range(1, 34)]
    documents = stored_xml(app)
    assert len(documents) == 33
    for xml in documents:
        assert official_fatal(xml) == []


def test_a_municipality_with_a_broken_leitweg_id_fails_alone_and_leaves_no_gap(app, billing_profile: Awarded):
    with app.app_context():
        contract = db.session.get(Contract, billing_profile.contracts[THIRD])
        contract.leitweg_id = "01058099-28"
        broken = contract.number
        db.session.commit()
    issued, failed, skipped = invoice_all(app, billing_profile.award_id)
    assert issued == ["RE-2027-000001", "RE-2027-000002"]
    assert failed == [broken] and skipped == 0
    with app.app_context():
        draft = db.session.scalars(
            select(Invoice).where(Invoice.contract_id == billing_profile.contracts[THIRD])
        ).one()
        assert draft.status is InvoiceStatus.draft and services.is_draft_number(draft.number)
        assert any(f["rule_id"].startswith("LEITWEG-ID") for f in draft.findings)


def test_invoice_all_without_billing_data_issues_nothing(app, client, auth, awarded: Awarded):
    auth.login(VENDOR)
    url = f"/zuschlaege/{awarded.award_id}/rechnungen"
    response = submit(client, url, {})
    assert response.status_code == 302
    assert "Rechnungsdaten" in page_text(client.get(url))
    assert count(app, Invoice) == 0


def test_numbers_stay_unique_and_sequential_when_several_invoices_are_issued_at_once(app, billing_profile):
    with app.test_request_context():
        actor = user(VENDOR)
        ids = []
        for contract_id in list(billing_profile.contracts.values()) * 2:
            contract = db.session.get(Contract, contract_id)
            ids.append(services.create_invoice(actor, contract, services.prefill(contract, NOW), NOW).id)
        db.session.commit()
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(ids))

    def issue(invoice_id: int) -> None:
        try:
            with app.test_request_context():
                barrier.wait()
                invoice = db.session.get(Invoice, invoice_id)
                services.issue_invoice(user(VENDOR), invoice, NOW)
                db.session.commit()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=issue, args=(invoice_id,)) for invoice_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        numbers = sorted(db.session.scalars(select(Invoice.number)))
    assert numbers == [f"RE-2027-{n:06d}" for n in range(1, len(ids) + 1)]


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("Stück", "H87"),
        ("Stk.", "H87"),
        ("Stunde", "HUR"),
        ("Tag", "DAY"),
        ("Monat", "MON"),
        ("je Jahr", "ANN"),
        ("pauschal", "LS"),
        ("kg", "KGM"),
        ("m", "MTR"),
        ("m²", "MTK"),
        ("l", "LTR"),
        ("kWh", "KWH"),
        ("HUR", "HUR"),
        ("Lizenzpaket", "C62"),
        ("", "C62"),
    ],
)
def test_free_text_units_map_to_un_ece_rec_20_codes(unit, code):
    assert unit_code(unit) == code


def test_the_contract_unit_becomes_the_code_of_the_pre_filled_line(app, make_award):
    awarded = make_award(unit="Stunde")
    with app.app_context():
        contract = db.session.get(Contract, awarded.contract_id)
        assert services.prefill(contract, NOW).lines[0].unit_code == "HUR"


# --- billing profile ---------------------------------------------------------------------------


PROFILE = {
    "iban": "DE02 1203 0000 0000 2020 51",
    "bic": "BYLADEM1001",
    "account_name": "Verkehrstechnik Süd GmbH",
    "tax_number": "93815/08152",
    "vat_id": "",
    "contact_name": "Viktor Verkehr",
    "contact_phone": "+49 711 555 0100",
    "contact_email": "rechnung@verkehrstechnik-sued.example",
    "electronic_address": "",
    "payment_terms_days": "14",
}


def test_the_billing_profile_is_saved_with_a_normalised_iban(app, client, auth, demo):
    auth.login(VENDOR)
    response = submit(client, "/rechnungsdaten", PROFILE)
    assert response.status_code == 302
    with app.app_context():
        profile = db.session.get(BillingProfile, user(VENDOR).organisation_id)
        assert (profile.iban, profile.payment_terms_days) == (IBAN, 14)
        assert user(VENDOR).organisation.vat_id == "DE817902350"  # kept: the field was left blank
    assert "billing_profile.saved" in audit_actions(app)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("iban", "DE03120300000000202051", "Die IBAN ist ungültig"),
        ("iban", "DE0212030000000020205", "Die IBAN ist ungültig"),
        ("bic", "BYLA1", "8 oder 11 Zeichen"),
        ("contact_email", "keine-adresse", "gültige E-Mail-Adresse"),
    ],
)
def test_a_wrong_iban_bic_or_email_is_refused(app, client, auth, demo, field, value, message):
    auth.login(VENDOR)
    response = submit(client, "/rechnungsdaten", PROFILE | {field: value})
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(app, BillingProfile) == 0


def test_the_due_date_of_a_new_invoice_follows_the_payment_terms(app, billing_profile):
    with app.app_context():
        db.session.get(BillingProfile, billing_profile.vendor_organisation_id).payment_terms_days = 14
        db.session.commit()
        data = services.prefill(db.session.get(Contract, billing_profile.contract_id), NOW)
        assert (data.due_date - data.issue_date).days == 14
