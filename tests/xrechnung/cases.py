"""Named invoices a German municipality may receive, built with the library's dataclasses.

Each case is a function returning an ``Invoice``; ``CASES`` lists them for parametrized tests.
The amounts are small and hand-checkable where a test states totals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from xrechnung import (
    EXEMPT,
    EXPORT,
    INTRA_COMMUNITY,
    NOT_SUBJECT,
    REDUCED_7,
    REVERSE_CHARGE,
    STANDARD_19,
    XRECHNUNG_3_0_EXTENSION,
    ZERO_RATED,
    Address,
    AllowanceCharge,
    Buyer,
    Classification,
    Contact,
    CreditTransfer,
    Delivery,
    ExemptionReason,
    Identifier,
    Invoice,
    Item,
    ItemAttribute,
    Line,
    Payee,
    PaymentCard,
    PaymentInstructions,
    Period,
    PrecedingInvoice,
    Seller,
    SupportingDocument,
    TaxRepresentative,
    ThirdPartyPayment,
    email_address,
    leitweg_address,
)

D = Decimal
LEITWEG_ID = "08416041-RECHNUNG-60"
IBAN = "DE02120300000000202051"
CREDITOR_ID = "DE98ZZZ09999999999"


def seller(**changes: object) -> Seller:
    base = Seller(
        name="Smart Signal GmbH",
        address=Address(country="DE", city="Karlsruhe", postal_code="76131", street="Durlacher Allee 10"),
        electronic_address=email_address("rechnung@smart-signal.example"),
        contact=Contact(
            name="Petra Lang", telephone="+49 721 555 0100", email="petra.lang@smart-signal.example"
        ),
        vat_id="DE123456789",
        legal_registration_id=Identifier("HRB 712345"),
        legal_information="Amtsgericht Mannheim HRB 712345, Geschäftsführerin Petra Lang",
    )
    return replace(base, **changes)


def buyer(**changes: object) -> Buyer:
    base = Buyer(
        name="Stadt Tübingen",
        address=Address(country="DE", city="Tübingen", postal_code="72070", street="Am Markt 1"),
        electronic_address=leitweg_address(LEITWEG_ID),
        contact=Contact(
            name="Amt für Digitalisierung", telephone="+49 7071 204 0", email="digital@tuebingen.example"
        ),
    )
    return replace(base, **changes)


def line(number: int = 1, **changes: object) -> Line:
    base = Line(
        id=str(number),
        item=Item(name="Verkehrszählsensor LoRaWAN"),
        quantity=D("4"),
        unit="C62",
        price=D("249.90"),
        vat=STANDARD_19,
    )
    return replace(base, **changes)


def invoice(**changes: object) -> Invoice:
    """A plain XRechnung: one line at 19 %, SEPA credit transfer, due in 30 days."""
    base = Invoice(
        number="RE-2026-0001",
        issue_date=date(2026, 3, 2),
        due_date=date(2026, 4, 1),
        seller=seller(),
        buyer=buyer(),
        buyer_reference=LEITWEG_ID,
        lines=[line()],
        payment=PaymentInstructions.sepa_credit_transfer(IBAN, remittance_information="RE-2026-0001"),
        payment_terms="Zahlbar innerhalb von 30 Tagen ohne Abzug.",
        delivery=Delivery(actual_date=date(2026, 2, 27)),
    )
    return replace(base, **changes)


# --- the cases --------------------------------------------------------------------------------


def standard_19() -> Invoice:
    return invoice()


def reduced_7() -> Invoice:
    return invoice(
        lines=[line(item=Item(name="Fachbuch Smart City"), quantity=D("3"), price=D("39.95"), vat=REDUCED_7)]
    )


def mixed_19_and_7() -> Invoice:
    return invoice(
        lines=[
            line(1),
            line(2, item=Item(name="Handbuch (gedruckt)"), quantity=D("2"), price=D("18.50"), vat=REDUCED_7),
            line(3, item=Item(name="Installation"), quantity=D("6.5"), unit="HUR", price=D("92.00")),
        ]
    )


def zero_rated() -> Invoice:
    # §12(3) UStG: photovoltaic systems on public buildings are zero rated.
    return invoice(
        lines=[
            line(
                item=Item(name="Photovoltaikmodul 420 Wp"),
                quantity=D("24"),
                price=D("189.00"),
                vat=ZERO_RATED,
            )
        ]
    )


def exempt() -> Invoice:
    return invoice(
        lines=[
            line(
                item=Item(name="Schulung (Bildungsleistung)"),
                quantity=D("2"),
                unit="DAY",
                price=D("850.00"),
                vat=EXEMPT,
            )
        ],
        vat_exemption_reasons={EXEMPT.category: ExemptionReason(text="Steuerfrei nach § 4 Nr. 21 UStG")},
    )


def reverse_charge() -> Invoice:
    return invoice(
        seller=seller(
            name="Alpen Bau GmbH",
            address=Address(country="AT", city="Innsbruck", postal_code="6020", street="Museumstraße 5"),
            vat_id="ATU12345678",
        ),
        buyer=buyer(vat_id="DE811234567"),
        lines=[
            line(
                item=Item(name="Montage Lichtmasten (Bauleistung)"),
                quantity=D("1"),
                unit="LS",
                price=D("18400.00"),
                vat=REVERSE_CHARGE,
            )
        ],
        vat_exemption_reasons={
            REVERSE_CHARGE.category: ExemptionReason(
                text="Steuerschuldnerschaft des Leistungsempfängers", code="VATEX-EU-AE"
            )
        },
        payment=PaymentInstructions.sepa_credit_transfer("AT611904300234573201", bic="BKAUATWW"),
    )


def intra_community() -> Invoice:
    return invoice(
        seller=seller(
            name="Capteurs Urbains SARL",
            address=Address(country="FR", city="Strasbourg", postal_code="67000", street="1 Rue du Dôme"),
            vat_id="FR32123456789",
        ),
        buyer=buyer(vat_id="DE811234567"),
        lines=[
            line(
                item=Item(name="Luftqualitätssensor"),
                quantity=D("10"),
                price=D("410.00"),
                vat=INTRA_COMMUNITY,
            )
        ],
        vat_exemption_reasons={
            INTRA_COMMUNITY.category: ExemptionReason(
                text="Innergemeinschaftliche Lieferung", code="VATEX-EU-IC"
            )
        },
        delivery=Delivery(
            party_name="Stadt Tübingen, Bauhof",
            actual_date=date(2026, 2, 20),
            address=Address(country="DE", city="Tübingen", postal_code="72072", street="Eisenbahnstraße 4"),
        ),
        payment=PaymentInstructions.sepa_credit_transfer("FR1420041010050500013M02606"),
    )


def export_outside_eu() -> Invoice:
    return invoice(
        buyer=buyer(
            name="Gemeinde Kreuzlingen",
            address=Address(country="CH", city="Kreuzlingen", postal_code="8280", street="Hauptstrasse 62"),
        ),
        lines=[
            line(
                item=Item(name="Parkleitsystem Anzeigetafel"), quantity=D("2"), price=D("3100.00"), vat=EXPORT
            )
        ],
        vat_exemption_reasons={EXPORT.category: ExemptionReason(text="Ausfuhrlieferung", code="VATEX-EU-G")},
    )


def not_subject() -> Invoice:
    # A public body's sovereign activity: no VAT ids may appear (BR-O-02).
    return invoice(
        seller=seller(name="Zweckverband Digitale Region", vat_id="", identifiers=[Identifier("ZV-DR-01")]),
        lines=[
            line(
                item=Item(name="Umlage Rechenzentrum 2026"),
                quantity=D("1"),
                unit="LS",
                price=D("5200.00"),
                vat=NOT_SUBJECT,
            )
        ],
        allowances_charges=[AllowanceCharge(amount=D("200.00"), reason="Frühzahlerrabatt", vat=NOT_SUBJECT)],
        vat_exemption_reasons={
            NOT_SUBJECT.category: ExemptionReason(text="Nicht steuerbar (§ 2b UStG)", code="VATEX-EU-O")
        },
    )


def document_allowance() -> Invoice:
    return invoice(
        lines=[line(1), line(2, item=Item(name="Gateway"), quantity=D("1"), price=D("799.00"))],
        allowances_charges=[
            AllowanceCharge(
                amount=D("50.00"), reason="Rabatt Rahmenvertrag", reason_code="95", vat=STANDARD_19
            )
        ],
    )


def document_charges_and_percentage() -> Invoice:
    return invoice(
        lines=[
            line(1),
            line(2, item=Item(name="Handbuch"), quantity=D("1"), price=D("20.00"), vat=REDUCED_7),
        ],
        allowances_charges=[
            AllowanceCharge(
                amount=D("35.00"), charge=True, reason="Versand", reason_code="FC", vat=STANDARD_19
            ),
            AllowanceCharge.percent_of(
                D("999.60"), D("3"), reason="Mengenrabatt", reason_code="95", vat=STANDARD_19
            ),
            AllowanceCharge(
                amount=D("2.50"), charge=True, reason="Verpackung", reason_code="ABL", vat=REDUCED_7
            ),
        ],
    )


def line_allowances_and_charges() -> Invoice:
    return invoice(
        lines=[
            line(
                1,
                allowances_charges=[
                    AllowanceCharge(amount=D("25.00"), reason="Aktionsrabatt", reason_code="95"),
                    AllowanceCharge(
                        amount=D("12.40"), charge=True, reason="Konfiguration", reason_code="AAC"
                    ),
                ],
            ),
            line(
                2,
                item=Item(name="Montage"),
                quantity=D("3"),
                unit="HUR",
                price=D("88.00"),
                allowances_charges=[
                    AllowanceCharge.percent_of(
                        D("264.00"), D("10"), reason="Kommunalrabatt", reason_code="95"
                    )
                ],
            ),
        ]
    )


def gross_price_and_base_quantity() -> Invoice:
    return invoice(
        lines=[
            line(
                1,
                item=Item(name="Kabelbinder UV-beständig"),
                quantity=D("2500"),
                price=D("7.20"),
                base_quantity=D("100"),
                gross_price=D("8.00"),
                price_discount=D("0.80"),
            ),
            line(2, item=Item(name="Schrauben M8"), quantity=D("1.5"), unit="KGM", price=D("12.3456")),
        ]
    )


def half_up_rounding() -> Invoice:
    # 3 × 0.335 = 1.005 -> 1.01 and 7 × 0.145 = 1.015 -> 1.02 (half up, not half even).
    return invoice(
        lines=[
            line(1, item=Item(name="Kleinteil A"), quantity=D("3"), price=D("0.335")),
            line(2, item=Item(name="Kleinteil B"), quantity=D("7"), price=D("0.145")),
        ]
    )


def credit_note() -> Invoice:
    return invoice(
        number="GS-2026-0007",
        type_code="381",
        preceding_invoices=[PrecedingInvoice("RE-2026-0001", date(2026, 3, 2))],
        lines=[line(1, quantity=D("1"), note="Rücknahme eines defekten Sensors")],
        payment_terms="Der Betrag wird auf Ihr Konto erstattet.",
    )


def credit_note_with_allowance_and_two_rates() -> Invoice:
    return invoice(
        number="GS-2026-0008",
        type_code="381",
        preceding_invoices=[PrecedingInvoice("RE-2026-0002")],
        lines=[
            line(1, quantity=D("2")),
            line(2, item=Item(name="Handbuch"), quantity=D("2"), price=D("18.50"), vat=REDUCED_7),
        ],
        allowances_charges=[AllowanceCharge(amount=D("10.00"), reason="Kulanz", vat=STANDARD_19)],
    )


def corrected_invoice() -> Invoice:
    return invoice(
        number="RE-2026-0001-K",
        type_code="384",
        preceding_invoices=[PrecedingInvoice("RE-2026-0001", date(2026, 3, 2))],
        notes=["Korrektur der Rechnung RE-2026-0001: falscher Einzelpreis."],
    )


def final_invoice_after_partial_payments() -> Invoice:
    return invoice(
        number="SR-2026-0003",
        type_code="877",
        preceding_invoices=[
            PrecedingInvoice("AR-2026-0001", date(2026, 1, 15)),
            PrecedingInvoice("AR-2026-0002", date(2026, 2, 15)),
        ],
        lines=[
            line(
                1,
                item=Item(name="Glasfaserausbau Gewerbegebiet"),
                quantity=D("1"),
                unit="LS",
                price=D("84000.00"),
            )
        ],
        paid_amount=D("60000.00"),
    )


def rounding_amount() -> Invoice:
    return invoice(lines=[line(1, quantity=D("3"), price=D("33.33"))], rounding_amount=D("0.01"))


def many_lines() -> Invoice:
    units = ("C62", "HUR", "KGM", "MTR", "DAY")
    return invoice(
        number="RE-2026-0500",
        lines=[
            line(
                n,
                item=Item(name=f"Position {n}: Straßenleuchte Typ {n % 17}", sellers_id=f"SL-{n:05d}"),
                quantity=D(n % 9 + 1) + D(n % 4) / 4,
                unit=units[n % len(units)],
                price=D(1000 + n * 37) / 100,
                vat=REDUCED_7 if n % 5 == 0 else STANDARD_19,
            )
            for n in range(1, 501)
        ],
    )


def foreign_seller_with_tax_representative() -> Invoice:
    return invoice(
        seller=seller(
            name="Nordic Mobility AB",
            address=Address(country="SE", city="Malmö", postal_code="211 22", street="Stortorget 9"),
            vat_id="",
            legal_registration_id=Identifier("556123-4567", "0007"),
            contact=Contact(name="Lars Berg", telephone="+46 40 123 456", email="lars.berg@nordic.example"),
        ),
        tax_representative=TaxRepresentative(
            name="Steuerberatung Rhein GmbH",
            vat_id="DE987654321",
            address=Address(country="DE", city="Köln", postal_code="50667", street="Hohe Straße 1"),
        ),
        lines=[line(item=Item(name="E-Scooter-Ladestation"), quantity=D("5"), price=D("1450.00"))],
        payment=PaymentInstructions.sepa_credit_transfer("NL91ABNA0417164300", bic="ABNANL2A"),
    )


def foreign_buyer() -> Invoice:
    return invoice(
        buyer=buyer(
            name="Gemeente Venlo",
            address=Address(
                country="NL",
                city="Venlo",
                postal_code="5911 BV",
                street="Hanzeplaats 1",
                subdivision="Limburg",
            ),
            electronic_address=email_address("facturen@venlo.example"),
            vat_id="NL001234567B01",
            contact=Contact(name="Afdeling Inkoop"),
        ),
        lines=[
            line(
                item=Item(name="Beratung grenzüberschreitende Mobilität"),
                quantity=D("12"),
                unit="HUR",
                price=D("120.00"),
            )
        ],
    )


def several_accounts() -> Invoice:
    return invoice(
        payment=PaymentInstructions(
            means_code="58",
            means_text="SEPA-Überweisung",
            remittance_information="RE-2026-0001 Stadt Tübingen",
            credit_transfers=[
                CreditTransfer(IBAN, account_name="Smart Signal GmbH", bank_id="COBADEFFXXX"),
                CreditTransfer("DE89370400440532013000", account_name="Smart Signal GmbH"),
            ],
        )
    )


def direct_debit() -> Invoice:
    return invoice(
        payment=PaymentInstructions.sepa_direct_debit(
            mandate_reference="MANDAT-2026-17", creditor_id=CREDITOR_ID, debited_iban="DE89370400440532013000"
        ),
        payment_terms="Der Betrag wird am 15.04.2026 von Ihrem Konto eingezogen.",
    )


def direct_debit_to_payee() -> Invoice:
    return invoice(
        payee=Payee(name="Factoring Süd AG", identifier=Identifier("FS-7781")),
        payment=PaymentInstructions.sepa_direct_debit(
            mandate_reference="MANDAT-FS-9",
            creditor_id="DE12ZZZ00000012345",
            debited_iban="DE75512108001245126199",
        ),
    )


def payee_credit_transfer() -> Invoice:
    return invoice(
        payee=Payee(name="Factoring Süd AG", legal_registration_id=Identifier("HRB 4411")),
        payment=PaymentInstructions.sepa_credit_transfer(
            "DE89370400440532013000", account_name="Factoring Süd AG"
        ),
    )


def card_payment() -> Invoice:
    return invoice(
        payment=PaymentInstructions(
            means_code="54", card=PaymentCard(account_number="4242", holder_name="Stadtkasse Tübingen")
        ),
        payment_terms="Bereits per Kreditkarte bezahlt.",
    )


def attachments() -> Invoice:
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    return invoice(
        attachments=[
            SupportingDocument(
                id="Leistungsnachweis-03",
                description="Stundenzettel März",
                content=pdf,
                mime_code="application/pdf",
                filename="stunden-maerz.pdf",
            ),
            SupportingDocument(
                id="Messwerte",
                content=b"Datum;Wert\n2026-03-01;42\n",
                mime_code="text/csv",
                filename="messwerte.csv",
            ),
            SupportingDocument(
                id="Vertrag", description="Rahmenvertrag", uri="https://vergabe.example/vertraege/2025-118"
            ),
        ]
    )


def periods_and_delivery() -> Invoice:
    return invoice(
        invoicing_period=Period(date(2026, 1, 1), date(2026, 3, 31)),
        lines=[
            line(
                1,
                item=Item(name="Wartung Q1"),
                quantity=D("3"),
                unit="MON",
                price=D("180.00"),
                period=Period(date(2026, 1, 1), date(2026, 3, 31)),
            ),
            line(
                2,
                item=Item(name="Datenübertragung Januar"),
                quantity=D("1"),
                unit="MON",
                price=D("25.00"),
                period=Period(date(2026, 1, 1), date(2026, 1, 31)),
            ),
        ],
        delivery=Delivery(
            party_name="Stadtwerke Tübingen",
            location_id=Identifier("4012345000009", "0088"),
            address=Address(
                country="DE",
                city="Tübingen",
                postal_code="72072",
                street="Eisenhutstraße 6",
                additional_street="Tor 3",
            ),
        ),
    )


def skonto_terms() -> Invoice:
    return invoice(payment_terms="#SKONTO#TAGE=14#PROZENT=2.00#\n#SKONTO#TAGE=30#PROZENT=0.00#\n")


def negative_quantity_return() -> Invoice:
    return invoice(
        lines=[
            line(1, quantity=D("5")),
            line(2, quantity=D("-1"), note="Rücknahme Vorführgerät"),
        ]
    )


def foreign_currency() -> Invoice:
    return invoice(
        currency="USD",
        vat_accounting_currency="EUR",
        vat_total_in_accounting_currency=D("172.40"),
        lines=[line(quantity=D("4"), price=D("199.00"))],
    )


def references_and_item_details() -> Invoice:
    return invoice(
        notes=["#ADU#Es gelten die Bedingungen des Rahmenvertrags.", "Lieferung frei Verwendungsstelle."],
        project_reference="P-SMART-2026",
        contract_reference="RV-2025-118",
        purchase_order_reference="BEST-4711",
        sales_order_reference="AUF-99812",
        receiving_advice_reference="WE-0815",
        despatch_advice_reference="LS-2026-331",
        tender_or_lot_reference="VGV-2025-118-LOS2",
        invoiced_object_identifier=Identifier("ZÄHLER-4711", "AAN"),
        buyer_accounting_reference="Kostenstelle 6200 / Sachkonto 0815",
        lines=[
            line(
                1,
                item=Item(
                    name="Umweltsensor",
                    description="Feinstaub PM2.5/PM10, Temperatur, Luftfeuchte",
                    sellers_id="US-200",
                    buyers_id="MAT-33-17",
                    standard_id=Identifier("4012345678901", "0160"),
                    classifications=[Classification("38432000-2", "STI")],
                    origin_country="DE",
                    attributes=[ItemAttribute("Schutzart", "IP67"), ItemAttribute("Farbe", "RAL 7035")],
                ),
                note="Seriennummern auf dem Lieferschein",
                object_identifier=Identifier("SN-000173", "AAN"),
                order_line_reference="10",
                buyer_accounting_reference="Anlage 2026-77",
            )
        ],
    )


def only_sales_order_reference() -> Invoice:
    return invoice(sales_order_reference="AUF-12345")


def vat_point_date_code() -> Invoice:
    return invoice(vat_point_date_code="35", invoicing_period=Period(date(2026, 2, 1), date(2026, 2, 28)))


def vat_point_date() -> Invoice:
    return invoice(vat_point_date=date(2026, 2, 27))


def tax_number_instead_of_vat_id() -> Invoice:
    return invoice(seller=seller(vat_id="", tax_registration_id="86115/12345"))


def extension_sub_lines_and_third_party() -> Invoice:
    sub_lines = [
        line(11, item=Item(name="Mast 6 m"), quantity=D("3"), price=D("410.00")),
        line(12, item=Item(name="Fundament"), quantity=D("3"), price=D("180.00")),
    ]
    return invoice(
        customization_id=XRECHNUNG_3_0_EXTENSION,
        lines=[
            line(
                1,
                item=Item(name="Lichtmasten komplett"),
                quantity=D("1"),
                unit="LS",
                price=D("1770.00"),
                sub_lines=sub_lines,
            )
        ],
        third_party_payments=[
            ThirdPartyPayment("Gebühr", D("35.70"), "Genehmigungsgebühr Straßenverkehrsamt")
        ],
    )


def credit_note_due_date() -> Invoice:
    return replace(credit_note(), number="GS-2026-0009", due_date=date(2026, 3, 20))


def unicode_and_markup_text() -> Invoice:
    return invoice(
        notes=['Bitte beachten: <b>fett</b> & "Anführung" – Ünïcödé ✓ 中文'],
        lines=[line(item=Item(name="Sensor <Typ A> & Zubehör", description='Größe 3"; Maße 10×20 cm'))],
    )


CASES: dict[str, Callable[[], Invoice]] = {
    case.__name__: case
    for case in (
        standard_19,
        reduced_7,
        mixed_19_and_7,
        zero_rated,
        exempt,
        reverse_charge,
        intra_community,
        export_outside_eu,
        not_subject,
        document_allowance,
        document_charges_and_percentage,
        line_allowances_and_charges,
        gross_price_and_base_quantity,
        half_up_rounding,
        credit_note,
        credit_note_with_allowance_and_two_rates,
        corrected_invoice,
        final_invoice_after_partial_payments,
        rounding_amount,
        many_lines,
        foreign_seller_with_tax_representative,
        foreign_buyer,
        several_accounts,
        direct_debit,
        direct_debit_to_payee,
        payee_credit_transfer,
        card_payment,
        attachments,
        periods_and_delivery,
        skonto_terms,
        negative_quantity_return,
        foreign_currency,
        references_and_item_details,
        only_sales_order_reference,
        vat_point_date_code,
        vat_point_date,
        tax_number_instead_of_vat_id,
        extension_sub_lines_and_third_party,
        credit_note_due_date,
        unicode_and_markup_text,
    )
}
