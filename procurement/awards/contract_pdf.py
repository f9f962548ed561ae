"""The contract document (Vertrag über ein Los, §4 VgV joint procurement) as a one-page PDF.

A joint tender with a thousand participants and five lots makes five thousand contracts at
the moment its awards become final, so the renderer is built for throughput:

- ReportLab's text objects make the PDF operators (positions, WinAnsi encoding, escaping) on a
  fixed layout, with the base-14 Helvetica fonts (no font files to embed); the one-page document
  around them (catalogue, page, two font dictionaries, info, cross-reference) is written here:
  ReportLab's general document writer took two thirds of the time per contract. No page
  compression (zlib costs more time than the few kilobytes it saves). Layout settings are
  class attributes;
- everything the contracts of one award share (the vendor, the procedure, the lot, the unit
  price, the dates, the labels and the terms) is drawn once into PDF text operators and reused
  for each contract (`ContractRenderer.shared_code`); per contract only the buyer's block, the
  quantity, the value, the billing data and the number are drawn;
- amounts are formatted by a small German formatter instead of Babel (called 5,000 times).

The bytes are a function of the data alone (no creation date, no random document id): the
same contract renders to the same PDF, and so to the same SHA-256.

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

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

BERLIN = ZoneInfo("Europe/Berlin")
PRODUCER = "Vergabe-Marktplatz (ReportLab)"


def _pdf_text(value: str) -> str:
    """A PDF text string for the document info: UTF-16BE with byte order mark, in hex."""
    return f"<FEFF{value.encode('utf-16-be').hex().upper()}>"


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


def _german(number: str) -> str:
    """``1,234.5`` (Python's grouping) -> ``1.234,5``."""
    return number.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def eur(amount: Decimal, places: int = 2) -> str:
    """German currency format: ``14.814,81 €``; unit prices with their four places."""
    return f"{_german(format(amount, f',.{places}f'))} €"


def quantity_text(quantity: Decimal) -> str:
    """A quantity without trailing zeros, German: ``1.250,5``."""
    text = _german(format(quantity, ",f"))
    return text.rstrip("0").rstrip(",") if "," in text else text


class ContractRenderer:
    """Render a `ContractPdfData` as a one-page A4 PDF (German) on a fixed layout."""

    page_size = A4
    left = 22 * mm
    right = A4[0] - 20 * mm
    top = A4[1] - 22 * mm
    value_x = 80 * mm  # where values start in the label/value rows
    font = "Helvetica"  # registered first in every document: /F1 in the shared operators
    bold = "Helvetica-Bold"  # /F2
    title_size = 15
    heading_size = 10.5
    body_size = 9.5
    small_size = 7.5
    leading = 4.6 * mm
    block_gap = 3.2 * mm
    party_lines = 4  # name + up to three lines (address, place, Leitweg-ID or VAT id)
    terms = (
        "Der Auftragnehmer liefert die Leistung des Loses zu den Bedingungen der Vergabeunterlagen",
        "und seines Angebots an den Auftraggeber. Der Einzelpreis ist der Gesamtpreis des Angebots für",
        "das Los, geteilt durch die Gesamtmenge aller Teilnehmer, kaufmännisch gerundet auf vier",
        "Nachkommastellen; der Auftragswert ist Menge mal Einzelpreis, kaufmännisch gerundet auf Cent.",
        "Rechnungen stellt der Auftragnehmer jedem Auftraggeber gesondert an dessen Leitweg-ID.",
        "Der Vertrag kam mit dem Zuschlag nach Ablauf der Wartefrist zustande (§§ 134, 135 GWB).",
    )
    procedure_labels = (
        "Gemeinsame Vergabe (§ 4 VgV)",
        "Aktenzeichen",
        "Verfahrenskennung",
        "Zuschlag erteilt am",
        "Wartefrist (§ 134 GWB) endete",
        "Vertrag geschlossen am",
        "Laufzeit",
    )
    service_labels = ("Los", "CPV-Code", "Menge", "Einzelpreis (netto)")
    billing_labels = ("Leitweg-ID (BT-10)", "Rechnungsempfänger", "Anschrift", "Form")
    cache_size = 16  # shared parts kept: one per award being concluded

    def __init__(self) -> None:
        self._shared: dict[tuple[object, ...], str] = {}
        self._canvas: Optional[Canvas] = None
        # the fixed layout: where each block starts
        y = self.top - 6 * mm
        self.y_tender = y
        self.y_rule = y - self.leading
        self.y_buyer = self.y_rule - self.block_gap - 2 * mm
        self.y_vendor = self._after_party(self.y_buyer)
        self.y_procedure = self._after_party(self.y_vendor)
        self.y_service = self._after_rows(self.y_procedure, len(self.procedure_labels))
        self.y_value = self._after_rows(self.y_service, len(self.service_labels)) + self.block_gap
        self.y_billing = self.y_value - self.leading - self.block_gap
        self.y_terms = self._after_rows(self.y_billing, len(self.billing_labels))

    def _after_party(self, y: float) -> float:
        return y - self.leading * (self.party_lines + 1) - 0.6 * mm - self.block_gap

    def _after_rows(self, y: float, rows: int) -> float:
        return y - self.leading * (rows + 1) - 0.6 * mm - self.block_gap

    def render(self, data: ContractPdfData) -> bytes:
        scratch = self._scratch()
        parts = [self.shared_code(data)]

        def text(x: float, y: float, font: str, size: float, lines: tuple[str, ...]) -> None:
            block = scratch.beginText(x, y)
            block.setFont(font, size)
            block.setLeading(self.leading)
            for line in lines:
                block.textLine(line)
            parts.append(block.getCode())

        number = f"Vertragsnummer {data.number}"
        width = stringWidth(number, self.font, self.body_size)
        text(self.right - width, self.top, self.font, self.body_size, (number,))
        y = self.y_buyer - self.leading - 0.6 * mm
        text(self.left, y, self.bold, self.body_size, (data.buyer.name,))
        text(self.left, y - self.leading, self.font, self.body_size, data.buyer.lines[: self.party_lines - 1])
        body = self.y_service - self.leading - 0.6 * mm
        text(
            self.value_x,
            body - 2 * self.leading,
            self.font,
            self.body_size,
            (f"{quantity_text(data.quantity)} {data.unit}",),
        )
        text(self.value_x, self.y_value, self.bold, self.body_size + 1, (eur(data.net_value),))
        billing = (
            data.leitweg_id,
            data.billing_name,
            f"{data.billing_street}, {data.billing_postal_code} {data.billing_city}",
        )
        text(self.value_x, self.y_billing - self.leading - 0.6 * mm, self.font, self.body_size, billing)
        footer = f"Vergabe-Marktplatz · Vertrag {data.number} · Seite 1 von 1"
        text(self.left, 14 * mm, self.font, self.small_size, (footer,))
        content = "\n".join(parts).encode("latin-1")
        return self._document(content, title=f"Vertrag {data.number}", subject=data.tender_title)

    def _scratch(self) -> Canvas:
        """A canvas that only lends its text objects (operators, WinAnsi encoding); never saved."""
        if self._canvas is None:
            self._canvas = Canvas(io.BytesIO(), pagesize=self.page_size, pageCompression=0, invariant=1)
            self._canvas.setFont(self.font, self.body_size)  # /F1
            self._canvas.setFont(self.bold, self.body_size)  # /F2
        return self._canvas

    def _document(self, content: bytes, title: str, subject: str) -> bytes:
        """The one-page PDF around ``content``: the fixed objects, the info, the cross-reference."""
        width, height = self.page_size
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.4f} {height:.4f}] "
                "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> /ProcSet [/PDF /Text] >> /Contents 6 0 R >>"
            ).encode("ascii"),
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{self.font} /Encoding /WinAnsiEncoding >>".encode(
                "ascii"
            ),
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{self.bold} /Encoding /WinAnsiEncoding >>".encode(
                "ascii"
            ),
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content) + 1, content),
            (
                f"<< /Title {_pdf_text(title)} /Subject {_pdf_text(subject)} "
                f"/Author {_pdf_text('Vergabe-Marktplatz')} /Producer {_pdf_text(PRODUCER)} >>"
            ).encode("ascii"),
        ]
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            xref,
        )
        return bytes(out)

    @staticmethod
    def shared_key(data: ContractPdfData) -> tuple[object, ...]:
        """What the contracts of one award have in common (and what the shared operators show)."""
        return (
            data.vendor,
            data.lead_organisation,
            data.tender_title,
            data.tender_reference,
            data.procedure_id,
            data.lot_number,
            data.lot_title,
            data.cpv_code,
            data.unit,
            data.unit_price,
            data.awarded_at,
            data.standstill_ends_at,
            data.concluded_at,
            data.duration_months,
        )

    def shared_code(self, data: ContractPdfData) -> str:
        """The PDF operators of the part shared by the award's contracts, made once per award."""
        key = self.shared_key(data)
        code = self._shared.get(key)
        if code is None:
            if len(self._shared) >= self.cache_size:
                self._shared.clear()
            code = self._shared[key] = self._draw_shared(data)
        return code

    def _draw_shared(self, data: ContractPdfData) -> str:
        scratch = self._scratch()
        parts: list[str] = []

        def text(x: float, y: float, font: str, size: float, lines: tuple[str, ...]) -> None:
            block = scratch.beginText(x, y)
            block.setFont(font, size)
            block.setLeading(self.leading)
            for line in lines:
                block.textLine(line)
            parts.append(block.getCode())

        def heading(y: float, title: str) -> float:
            text(self.left, y, self.bold, self.heading_size, (title,))
            return y - self.leading - 0.6 * mm

        text(self.left, self.top, self.bold, self.title_size, (f"Vertrag über Los {data.lot_number}",))
        text(self.left, self.y_tender, self.font, self.body_size, (data.tender_title,))
        parts.append(f"0.5 w {self.left:.2f} {self.y_rule:.2f} m {self.right:.2f} {self.y_rule:.2f} l S")
        heading(self.y_buyer, "Auftraggeber")
        y = heading(self.y_vendor, "Auftragnehmer")
        text(self.left, y, self.bold, self.body_size, (data.vendor.name,))
        text(self.left, y - self.leading, self.font, self.body_size, data.vendor.lines)
        y = heading(self.y_procedure, "Vergabeverfahren")
        text(self.left, y, self.font, self.body_size, self.procedure_labels)
        procedure_values = (
            f"durchgeführt von {data.lead_organisation}",
            data.tender_reference or "–",
            data.procedure_id,
            berlin_time(data.awarded_at),
            berlin_time(data.standstill_ends_at),
            berlin_time(data.concluded_at),
            f"{data.duration_months} Monate",
        )
        text(self.value_x, y, self.font, self.body_size, procedure_values)
        y = heading(self.y_service, "Leistung")
        text(self.left, y, self.font, self.body_size, self.service_labels)
        text(
            self.value_x,
            y,
            self.font,
            self.body_size,
            (f"{data.lot_number}: {data.lot_title}", data.cpv_code),
        )
        text(
            self.value_x,
            y - 3 * self.leading,
            self.font,
            self.body_size,
            (f"{eur(data.unit_price, 4)} je {data.unit}",),
        )
        text(self.left, self.y_value, self.bold, self.body_size + 1, ("Auftragswert (netto)",))
        y = heading(self.y_billing, "Rechnungsstellung")
        text(self.left, y, self.font, self.body_size, self.billing_labels)
        text(
            self.value_x,
            y - 3 * self.leading,
            self.font,
            self.body_size,
            ("elektronische Rechnung (XRechnung) an die Leitweg-ID",),
        )
        terms = scratch.beginText(self.left, self.y_terms)
        terms.setFont(self.font, self.small_size)
        terms.setLeading(3.4 * mm)
        for line in self.terms:
            terms.textLine(line)
        parts.append(terms.getCode())
        return "\n".join(parts)
