"""The receipt of a bid (Eingangsbestätigung, §10(1) Nr. 1 VgV) as PDF, drawn with reportlab.

It states what is not secret: the tender, the vendor, the bid's receipt id, the server time of
receipt (Europe/Berlin and UTC), every file's name, size and SHA-256. Never a price: the content
stays sealed until the opening (§§54, 55 VgV). The facts are gathered in `receipt_data` and the
layout lives in `ReceiptRenderer`, so tests check the facts and that a PDF comes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from procurement.bids.models import Bid
from procurement.tenders.advisor import BERLIN


@dataclass(frozen=True)
class ReceiptFile:
    filename: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ReceiptData:
    tender_title: str
    tender_reference: str
    lead_name: str
    vendor_name: str
    receipt_id: str
    received_at: datetime  # aware UTC
    bid_deadline: datetime
    submitted_by: str
    files: tuple[ReceiptFile, ...]

    @property
    def received_berlin(self) -> str:
        return self.received_at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M:%S %Z")

    @property
    def received_utc(self) -> str:
        return self.received_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    @property
    def deadline_berlin(self) -> str:
        return self.bid_deadline.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M:%S %Z")


def receipt_data(bid: Bid) -> ReceiptData:
    """The facts of the receipt of a submitted bid (no content)."""
    if bid.submitted_at is None or bid.tender.bid_deadline is None:
        raise ValueError("only a submitted bid has a receipt")
    return ReceiptData(
        tender_title=bid.tender.title,
        tender_reference=bid.tender.reference or "",
        lead_name=bid.tender.lead_organisation.name,
        vendor_name=bid.organisation.name,
        receipt_id=bid.receipt_id,
        received_at=bid.submitted_at,
        bid_deadline=bid.tender.bid_deadline,
        submitted_by=bid.submitted_by.name if bid.submitted_by else "",
        files=tuple(ReceiptFile(f.filename, f.size, f.sha256) for f in bid.files),
    )


class ReceiptRenderer:
    """Draw a receipt on A4; layout settings are class attributes."""

    pagesize = A4
    margin = 20 * mm
    font = "Helvetica"
    bold_font = "Helvetica-Bold"
    mono_font = "Courier"
    font_size = 10
    hash_font_size = 7.5

    def __init__(self) -> None:
        styles = getSampleStyleSheet()
        self.title_style = ParagraphStyle(
            "title", parent=styles["Title"], fontName=self.bold_font, fontSize=16
        )
        self.text_style = ParagraphStyle(
            "text", parent=styles["Normal"], fontName=self.font, fontSize=self.font_size, leading=13
        )
        self.small_style = ParagraphStyle("small", parent=self.text_style, fontSize=8, leading=10)
        self.hash_style = ParagraphStyle(
            "hash", parent=self.text_style, fontName=self.mono_font, fontSize=self.hash_font_size, leading=9
        )

    def _p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(escape(text), style or self.text_style)

    def render(self, data: ReceiptData) -> bytes:
        buffer = BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=self.margin,
            rightMargin=self.margin,
            topMargin=self.margin,
            bottomMargin=self.margin,
            title=_("Eingangsbestätigung %(id)s", id=data.receipt_id),
            author="Vergabe-Marktplatz",
            invariant=True,
        )
        facts = [
            (_("Ausschreibung"), data.tender_title),
            (_("Aktenzeichen"), data.tender_reference or "–"),
            (_("Auftraggeber"), data.lead_name),
            (_("Bieter"), data.vendor_name),
            (_("Abgegeben von"), data.submitted_by or "–"),
            (_("Angebotsnummer"), data.receipt_id),
            (_("Eingang (Serverzeit)"), f"{data.received_berlin} / {data.received_utc}"),
            (_("Angebotsfrist"), data.deadline_berlin),
        ]
        fact_table = Table(
            [[self._p(label), self._p(value)] for label, value in facts],
            colWidths=[45 * mm, None],
        )
        fact_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        rows = [[self._p(_("Datei")), self._p(_("Größe (Bytes)")), self._p(_("SHA-256"))]]
        rows += [
            [self._p(f.filename), self._p(str(f.size)), self._p(f.sha256, self.hash_style)]
            for f in data.files
        ]
        file_table = Table(rows, colWidths=[55 * mm, 25 * mm, None], repeatRows=1)
        file_table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story = [
            Paragraph(escape(_("Eingangsbestätigung")), self.title_style),
            self._p(_("Bestätigung des Eingangs eines elektronischen Angebots (§ 10 Abs. 1 Nr. 1 VgV).")),
            Spacer(1, 6 * mm),
            fact_table,
            Spacer(1, 6 * mm),
            self._p(_("Eingegangene Dateien")),
            Spacer(1, 2 * mm),
            file_table,
            Spacer(1, 6 * mm),
            self._p(
                _(
                    "Der Inhalt des Angebots (Preise, Antworten und Dateien) ist verschlüsselt gespeichert "
                    "und bleibt bis zur Öffnung nach Ablauf der Angebotsfrist verschlossen (§§ 54, 55 VgV). "
                    "Die SHA-256-Prüfsummen belegen, welche Dateien eingegangen sind: bei der Öffnung wird "
                    "jede Datei entschlüsselt und ihre Prüfsumme mit dieser Bestätigung verglichen."
                )
            ),
            Spacer(1, 4 * mm),
            self._p(
                _(
                    "Maßgeblich ist die Uhrzeit des Servers der Plattform beim vollständigen Eingang "
                    "(§ 57 Abs. 1 VgV)."
                ),
                self.small_style,
            ),
        ]
        document.build(story)
        return buffer.getvalue()


def render_receipt(bid: Bid) -> bytes:
    """The receipt of a submitted bid as PDF bytes."""
    return ReceiptRenderer().render(receipt_data(bid))
