"""Contracts per participant and lot: amounts, the §135 GWB guard, idempotency, PDF, audit, mail.

The awards are put in their final state directly in the database (a documented shortcut: the
award machine and its services are tested where they are built); everything from there on goes
through `procurement.awards.contracts`.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from procurement.accounts.models import Organisation, OrganisationKind
from procurement.audit.models import AuditEntry
from procurement.awards import contracts as service
from procurement.awards.contract_pdf import BERLIN
from procurement.awards.models import Award, Contract
from procurement.errors import Conflict
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.mail.services import send_pending
from procurement.storage import storage
from procurement.tenders.models import LotQuantity, Participant, ParticipantStatus, Tender
from tests.conftest import count
from tests.procurement.awards.conftest import AFTER_DEADLINE, LEAD, OTHER_VENDOR, VENDOR, Opened
from tests.procurement.tenders.conftest import PARTNER, user
from workflows.award import AwardStatus
from workflows.tender import TenderStatus

STANDSTILL_END = AFTER_DEADLINE + timedelta(days=12)
FINAL_AT = STANDSTILL_END + timedelta(minutes=5)
WINNERS = {1: VENDOR, 2: OTHER_VENDOR}  # lot 1: 48.000,00 €; lot 2: 1.100,00 €


def put_final(
    app: Flask,
    opened: Opened,
    lots: tuple[int, ...] = (1, 2),
    status: AwardStatus = AwardStatus.final,
    finalised_at=FINAL_AT,  # type: ignore[no-untyped-def]
    standstill_ends_at=STANDSTILL_END,  # type: ignore[no-untyped-def]
) -> dict[int, int]:
    """Final awards (winner per WINNERS) written directly; the tender ``awarded``. Lot number -> award id."""
    ids = {}
    with app.app_context():
        tender = db.session.get(Tender, opened.tender_id)
        for number in lots:
            award = Award(
                tender_id=tender.id,
                lot_id=opened.lots[number],
                bid_id=opened.bids[WINNERS[number]],
                status=status,
                reasons="wirtschaftlichstes Angebot",
                proposed_at=AFTER_DEADLINE + timedelta(days=1),
                notified_at=AFTER_DEADLINE + timedelta(days=1),
                standstill_ends_at=standstill_ends_at,
                finalised_at=finalised_at if status is AwardStatus.final else None,
            )
            db.session.add(award)
            db.session.flush()
            ids[number] = award.id
        tender.status = TenderStatus.awarded
        db.session.commit()
    return ids


def conclude(app: Flask, award_ids: list[int], now=FINAL_AT, actor: str | None = LEAD) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run the service for these awards in one request; the contracts as plain dicts."""
    with app.test_request_context():
        awards = [db.session.get(Award, award_id) for award_id in award_ids]
        made = service.create_contracts_for_awards(user(actor) if actor else None, awards, now)
        rows = [
            {
                "id": c.id,
                "number": c.number,
                "lot_id": c.lot_id,
                "buyer": c.buyer_name,
                "quantity": c.quantity,
                "unit_price": c.unit_price,
                "net_value": c.net_value,
                "sha256": c.pdf_sha256,
                "key": c.pdf_storage_key,
            }
            for c in made
        ]
        db.session.commit()
    return rows


@pytest.fixture
def final(app: Flask, opened: Opened) -> dict[int, int]:
    return put_final(app, opened)


def set_quantity(app: Flask, tender_id: int, organisation_email: str, lot_id: int, quantity: str) -> None:
    with app.app_context():
        organisation_id = user(organisation_email).organisation_id
        row = db.session.scalars(
            select(LotQuantity)
            .join(Participant)
            .where(
                Participant.tender_id == tender_id,
                Participant.organisation_id == organisation_id,
                LotQuantity.lot_id == lot_id,
            )
        ).one()
        row.quantity = Decimal(quantity)
        db.session.commit()


# --- amounts -------------------------------------------------------------------------------------


def test_each_participant_gets_one_contract_per_lot_with_its_quantity_and_the_shared_unit_price(
    app, opened, final
):
    rows = conclude(app, [final[1], final[2]])
    by_lot = {
        (row["lot_id"], row["buyer"]): (row["quantity"], row["unit_price"], row["net_value"]) for row in rows
    }
    lot1, lot2 = opened.lots[1], opened.lots[2]
    # lot 1: 48.000,00 € for 10 + 5 units -> 3.200,0000 per unit
    assert by_lot[lot1, "Stadt Talheim an der Lauter"] == (
        Decimal(10),
        Decimal("3200.0000"),
        Decimal("32000.00"),
    )
    assert by_lot[lot1, "Gemeinde Birkenfelde"] == (Decimal(5), Decimal("3200.0000"), Decimal("16000.00"))
    # lot 2: 1.100,00 € / 15 = 73,33333… -> 73,3333; 5 × 73,3333 = 366,6665 -> 366,67 (half up, not to even)
    assert by_lot[lot2, "Stadt Talheim an der Lauter"] == (Decimal(10), Decimal("73.3333"), Decimal("733.33"))
    assert by_lot[lot2, "Gemeinde Birkenfelde"] == (Decimal(5), Decimal("73.3333"), Decimal("366.67"))
    assert len(rows) == 4
    assert all(isinstance(row["net_value"], Decimal) for row in rows)


def test_the_contract_copies_vendor_leitweg_id_and_billing_address_of_the_participant(app, opened, final):
    with app.app_context():
        partner = db.session.scalars(
            select(Participant).where(
                Participant.tender_id == opened.tender_id,
                Participant.organisation_id == user(PARTNER).organisation_id,
            )
        ).one()
        partner.leitweg_id = "08125001-KAEM-42"
        partner.billing_name = "Gemeinde Birkenfelde, Kämmerei"
        partner.billing_street = "Rathausplatz 2"
        partner.billing_postal_code = "74999"
        partner.billing_city = "Birkenfelde"
        db.session.commit()
    conclude(app, [final[1]])
    with app.app_context():
        contract = db.session.scalars(
            select(Contract).where(Contract.buyer_name == "Gemeinde Birkenfelde")
        ).one()
        assert (contract.leitweg_id, contract.billing_name, contract.billing_street) == (
            "08125001-KAEM-42",
            "Gemeinde Birkenfelde, Kämmerei",
            "Rathausplatz 2",
        )
        assert (contract.billing_postal_code, contract.billing_city) == ("74999", "Birkenfelde")
        assert contract.vendor_name == "Verkehrstechnik Süd GmbH"
        assert contract.vendor_organisation_id == user(VENDOR).organisation_id
        assert contract.cpv_code == "34996000-5" and contract.unit == "Stück"
        assert contract.concluded_at == FINAL_AT
        # a participant without billing data of its own: its organisation's Leitweg-ID and address
        lead = db.session.scalars(
            select(Contract).where(Contract.buyer_name == "Stadt Talheim an der Lauter")
        ).one()
        organisation = db.session.get(Organisation, lead.buyer_organisation_id)
        assert lead.leitweg_id == organisation.leitweg_id != ""
        assert (lead.billing_street, lead.billing_city) == (organisation.street, organisation.city)


def test_a_participant_without_quantity_in_a_lot_gets_no_contract_for_it(app, opened, final):
    set_quantity(app, opened.tender_id, PARTNER, opened.lots[2], "0")
    rows = conclude(app, [final[2]])
    assert [(row["buyer"], row["unit_price"], row["net_value"]) for row in rows] == [
        ("Stadt Talheim an der Lauter", Decimal("110.0000"), Decimal("1100.00"))
    ]


def test_numbers_are_readable_unique_and_at_most_40_characters(app, opened, final):
    rows = conclude(app, [final[1], final[2]])
    numbers = [row["number"] for row in rows]
    assert len(set(numbers)) == 4
    assert all(len(number) <= 40 for number in numbers)
    assert all(number.startswith(f"VG-2026-17-{opened.tender_id}-L") for number in numbers)


@given(
    price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2),
    quantities=st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=50),
)
def test_the_net_values_add_up_to_the_bid_price_within_half_a_cent_per_contract_and_rounding(
    price, quantities
):
    total = sum(Decimal(q) for q in quantities)
    per_unit = service.unit_price(price, total)
    assert abs(per_unit - price / total) <= Decimal("0.00005")
    values = [service.net_value(Decimal(q), per_unit) for q in quantities]
    # each value is off by at most half a cent, plus the unit price's rounding times its quantity
    assert abs(sum(values) - price) <= Decimal("0.005") * len(values) + Decimal("0.00005") * total


def test_rounding_is_half_up_at_four_places_and_at_cents():
    assert service.unit_price(Decimal("0.05"), Decimal(1000)) == Decimal("0.0001")  # 0.00005 -> up
    assert service.unit_price(Decimal("0.04"), Decimal(1000)) == Decimal("0.0000")
    assert service.net_value(Decimal("1"), Decimal("0.0250")) == Decimal("0.03")  # 0.025 -> up
    assert service.net_value(Decimal("1.5"), Decimal("0.0150")) == Decimal("0.02")  # 0.0225 -> 0.02
    with pytest.raises(ValueError):
        service.unit_price(Decimal(100), Decimal(0))


def test_many_participants_each_get_their_contract_and_the_values_add_up(app, opened):
    with app.app_context():
        tender = db.session.get(Tender, opened.tender_id)
        for n in range(40):
            organisation = Organisation(
                kind=OrganisationKind.municipality,
                name=f"Gemeinde Testdorf {n}",
                street="Dorfstraße 1",
                postal_code="99999",
                city=f"Testdorf {n}",
                ags=f"0999{n:04d}",
                leitweg_id=f"0999{n:04d}-0001-{n % 10}{n % 7}",
            )
            db.session.add(organisation)
            db.session.flush()
            participant = Participant(organisation_id=organisation.id, status=ParticipantStatus.joined)
            tender.participants.append(participant)
            participant.quantities.append(LotQuantity(lot_id=opened.lots[2], quantity=Decimal(n % 7)))
        db.session.commit()
    final = put_final(app, opened, lots=(2,))
    rows = conclude(app, [final[2]])
    # 2 + 40 participants, 6 of the 40 order nothing (n % 7 == 0)
    assert len(rows) == 2 + 34
    total = Decimal(15) + sum(Decimal(n % 7) for n in range(40))
    per_unit = service.unit_price(Decimal("1100.00"), total)
    assert {row["unit_price"] for row in rows} == {per_unit}
    assert abs(sum(row["net_value"] for row in rows) - Decimal("1100.00")) <= Decimal("0.005") * len(rows)


# --- refusals and idempotency --------------------------------------------------------------------


@pytest.mark.parametrize("status", [AwardStatus.proposed, AwardStatus.notified, AwardStatus.challenged])
def test_no_contract_before_the_award_is_final(app, opened, status):
    award = put_final(app, opened, lots=(1,), status=status)[1]
    with pytest.raises(Conflict, match="endgültig"):
        conclude(app, [award])
    assert count(app, Contract) == 0


@pytest.mark.parametrize(
    "finalised_at, standstill_ends_at, now",
    [
        # finalised one second before the standstill's end (a bypass of the award machine)
        (STANDSTILL_END - timedelta(seconds=1), STANDSTILL_END, FINAL_AT),
        # the clock of the call is before the standstill's end
        (FINAL_AT, STANDSTILL_END, STANDSTILL_END - timedelta(seconds=1)),
        # no standstill on record
        (FINAL_AT, None, FINAL_AT),
        (None, STANDSTILL_END, FINAL_AT),
    ],
)
def test_no_contract_before_the_standstill_is_over_whatever_the_award_says(
    app, opened, finalised_at, standstill_ends_at, now
):
    award = put_final(
        app, opened, lots=(1,), finalised_at=finalised_at, standstill_ends_at=standstill_ends_at
    )[1]
    mails = count(app, OutboxMail)
    with pytest.raises(Conflict, match="§ 135 GWB"):
        conclude(app, [award], now=now)
    assert count(app, Contract) == 0
    assert count(app, OutboxMail) == mails


def test_the_instant_the_standstill_ends_is_allowed(app, opened):
    award = put_final(app, opened, lots=(1,), finalised_at=STANDSTILL_END)[1]
    assert len(conclude(app, [award], now=STANDSTILL_END)) == 2


def test_calling_again_creates_nothing_new(app, opened, final):
    first = conclude(app, [final[1], final[2]])
    audit = count(app, AuditEntry)
    mails = count(app, OutboxMail)
    assert conclude(app, [final[1], final[2]]) == []
    assert conclude(app, [final[1]]) == []
    assert count(app, Contract) == len(first) == 4
    assert (count(app, AuditEntry), count(app, OutboxMail)) == (audit, mails)


def test_contracts_of_an_award_are_made_once_when_another_lot_follows(app, opened):
    first = put_final(app, opened, lots=(1,))
    conclude(app, [first[1]])
    second = put_final(app, opened, lots=(2,))
    rows = conclude(app, [first[1], second[2]])
    assert {row["lot_id"] for row in rows} == {opened.lots[2]}
    assert count(app, Contract) == 4


# --- document, audit and mail --------------------------------------------------------------------


def test_the_pdf_names_the_parties_the_amounts_and_the_dates(app, opened, final):
    rows = conclude(app, [final[2]])
    row = next(r for r in rows if r["buyer"] == "Gemeinde Birkenfelde")
    with app.app_context():
        with storage().open(row["key"]) as stored:
            pdf = stored.read()
    text = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for expected in (
        row["number"],
        "Gemeinde Birkenfelde",
        "EnergieNetz Solutions AG",
        "Stadt Talheim an der Lauter",  # the lead that ran the joint procedure
        "Adaptive Ampelsteuerung für drei Kommunen",
        "Steuergeräte 2",
        "34996000-5",
        "5 Stück",
        "73,3333 € je Stück",
        "366,67 €",
        "VG-2026-17",
    ):
        assert expected in text, expected
    assert "Leitweg-ID" in text and "Wartefrist" in text
    # the dates in German time: the standstill ended and the award became final
    assert STANDSTILL_END.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr") in text
    assert FINAL_AT.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr") in text


def test_the_stored_pdf_matches_its_recorded_hash(app, opened, final):
    import hashlib

    rows = conclude(app, [final[1]])
    with app.app_context():
        for row in rows:
            with storage().open(row["key"]) as stored:
                assert hashlib.sha256(stored.read()).hexdigest() == row["sha256"]


def test_one_audit_entry_per_award_lists_every_contract_and_its_document_hash(app, opened, final):
    rows = conclude(app, [final[1], final[2]])
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "contract.concluded").order_by(AuditEntry.seq)
        ).all()
        assert [entry.object_id for entry in entries] == [str(final[1]), str(final[2])]
        import json

        listed = {}
        for entry in entries:
            after = json.loads(entry.after) if isinstance(entry.after, str) else entry.after
            listed |= after["contracts"]
            assert entry.actor_email == LEAD
        assert listed == {row["number"]: row["sha256"] for row in rows}


def test_each_officer_of_each_participant_gets_one_mail_listing_its_contracts(app, opened, final, mailbox):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(OutboxMail))
        send_pending()
    mailbox.clear()
    rows = conclude(app, [final[1], final[2]])
    with app.app_context():
        send_pending()
    partner_mails = mailbox.to(PARTNER)
    assert len(partner_mails) == 1
    body = partner_mails[0].get_content()
    for row in rows:
        if row["buyer"] == "Gemeinde Birkenfelde":
            assert row["number"] in body
            assert f"http://localhost/vertraege/{row['id']}" in body
        else:
            assert row["number"] not in body
    assert "16.000,00" in body and "366,67" in body
    # Talheim's two officers, one mail each; the winning vendors one each; nobody twice
    assert len(mailbox.to(LEAD)) == 1
    assert len(mailbox.to("oeffnung@talheim.example")) == 1
    assert len(mailbox.to(VENDOR)) == 1 and len(mailbox.to(OTHER_VENDOR)) == 1
    assert "2 Verträge" in mailbox.to(VENDOR)[0]["Subject"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == before + 5


def test_the_system_may_conclude_without_an_acting_user(app, opened, final):
    assert len(conclude(app, [final[1]], actor=None)) == 2


def test_only_the_leads_officers_conclude(app, opened, final):
    from procurement.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        conclude(app, [final[1]], actor=PARTNER)
    assert count(app, Contract) == 0


def test_a_storage_failure_keeps_no_contract_and_no_file(app, opened, final, tmp_path):
    app.config["STORAGE_DIR"], previous = "/proc/no-such-storage", app.config["STORAGE_DIR"]
    try:
        with pytest.raises(Conflict):
            conclude(app, [final[1]])
    finally:
        app.config["STORAGE_DIR"] = previous
    assert count(app, Contract) == 0


def test_the_document_is_a_valid_pdf_and_the_same_data_gives_the_same_bytes(app, opened, final):
    import warnings

    rows = conclude(app, [final[1]])
    with app.app_context():
        with storage().open(rows[0]["key"]) as stored:
            pdf = stored.read()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
        assert len(reader.pages) == 1
        assert reader.metadata.title == f"Vertrag {rows[0]['number']}"
        assert reader.metadata.subject == "Adaptive Ampelsteuerung für drei Kommunen"
    # rendered again from the same data (a fresh renderer): byte for byte the same document
    from procurement.awards.contract_pdf import ContractRenderer

    renderer = ContractRenderer()
    data = _pdf_data()
    assert renderer.render(data) == ContractRenderer().render(data)
    assert renderer.render(data) != renderer.render(replace(data, net_value=Decimal("1.00")))


def _pdf_data():  # type: ignore[no-untyped-def]
    from procurement.awards.contract_pdf import ContractPdfData, Party

    return ContractPdfData(
        number="AZ-1-L1-08125001",
        buyer=Party("Gemeinde Birkenfelde", ("Hauptstraße 1", "74999 Birkenfelde")),
        leitweg_id="08125001-0001-23",
        billing_name="Gemeinde Birkenfelde",
        billing_street="Hauptstraße 1",
        billing_postal_code="74999",
        billing_city="Birkenfelde",
        vendor=Party("Verkehrstechnik Süd GmbH", ("Industriestraße 5", "70565 Stuttgart")),
        lead_organisation="Stadt Talheim an der Lauter",
        tender_title="Ampeln (Los-Ausschreibung) – 2026 · § 4 VgV",
        tender_reference="AZ",
        procedure_id="0f1e2d3c-aaaa-bbbb-cccc-000011112222",
        lot_number=1,
        lot_title="Steuergeräte",
        cpv_code="34996000-5",
        unit="Stück",
        quantity=Decimal("1250.500"),
        unit_price=Decimal("1234.5679"),
        net_value=Decimal("1543826.66"),
        awarded_at=FINAL_AT,
        standstill_ends_at=STANDSTILL_END,
        concluded_at=FINAL_AT,
        duration_months=24,
    )


def test_amounts_and_special_characters_are_printed_as_german_text():
    from procurement.awards.contract_pdf import ContractRenderer

    pdf = ContractRenderer().render(_pdf_data())
    text = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "1.250,5 Stück" in text
    assert "1.234,5679 € je Stück" in text
    assert "1.543.826,66 €" in text
    assert "Ampeln (Los-Ausschreibung) – 2026 · § 4 VgV" in text
