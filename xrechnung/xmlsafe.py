"""UBL 2.1 namespaces and the safe loading of untrusted XML.

Untrusted documents are parsed without network access, without loading a DTD, without entity
expansion and without libxml2's huge-tree mode; a document type declaration is refused
altogether, since it is the vehicle of entity bombs (billion laughs) and external entities (XXE).
"""

from __future__ import annotations

from lxml import etree

from xrechnung.errors import InvalidDocument

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NAMESPACES = {"cac": CAC, "cbc": CBC}
ROOTS = {f"{{{INVOICE_NS}}}Invoice": "Invoice", f"{{{CREDIT_NOTE_NS}}}CreditNote": "CreditNote"}

# Large enough for an invoice with embedded attachments (KoSIT's validator accepts far less).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
_DOCTYPE_MARKERS = tuple(
    "<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)


def safe_parser() -> etree.XMLParser:
    """A parser for untrusted XML: no DTD, no entity expansion, no network, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def _doctype_refused() -> InvalidDocument:
    return InvalidDocument(
        "XML-DOCTYPE",
        "Das Dokument enthält eine Dokumenttyp-Deklaration (DTD, Entitäten). Das ist in einer "
        "XRechnung nicht erlaubt und wird aus Sicherheitsgründen abgelehnt.",
        "The document contains a document type declaration (DTD, entities). An XRechnung has "
        "none; it is refused for security reasons.",
    )


def load(data: bytes) -> etree._Element:
    """Parse untrusted bytes into an element tree, refusing DTDs; raise ``InvalidDocument``."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("XRechnung documents are bytes")
    data = bytes(data)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidDocument(
            "XML-SIZE",
            f"Das Dokument ist größer als {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB.",
            f"The document is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB.",
        )
    declares_doctype = any(marker in data for marker in _DOCTYPE_MARKERS)
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as err:
        # An entity bomb stops libxml2 with an amplification error: report the cause, the DTD.
        if declares_doctype:
            raise _doctype_refused() from err
        raise InvalidDocument(
            "XML-WELLFORMED",
            f"Das Dokument ist kein wohlgeformtes XML: {err}",
            f"The document is not well-formed XML: {err}",
        ) from err
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _doctype_refused()
    return root


def document_kind(root: etree._Element) -> str:
    """``Invoice`` or ``CreditNote``; ``InvalidDocument`` (XML-ROOT) for any other root."""
    kind = ROOTS.get(root.tag) if isinstance(root.tag, str) else None
    if kind is None:
        raise InvalidDocument(
            "XML-ROOT",
            f"Das Wurzelelement {root.tag} ist keine UBL-2.1-Rechnung (Invoice) oder -Gutschrift "
            "(CreditNote).",
            f"The root element {root.tag} is not a UBL 2.1 Invoice or CreditNote.",
        )
    return kind
