"""Invoice dataclasses -> UBL 2.1 Invoice or CreditNote following XRechnung 3.0 (lxml).

The element order follows the UBL 2.1 schemas; the mapping of business terms follows the
EN 16931 UBL syntax binding. Totals and the VAT breakdown come from ``xrechnung.totals``.
"""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

from lxml import etree

from xrechnung.errors import InvoiceError
from xrechnung.model import (
    Address,
    AllowanceCharge,
    Buyer,
    Contact,
    Identifier,
    Invoice,
    Line,
    PaymentInstructions,
    Seller,
    Vat,
)
from xrechnung.totals import Totals, compute_totals, line_net_amount
from xrechnung.xmlsafe import CAC, CBC, CREDIT_NOTE_NS, INVOICE_NS

# UNTDID 1001 codes of references carried as AdditionalDocumentReference.
OBJECT_IDENTIFIER_TYPE = "130"  # BT-18, BT-128
PROJECT_REFERENCE_TYPE = "50"  # BT-11 in a CreditNote (it has no ProjectReference)
SEPA_SCHEME = "SEPA"  # BT-90 as the seller's or payee's PartyIdentification
NOT_APPLICABLE = "NA"  # OrderReference/ID when only BT-14 is known (UBL requires an ID)

_cbc_tags: dict[str, str] = {}
_cac_tags: dict[str, str] = {}


def _number(value: Decimal) -> str:
    if value == 0:
        value = abs(value)  # no "-0.00"
    return format(value, "f")


class _Writer:
    """Appends UBL elements; empty text means the element is left out."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    @staticmethod
    def cac(parent: etree._Element, name: str) -> etree._Element:
        tag = _cac_tags.get(name)
        if tag is None:
            tag = _cac_tags[name] = f"{{{CAC}}}{name}"
        return etree.SubElement(parent, tag)

    @staticmethod
    def cbc(parent: etree._Element, name: str, text: str, /, **attributes: str) -> etree._Element | None:
        if not text:
            return None
        tag = _cbc_tags.get(name)
        if tag is None:
            tag = _cbc_tags[name] = f"{{{CBC}}}{name}"
        element = etree.SubElement(parent, tag, {k: v for k, v in attributes.items() if v})
        element.text = text
        return element

    def amount(self, parent: etree._Element, name: str, value: Decimal | None, currency: str = "") -> None:
        if value is not None:
            self.cbc(parent, name, _number(value), currencyID=currency or self.currency)

    def date(self, parent: etree._Element, name: str, value: date | None) -> None:
        if value is not None:
            self.cbc(parent, name, value.isoformat())

    def identifier(self, parent: etree._Element, name: str, value: Identifier | None) -> None:
        if value is not None:
            self.cbc(parent, name, value.value, schemeID=value.scheme)

    def reference(self, parent: etree._Element, aggregate: str, value: str) -> None:
        if value:
            self.cbc(self.cac(parent, aggregate), "ID", value)

    def vat_category(self, parent: etree._Element, name: str, vat: Vat) -> etree._Element:
        category = self.cac(parent, name)
        self.cbc(category, "ID", vat.category.value)
        if vat.rate is not None:
            self.cbc(category, "Percent", _number(vat.rate))
        return category

    def tax_scheme(self, parent: etree._Element, scheme: str = "VAT") -> None:
        self.cbc(self.cac(parent, "TaxScheme"), "ID", scheme)

    def address(self, parent: etree._Element, name: str, address: Address) -> None:
        element = self.cac(parent, name)
        self.cbc(element, "StreetName", address.street)
        self.cbc(element, "AdditionalStreetName", address.additional_street)
        self.cbc(element, "CityName", address.city)
        self.cbc(element, "PostalZone", address.postal_code)
        self.cbc(element, "CountrySubentity", address.subdivision)
        if address.line3:
            self.cbc(self.cac(element, "AddressLine"), "Line", address.line3)
        self.cbc(self.cac(element, "Country"), "IdentificationCode", address.country)

    def party_tax_scheme(self, party: etree._Element, company_id: str, scheme: str) -> None:
        if company_id:
            tax_scheme = self.cac(party, "PartyTaxScheme")
            self.cbc(tax_scheme, "CompanyID", company_id)
            self.tax_scheme(tax_scheme, scheme)

    def contact(self, party: etree._Element, contact: Contact | None) -> None:
        if contact is not None:
            element = self.cac(party, "Contact")
            self.cbc(element, "Name", contact.name)
            self.cbc(element, "Telephone", contact.telephone)
            self.cbc(element, "ElectronicMail", contact.email)

    def allowance_charge(self, parent: etree._Element, item: AllowanceCharge, document_level: bool) -> None:
        element = self.cac(parent, "AllowanceCharge")
        self.cbc(element, "ChargeIndicator", "true" if item.charge else "false")
        self.cbc(element, "AllowanceChargeReasonCode", item.reason_code)
        self.cbc(element, "AllowanceChargeReason", item.reason)
        if item.percentage is not None:
            self.cbc(element, "MultiplierFactorNumeric", _number(item.percentage))
        self.amount(element, "Amount", item.amount)
        self.amount(element, "BaseAmount", item.base_amount)
        if document_level:
            assert item.vat is not None  # compute_totals has refused it otherwise
            self.tax_scheme(self.vat_category(element, "TaxCategory", item.vat))
        elif item.vat is not None:
            raise InvoiceError(
                "Nachlässe und Zuschläge einer Position haben keine eigene Umsatzsteuerkategorie.",
                "Line allowances and charges have no VAT category of their own.",
            )


def _refuse(message_de: str, message_en: str) -> InvoiceError:
    return InvoiceError(message_de, message_en)


def _check_exemptions(invoice: Invoice, totals: Totals) -> None:
    used = {group.category for group in totals.vat_breakdown}
    unused = sorted(category.value for category in invoice.vat_exemption_reasons if category not in used)
    if unused:
        codes = ", ".join(unused)
        raise _refuse(
            f"Befreiungsgründe für Umsatzsteuerkategorien ohne Position oder Nachlass: {codes}.",
            f"Exemption reasons for VAT categories no line or allowance uses: {codes}.",
        )


class _DocumentBuilder:
    def __init__(self, invoice: Invoice) -> None:
        self.invoice = invoice
        self.credit_note = invoice.is_credit_note
        self.w = _Writer(invoice.currency)
        self.totals = compute_totals(invoice)
        _check_exemptions(invoice, self.totals)
        if self.credit_note and any(line.sub_lines for line in invoice.lines):
            raise _refuse(
                "Unterpositionen (XRechnung-Extension) gibt es nur in Rechnungen, nicht in Gutschriften.",
                "Sub invoice lines (XRechnung extension) exist in invoices only, not in credit notes.",
            )
        if self.credit_note and invoice.third_party_payments:
            raise _refuse(
                "Zahlungen an Dritte (XRechnung-Extension) gibt es nur in Rechnungen.",
                "Third party payments (XRechnung extension) exist in invoices only.",
            )
        if self.credit_note and invoice.due_date is not None and invoice.payment is None:
            raise _refuse(
                "Eine Gutschrift trägt das Fälligkeitsdatum (BT-9) in den Zahlungsanweisungen (BG-16).",
                "A credit note carries the due date (BT-9) in the payment instructions (BG-16).",
            )

    def build(self) -> etree._Element:
        inv, w = self.invoice, self.w
        namespace, name = (CREDIT_NOTE_NS, "CreditNote") if self.credit_note else (INVOICE_NS, "Invoice")
        root = etree.Element(f"{{{namespace}}}{name}", nsmap={None: namespace, "cac": CAC, "cbc": CBC})
        w.cbc(root, "CustomizationID", inv.customization_id)
        w.cbc(root, "ProfileID", inv.profile_id)
        w.cbc(root, "ID", inv.number)
        w.date(root, "IssueDate", inv.issue_date)
        if self.credit_note:
            w.date(root, "TaxPointDate", inv.vat_point_date)
            w.cbc(root, "CreditNoteTypeCode", inv.type_code)
        else:
            w.date(root, "DueDate", inv.due_date)
            w.cbc(root, "InvoiceTypeCode", inv.type_code)
        for note in inv.notes:
            w.cbc(root, "Note", note)
        if not self.credit_note:
            w.date(root, "TaxPointDate", inv.vat_point_date)
        w.cbc(root, "DocumentCurrencyCode", inv.currency)
        w.cbc(root, "TaxCurrencyCode", inv.vat_accounting_currency)
        w.cbc(root, "AccountingCost", inv.buyer_accounting_reference)
        w.cbc(root, "BuyerReference", inv.buyer_reference)
        self.invoicing_period(root)
        self.order_reference(root)
        for preceding in inv.preceding_invoices:
            reference = w.cac(w.cac(root, "BillingReference"), "InvoiceDocumentReference")
            w.cbc(reference, "ID", preceding.number)
            w.date(reference, "IssueDate", preceding.issue_date)
        w.reference(root, "DespatchDocumentReference", inv.despatch_advice_reference)
        w.reference(root, "ReceiptDocumentReference", inv.receiving_advice_reference)
        if not self.credit_note:
            w.reference(root, "OriginatorDocumentReference", inv.tender_or_lot_reference)
        w.reference(root, "ContractDocumentReference", inv.contract_reference)
        self.additional_documents(root)
        if self.credit_note:
            w.reference(root, "OriginatorDocumentReference", inv.tender_or_lot_reference)
        else:
            w.reference(root, "ProjectReference", inv.project_reference)
        self.seller(root)
        self.buyer(root)
        self.payee(root)
        self.tax_representative(root)
        self.delivery(root)
        self.payment_means(root)
        if inv.payment_terms:
            w.cbc(w.cac(root, "PaymentTerms"), "Note", inv.payment_terms)
        for payment in inv.third_party_payments:
            element = w.cac(root, "PrepaidPayment")
            w.cbc(element, "ID", payment.type)
            w.amount(element, "PaidAmount", payment.amount)
            w.cbc(element, "InstructionID", payment.description)
        for item in inv.allowances_charges:
            w.allowance_charge(root, item, document_level=True)
        self.tax_totals(root)
        self.monetary_total(root)
        line_name = "CreditNoteLine" if self.credit_note else "InvoiceLine"
        for line, amount in zip(inv.lines, self.totals.line_net_amounts, strict=True):
            self.line(root, line_name, line, amount)
        return root

    def invoicing_period(self, root: etree._Element) -> None:
        inv, w = self.invoice, self.w
        period = inv.invoicing_period
        if period is None and not inv.vat_point_date_code:
            return
        element = w.cac(root, "InvoicePeriod")
        if period is not None:
            w.date(element, "StartDate", period.start)
            w.date(element, "EndDate", period.end)
        w.cbc(element, "DescriptionCode", inv.vat_point_date_code)

    def order_reference(self, root: etree._Element) -> None:
        inv, w = self.invoice, self.w
        if inv.purchase_order_reference or inv.sales_order_reference:
            element = w.cac(root, "OrderReference")
            w.cbc(element, "ID", inv.purchase_order_reference or NOT_APPLICABLE)
            w.cbc(element, "SalesOrderID", inv.sales_order_reference)

    def additional_documents(self, root: etree._Element) -> None:
        inv, w = self.invoice, self.w
        if self.credit_note and inv.project_reference:
            element = w.cac(root, "AdditionalDocumentReference")
            w.cbc(element, "ID", inv.project_reference)
            w.cbc(element, "DocumentTypeCode", PROJECT_REFERENCE_TYPE)
        if inv.invoiced_object_identifier is not None:
            element = w.cac(root, "AdditionalDocumentReference")
            w.identifier(element, "ID", inv.invoiced_object_identifier)
            w.cbc(element, "DocumentTypeCode", OBJECT_IDENTIFIER_TYPE)
        for document in inv.attachments:
            element = w.cac(root, "AdditionalDocumentReference")
            w.cbc(element, "ID", document.id)
            w.cbc(element, "DocumentDescription", document.description)
            if document.content is not None or document.uri:
                attachment = w.cac(element, "Attachment")
                if document.content is not None:
                    w.cbc(
                        attachment,
                        "EmbeddedDocumentBinaryObject",
                        base64.b64encode(document.content).decode("ascii"),
                        mimeCode=document.mime_code,
                        filename=document.filename,
                    )
                if document.uri:
                    w.cbc(w.cac(attachment, "ExternalReference"), "URI", document.uri)

    def _party(self, root: etree._Element, role: str) -> etree._Element:
        return self.w.cac(self.w.cac(root, role), "Party")

    def _creditor_id(self) -> str:
        payment = self.invoice.payment
        return payment.direct_debit.creditor_id if payment and payment.direct_debit else ""

    def seller(self, root: etree._Element) -> None:
        seller: Seller = self.invoice.seller
        w = self.w
        party = self._party(root, "AccountingSupplierParty")
        w.identifier(party, "EndpointID", seller.electronic_address)
        for identifier in seller.identifiers:
            w.identifier(w.cac(party, "PartyIdentification"), "ID", identifier)
        if self.invoice.payee is None and self._creditor_id():
            w.cbc(w.cac(party, "PartyIdentification"), "ID", self._creditor_id(), schemeID=SEPA_SCHEME)
        if seller.trading_name:
            w.cbc(w.cac(party, "PartyName"), "Name", seller.trading_name)
        w.address(party, "PostalAddress", seller.address)
        w.party_tax_scheme(party, seller.vat_id, "VAT")
        w.party_tax_scheme(party, seller.tax_registration_id, seller.tax_registration_scheme)
        legal = w.cac(party, "PartyLegalEntity")
        w.cbc(legal, "RegistrationName", seller.name)
        w.identifier(legal, "CompanyID", seller.legal_registration_id)
        w.cbc(legal, "CompanyLegalForm", seller.legal_information)
        w.contact(party, seller.contact)

    def buyer(self, root: etree._Element) -> None:
        buyer: Buyer = self.invoice.buyer
        w = self.w
        party = self._party(root, "AccountingCustomerParty")
        w.identifier(party, "EndpointID", buyer.electronic_address)
        if buyer.identifier is not None:
            w.identifier(w.cac(party, "PartyIdentification"), "ID", buyer.identifier)
        if buyer.trading_name:
            w.cbc(w.cac(party, "PartyName"), "Name", buyer.trading_name)
        w.address(party, "PostalAddress", buyer.address)
        w.party_tax_scheme(party, buyer.vat_id, "VAT")
        w.party_tax_scheme(party, buyer.tax_registration_id, buyer.tax_registration_scheme)
        legal = w.cac(party, "PartyLegalEntity")
        w.cbc(legal, "RegistrationName", buyer.name)
        w.identifier(legal, "CompanyID", buyer.legal_registration_id)
        w.contact(party, buyer.contact)

    def payee(self, root: etree._Element) -> None:
        payee = self.invoice.payee
        if payee is None:
            return
        w = self.w
        party = w.cac(root, "PayeeParty")
        if payee.identifier is not None:
            w.identifier(w.cac(party, "PartyIdentification"), "ID", payee.identifier)
        if self._creditor_id():
            w.cbc(w.cac(party, "PartyIdentification"), "ID", self._creditor_id(), schemeID=SEPA_SCHEME)
        w.cbc(w.cac(party, "PartyName"), "Name", payee.name)
        if payee.legal_registration_id is not None:
            w.identifier(w.cac(party, "PartyLegalEntity"), "CompanyID", payee.legal_registration_id)

    def tax_representative(self, root: etree._Element) -> None:
        representative = self.invoice.tax_representative
        if representative is None:
            return
        w = self.w
        party = w.cac(root, "TaxRepresentativeParty")
        w.cbc(w.cac(party, "PartyName"), "Name", representative.name)
        w.address(party, "PostalAddress", representative.address)
        w.party_tax_scheme(party, representative.vat_id, "VAT")

    def delivery(self, root: etree._Element) -> None:
        delivery = self.invoice.delivery
        if delivery is None:
            return
        w = self.w
        element = w.cac(root, "Delivery")
        w.date(element, "ActualDeliveryDate", delivery.actual_date)
        if delivery.location_id is not None or delivery.address is not None:
            location = w.cac(element, "DeliveryLocation")
            w.identifier(location, "ID", delivery.location_id)
            if delivery.address is not None:
                w.address(location, "Address", delivery.address)
        if delivery.party_name:
            w.cbc(w.cac(w.cac(element, "DeliveryParty"), "PartyName"), "Name", delivery.party_name)

    def payment_means(self, root: etree._Element) -> None:
        payment: PaymentInstructions | None = self.invoice.payment
        if payment is None:
            return
        w = self.w
        # BG-17 repeats: UBL carries each account in a PaymentMeans of its own.
        accounts = payment.credit_transfers or [None]
        for index, account in enumerate(accounts):
            element = w.cac(root, "PaymentMeans")
            # The text (BT-82) and a credit note's due date occur once only (UBL-SR-45, -46).
            w.cbc(
                element, "PaymentMeansCode", payment.means_code, name=payment.means_text if index == 0 else ""
            )
            if self.credit_note and index == 0:
                w.date(element, "PaymentDueDate", self.invoice.due_date)
            w.cbc(element, "PaymentID", payment.remittance_information)
            if index == 0 and payment.card is not None:
                card = w.cac(element, "CardAccount")
                w.cbc(card, "PrimaryAccountNumberID", payment.card.account_number)
                w.cbc(card, "NetworkID", payment.card.network_id)
                w.cbc(card, "HolderName", payment.card.holder_name)
            if account is not None:
                financial = w.cac(element, "PayeeFinancialAccount")
                w.cbc(financial, "ID", account.account_id)
                w.cbc(financial, "Name", account.account_name)
                if account.bank_id:
                    w.cbc(w.cac(financial, "FinancialInstitutionBranch"), "ID", account.bank_id)
            if index == 0 and payment.direct_debit is not None:
                mandate = w.cac(element, "PaymentMandate")
                w.cbc(mandate, "ID", payment.direct_debit.mandate_reference)
                if payment.direct_debit.debited_account:
                    w.cbc(w.cac(mandate, "PayerFinancialAccount"), "ID", payment.direct_debit.debited_account)

    def tax_totals(self, root: etree._Element) -> None:
        inv, w, totals = self.invoice, self.w, self.totals
        tax_total = w.cac(root, "TaxTotal")
        w.amount(tax_total, "TaxAmount", totals.vat_total)
        for group in totals.vat_breakdown:
            subtotal = w.cac(tax_total, "TaxSubtotal")
            w.amount(subtotal, "TaxableAmount", group.taxable_amount)
            w.amount(subtotal, "TaxAmount", group.tax_amount)
            category = w.cac(subtotal, "TaxCategory")
            w.cbc(category, "ID", group.category.value)
            w.cbc(category, "Percent", _number(group.rate))
            if group.exemption is not None:
                w.cbc(category, "TaxExemptionReasonCode", group.exemption.code)
                w.cbc(category, "TaxExemptionReason", group.exemption.text)
            w.tax_scheme(category)
        if inv.vat_total_in_accounting_currency is not None:
            w.amount(
                w.cac(root, "TaxTotal"),
                "TaxAmount",
                inv.vat_total_in_accounting_currency,
                currency=inv.vat_accounting_currency,
            )

    def monetary_total(self, root: etree._Element) -> None:
        inv, w, totals = self.invoice, self.w, self.totals
        element = w.cac(root, "LegalMonetaryTotal")
        w.amount(element, "LineExtensionAmount", totals.line_total)
        w.amount(element, "TaxExclusiveAmount", totals.tax_exclusive)
        w.amount(element, "TaxInclusiveAmount", totals.tax_inclusive)
        if any(not item.charge for item in inv.allowances_charges):
            w.amount(element, "AllowanceTotalAmount", totals.allowance_total)
        if any(item.charge for item in inv.allowances_charges):
            w.amount(element, "ChargeTotalAmount", totals.charge_total)
        w.amount(element, "PrepaidAmount", inv.paid_amount)
        w.amount(element, "PayableRoundingAmount", inv.rounding_amount)
        w.amount(element, "PayableAmount", totals.amount_due)

    def line(self, parent: etree._Element, name: str, line: Line, amount: Decimal) -> None:
        w = self.w
        element = w.cac(parent, name)
        w.cbc(element, "ID", line.id)
        w.cbc(element, "Note", line.note)
        quantity = "CreditedQuantity" if self.credit_note else "InvoicedQuantity"
        w.cbc(element, quantity, _number(line.quantity), unitCode=line.unit)
        w.amount(element, "LineExtensionAmount", amount)
        w.cbc(element, "AccountingCost", line.buyer_accounting_reference)
        if line.period is not None:
            period = w.cac(element, "InvoicePeriod")
            w.date(period, "StartDate", line.period.start)
            w.date(period, "EndDate", line.period.end)
        if line.order_line_reference:
            w.cbc(w.cac(element, "OrderLineReference"), "LineID", line.order_line_reference)
        if line.object_identifier is not None:
            reference = w.cac(element, "DocumentReference")
            w.identifier(reference, "ID", line.object_identifier)
            w.cbc(reference, "DocumentTypeCode", OBJECT_IDENTIFIER_TYPE)
        for item in line.allowances_charges:
            w.allowance_charge(element, item, document_level=False)
        self.item(element, line)
        if line.price is not None:
            price = w.cac(element, "Price")
            w.amount(price, "PriceAmount", line.price)
            if line.base_quantity is not None:
                w.cbc(price, "BaseQuantity", _number(line.base_quantity), unitCode=line.unit)
            if line.gross_price is not None or line.price_discount:
                discount = w.cac(price, "AllowanceCharge")
                w.cbc(discount, "ChargeIndicator", "false")
                w.amount(discount, "Amount", line.price_discount)
                w.amount(discount, "BaseAmount", line.gross_price)
        for sub in line.sub_lines:
            self.line(element, "SubInvoiceLine", sub, line_net_amount(sub))

    def item(self, parent: etree._Element, line: Line) -> None:
        w, item = self.w, line.item
        element = w.cac(parent, "Item")
        w.cbc(element, "Description", item.description)
        w.cbc(element, "Name", item.name)
        if item.buyers_id:
            w.cbc(w.cac(element, "BuyersItemIdentification"), "ID", item.buyers_id)
        if item.sellers_id:
            w.cbc(w.cac(element, "SellersItemIdentification"), "ID", item.sellers_id)
        if item.standard_id is not None:
            w.identifier(w.cac(element, "StandardItemIdentification"), "ID", item.standard_id)
        if item.origin_country:
            w.cbc(w.cac(element, "OriginCountry"), "IdentificationCode", item.origin_country)
        for classification in item.classifications:
            w.cbc(
                w.cac(element, "CommodityClassification"),
                "ItemClassificationCode",
                classification.code,
                listID=classification.list_id,
                listVersionID=classification.list_version,
            )
        w.tax_scheme(w.vat_category(element, "ClassifiedTaxCategory", line.vat))
        for attribute in item.attributes:
            property_ = w.cac(element, "AdditionalItemProperty")
            w.cbc(property_, "Name", attribute.name)
            w.cbc(property_, "Value", attribute.value)


def build_tree(invoice: Invoice) -> etree._Element:
    """Build the UBL element tree of ``invoice`` (see :func:`build`)."""
    return _DocumentBuilder(invoice).build()


def build(invoice: Invoice) -> bytes:
    """Build the XRechnung 3.0 UBL document (Invoice, or CreditNote for credit note type codes).

    :param invoice: the invoice data; totals and VAT breakdown are computed from its lines.
    :returns: UTF-8 encoded XML with an XML declaration.
    :raises InvoiceError: when the data cannot be expressed (e.g. a line without a price).
    """
    return etree.tostring(build_tree(invoice), xml_declaration=True, encoding="UTF-8")
