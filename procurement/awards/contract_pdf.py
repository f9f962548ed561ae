"""The contract document (Vertrag über ein Los, §4 VgV joint procurement) as a one-page PDF.

A joint tender with a thousand participants and five lots makes five thousand contracts at
the moment its awards become final, so the renderer is built for throughput: canvas-level
drawing (no platypus flowables), the base-14 Helvetica fonts (no font files to embed), no page
compression (zlib and ASCII85 cost more time than the few kilobytes they save), and the layout
settings are class attributes read once. ``invariant`` makes the bytes a function of the data
alone: the same contract renders to the same PDF, and so to the same SHA-256.

The renderer gets a plain `ContractPdfData` (no database rows), so what it prints can be tested
without a database.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Optional
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, format_decimal
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Party:
    """A party as the contract names it."""

    name: str
    lines: tuple[str, ...]  # address and identifiers, one per line


@dataclass(frozen=True)
class ContractPdfData:
    """Everything the contract document states (the contract's own copied values)."""

    number: str
    buyer: Party
    leitweg_id: str
    billing_name: str
    billing_street: str
    billing_postal_code: str
    billing_city: str
    vendor: Party
    lead_organisation: str
    tender_title: str
    tender_reference: str
    procedure_id: str  # BT-04, the procedure's UUID
    lot_number: int
    lot_title: str
    cpv_code: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    net_value: Decimal
    awarded_at: datetime  # the award became final (Zuschlag)
    standstill_ends_at: Optional[datetime]
    concluded_at: datetime
    duration_months: int


def berlin_date(moment: Optional[datetime]) -> str:
    return "–" if moment is None else moment.astimezone(BERLIN).strftime("%d.%m.%Y")


def berlin_time(moment: Optional[datetime]) -> str:
    return "–" if moment is None else moment.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr (%Z)")


def eur(amount: Decimal, digits: int = 2) -> str:
    """German currency format; unit prices keep their four decimal places."""
    if digits == 2:
        return format_currency(amount, "EUR", locale="de_DE")
    return format_currency(amount, "EUR", format="#,##0.0000\xa0¤", locale="de_DE", currency_digits=False)


def quantity_text(quantity: Decimal) -> str:
    return format_decimal(
        quantity.normalize() if quantity == quantity.to_integral() else quantity, locale="de_DE"
    )


class ContractRenderer:
    """Render a `ContractPdfData` as a one-page A4 PDF (German)."""

    page_size = A4
    left = 22 * mm
    right = A4[0] - 20 * mm
    top = A4[1] - 22 * mm
    value_x = 80 * mm  # where values start in the label/value rows
    font = "Helvetica"
    bold = "Helvetica-Bold"
    title_size = 15
    heading_size = 10.5
    body_size = 9.5
    small_size = 7.5
    leading = 4.6 * mm
    block_gap = 3.2 * mm
    terms = (
        "Der Auftragnehmer liefert die Leistung des Loses zu den Bedingungen der Vergabeunterlagen",
        "und seines Angebots an den Auftraggeber. Der Einzelpreis ist der Gesamtpreis des Angebots für",
        "das Los, geteilt durch die Gesamtmenge aller Teilnehmer, kaufmännisch gerundet auf vier",
        "Nachkommastellen; der Auftragswert ist Menge mal Einzelpreis, kaufmännisch gerundet auf Cent.",
        "Rechnungen stellt der Auftragnehmer jedem Auftraggeber gesondert an dessen Leitweg-ID.",
        "Der Vertrag kam mit dem Zuschlag nach Ablauf der Wartefrist zustande (§§ 134, 135 GWB).",
    )

    def render(self, data: ContractPdfData) -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=self.page_size, pageCompression=0, invariant=1)
        canvas.setTitle(f"Vertrag {data.number}")
        canvas.setAuthor("Vergabe-Marktplatz")
        canvas.setSubject(data.tender_title)
        y = self.top
        canvas.setFont(self.bold, self.title_size)
        canvas.drawString(self.left, y, f"Vertrag über Los {data.lot_number}")
        canvas.setFont(self.font, self.body_size)
        canvas.drawRightString(self.right, y, f"Vertragsnummer {data.number}")
        y -= 6 * mm
        canvas.drawString(self.left, y, data.tender_title)
        y -= self.leading
        canvas.setLineWidth(0.5)
        canvas.line(self.left, y, self.right, y)
        y -= self.block_gap + 2 * mm

        y = self._heading(canvas, y, "Auftraggeber")
        y = self._party(canvas, y, data.buyer)
        y = self._heading(canvas, y, "Auftragnehmer")
        y = self._party(canvas, y, data.vendor)
        y = self._heading(canvas, y, "Vergabeverfahren")
        reference = data.tender_reference or "–"
        y = self._rows(
            canvas,
            y,
            (
                ("Gemeinsame Vergabe (§ 4 VgV)", f"durchgeführt von {data.lead_organisation}"),
                ("Aktenzeichen", reference),
                ("Verfahrenskennung", data.procedure_id),
                ("Zuschlag erteilt am", berlin_time(data.awarded_at)),
                ("Wartefrist (§ 134 GWB) endete", berlin_time(data.standstill_ends_at)),
                ("Vertrag geschlossen am", berlin_time(data.concluded_at)),
                ("Laufzeit", f"{data.duration_months} Monate"),
            ),
        )
        y = self._heading(canvas, y, "Leistung")
        y = self._rows(
            canvas,
            y,
            (
                ("Los", f"{data.lot_number}: {data.lot_title}"),
                ("CPV-Code", data.cpv_code),
                ("Menge", f"{quantity_text(data.quantity)} {data.unit}"),
                ("Einzelpreis (netto)", f"{eur(data.unit_price, 4)} je {data.unit}"),
            ),
        )
        canvas.setFont(self.bold, self.body_size + 1)
        canvas.drawString(self.left, y, "Auftragswert (netto)")
        canvas.drawString(self.value_x, y, eur(data.net_value))
        y -= self.leading + self.block_gap
        y = self._heading(canvas, y, "Rechnungsstellung")
        y = self._rows(
            canvas,
            y,
            (
                ("Leitweg-ID (BT-10)", data.leitweg_id),
                ("Rechnungsempfänger", data.billing_name),
                ("Anschrift", f"{data.billing_street}, {data.billing_postal_code} {data.billing_city}"),
                ("Form", "elektronische Rechnung (XRechnung) an die Leitweg-ID"),
            ),
        )
        canvas.setFont(self.font, self.small_size)
        text = canvas.beginText(self.left, y)
        text.setLeading(3.4 * mm)
        for line in self.terms:
            text.textLine(line)
        canvas.drawText(text)
        canvas.setFont(self.font, self.small_size)
        canvas.drawString(self.left, 14 * mm, f"Vergabe-Marktplatz · Vertrag {data.number} · Seite 1 von 1")
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    def _heading(self, canvas: Canvas, y: float, title: str) -> float:
        canvas.setFont(self.bold, self.heading_size)
        canvas.drawString(self.left, y, title)
        return y - self.leading - 0.6 * mm

    def _party(self, canvas: Canvas, y: float, party: Party) -> float:
        canvas.setFont(self.bold, self.body_size)
        canvas.drawString(self.left, y, party.name)
        text = canvas.beginText(self.left, y - self.leading)
        text.setFont(self.font, self.body_size)
        text.setLeading(self.leading)
        for line in party.lines:
            text.textLine(line)
        canvas.drawText(text)
        return y - self.leading * (len(party.lines) + 1) - self.block_gap

    def _rows(self, canvas: Canvas, y: float, rows: tuple[tuple[str, str], ...]) -> float:
        labels = canvas.beginText(self.left, y)
        labels.setFont(self.font, self.body_size)
        labels.setLeading(self.leading)
        values = canvas.beginText(self.value_x, y)
        values.setFont(self.font, self.body_size)
        values.setLeading(self.leading)
        for label, value in rows:
            labels.textLine(label)
            values.textLine(value)
        canvas.drawText(labels)
        canvas.drawText(values)
        return y - self.leading * len(rows) - self.block_gap
