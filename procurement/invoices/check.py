"""The XRechnung check: validate and read a file received elsewhere. Nothing is stored.

Any signed-in user uploads a UBL Invoice or CreditNote; the ``xrechnung`` library checks it with
its own checks and, when ``XRECHNUNG_RULES_DIR`` (app config) names the official artefacts, with
XSD + EN 16931 + XRechnung. The page says which level ran, lists the findings with rule id,
severity and a German message, and shows the invoice when the library can read it (HTML, and a
PDF rendering offered by posting the same document again).

Untrusted input: the size is limited before anything is read (``MAX_XRECHNUNG_BYTES``); the
library parses without DTD, entities or network and refuses a document type declaration (XML
bombs, external entities) with rule id ``XML-DOCTYPE``. Neither the file nor its content is kept
or audited (it may be anyone's invoice); only the size and the SHA-256 are shown to the user.

A BT-10 that is not a valid Leitweg-ID is a *warning* here: the official rules do not check the
check digits (the platform's own invoices are held to them when issued), and the official
sample invoices carry made-up Leitweg-IDs.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import IO, Optional

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

import xrechnung
from procurement.invoices import xml as invoice_xml
from xrechnung import CheckLevel, Finding, InvalidDocument, Report, Severity

# rule ids of the refusals before the library sees the bytes
UPLOAD_EMPTY = "UPLOAD-EMPTY"
UPLOAD_SIZE = "UPLOAD-SIZE"
UPLOAD_NOT_XML = "XML-WELLFORMED"
# the library's refusals of the document as a whole (nothing further was checked)
DOCUMENT_REFUSALS = frozenset({"XML-WELLFORMED", "XML-DOCTYPE", "XML-ROOT", "XML-SIZE"})
READ_CHUNK = 64 * 1024
# magic bytes of files that people upload instead of the XML
_OTHER_FORMATS = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP/Office"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
)


class UploadRefused(Exception):
    """The upload was refused before checking: ``rule_id`` and a German message for the user."""

    def __init__(self, rule_id: str, message: str) -> None:
        super().__init__(message)
        self.rule_id = rule_id
        self.message = message


@dataclass(frozen=True)
class CheckedDocument:
    """What the check page shows of one upload."""

    filename: str
    size: int
    sha256: str
    report: Report
    level_label: str
    official_unavailable: str
    invoice: Optional[xrechnung.Invoice]  # None when the library cannot read it
    unreadable: str  # why there is no rendering (German), "" when there is one

    @property
    def valid(self) -> bool:
        return self.report.valid

    @property
    def official(self) -> bool:
        return self.report.level is CheckLevel.OFFICIAL

    @property
    def refused(self) -> bool:
        """The document was refused as a whole (not XML, a DTD, not a UBL invoice)."""
        return any(f.rule_id in DOCUMENT_REFUSALS for f in self.report.errors)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return self.report.errors

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return self.report.warnings

    def rendered_html(self) -> Optional[Markup]:
        """The library's rendering: every text in it is escaped by ``render_html``."""
        if self.invoice is None:
            return None
        return Markup(xrechnung.render_html(self.invoice, heading_level=3))  # noqa: S704 - escaped by the library

    def pdf(self) -> bytes:
        if self.invoice is None:
            raise ValueError("no readable invoice")
        return xrechnung.render_pdf(self.invoice)


def max_bytes() -> int:
    return int(current_app.config["MAX_XRECHNUNG_BYTES"])


def format_limit(size: int) -> str:
    mib = size / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{size // 1024} KiB"


def too_large_message() -> str:
    return _(
        "Die Datei ist zu groß: geprüft werden XRechnungen bis %(limit)s. Es wurde nichts gespeichert.",
        limit=format_limit(max_bytes()),
    )


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    """Read at most ``limit`` bytes; refuse a longer stream without reading all of it."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(READ_CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise UploadRefused(UPLOAD_SIZE, too_large_message())
    return b"".join(chunks)


def _looks_like(data: bytes) -> str:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:8]
    for magic, label in _OTHER_FORMATS:
        if head.startswith(magic):
            return label
    return ""


def accept(data: bytes) -> bytes:
    """Refuse an empty, oversized or obviously non-XML upload (the library judges the rest)."""
    if not data.strip():
        raise UploadRefused(
            UPLOAD_EMPTY, _("Die Datei ist leer. Bitte wählen Sie eine XRechnung (XML-Datei).")
        )
    if len(data) > max_bytes():
        raise UploadRefused(UPLOAD_SIZE, too_large_message())
    other = _looks_like(data)
    if other:
        raise UploadRefused(
            UPLOAD_NOT_XML,
            _(
                "Die Datei ist keine XML-Datei, sondern %(format)s. Eine XRechnung ist ein XML-Dokument "
                "(UBL Invoice oder CreditNote); eine PDF-Datei oder ein Bild kann nicht geprüft werden.",
                format=other,
            ),
        )
    return data


def rules_dir() -> tuple[str, str]:
    """The rules directory from the app config ("" : own checks only), and why there is none."""
    configured = invoice_xml.rules_dir()
    if configured:
        return configured, ""
    return "", _(
        "Die offiziellen Prüfregeln sind auf dieser Plattform nicht eingerichtet (XRECHNUNG_RULES_DIR)."
    )


def level_label(level: CheckLevel) -> str:
    if level is CheckLevel.OFFICIAL:
        return _("Offizielle Prüfung: XSD, EN 16931, XRechnung 3.0")
    return _("Nur eigene Prüfungen der Plattform")


def configured_level() -> tuple[str, bool]:
    """The level the check page will run, for the page before any upload."""
    directory, _reason = rules_dir()
    found, _why = xrechnung.rules_directory(directory)
    level = CheckLevel.OFFICIAL if found is not None else CheckLevel.OWN
    return level_label(level), level is CheckLevel.OFFICIAL


def check_document(data: bytes, filename: str = "") -> CheckedDocument:
    """Validate ``data`` (already accepted) and read it for display; nothing is stored.

    :param data: the uploaded bytes, at most ``MAX_XRECHNUNG_BYTES``
    :param filename: the name the user's browser sent (shown only, escaped)
    """
    directory, reason = rules_dir()
    report = xrechnung.validate(data, rules_dir=directory, leitweg_severity=Severity.WARNING)
    invoice: Optional[xrechnung.Invoice] = None
    unreadable = ""
    if report.document_kind and not any(f.rule_id in DOCUMENT_REFUSALS for f in report.errors):
        try:
            invoice = xrechnung.parse(data)
        except InvalidDocument as err:
            unreadable = err.message_de if str(get_locale()) != "en" else err.message_en
    return CheckedDocument(
        filename=os.path.basename((filename or "").replace("\\", "/"))[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        report=report,
        level_label=level_label(report.level),
        official_unavailable=reason or report.official_unavailable,
        invoice=invoice,
        unreadable=unreadable,
    )


def finding_message(finding: Finding) -> str:
    """The finding's text in the page's language (the library carries German and English)."""
    return finding.message_en if str(get_locale()) == "en" else finding.message_de


def severity_label(severity: Severity) -> str:
    labels = {
        Severity.FATAL: _("Fehler"),
        Severity.WARNING: _("Warnung"),
        Severity.INFORMATION: _("Hinweis"),
    }
    return labels.get(severity, str(severity))
