"""The opening record (Öffnungsprotokoll, §55 VgV) as PDF, issued once at the opening.

The record states what the two officers found when they opened the bids: the tender, the bid
deadline, the time of the opening, the officers, and for every bid its vendor, receipt id,
time of receipt, prices per lot and every file with name, size, SHA-256 and whether the
decrypted file matched the receipt. A file that failed decryption or verification is shown
loudly (bold, red, "FEHLER: ..."): §10(1) Nr. 7 VgV wants breaches clearly detectable.
Withdrawn and superseded bids are listed as such, unopened. Late bids cannot exist: the
platform refuses them at submission (§57(1) Nr. 1 VgV), and the record says so.

The renderer gets a plain `RecordData` (no database rows), so what it prints can be tested
without reading the PDF back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, format_decimal
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class RecordFile:
    """A file of a bid as the record lists it."""

    name: str
    size: int
    sha256: str  # as on the receipt
    verified: Optional[bool]  # None: not checked (bid not opened)
    error: str = ""


@dataclass(frozen=True)
class RecordPrice:
    lot_number: int
    lot_title: str
    price: Decimal  # net, EUR


@dataclass(frozen=True)
class RecordBid:
    """One bid: opened (with prices and verified files) or listed unopened (withdrawn, superseded)."""

    vendor: str
    receipt_id: str
    submitted_at: datetime
    state: str  # "opened", "withdrawn" or "superseded"
    prices: tuple[RecordPrice, ...] = ()
    consortium: tuple[str, ...] = ()
    files: tuple[RecordFile, ...] = ()
    error: str = ""  # why the bid's content could not be decrypted
    withdrawn_at: Optional[datetime] = None

    @property
    def has_error(self) -> bool:
        return bool(self.error) or any(f.verified is False for f in self.files)


@dataclass(frozen=True)
class RecordData:
    """Everything the opening record states."""

    tender_title: str
    reference: str
    procedure: str
    lead_organisation: str
    bid_deadline: datetime
    opened_at: datetime
    officers: tuple[str, str]
    bids: tuple[RecordBid, ...] = field(default_factory=tuple)

    @property
    def opened_bids(self) -> list[RecordBid]:
        return [bid for bid in self.bids if bid.state == "opened"]

    @property
    def unopened_bids(self) -> list[RecordBid]:
        return [bid for bid in self.bids if bid.state != "opened"]


def berlin_time(moment: datetime) -> str:
    """German local time to the second, with the zone (the deadline is decided to the second)."""
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M:%S Uhr (%Z)")


def eur(amount: Decimal) -> str:
    return format_currency(amount, "EUR", locale="de_DE")


def file_size(size: int) -> str:
    """Exact bytes (what the receipt hashes), German digit grouping."""
    return f"{format_decimal(size, locale='de_DE')} Bytes"


class _NumberedCanvas(Canvas):
    """A canvas that writes "Seite n von m" on every page once the page count is known."""

    footer_font = ("Helvetica", 8)
    footer_text = "Öffnungsprotokoll"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(*self.footer_font)
            width = self._pagesize[0]
            self.drawString(20 * mm, 10 * mm, self.footer_text)
            self.drawRightString(width - 20 * mm, 10 * mm, f"Seite {self._pageNumber} von {total}")
            super().showPage()
        super().save()


class OpeningRecordRenderer:
    """Render `RecordData` as the PDF of the opening record (A4, German)."""

    page_size = A4
    margin_left = 20 * mm
    margin_right = 20 * mm
    margin_top = 20 * mm
    margin_bottom = 20 * mm
    font = "Helvetica"
    font_bold = "Helvetica-Bold"
    font_mono = "Courier"
    font_size = 10
    leading = 13
    heading_size = 16
    subheading_size = 12
    hash_size = 7
    error_colour = colors.HexColor("#b00020")
    grid_colour = colors.HexColor("#999999")
    header_background = colors.HexColor("#e8e8e8")
    title = "Öffnungsprotokoll (§ 55 VgV)"
    late_bids_note = (
        "Verspätete Angebote: keine. Die Plattform nimmt nach Ablauf der Angebotsfrist keine "
        "Angebote mehr an (§ 57 Abs. 1 Nr. 1 VgV); die Serverzeit entscheidet auf die Sekunde."
    )
    secrecy_note = (
        "Die Angebote waren bis zur Öffnung verschlüsselt gespeichert (§ 54 VgV). Die Öffnung "
        "erfolgte nach Ablauf der Angebotsfrist gemeinsam durch zwei Vertreter des öffentlichen "
        "Auftraggebers (§ 55 Abs. 2 VgV); Bieter waren nicht zugelassen. Jede Datei wurde "
        "entschlüsselt und ihre Größe und ihr SHA-256-Hashwert mit der Eingangsbestätigung verglichen."
    )

    def __init__(self) -> None:
        self.body = ParagraphStyle("body", fontName=self.font, fontSize=self.font_size, leading=self.leading)
        self.small = ParagraphStyle(
            "small", parent=self.body, fontSize=self.font_size - 1, leading=self.leading - 2
        )
        self.heading = ParagraphStyle(
            "heading",
            parent=self.body,
            fontName=self.font_bold,
            fontSize=self.heading_size,
            leading=self.heading_size + 4,
            spaceAfter=6,
        )
        self.subheading = ParagraphStyle(
            "subheading",
            parent=self.body,
            fontName=self.font_bold,
            fontSize=self.subheading_size,
            leading=self.subheading_size + 4,
            spaceBefore=10,
            spaceAfter=4,
        )
        self.hash = ParagraphStyle(
            "hash",
            parent=self.body,
            fontName=self.font_mono,
            fontSize=self.hash_size,
            leading=self.hash_size + 2,
        )
        self.error = ParagraphStyle(
            "error",
            parent=self.body,
            fontName=self.font_bold,
            textColor=self.error_colour,
            alignment=TA_LEFT,
        )

    # --- pieces -----------------------------------------------------------------------------

    def _p(self, text: str, style: Optional[ParagraphStyle] = None) -> Paragraph:
        return Paragraph(escape(text), style or self.body)

    def _table(self, rows: list[list[Any]], widths: list[float], header: bool = True) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.4, self.grid_colour),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), self.font),
            ("FONTSIZE", (0, 0), (-1, -1), self.font_size - 1),
        ]
        if header:
            commands += [
                ("BACKGROUND", (0, 0), (-1, 0), self.header_background),
                ("FONTNAME", (0, 0), (-1, 0), self.font_bold),
            ]
        table.setStyle(TableStyle(commands))
        return table

    @property
    def _width(self) -> float:
        return self.page_size[0] - self.margin_left - self.margin_right

    def _facts(self, data: RecordData) -> list[Any]:
        rows = [
            ["Ausschreibung", self._p(data.tender_title)],
            ["Aktenzeichen", self._p(data.reference or "–")],
            ["Verfahren", self._p(data.procedure)],
            ["Öffentlicher Auftraggeber (federführend)", self._p(data.lead_organisation)],
            ["Ablauf der Angebotsfrist", self._p(berlin_time(data.bid_deadline))],
            ["Zeitpunkt der Öffnung", self._p(berlin_time(data.opened_at))],
            ["Öffnung durch", self._p(f"{data.officers[0]} und {data.officers[1]}")],
            [
                "Angebote",
                self._p(
                    f"{len(data.opened_bids)} geöffnet, {len(data.unopened_bids)} zurückgezogen oder ersetzt"
                ),
            ],
        ]
        return [self._table(rows, [0.35 * self._width, 0.65 * self._width], header=False)]

    def _file_rows(self, bid: RecordBid) -> list[list[Any]]:
        rows: list[list[Any]] = [["Datei", "Größe", "SHA-256 (laut Eingangsbestätigung)", "Prüfung"]]
        for item in bid.files:
            if item.verified is True:
                result: Paragraph = self._p("übereinstimmend")
            elif item.verified is False:
                result = self._p(f"FEHLER: {item.error or 'nicht übereinstimmend'}", self.error)
            else:
                result = self._p("nicht geprüft")
            rows.append(
                [
                    self._p(item.name, self.small),
                    self._p(file_size(item.size), self.small),
                    self._p(item.sha256, self.hash),
                    result,
                ]
            )
        return rows

    def _opened_bid(self, number: int, bid: RecordBid) -> list[Any]:
        parts: list[Any] = [
            self._p(f"Angebot {number}: {bid.vendor}", self.subheading),
            self._p(f"Angebotsnummer {bid.receipt_id} · eingegangen am {berlin_time(bid.submitted_at)}"),
        ]
        if bid.consortium:
            parts.append(self._p("Bietergemeinschaft: " + ", ".join(bid.consortium)))
        if bid.error:
            parts.append(self._p(f"FEHLER: {bid.error}", self.error))
        if bid.prices:
            rows: list[list[Any]] = [["Los", "Bezeichnung", "Preis (netto)"]]
            for price in bid.prices:
                rows.append([str(price.lot_number), self._p(price.lot_title, self.small), eur(price.price)])
            parts.append(Spacer(1, 3 * mm))
            parts.append(self._table(rows, [0.1 * self._width, 0.6 * self._width, 0.3 * self._width]))
        elif not bid.error:
            parts.append(self._p("Keine Preisangabe."))
        if bid.files:
            parts.append(Spacer(1, 3 * mm))
            parts.append(
                self._table(
                    self._file_rows(bid),
                    [0.27 * self._width, 0.15 * self._width, 0.38 * self._width, 0.2 * self._width],
                )
            )
        return [KeepTogether(parts[:2]), *parts[2:]]

    def _unopened(self, bids: list[RecordBid]) -> list[Any]:
        rows: list[list[Any]] = [["Bieter", "Angebotsnummer", "Eingang", "Stand"]]
        for bid in bids:
            state = "zurückgezogen" if bid.state == "withdrawn" else "durch neueres Angebot ersetzt"
            if bid.withdrawn_at is not None:
                state += f" am {berlin_time(bid.withdrawn_at)}"
            rows.append(
                [
                    self._p(bid.vendor, self.small),
                    self._p(bid.receipt_id, self.hash),
                    self._p(berlin_time(bid.submitted_at), self.small),
                    self._p(state + " – nicht geöffnet", self.small),
                ]
            )
        return [
            self._table(
                rows, [0.28 * self._width, 0.27 * self._width, 0.22 * self._width, 0.23 * self._width]
            )
        ]

    # --- the document -----------------------------------------------------------------------

    def story(self, data: RecordData) -> list[Any]:
        story: list[Any] = [self._p(self.title, self.heading), *self._facts(data), Spacer(1, 4 * mm)]
        story.append(self._p(self.secrecy_note, self.small))
        failures = [bid for bid in data.opened_bids if bid.has_error]
        if failures:
            story.append(Spacer(1, 3 * mm))
            story.append(
                self._p(
                    f"FEHLER: {len(failures)} Angebot(e) ließen sich nicht vollständig entschlüsseln oder "
                    "stimmen nicht mit der Eingangsbestätigung überein (Einzelheiten unten).",
                    self.error,
                )
            )
        story.append(self._p("Geöffnete Angebote", self.subheading))
        if not data.opened_bids:
            story.append(self._p("Zur Angebotsfrist lag kein Angebot vor."))
        for number, bid in enumerate(data.opened_bids, start=1):
            story.extend(self._opened_bid(number, bid))
        story.append(self._p("Zurückgezogene und ersetzte Angebote", self.subheading))
        if data.unopened_bids:
            story.extend(self._unopened(data.unopened_bids))
        else:
            story.append(self._p("Keine."))
        story.append(self._p("Verspätete Angebote", self.subheading))
        story.append(self._p(self.late_bids_note))
        return story

    def story_text(self, data: RecordData) -> list[str]:
        """The record's texts in reading order: what `render` prints, checkable without a PDF parser."""
        texts: list[str] = []

        def walk(item: Any) -> None:
            if isinstance(item, Paragraph):
                texts.append(item.getPlainText())
            elif isinstance(item, str):
                texts.append(item)
            elif isinstance(item, Table):
                for row in item._cellvalues:
                    walk(row)
            elif isinstance(item, KeepTogether):
                walk(item._content)
            elif isinstance(item, list | tuple):
                for part in item:
                    walk(part)

        walk(self.story(data))
        return texts

    def render(self, data: RecordData) -> bytes:
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=self.page_size,
            leftMargin=self.margin_left,
            rightMargin=self.margin_right,
            topMargin=self.margin_top,
            bottomMargin=self.margin_bottom,
            title=f"Öffnungsprotokoll: {data.tender_title}",
            author="Vergabe-Marktplatz",
            invariant=True,  # same data, same bytes: the stored hash can be reproduced
        )
        document.build(self.story(data), canvasmaker=_NumberedCanvas)
        return buffer.getvalue()
