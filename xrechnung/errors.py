"""The library's exceptions; each carries a German and an English message (no gettext here)."""

from __future__ import annotations


class XRechnungError(ValueError):
    """Base class: ``message_de`` for the user, ``message_en`` for logs and English pages."""

    def __init__(self, message_de: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_de = message_de
        self.message_en = message_en


class InvoiceError(XRechnungError):
    """The invoice data cannot be turned into a document (e.g. a line without a price)."""


class InvalidDocument(XRechnungError):
    """The bytes are not an XRechnung this library can read; ``rule_id`` says why.

    ``XML-WELLFORMED`` (not XML), ``XML-DOCTYPE`` (a DTD, entities: refused), ``XML-ROOT`` (not a
    UBL Invoice or CreditNote), ``XR-UNSUPPORTED`` (an element or attribute the model does not
    carry; it would be lost, so it is an error), ``XR-VALUE`` (a date, number or code that cannot
    be read).
    """

    def __init__(self, rule_id: str, message_de: str, message_en: str, location: str = "") -> None:
        super().__init__(message_de, message_en)
        self.rule_id = rule_id
        self.location = location
