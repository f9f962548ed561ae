"""Readable renderings for people: escaped semantic HTML and a PDF, in German."""

from __future__ import annotations

import re
from dataclasses import replace
from html import escape

import pytest
from lxml import html as lxml_html

from tests.xrechnung import cases
from tests.xrechnung.conftest import EXAMPLES
from xrechnung import Item, parse, render_html, render_pdf

EXAMPLE_FILES = (
    sorted(p for p in EXAMPLES.glob("*/*.xml") if p.parent.name != "invalid") if EXAMPLES.is_dir() else []
)


def test_html_shows_the_lines_and_totals_with_german_labels_and_numbers():
    page = render_html(cases.mixed_19_and_7())
    tree = lxml_html.fragment_fromstring(page)
    assert tree.tag == "article" and tree.get("lang") == "de"
    table = tree.find(".//table[@class='xrechnung-lines']")
    assert table.findtext("caption") == "Rechnungspositionen"
    assert [th.text for th in table.iterfind("thead/tr/th")] == [
        "Pos.",
        "Bezeichnung",
        "Menge",
        "Einheit",
        "Einzelpreis",
        "USt",
        "Betrag netto",
    ]
    assert all(th.get("scope") == "col" for th in table.iterfind("thead/tr/th"))
    rows = table.findall("tbody/tr")
    assert [cell.text_content() for cell in rows[2].findall("td")] == [
        "3",
        "Installation",
        "6,5",
        "Stunde",
        "92,00 €",
        "19 % Umsatzsteuer",
        "598,00 €",
    ]
    totals = {
        row.findtext("th"): row.findtext("td")
        for row in tree.iterfind(".//table[@class='xrechnung-totals']//tr")
    }
    assert totals["Gesamtbetrag netto"] == "1.634,60 €"
    assert totals["Umsatzsteuer"] == "306,13 €"
    assert totals["Zahlbetrag"] == "1.940,73 €"
    assert "Leitweg-ID / Käuferreferenz" in page and "08416041-RECHNUNG-60" in page


def test_html_escapes_every_text_from_the_document():
    invoice = cases.unicode_and_markup_text()
    invoice.lines[0] = replace(invoice.lines[0], item=Item(name='<script>alert("x")</script> & Co'))
    page = render_html(invoice)
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    assert "Ünïcödé ✓ 中文" in page


def test_html_names_exemption_reasons_payment_and_attachments():
    page = render_html(cases.reverse_charge())
    assert "Steuerschuldnerschaft des Leistungsempfängers VATEX-EU-AE" in page
    assert "SEPA-Überweisung" in page and "AT611904300234573201" in page
    attachments = render_html(cases.attachments())
    assert "stunden-maerz.pdf" in attachments and "https://vergabe.example/vertraege/2025-118" in attachments
    debit = render_html(cases.direct_debit())
    assert "Mandat MANDAT-2026-17" in debit and "Gläubiger-ID DE98ZZZ09999999999" in debit


def test_credit_note_is_titled_as_such():
    assert "<h1>Gutschrift GS-2026-0007</h1>" in render_html(cases.credit_note())


def test_pdf_is_a_pdf_and_long_invoices_span_pages():
    short = render_pdf(cases.unicode_and_markup_text())
    assert short.startswith(b"%PDF-")
    long = render_pdf(cases.many_lines())
    pages = len(re.findall(rb"/Type /Page[^s]", long))
    assert pages >= 10


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_every_official_example_can_be_read_by_people(path):
    invoice = parse(path.read_bytes())
    page = render_html(invoice)
    assert escape(invoice.number) in page
    assert render_pdf(invoice).startswith(b"%PDF-")


def test_the_fragment_fits_the_outline_of_the_page_that_embeds_it():
    html = render_html(cases.credit_note(), heading_level=3)
    assert "<h3>Gutschrift GS-2026-0007</h3>" in html and "<h1>" not in html and "<h2>" not in html
    assert "<h4>" in html  # the sections one level below
