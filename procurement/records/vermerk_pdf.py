"""The Vergabevermerk (§8 VgV) as PDF: a title page, a table of contents, the sections of the
`Vermerk`, and on every page "Seite x von y" and the audit chain's head (entry, time, hash).

``invariant=True`` and no clock: the same `Vermerk` gives the same bytes, so a downloaded copy can
be reproduced from the record and its SHA-256 compared.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import force_locale
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from procurement.records.vermerk import ChainHead, Para, Vermerk, collect, when
from procurement.records.vermerk import Table as VermerkTable
from procurement.tenders.models import Tender

# DejaVu covers every character a note may hold (the base-14 fonts only Latin-1);
# Helvetica where the fonts are not installed
_DEJAVU_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _fonts() -> tuple[str, str, str]:
    if "DejaVuSans" in pdfmetrics.getRegisteredFontNames():
        return "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"
    for folder in _DEJAVU_DIRS:
        files = {name: folder / f"{name}.ttf" for name in ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono")}
        if all(path.exists() for path in files.values()):
            for name, path in files.items():
                pdfmetrics.registerFont(TTFont(name, str(path)))
            return "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"
    return "Helvetica", "Helvetica-Bold", "Courier"


def footer_lines(head: ChainHead | None) -> tuple[str, str]:
    """The two footer lines: what the Vermerk rests on, and the head hash."""
    if head is None:
        return "Prüfkette: noch kein Eintrag", ""
    return (
        f"Stand der Prüfkette: Eintrag {head.seq} vom {when(head.occurred_at)}",
        f"Hash (SHA-256): {head.hash}",
    )


class _Document(BaseDocTemplate):
    """Tells the table of contents about every section heading."""

    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 - reportlab's name
        key = getattr(flowable, "bookmark_key", None)
        if key is not None:
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=0)
            self.notify("TOCEntry", (0, flowable.getPlainText(), self.page, key))


def _canvas_class(head: ChainHead | None, fonts: tuple[str, str, str]) -> type[Canvas]:
    first, second = footer_lines(head)

    class NumberedCanvas(Canvas):
        """Writes the footer on every page once the page count is known."""

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
                width = self._pagesize[0]
                self.setStrokeColor(colors.HexColor("#999999"))
                self.line(20 * mm, 16 * mm, width - 20 * mm, 16 * mm)
                self.setFont(fonts[0], 7.5)
                self.drawString(20 * mm, 12 * mm, first)
                self.drawRightString(width - 20 * mm, 12 * mm, f"Seite {self._pageNumber} von {total}")
                self.setFont(fonts[2], 7)
                self.drawString(20 * mm, 8 * mm, second)
                super().showPage()
            super().save()

    return NumberedCanvas


class VermerkRenderer:
    """Render a `Vermerk` as PDF (A4, German)."""

    page_size = A4
    margin = 20 * mm
    margin_bottom = 24 * mm  # room for the two footer lines
    font_size = 9.5
    leading = 12.5
    grid_colour = colors.HexColor("#999999")
    header_background = colors.HexColor("#e8e8e8")
    heading = "Vergabevermerk"
    subtitle = "Dokumentation des Vergabeverfahrens nach § 8 VgV"

    def __init__(self) -> None:
        self.font, self.font_bold, self.font_mono = _fonts()
        self.body = ParagraphStyle(
            "body", fontName=self.font, fontSize=self.font_size, leading=self.leading, spaceAfter=3
        )
        self.cell = ParagraphStyle(
            "cell", parent=self.body, fontSize=self.font_size - 1.5, leading=self.leading - 2.5, spaceAfter=0
        )
        self.cell_bold = ParagraphStyle("cell_bold", parent=self.cell, fontName=self.font_bold)
        self.mono = ParagraphStyle("mono", parent=self.cell, fontName=self.font_mono, fontSize=6.5, leading=8)
        self.source = ParagraphStyle("source", parent=self.body, textColor=colors.HexColor("#444444"))
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=self.font_bold, fontSize=24, leading=30, spaceAfter=6
        )
        self.subtitle_style = ParagraphStyle(
            "subtitle", parent=self.body, fontSize=13, leading=17, spaceAfter=18
        )
        self.section = ParagraphStyle(
            "section",
            parent=self.body,
            fontName=self.font_bold,
            fontSize=13,
            leading=17,
            spaceBefore=12,
            spaceAfter=5,
        )
        self.caption = ParagraphStyle("caption", parent=self.body, fontName=self.font_bold, spaceBefore=4)
        self.toc_heading = ParagraphStyle("toc_heading", parent=self.section, spaceBefore=0)

    @property
    def _width(self) -> float:
        return self.page_size[0] - 2 * self.margin

    def _p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style or self.body)

    def _cell(self, text: str, bold: bool = False) -> Paragraph:
        # hashes and ids are long words: the monospace style lets them break anywhere
        if len(text) >= 40 and all(c in "0123456789abcdef" for c in text):
            return Paragraph(escape(text), ParagraphStyle("m", parent=self.mono, wordWrap="CJK"))
        return self._p(text, self.cell_bold if bold else self.cell)

    def _table(self, table: VermerkTable) -> list[Any]:
        columns = len(table.header)
        shares = table.widths if len(table.widths) == columns else tuple(1 / columns for _ in range(columns))
        rows = [[self._cell(text, bold=True) for text in table.header]]
        rows += [[self._cell(text) for text in row] for row in table.rows]
        flowable = Table(rows, colWidths=[share * self._width for share in shares], repeatRows=1)
        flowable.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, self.grid_colour),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), self.header_background),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        parts: list[Any] = []
        if table.caption:
            parts.append(self._p(table.caption, self.caption))
        parts += [flowable, Spacer(1, 3 * mm)]
        return parts

    def _title_page(self, vermerk: Vermerk) -> list[Any]:
        story: list[Any] = [
            Spacer(1, 30 * mm),
            self._p(self.heading, self.title),
            self._p(self.subtitle, self.subtitle_style),
        ]
        rows = [[self._cell(label, bold=True), self._cell(value)] for label, value in vermerk.facts]
        first, second = footer_lines(vermerk.head)
        rows.append([self._cell("Erstellt aus der Akte", bold=True), self._cell(f"{first}. {second}")])
        table = Table(rows, colWidths=[0.35 * self._width, 0.65 * self._width])
        table.setStyle(
            TableStyle(
                [("GRID", (0, 0), (-1, -1), 0.4, self.grid_colour), ("VALIGN", (0, 0), (-1, -1), "TOP")]
            )
        )
        story += [
            table,
            Spacer(1, 8 * mm),
            self._p(
                "Dieser Vermerk wird jederzeit aus den Daten des Verfahrens und seinen Einträgen in der "
                "Prüfkette erzeugt. Der Hash in der Fußzeile jeder Seite nennt den Stand der Prüfkette, "
                "aus dem er erzeugt wurde (§ 8 Abs. 1 VgV: Dokumentation in Textform von Beginn an).",
                self.source,
            ),
            PageBreak(),
        ]
        return story

    def story(self, vermerk: Vermerk) -> list[Any]:
        toc = TableOfContents()
        toc.levelStyles = [
            ParagraphStyle(
                "toc1", parent=self.body, leftIndent=0, firstLineIndent=0, spaceBefore=1, leading=13
            )
        ]
        story = self._title_page(vermerk)
        story += [self._p("Inhalt", self.toc_heading), toc, PageBreak()]
        for number, section in enumerate(vermerk.sections, start=1):
            heading = self._p(f"{number}. {section.title}", self.section)
            heading.bookmark_key = f"section-{number}"  # type: ignore[attr-defined]
            blocks: list[Any] = []
            for block in section.blocks:
                if isinstance(block, Para):
                    text = block.text + (f" ({block.source})" if block.source else "")
                    blocks.append(self._p(text))
                else:
                    blocks.extend(self._table(block))
            # a heading never stands alone at the foot of a page
            story.append(KeepTogether([heading, *blocks[:1]]))
            story.extend(blocks[1:])
        return story

    def render(self, vermerk: Vermerk) -> bytes:
        buffer = io.BytesIO()
        document = _Document(
            buffer,
            pagesize=self.page_size,
            leftMargin=self.margin,
            rightMargin=self.margin,
            topMargin=self.margin,
            bottomMargin=self.margin_bottom,
            title=f"Vergabevermerk: {vermerk.title}",
            author=vermerk.authority,
            subject=f"Verfahren {vermerk.procedure_uuid}",
            creator="Vergabe-Marktplatz",
            invariant=True,
        )
        frame = Frame(
            self.margin,
            self.margin_bottom,
            self._width,
            self.page_size[1] - self.margin - self.margin_bottom,
            id="body",
        )
        document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        document.multiBuild(
            self.story(vermerk),
            canvasmaker=_canvas_class(vermerk.head, (self.font, self.font_bold, self.font_mono)),
        )
        return buffer.getvalue()


def render_vermerk(vermerk: Vermerk) -> bytes:
    return VermerkRenderer().render(vermerk)


def vermerk_pdf(tender: Tender) -> bytes:
    """The tender's Vergabevermerk as PDF, in German whatever the reader's language."""
    with force_locale("de"):
        return render_vermerk(collect(tender))
