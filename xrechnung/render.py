"""A human-readable rendering of any parsed invoice: HTML (escaped, semantic) and PDF (reportlab).

Municipalities must be able to read what they receive. Both renderings show the same facts in
German, gathered once in :class:`InvoiceView`: the parties, the references, every line, the
allowances and charges, the VAT breakdown and the totals (computed from the lines, as the
document must state them), the payment instructions and the attachments (by name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape
from io import BytesIO
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from xrechnung.model import (
    Address,
    AllowanceCharge,
    Contact,
    Identifier,
    Invoice,
    Line,
    Vat,
    VatCategory,
)
from xrechnung.totals import Totals, compute_totals, line_net_amount

TYPE_CODES = {
    "326": "Teilrechnung",
    "380": "Rechnung",
    "381": "Gutschrift",
    "383": "Belastungsanzeige",
    "384": "Korrigierte Rechnung",
    "386": "Vorauszahlungsrechnung",
    "389": "Rechnung im Gutschriftverfahren",
    "875": "Abschlagsrechnung (Bauleistung)",
    "876": "Teilschlussrechnung (Bauleistung)",
    "877": "Schlussrechnung (Bauleistung)",
}
UNIT_CODES = {
    "C62": "Stück",
    "H87": "Stück",
    "EA": "Stück",
    "XPP": "Stück",
    "XPK": "Packung",
    "SET": "Satz",
    "LS": "pauschal",
    "HUR": "Stunde",
    "MIN": "Minute",
    "DAY": "Tag",
    "WEE": "Woche",
    "MON": "Monat",
    "ANN": "Jahr",
    "KGM": "kg",
    "TNE": "t",
    "MTR": "m",
    "KMT": "km",
    "MTK": "m²",
    "MTQ": "m³",
    "LTR": "l",
    "KWH": "kWh",
    "MWH": "MWh",
    "P1": "Prozent",
}
PAYMENT_MEANS = {
    "1": "nicht angegeben",
    "10": "Barzahlung",
    "30": "Überweisung",
    "31": "Überweisung",
    "42": "Zahlung auf Bankkonto",
    "48": "Kartenzahlung",
    "49": "Lastschrift",
    "54": "Kreditkarte",
    "55": "Debitkarte",
    "57": "Dauerauftrag",
    "58": "SEPA-Überweisung",
    "59": "SEPA-Lastschrift",
    "97": "Verrechnung",
}
VAT_CATEGORIES = {
    VatCategory.STANDARD: "Umsatzsteuer",
    VatCategory.ZERO: "Nullsatz",
    VatCategory.EXEMPT: "steuerbefreit",
    VatCategory.REVERSE_CHARGE: "Steuerschuldnerschaft des Leistungsempfängers",
    VatCategory.INTRA_COMMUNITY: "innergemeinschaftliche Lieferung",
    VatCategory.EXPORT: "Ausfuhr außerhalb der EU",
    VatCategory.NOT_SUBJECT: "nicht steuerbar",
    VatCategory.CANARY_ISLANDS: "IGIC (Kanarische Inseln)",
    VatCategory.CEUTA_MELILLA: "IPSI (Ceuta und Melilla)",
}


def german_number(value: Decimal, places: int | None = None) -> str:
    """1234.5 -> ``1.234,50`` (``places`` decimals) or as many decimals as the value has."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    text = format(value, "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + fraction if fraction else "")


def money(value: Decimal, currency: str) -> str:
    return f"{german_number(value, 2)} {'€' if currency == 'EUR' else currency}"


def german_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value is not None else ""


def vat_label(vat: Vat) -> str:
    name = VAT_CATEGORIES.get(vat.category, vat.category.value)
    if vat.category is VatCategory.STANDARD and vat.rate is not None:
        return f"{german_number(vat.rate)} % {name}"
    if vat.rate is not None and vat.rate != 0:
        return f"{name} {german_number(vat.rate)} %"
    return name


def _identifier(value: Identifier | None) -> str:
    if value is None:
        return ""
    return f"{value.value} ({value.scheme})" if value.scheme else value.value


def _address_lines(address: Address | None) -> list[str]:
    if address is None:
        return []
    city = " ".join(part for part in (address.postal_code, address.city) if part)
    lines = [
        address.street,
        address.additional_street,
        address.line3,
        city,
        address.subdivision,
        address.country,
    ]
    return [line for line in lines if line]


def _contact_lines(contact: Contact | None) -> list[str]:
    if contact is None:
        return []
    return [
        line
        for line in (
            contact.name,
            f"Telefon {contact.telephone}" if contact.telephone else "",
            f"E-Mail {contact.email}" if contact.email else "",
        )
        if line
    ]


@dataclass(frozen=True)
class PartyView:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class LineView:
    id: str
    name: str
    details: tuple[str, ...]
    quantity: str
    unit: str
    price: str
    vat: str
    amount: str
    depth: int = 0


@dataclass(frozen=True)
class InvoiceView:
    """The facts of an invoice as German text, for the HTML and the PDF rendering."""

    title: str
    facts: tuple[tuple[str, str], ...]
    parties: tuple[PartyView, ...]
    lines: tuple[LineView, ...]
    allowances: tuple[tuple[str, str, str], ...]  # (Nachlass/Zuschlag + Grund, USt, Betrag)
    vat_rows: tuple[tuple[str, str, str, str], ...]  # (Kategorie, Grund, Bemessung, Steuer)
    totals: tuple[tuple[str, str], ...]
    payment: tuple[str, ...]
    notes: tuple[str, ...]
    attachments: tuple[str, ...]
    currency: str = "EUR"


def _line_views(invoice: Invoice, line: Line, depth: int = 0) -> list[LineView]:
    currency = invoice.currency
    details = []
    if line.item.description:
        details.append(line.item.description)
    if line.item.sellers_id:
        details.append(f"Artikelnummer {line.item.sellers_id}")
    if line.item.buyers_id:
        details.append(f"Artikelnummer des Käufers {line.item.buyers_id}")
    if line.item.standard_id is not None:
        details.append(f"Kennung {_identifier(line.item.standard_id)}")
    for classification in line.item.classifications:
        details.append(f"Klassifizierung {classification.code} ({classification.list_id})")
    for attribute in line.item.attributes:
        details.append(f"{attribute.name}: {attribute.value}")
    if line.period is not None:
        details.append(f"Zeitraum {german_date(line.period.start)} – {german_date(line.period.end)}")
    if line.order_line_reference:
        details.append(f"Bestellposition {line.order_line_reference}")
    if line.note:
        details.append(line.note)
    if line.gross_price is not None:
        details.append(
            f"Bruttopreis {money(line.gross_price, currency)}, Rabatt {money(line.price_discount, currency)}"
        )
    for item in line.allowances_charges:
        details.append(f"{_allowance_label(item)}: {money(item.amount, currency)}")
    price = ""
    if line.price is not None:
        price = money(line.price, currency)
        if line.base_quantity is not None and line.base_quantity != 1:
            price += f" je {german_number(line.base_quantity)} {UNIT_CODES.get(line.unit, line.unit)}"
    views = [
        LineView(
            id=line.id,
            name=line.item.name,
            details=tuple(details),
            quantity=german_number(line.quantity),
            unit=UNIT_CODES.get(line.unit, line.unit),
            price=price,
            vat=vat_label(line.vat),
            amount=money(line_net_amount(line), currency),
            depth=depth,
        )
    ]
    for sub in line.sub_lines:
        views += _line_views(invoice, sub, depth + 1)
    return views


def _allowance_label(item: AllowanceCharge) -> str:
    kind = "Zuschlag" if item.charge else "Nachlass"
    reason = item.reason or item.reason_code
    if item.percentage is not None:
        reason = f"{reason} ({german_number(item.percentage)} %)".strip()
    return f"{kind} {reason}".strip()


def invoice_view(invoice: Invoice, totals: Totals | None = None) -> InvoiceView:
    """Gather what a reader needs to see of ``invoice`` (totals computed unless given)."""
    totals = totals or compute_totals(invoice)
    currency = invoice.currency
    kind = TYPE_CODES.get(invoice.type_code, "Gutschrift" if invoice.is_credit_note else "Rechnung")
    facts: list[tuple[str, str]] = [
        ("Rechnungsnummer", invoice.number),
        ("Rechnungsdatum", german_date(invoice.issue_date)),
        ("Rechnungsart", f"{kind} ({invoice.type_code})"),
    ]
    optional = [
        ("Fällig am", german_date(invoice.due_date)),
        ("Leitweg-ID / Käuferreferenz", invoice.buyer_reference),
        ("Währung", currency if currency != "EUR" else ""),
        ("Steuerdatum", german_date(invoice.vat_point_date)),
        ("Projekt", invoice.project_reference),
        ("Vertrag", invoice.contract_reference),
        ("Bestellung", invoice.purchase_order_reference),
        ("Auftrag des Verkäufers", invoice.sales_order_reference),
        ("Vergabe / Los", invoice.tender_or_lot_reference),
        ("Wareneingang", invoice.receiving_advice_reference),
        ("Lieferschein", invoice.despatch_advice_reference),
        ("Objektkennung", _identifier(invoice.invoiced_object_identifier)),
        ("Buchungsreferenz des Käufers", invoice.buyer_accounting_reference),
    ]
    if invoice.invoicing_period is not None:
        period = invoice.invoicing_period
        optional.append(("Abrechnungszeitraum", f"{german_date(period.start)} – {german_date(period.end)}"))
    for preceding in invoice.preceding_invoices:
        optional.append(
            (
                "Vorausgegangene Rechnung",
                " vom ".join(p for p in (preceding.number, german_date(preceding.issue_date)) if p),
            )
        )
    facts += [(label, value) for label, value in optional if value]

    seller = invoice.seller
    seller_lines = [seller.name, seller.trading_name, *_address_lines(seller.address)]
    seller_lines += [f"USt-IdNr. {seller.vat_id}" if seller.vat_id else ""]
    seller_lines += [f"Steuernummer {seller.tax_registration_id}" if seller.tax_registration_id else ""]
    seller_lines += [
        f"Register {_identifier(seller.legal_registration_id)}" if seller.legal_registration_id else ""
    ]
    seller_lines += [seller.legal_information, *_contact_lines(seller.contact)]
    seller_lines += [
        f"Elektronische Adresse {_identifier(seller.electronic_address)}" if seller.electronic_address else ""
    ]
    buyer = invoice.buyer
    buyer_lines = [buyer.name, buyer.trading_name, *_address_lines(buyer.address)]
    buyer_lines += [f"USt-IdNr. {buyer.vat_id}" if buyer.vat_id else ""]
    buyer_lines += [*_contact_lines(buyer.contact)]
    buyer_lines += [
        f"Elektronische Adresse {_identifier(buyer.electronic_address)}" if buyer.electronic_address else ""
    ]
    parties = [
        PartyView("Verkäufer", tuple(line for line in seller_lines if line)),
        PartyView("Käufer", tuple(line for line in buyer_lines if line)),
    ]
    if invoice.payee is not None:
        parties.append(
            PartyView(
                "Zahlungsempfänger",
                tuple(x for x in (invoice.payee.name, _identifier(invoice.payee.identifier)) if x),
            )
        )
    if invoice.tax_representative is not None:
        representative = invoice.tax_representative
        parties.append(
            PartyView(
                "Steuerlicher Vertreter",
                tuple(
                    x
                    for x in (
                        representative.name,
                        *_address_lines(representative.address),
                        f"USt-IdNr. {representative.vat_id}",
                    )
                    if x
                ),
            )
        )
    if invoice.delivery is not None:
        delivery = invoice.delivery
        delivery_lines = [delivery.party_name, *_address_lines(delivery.address)]
        delivery_lines += [f"Lieferort {_identifier(delivery.location_id)}" if delivery.location_id else ""]
        delivery_lines += [
            f"Geliefert am {german_date(delivery.actual_date)}" if delivery.actual_date else ""
        ]
        parties.append(PartyView("Lieferung", tuple(x for x in delivery_lines if x)))

    lines: list[LineView] = []
    for line in invoice.lines:
        lines += _line_views(invoice, line)
    allowances = tuple(
        (
            _allowance_label(item),
            vat_label(item.vat) if item.vat else "",
            money(-item.amount if not item.charge else item.amount, currency),
        )
        for item in invoice.allowances_charges
    )
    vat_rows = tuple(
        (
            vat_label(Vat(group.category, group.rate)),
            " ".join(
                x for x in ((group.exemption.text, group.exemption.code) if group.exemption else ()) if x
            ),
            money(group.taxable_amount, currency),
            money(group.tax_amount, currency),
        )
        for group in totals.vat_breakdown
    )
    total_rows = [("Summe der Positionen", money(totals.line_total, currency))]
    if any(not item.charge for item in invoice.allowances_charges):
        total_rows.append(("Nachlässe", money(-totals.allowance_total, currency)))
    if any(item.charge for item in invoice.allowances_charges):
        total_rows.append(("Zuschläge", money(totals.charge_total, currency)))
    total_rows += [
        ("Gesamtbetrag netto", money(totals.tax_exclusive, currency)),
        ("Umsatzsteuer", money(totals.vat_total, currency)),
        ("Gesamtbetrag brutto", money(totals.tax_inclusive, currency)),
    ]
    if invoice.paid_amount is not None:
        total_rows.append(("Bereits gezahlt", money(-totals.paid, currency)))
    if invoice.rounding_amount is not None:
        total_rows.append(("Rundung", money(totals.rounding, currency)))
    for payment in invoice.third_party_payments:
        total_rows.append(
            (f"Zahlung an Dritte: {payment.description or payment.type}", money(payment.amount, currency))
        )
    total_rows.append(("Zahlbetrag", money(totals.amount_due, currency)))
    if invoice.vat_total_in_accounting_currency is not None:
        total_rows.append(
            (
                "Umsatzsteuer in Buchungswährung",
                money(invoice.vat_total_in_accounting_currency, invoice.vat_accounting_currency),
            )
        )

    payment_lines: list[str] = []
    if invoice.payment is not None:
        payment = invoice.payment
        payment_lines.append(
            f"Zahlungsart: "
            f"{payment.means_text or PAYMENT_MEANS.get(payment.means_code, 'Code ' + payment.means_code)}"
        )
        for account in payment.credit_transfers:
            text = f"Konto {account.account_id}"
            if account.bank_id:
                text += f", BIC {account.bank_id}"
            if account.account_name:
                text += f", Inhaber {account.account_name}"
            payment_lines.append(text)
        if payment.card is not None:
            payment_lines.append(f"Karte …{payment.card.account_number} {payment.card.holder_name}".strip())
        if payment.direct_debit is not None:
            debit = payment.direct_debit
            payment_lines.append(
                f"Lastschrift vom Konto {debit.debited_account}, Mandat {debit.mandate_reference}, "
                f"Gläubiger-ID {debit.creditor_id}"
            )
        if payment.remittance_information:
            payment_lines.append(f"Verwendungszweck: {payment.remittance_information}")
    if invoice.payment_terms:
        payment_lines.append(f"Zahlungsbedingungen: {invoice.payment_terms}")

    attachments = tuple(
        " – ".join(
            x
            for x in (
                document.id,
                document.description,
                document.filename,
                f"{len(document.content)} Bytes" if document.content is not None else "",
                document.uri,
            )
            if x
        )
        for document in invoice.attachments
    )
    return InvoiceView(
        title=f"{kind} {invoice.number}",
        facts=tuple(facts),
        parties=tuple(parties),
        lines=tuple(lines),
        allowances=allowances,
        vat_rows=vat_rows,
        totals=tuple(total_rows),
        payment=tuple(payment_lines),
        notes=tuple(invoice.notes),
        attachments=attachments,
        currency=currency,
    )


# --- HTML -------------------------------------------------------------------------------------


def _e(text: str) -> str:
    return escape(text, quote=True)


def _multiline(text: str) -> str:
    return "<br>".join(_e(part) for part in text.splitlines()) if text else ""


def render_html(invoice: Invoice, heading_level: int = 1) -> str:
    """An HTML fragment (``<article>``) showing the invoice; every text is escaped.

    :param invoice: any invoice, e.g. from :func:`xrechnung.parse`.
    :param heading_level: the level of the invoice's title (its sections one below), so the
        fragment fits the outline of the page that embeds it
    """
    if not 1 <= heading_level <= 5:
        raise ValueError(f"heading_level must be 1 to 5, not {heading_level}")
    top, sub = heading_level, heading_level + 1
    view = invoice_view(invoice)
    out = [
        '<article class="xrechnung" lang="de">',
        f"<h{top}>{_e(view.title)}</h{top}>",
        '<dl class="xrechnung-facts">',
    ]
    for label, value in view.facts:
        out.append(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>")
    out.append("</dl>")
    out.append('<div class="xrechnung-parties">')
    for party in view.parties:
        out.append(f"<section><h{sub}>{_e(party.heading)}</h{sub}><address>")
        out.append("<br>".join(_e(line) for line in party.lines))
        out.append("</address></section>")
    out.append("</div>")
    out.append('<table class="xrechnung-lines">')
    out.append("<caption>Rechnungspositionen</caption>")
    out.append(
        "<thead><tr>"
        + "".join(
            f'<th scope="col">{label}</th>'
            for label in ("Pos.", "Bezeichnung", "Menge", "Einheit", "Einzelpreis", "USt", "Betrag netto")
        )
        + "</tr></thead><tbody>"
    )
    for line in view.lines:
        details = "".join(f"<br><small>{_multiline(detail)}</small>" for detail in line.details)
        indent = f' class="xrechnung-sub-{line.depth}"' if line.depth else ""
        out.append(
            f"<tr{indent}><td>{_e(line.id)}</td><td>{_e(line.name)}{details}</td>"
            f"<td>{_e(line.quantity)}</td><td>{_e(line.unit)}</td><td>{_e(line.price)}</td>"
            f"<td>{_e(line.vat)}</td><td>{_e(line.amount)}</td></tr>"
        )
    out.append("</tbody></table>")
    if view.allowances:
        out.append('<table class="xrechnung-allowances"><caption>Nachlässe und Zuschläge</caption>')
        out.append(
            '<thead><tr><th scope="col">Art</th><th scope="col">USt</th>'
            '<th scope="col">Betrag</th></tr></thead><tbody>'
        )
        for label, vat, amount in view.allowances:
            out.append(f"<tr><td>{_e(label)}</td><td>{_e(vat)}</td><td>{_e(amount)}</td></tr>")
        out.append("</tbody></table>")
    out.append('<table class="xrechnung-vat"><caption>Umsatzsteuer</caption>')
    out.append(
        '<thead><tr><th scope="col">Kategorie</th><th scope="col">Befreiungsgrund</th>'
        '<th scope="col">Bemessungsgrundlage</th><th scope="col">Steuerbetrag</th></tr></thead><tbody>'
    )
    for category, reason, taxable, tax in view.vat_rows:
        out.append(
            f"<tr><td>{_e(category)}</td><td>{_e(reason)}</td><td>{_e(taxable)}</td><td>{_e(tax)}</td></tr>"
        )
    out.append("</tbody></table>")
    out.append('<table class="xrechnung-totals"><caption>Summen</caption><tbody>')
    for label, amount in view.totals:
        out.append(f'<tr><th scope="row">{_e(label)}</th><td>{_e(amount)}</td></tr>')
    out.append("</tbody></table>")
    if view.payment:
        out.append(
            f"<section><h{sub}>Zahlung</h{sub}><p>"
            + "<br>".join(_multiline(line) for line in view.payment)
            + "</p></section>"
        )
    if view.notes:
        out.append(
            f"<section><h{sub}>Bemerkungen</h{sub}>"
            + "".join(f"<p>{_multiline(note)}</p>" for note in view.notes)
            + "</section>"
        )
    if view.attachments:
        out.append(
            f"<section><h{sub}>Anlagen</h{sub}><ul>"
            + "".join(f"<li>{_e(item)}</li>" for item in view.attachments)
            + "</ul></section>"
        )
    out.append("</article>")
    return "\n".join(out)


# --- PDF --------------------------------------------------------------------------------------

_FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
)


def _fonts() -> tuple[str, str]:
    """A Unicode TrueType font (DejaVu Sans if installed, else reportlab's bundled Vera)."""
    if "XRechnungSans" in pdfmetrics.getRegisteredFontNames():
        return "XRechnungSans", "XRechnungSans-Bold"
    import reportlab

    bundled = Path(reportlab.__file__).parent / "fonts"
    regular, bold = str(bundled / "Vera.ttf"), str(bundled / "VeraBd.ttf")
    for candidate in _FONT_CANDIDATES:
        if all(Path(path).is_file() for path in candidate):
            regular, bold = candidate
            break
    pdfmetrics.registerFont(TTFont("XRechnungSans", regular))
    pdfmetrics.registerFont(TTFont("XRechnungSans-Bold", bold))
    return "XRechnungSans", "XRechnungSans-Bold"


class PdfRenderer:
    """Draw an invoice on A4 pages; layout settings are class attributes."""

    pagesize = A4
    margin = 18 * mm
    font_size = 8.5
    heading_size = 14
    table_header_background = colors.HexColor("#e8ecef")
    grid_color = colors.HexColor("#b0b7bd")

    def __init__(self) -> None:
        regular, bold = _fonts()
        self.text = ParagraphStyle(
            "text", fontName=regular, fontSize=self.font_size, leading=self.font_size * 1.25
        )
        self.small = ParagraphStyle(
            "small", parent=self.text, fontSize=self.font_size - 1.5, leading=self.font_size
        )
        self.bold = ParagraphStyle("bold", parent=self.text, fontName=bold)
        self.heading = ParagraphStyle(
            "heading",
            parent=self.bold,
            fontSize=self.heading_size,
            leading=self.heading_size * 1.3,
            spaceAfter=4,
        )
        self.subheading = ParagraphStyle(
            "subheading", parent=self.bold, fontSize=self.font_size + 2, spaceBefore=6
        )

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(
            "<br/>".join(escape(part, quote=False) for part in text.splitlines()) or "", style or self.text
        )

    def table(self, rows: list[list[object]], widths: list[float], header: bool = True) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.3, self.grid_color),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), self.table_header_background))
        table.setStyle(TableStyle(style))
        return table

    def render(self, invoice: Invoice) -> bytes:
        view = invoice_view(invoice)
        buffer = BytesIO()
        width = self.pagesize[0] - 2 * self.margin
        document = SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=self.margin,
            rightMargin=self.margin,
            topMargin=self.margin,
            bottomMargin=self.margin,
            title=view.title,
            author=invoice.seller.name,
            subject="XRechnung",
        )
        story: list[object] = [self.p(view.title, self.heading)]
        story.append(
            self.table(
                [[self.p(k, self.bold), self.p(v)] for k, v in view.facts], [width * 0.3, width * 0.7], False
            )
        )
        story.append(Spacer(1, 4 * mm))
        party_cells = [
            [self.p(party.heading, self.bold), self.p("\n".join(party.lines))] for party in view.parties
        ]
        story.append(self.table(party_cells, [width * 0.3, width * 0.7], False))
        story.append(self.p("Rechnungspositionen", self.subheading))
        header = ["Pos.", "Bezeichnung", "Menge", "Einheit", "Einzelpreis", "USt", "Betrag netto"]
        rows: list[list[object]] = [[self.p(label, self.bold) for label in header]]
        for line in view.lines:
            name = ("  " * line.depth) + line.name
            cell = [self.p(name)] + [self.p(detail, self.small) for detail in line.details]
            rows.append(
                [
                    self.p(line.id),
                    cell,
                    self.p(line.quantity),
                    self.p(line.unit),
                    self.p(line.price),
                    self.p(line.vat),
                    self.p(line.amount),
                ]
            )
        fractions = [0.08, 0.36, 0.1, 0.09, 0.13, 0.11, 0.13]
        story.append(self.table(rows, [width * f for f in fractions]))
        if view.allowances:
            story.append(self.p("Nachlässe und Zuschläge", self.subheading))
            rows = [[self.p(x, self.bold) for x in ("Art", "USt", "Betrag")]]
            rows += [[self.p(a), self.p(b), self.p(c)] for a, b, c in view.allowances]
            story.append(self.table(rows, [width * 0.5, width * 0.3, width * 0.2]))
        story.append(self.p("Umsatzsteuer", self.subheading))
        rows = [
            [
                self.p(x, self.bold)
                for x in ("Kategorie", "Befreiungsgrund", "Bemessungsgrundlage", "Steuerbetrag")
            ]
        ]
        rows += [[self.p(a), self.p(b), self.p(c), self.p(d)] for a, b, c, d in view.vat_rows]
        story.append(self.table(rows, [width * 0.3, width * 0.3, width * 0.2, width * 0.2]))
        story.append(Spacer(1, 3 * mm))
        story.append(
            self.table(
                [[self.p(k, self.bold), self.p(v)] for k, v in view.totals], [width * 0.6, width * 0.4], False
            )
        )
        if view.payment:
            story.append(self.p("Zahlung", self.subheading))
            story += [self.p(line) for line in view.payment]
        if view.notes:
            story.append(self.p("Bemerkungen", self.subheading))
            story += [self.p(note) for note in view.notes]
        if view.attachments:
            story.append(self.p("Anlagen", self.subheading))
            story += [self.p(item) for item in view.attachments]
        document.build(story)
        return buffer.getvalue()


def render_pdf(invoice: Invoice) -> bytes:
    """A PDF (A4) showing the invoice, drawn with reportlab.

    :param invoice: any invoice, e.g. from :func:`xrechnung.parse`.
    """
    return PdfRenderer().render(invoice)
