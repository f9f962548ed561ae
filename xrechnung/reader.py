"""UBL 2.1 Invoice or CreditNote (XRechnung) -> invoice dataclasses.

The reader takes every element and attribute it maps out of the tree; whatever is left at the
end is something the model does not carry, and since dropping data silently is never right,
that is an error (``XR-UNSUPPORTED``) naming the element. Computed values (line net amounts,
the VAT breakdown, the totals) are read past: the model computes them again, and
``xrechnung.validate`` compares the stated ones with the computed ones.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from xrechnung.builder import NOT_APPLICABLE, OBJECT_IDENTIFIER_TYPE, PROJECT_REFERENCE_TYPE, SEPA_SCHEME
from xrechnung.errors import InvalidDocument
from xrechnung.model import (
    CREDIT_NOTE_TYPE_CODES,
    Address,
    AllowanceCharge,
    Buyer,
    Classification,
    Contact,
    CreditTransfer,
    Delivery,
    DirectDebit,
    ExemptionReason,
    Identifier,
    Invoice,
    Item,
    ItemAttribute,
    Line,
    Payee,
    PaymentCard,
    PaymentInstructions,
    Period,
    PrecedingInvoice,
    Seller,
    SupportingDocument,
    TaxRepresentative,
    ThirdPartyPayment,
    Vat,
    VatCategory,
)
from xrechnung.xmlsafe import CAC, CBC, document_kind, load

_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname


class _Reader:
    """Reads and detaches elements; ``done`` refuses an aggregate with anything left over."""

    def __init__(self, kind: str) -> None:
        self.credit_note = kind == "CreditNote"
        self.currency = ""
        self.tax_currency = ""

    # --- errors ------------------------------------------------------------------------------

    @staticmethod
    def unsupported(path: str, what: str) -> InvalidDocument:
        return InvalidDocument(
            "XR-UNSUPPORTED",
            f"{path}: {what} wird von dieser Bibliothek nicht abgebildet und ginge verloren.",
            f"{path}: {what} is not carried by this library and would be lost.",
            location=path,
        )

    @staticmethod
    def bad_value(path: str, value: str, expected_de: str, expected_en: str) -> InvalidDocument:
        return InvalidDocument(
            "XR-VALUE",
            f"{path}: {value!r} ist kein(e) {expected_de}.",
            f"{path}: {value!r} is not {expected_en}.",
            location=path,
        )

    @staticmethod
    def missing(rule_id: str, path: str, term_de: str, term_en: str) -> InvalidDocument:
        return InvalidDocument(
            rule_id,
            f"{path}: {term_de} fehlt.",
            f"{path}: {term_en} is missing.",
            location=path,
        )

    # --- taking elements ---------------------------------------------------------------------

    def take_all(self, parent: etree._Element, namespace: str, name: str) -> list[etree._Element]:
        found = [child for child in parent.iterchildren(f"{{{namespace}}}{name}")]
        for child in found:
            parent.remove(child)
        return found

    def take(self, parent: etree._Element, namespace: str, name: str, path: str) -> etree._Element | None:
        found = self.take_all(parent, namespace, name)
        if len(found) > 1:
            raise self.unsupported(f"{path}/{name}", "eine Wiederholung des Elements")
        return found[0] if found else None

    def done(self, element: etree._Element, path: str) -> None:
        for child in element:
            if isinstance(child.tag, str):
                raise self.unsupported(f"{path}/{_name(child)}", "das Element")
        if element.attrib:
            raise self.unsupported(f"{path}/@{next(iter(element.attrib))}", "das Attribut")

    def aggregate(self, parent: etree._Element, name: str, path: str) -> etree._Element | None:
        return self.take(parent, CAC, name, path)

    def text(
        self, parent: etree._Element, name: str, path: str, attributes: dict[str, list[str]] | None = None
    ) -> str:
        """The text of the cbc child ``name`` ("" if absent); named attributes go into the lists."""
        element = self.take(parent, CBC, name, path)
        if element is None:
            return ""
        for attribute, into in (attributes or {}).items():
            into.append(element.attrib.pop(attribute, ""))
        self.done(element, f"{path}/{name}")
        return element.text or ""

    def texts(self, parent: etree._Element, name: str, path: str) -> list[str]:
        values = []
        for element in self.take_all(parent, CBC, name):
            self.done(element, f"{path}/{name}")
            values.append(element.text or "")
        return values

    def identifier(self, parent: etree._Element, name: str, path: str) -> Identifier | None:
        scheme: list[str] = []
        value = self.text(parent, name, path, {"schemeID": scheme})
        if not value and not scheme:
            return None
        return Identifier(value, scheme[0])

    def reference(self, parent: etree._Element, aggregate: str, path: str) -> str:
        element = self.aggregate(parent, aggregate, path)
        if element is None:
            return ""
        value = self.text(element, "ID", f"{path}/{aggregate}")
        self.done(element, f"{path}/{aggregate}")
        return value

    # --- typed values ------------------------------------------------------------------------

    def decimal(
        self, parent: etree._Element, name: str, path: str, attributes: dict[str, list[str]] | None = None
    ) -> Decimal | None:
        value = self.text(parent, name, path, attributes).strip()
        if not value:
            return None
        if not _DECIMAL.match(value):
            raise self.bad_value(f"{path}/{name}", value, "Dezimalzahl", "a decimal number")
        try:
            return Decimal(value)
        except InvalidOperation as err:  # pragma: no cover - the pattern admits decimals only
            raise self.bad_value(f"{path}/{name}", value, "Dezimalzahl", "a decimal number") from err

    def amount(self, parent: etree._Element, name: str, path: str, currency: str = "") -> Decimal | None:
        currencies: list[str] = []
        value = self.decimal(parent, name, path, {"currencyID": currencies})
        expected = currency or self.currency
        if currencies and currencies[0] and currencies[0] != expected:
            raise InvalidDocument(
                "XR-CURRENCY",
                f"{path}/{name}: der Betrag ist in {currencies[0]}, die Rechnung in {expected}.",
                f"{path}/{name}: the amount is in {currencies[0]}, the invoice in {expected}.",
                location=f"{path}/{name}",
            )
        return value

    def date(self, parent: etree._Element, name: str, path: str) -> date | None:
        value = self.text(parent, name, path).strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as err:
            raise self.bad_value(
                f"{path}/{name}", value, "Datum (JJJJ-MM-TT)", "a date (YYYY-MM-DD)"
            ) from err

    def indicator(self, parent: etree._Element, path: str) -> bool:
        value = self.text(parent, "ChargeIndicator", path).strip()
        if value not in ("true", "false"):
            raise InvalidDocument(
                "PEPPOL-EN16931-R043",
                f"{path}/ChargeIndicator: erlaubt sind nur 'true' und 'false', nicht {value!r}.",
                f"{path}/ChargeIndicator: only 'true' and 'false' are allowed, not {value!r}.",
                location=f"{path}/ChargeIndicator",
            )
        return value == "true"

    def tax_scheme(self, parent: etree._Element, path: str) -> str:
        element = self.aggregate(parent, "TaxScheme", path)
        if element is None:
            return ""
        scheme = self.text(element, "ID", f"{path}/TaxScheme").strip()
        self.done(element, f"{path}/TaxScheme")
        return scheme

    def vat(self, parent: etree._Element, name: str, path: str, rule_id: str) -> Vat:
        element = self.aggregate(parent, name, path)
        here = f"{path}/{name}"
        if element is None:
            raise self.missing(rule_id, here, "die Umsatzsteuerkategorie", "the VAT category")
        code = self.text(element, "ID", here).strip()
        try:
            category = VatCategory(code)
        except ValueError as err:
            raise InvalidDocument(
                "BR-CL-18",
                f"{here}/ID: {code!r} ist keine Umsatzsteuerkategorie nach UNTDID 5305.",
                f"{here}/ID: {code!r} is not a UNTDID 5305 VAT category.",
                location=f"{here}/ID",
            ) from err
        rate = self.decimal(element, "Percent", here)
        scheme = self.tax_scheme(element, here)
        if scheme != "VAT":
            raise self.bad_value(f"{here}/TaxScheme/ID", scheme, "Steuerschema VAT", "the tax scheme VAT")
        self.done(element, here)
        return Vat(category, rate)

    # --- parties -----------------------------------------------------------------------------

    def address(self, parent: etree._Element, name: str, path: str) -> Address | None:
        element = self.aggregate(parent, name, path)
        if element is None:
            return None
        here = f"{path}/{name}"
        address = Address(
            country="",
            street=self.text(element, "StreetName", here),
            additional_street=self.text(element, "AdditionalStreetName", here),
            city=self.text(element, "CityName", here),
            postal_code=self.text(element, "PostalZone", here),
            subdivision=self.text(element, "CountrySubentity", here),
        )
        line = self.aggregate(element, "AddressLine", here)
        if line is not None:
            address.line3 = self.text(line, "Line", f"{here}/AddressLine")
            self.done(line, f"{here}/AddressLine")
        country = self.aggregate(element, "Country", here)
        if country is not None:
            address.country = self.text(country, "IdentificationCode", f"{here}/Country")
            self.done(country, f"{here}/Country")
        self.done(element, here)
        return address

    def contact(self, party: etree._Element, path: str) -> Contact | None:
        element = self.aggregate(party, "Contact", path)
        if element is None:
            return None
        here = f"{path}/Contact"
        contact = Contact(
            name=self.text(element, "Name", here),
            telephone=self.text(element, "Telephone", here),
            email=self.text(element, "ElectronicMail", here),
        )
        self.done(element, here)
        return contact

    def party_identifiers(self, party: etree._Element, path: str) -> list[Identifier]:
        identifiers = []
        for element in self.take_all(party, CAC, "PartyIdentification"):
            here = f"{path}/PartyIdentification"
            identifier = self.identifier(element, "ID", here)
            self.done(element, here)
            if identifier is not None:
                identifiers.append(identifier)
        return identifiers

    def party_name(self, party: etree._Element, path: str) -> str:
        element = self.aggregate(party, "PartyName", path)
        if element is None:
            return ""
        name = self.text(element, "Name", f"{path}/PartyName")
        self.done(element, f"{path}/PartyName")
        return name

    def tax_ids(self, party: etree._Element, path: str) -> dict[str, tuple[str, str]]:
        """PartyTaxScheme (CompanyID, scheme): "VAT" (BT-31/48/63) and "other" (BT-32)."""
        found: dict[str, tuple[str, str]] = {}
        for element in self.take_all(party, CAC, "PartyTaxScheme"):
            here = f"{path}/PartyTaxScheme"
            company_id = self.text(element, "CompanyID", here)
            scheme = self.tax_scheme(element, here)
            self.done(element, here)
            key = "VAT" if scheme == "VAT" else "other"
            if key in found:
                raise self.unsupported(here, "eine weitere Steuernummer")
            found[key] = (company_id, scheme)
        return found

    def legal_entity(self, party: etree._Element, path: str) -> tuple[str, Identifier | None, str]:
        element = self.aggregate(party, "PartyLegalEntity", path)
        if element is None:
            return "", None, ""
        here = f"{path}/PartyLegalEntity"
        result = (
            self.text(element, "RegistrationName", here),
            self.identifier(element, "CompanyID", here),
            self.text(element, "CompanyLegalForm", here),
        )
        self.done(element, here)
        return result

    def _party(self, root: etree._Element, role: str, rule_id: str, name_de: str) -> etree._Element:
        wrapper = self.aggregate(root, role, "")
        if wrapper is None:
            raise self.missing(rule_id, f"/{role}", name_de, role)
        party = self.aggregate(wrapper, "Party", f"/{role}")
        self.done(wrapper, f"/{role}")
        if party is None:
            raise self.missing(rule_id, f"/{role}/Party", name_de, role)
        return party

    def seller(self, root: etree._Element, creditor: list[str]) -> Seller:
        path = "/AccountingSupplierParty/Party"
        party = self._party(root, "AccountingSupplierParty", "BR-06", "der Verkäufer")
        electronic_address = self.identifier(party, "EndpointID", path)
        identifiers = self.party_identifiers(party, path)
        if creditor == [""]:
            # BT-90 is written after the seller identifiers (builder): the last SEPA one.
            for index in range(len(identifiers) - 1, -1, -1):
                if identifiers[index].scheme == SEPA_SCHEME:
                    creditor[0] = identifiers.pop(index).value
                    break
        trading_name = self.party_name(party, path)
        address = self.address(party, "PostalAddress", path)
        if address is None:
            raise self.missing(
                "BR-08", f"{path}/PostalAddress", "die Anschrift des Verkäufers", "the seller address"
            )
        tax_ids = self.tax_ids(party, path)
        name, legal_id, legal_info = self.legal_entity(party, path)
        contact = self.contact(party, path)
        self.done(party, path)
        return Seller(
            name=name,
            address=address,
            electronic_address=electronic_address,
            contact=contact,
            trading_name=trading_name,
            identifiers=identifiers,
            legal_registration_id=legal_id,
            vat_id=tax_ids.get("VAT", ("", ""))[0],
            tax_registration_id=tax_ids.get("other", ("", ""))[0],
            tax_registration_scheme=tax_ids.get("other", ("", "FC"))[1],
            legal_information=legal_info,
        )

    def buyer(self, root: etree._Element) -> Buyer:
        path = "/AccountingCustomerParty/Party"
        party = self._party(root, "AccountingCustomerParty", "BR-07", "der Käufer")
        electronic_address = self.identifier(party, "EndpointID", path)
        identifiers = self.party_identifiers(party, path)
        if len(identifiers) > 1:
            raise self.unsupported(f"{path}/PartyIdentification", "eine zweite Käuferkennung")
        trading_name = self.party_name(party, path)
        address = self.address(party, "PostalAddress", path)
        if address is None:
            raise self.missing(
                "BR-10", f"{path}/PostalAddress", "die Anschrift des Käufers", "the buyer address"
            )
        tax_ids = self.tax_ids(party, path)
        name, legal_id, legal_info = self.legal_entity(party, path)
        if legal_info:
            raise self.unsupported(f"{path}/PartyLegalEntity/CompanyLegalForm", "das Element")
        contact = self.contact(party, path)
        self.done(party, path)
        return Buyer(
            name=name,
            address=address,
            electronic_address=electronic_address,
            contact=contact,
            trading_name=trading_name,
            identifier=identifiers[0] if identifiers else None,
            legal_registration_id=legal_id,
            vat_id=tax_ids.get("VAT", ("", ""))[0],
            tax_registration_id=tax_ids.get("other", ("", ""))[0],
            tax_registration_scheme=tax_ids.get("other", ("", "FC"))[1],
        )

    def payee(self, root: etree._Element, creditor: list[str]) -> Payee | None:
        party = self.aggregate(root, "PayeeParty", "")
        if party is None:
            return None
        path = "/PayeeParty"
        identifiers = self.party_identifiers(party, path)
        if creditor == [""]:
            for index, identifier in enumerate(identifiers):
                if identifier.scheme == SEPA_SCHEME:
                    creditor[0] = identifiers.pop(index).value
                    break
        if len(identifiers) > 1:
            raise self.unsupported(
                f"{path}/PartyIdentification", "eine zweite Kennung des Zahlungsempfängers"
            )
        name = self.party_name(party, path)
        legal = self.aggregate(party, "PartyLegalEntity", path)
        legal_id = None
        if legal is not None:
            legal_id = self.identifier(legal, "CompanyID", f"{path}/PartyLegalEntity")
            self.done(legal, f"{path}/PartyLegalEntity")
        self.done(party, path)
        return Payee(
            name=name, identifier=identifiers[0] if identifiers else None, legal_registration_id=legal_id
        )

    def tax_representative(self, root: etree._Element) -> TaxRepresentative | None:
        party = self.aggregate(root, "TaxRepresentativeParty", "")
        if party is None:
            return None
        path = "/TaxRepresentativeParty"
        name = self.party_name(party, path)
        address = self.address(party, "PostalAddress", path) or Address(country="")
        tax_ids = self.tax_ids(party, path)
        if "other" in tax_ids:
            raise self.unsupported(f"{path}/PartyTaxScheme", "eine Steuernummer ohne Schema VAT")
        self.done(party, path)
        return TaxRepresentative(name=name, vat_id=tax_ids.get("VAT", ("", ""))[0], address=address)

    def delivery(self, root: etree._Element) -> Delivery | None:
        element = self.aggregate(root, "Delivery", "")
        if element is None:
            return None
        path = "/Delivery"
        delivery = Delivery(actual_date=self.date(element, "ActualDeliveryDate", path))
        location = self.aggregate(element, "DeliveryLocation", path)
        if location is not None:
            here = f"{path}/DeliveryLocation"
            delivery.location_id = self.identifier(location, "ID", here)
            delivery.address = self.address(location, "Address", here)
            self.done(location, here)
        party = self.aggregate(element, "DeliveryParty", path)
        if party is not None:
            delivery.party_name = self.party_name(party, f"{path}/DeliveryParty")
            self.done(party, f"{path}/DeliveryParty")
        self.done(element, path)
        return delivery

    # --- payment -----------------------------------------------------------------------------

    def payment(self, root: etree._Element) -> tuple[PaymentInstructions | None, date | None]:
        """BG-16 from one or more PaymentMeans (one per account); the credit note's BT-9."""
        elements = self.take_all(root, CAC, "PaymentMeans")
        if not elements:
            return None, None
        path = "/PaymentMeans"
        shared: set[tuple[str, str]] = set()
        texts: set[str] = set()
        dues: set[date] = set()
        payment = PaymentInstructions(means_code="")
        for element in elements:
            names: list[str] = []
            code = self.text(element, "PaymentMeansCode", path, {"name": names})
            due = self.date(element, "PaymentDueDate", path) if self.credit_note else None
            shared.add((code, self.text(element, "PaymentID", path)))
            texts.update(name for name in names if name)
            dues.update([due] if due is not None else [])
            card = self.aggregate(element, "CardAccount", path)
            if card is not None:
                if payment.card is not None:
                    raise self.unsupported(f"{path}/CardAccount", "eine zweite Karte")
                here = f"{path}/CardAccount"
                payment.card = PaymentCard(
                    account_number=self.text(card, "PrimaryAccountNumberID", here),
                    network_id=self.text(card, "NetworkID", here),
                    holder_name=self.text(card, "HolderName", here),
                )
                self.done(card, here)
            account = self.aggregate(element, "PayeeFinancialAccount", path)
            if account is not None:
                here = f"{path}/PayeeFinancialAccount"
                transfer = CreditTransfer(
                    account_id=self.text(account, "ID", here), account_name=self.text(account, "Name", here)
                )
                branch = self.aggregate(account, "FinancialInstitutionBranch", here)
                if branch is not None:
                    transfer.bank_id = self.text(branch, "ID", f"{here}/FinancialInstitutionBranch")
                    self.done(branch, f"{here}/FinancialInstitutionBranch")
                self.done(account, here)
                payment.credit_transfers.append(transfer)
            mandate = self.aggregate(element, "PaymentMandate", path)
            if mandate is not None:
                if payment.direct_debit is not None:
                    raise self.unsupported(f"{path}/PaymentMandate", "ein zweites Lastschriftmandat")
                here = f"{path}/PaymentMandate"
                payment.direct_debit = DirectDebit(
                    mandate_reference=self.text(mandate, "ID", here), creditor_id="", debited_account=""
                )
                payer = self.aggregate(mandate, "PayerFinancialAccount", here)
                if payer is not None:
                    payment.direct_debit.debited_account = self.text(
                        payer, "ID", f"{here}/PayerFinancialAccount"
                    )
                    self.done(payer, f"{here}/PayerFinancialAccount")
                self.done(mandate, here)
            self.done(element, path)
        if len(shared) > 1 or len(texts) > 1 or len(dues) > 1:
            raise self.unsupported(
                path,
                "Zahlungsanweisungen mit verschiedenen Zahlungsarten, Verwendungszwecken oder Fälligkeiten",
            )
        payment.means_code, payment.remittance_information = shared.pop()
        payment.means_text = texts.pop() if texts else ""
        return payment, dues.pop() if dues else None

    # --- allowances, lines -------------------------------------------------------------------

    def allowance_charge(self, element: etree._Element, path: str, document_level: bool) -> AllowanceCharge:
        charge = self.indicator(element, path)
        item = AllowanceCharge(
            amount=Decimal("0"),
            charge=charge,
            reason_code=self.text(element, "AllowanceChargeReasonCode", path),
            reason=self.text(element, "AllowanceChargeReason", path),
            percentage=self.decimal(element, "MultiplierFactorNumeric", path),
            base_amount=self.amount(element, "BaseAmount", path),
        )
        amount = self.amount(element, "Amount", path)
        if amount is None:
            rule = ("BR-36" if charge else "BR-31") if document_level else ("BR-43" if charge else "BR-41")
            raise self.missing(rule, f"{path}/Amount", "der Betrag", "the amount")
        item.amount = amount
        if document_level:
            rule = "BR-37" if charge else "BR-32"
            item.vat = self.vat(element, "TaxCategory", path, rule)
        self.done(element, path)
        return item

    def period(self, parent: etree._Element, path: str) -> Period | None:
        element = self.aggregate(parent, "InvoicePeriod", path)
        if element is None:
            return None
        here = f"{path}/InvoicePeriod"
        period = Period(start=self.date(element, "StartDate", here), end=self.date(element, "EndDate", here))
        self.done(element, here)
        return period

    def item(self, line: etree._Element, path: str) -> tuple[Item, Vat]:
        element = self.aggregate(line, "Item", path)
        here = f"{path}/Item"
        if element is None:
            raise self.missing("BR-25", here, "der Artikelname", "the item name")
        item = Item(
            name=self.text(element, "Name", here), description=self.text(element, "Description", here)
        )
        for attribute, aggregate in (
            ("buyers_id", "BuyersItemIdentification"),
            ("sellers_id", "SellersItemIdentification"),
        ):
            found = self.aggregate(element, aggregate, here)
            if found is not None:
                setattr(item, attribute, self.text(found, "ID", f"{here}/{aggregate}"))
                self.done(found, f"{here}/{aggregate}")
        standard = self.aggregate(element, "StandardItemIdentification", here)
        if standard is not None:
            item.standard_id = self.identifier(standard, "ID", f"{here}/StandardItemIdentification")
            self.done(standard, f"{here}/StandardItemIdentification")
        origin = self.aggregate(element, "OriginCountry", here)
        if origin is not None:
            item.origin_country = self.text(origin, "IdentificationCode", f"{here}/OriginCountry")
            self.done(origin, f"{here}/OriginCountry")
        for classification in self.take_all(element, CAC, "CommodityClassification"):
            where = f"{here}/CommodityClassification"
            list_id: list[str] = []
            list_version: list[str] = []
            code = self.text(
                classification,
                "ItemClassificationCode",
                where,
                {"listID": list_id, "listVersionID": list_version},
            )
            self.done(classification, where)
            item.classifications.append(
                Classification(code, list_id[0] if list_id else "", list_version[0] if list_version else "")
            )
        vat = self.vat(element, "ClassifiedTaxCategory", here, "BR-CO-04")
        for attribute in self.take_all(element, CAC, "AdditionalItemProperty"):
            where = f"{here}/AdditionalItemProperty"
            item.attributes.append(
                ItemAttribute(
                    name=self.text(attribute, "Name", where), value=self.text(attribute, "Value", where)
                )
            )
            self.done(attribute, where)
        self.done(element, here)
        return item, vat

    def line(self, element: etree._Element, path: str) -> Line:
        units: list[str] = []
        quantity_name = "CreditedQuantity" if self.credit_note else "InvoicedQuantity"
        quantity = self.decimal(element, quantity_name, path, {"unitCode": units})
        if quantity is None:
            raise self.missing("BR-22", f"{path}/{quantity_name}", "die Menge", "the quantity")
        self.amount(element, "LineExtensionAmount", path)  # computed again (BR-CO-10 compares)
        item, vat = self.item(element, path)
        line = Line(
            id=self.text(element, "ID", path),
            item=item,
            quantity=quantity,
            unit=units[0] if units else "",
            price=None,
            vat=vat,
            note=self.text(element, "Note", path),
            buyer_accounting_reference=self.text(element, "AccountingCost", path),
            period=self.period(element, path),
        )
        order_line = self.aggregate(element, "OrderLineReference", path)
        if order_line is not None:
            line.order_line_reference = self.text(order_line, "LineID", f"{path}/OrderLineReference")
            self.done(order_line, f"{path}/OrderLineReference")
        reference = self.aggregate(element, "DocumentReference", path)
        if reference is not None:
            here = f"{path}/DocumentReference"
            line.object_identifier = self.identifier(reference, "ID", here)
            type_code = self.text(reference, "DocumentTypeCode", here).strip()
            if type_code != OBJECT_IDENTIFIER_TYPE:
                raise InvalidDocument(
                    "PEPPOL-EN16931-R101",
                    f"{here}: eine Positionsreferenz muss den Dokumenttyp 130 haben.",
                    f"{here}: a line document reference must have the document type code 130.",
                    location=here,
                )
            self.done(reference, here)
        for allowance in self.take_all(element, CAC, "AllowanceCharge"):
            line.allowances_charges.append(self.allowance_charge(allowance, f"{path}/AllowanceCharge", False))
        price = self.aggregate(element, "Price", path)
        if price is not None:
            self.price(price, f"{path}/Price", line)
        if not self.credit_note:
            for index, sub in enumerate(self.take_all(element, CAC, "SubInvoiceLine"), start=1):
                line.sub_lines.append(self.line(sub, f"{path}/SubInvoiceLine[{index}]"))
        self.done(element, path)
        return line

    def price(self, element: etree._Element, path: str, line: Line) -> None:
        line.price = self.amount(element, "PriceAmount", path)
        if line.price is None:
            raise self.missing("BR-26", f"{path}/PriceAmount", "der Nettopreis", "the item net price")
        units: list[str] = []
        line.base_quantity = self.decimal(element, "BaseQuantity", path, {"unitCode": units})
        if units and units[0] and units[0] != line.unit:
            raise InvalidDocument(
                "PEPPOL-EN16931-R130",
                f"{path}/BaseQuantity: die Einheit {units[0]!r} weicht von der Mengeneinheit {line.unit!r} "
                "ab.",
                f"{path}/BaseQuantity: the unit {units[0]!r} differs from the quantity unit {line.unit!r}.",
                location=f"{path}/BaseQuantity",
            )
        discount = self.aggregate(element, "AllowanceCharge", path)
        if discount is not None:
            here = f"{path}/AllowanceCharge"
            if self.indicator(discount, here):
                raise InvalidDocument(
                    "PEPPOL-EN16931-R044",
                    f"{here}: Zuschläge auf den Preis sind nicht erlaubt.",
                    f"{here}: charges on the price are not allowed.",
                    location=here,
                )
            line.price_discount = self.amount(discount, "Amount", here) or Decimal("0")
            line.gross_price = self.amount(discount, "BaseAmount", here)
            self.done(discount, here)
        self.done(element, path)

    # --- the document ------------------------------------------------------------------------

    def additional_documents(self, root: etree._Element, invoice: Invoice) -> None:
        for element in self.take_all(root, CAC, "AdditionalDocumentReference"):
            path = "/AdditionalDocumentReference"
            type_code = self.text(element, "DocumentTypeCode", path).strip()
            if type_code == OBJECT_IDENTIFIER_TYPE and invoice.invoiced_object_identifier is None:
                invoice.invoiced_object_identifier = self.identifier(element, "ID", path)
            elif type_code == PROJECT_REFERENCE_TYPE and self.credit_note and not invoice.project_reference:
                invoice.project_reference = self.text(element, "ID", path)
            elif type_code:
                raise self.unsupported(f"{path}/DocumentTypeCode", f"der Dokumenttyp {type_code!r}")
            else:
                invoice.attachments.append(self.attachment(element, path))
            self.done(element, path)

    def attachment(self, element: etree._Element, path: str) -> SupportingDocument:
        document = SupportingDocument(
            id=self.text(element, "ID", path), description=self.text(element, "DocumentDescription", path)
        )
        attachment = self.aggregate(element, "Attachment", path)
        if attachment is not None:
            here = f"{path}/Attachment"
            mime: list[str] = []
            filename: list[str] = []
            embedded = self.take(attachment, CBC, "EmbeddedDocumentBinaryObject", here)
            if embedded is not None:
                mime.append(embedded.attrib.pop("mimeCode", ""))
                filename.append(embedded.attrib.pop("filename", ""))
                self.done(embedded, f"{here}/EmbeddedDocumentBinaryObject")
                try:
                    document.content = base64.b64decode("".join((embedded.text or "").split()), validate=True)
                except (binascii.Error, ValueError) as err:
                    raise self.bad_value(
                        f"{here}/EmbeddedDocumentBinaryObject", "…", "Base64-Inhalt", "Base64 content"
                    ) from err
                document.mime_code, document.filename = mime[0], filename[0]
            external = self.aggregate(attachment, "ExternalReference", here)
            if external is not None:
                document.uri = self.text(external, "URI", f"{here}/ExternalReference")
                self.done(external, f"{here}/ExternalReference")
            self.done(attachment, here)
        return document

    def totals(self, root: etree._Element, invoice: Invoice) -> None:
        """Read past the computed totals; keep BT-111, BT-113, BT-114 and the exemption reasons."""
        for tax_total in self.take_all(root, CAC, "TaxTotal"):
            path = "/TaxTotal"
            subtotals = self.take_all(tax_total, CAC, "TaxSubtotal")
            if subtotals or not self.tax_currency:
                self.amount(tax_total, "TaxAmount", path)
            else:
                invoice.vat_total_in_accounting_currency = self.amount(
                    tax_total, "TaxAmount", path, currency=self.tax_currency
                )
            for subtotal in subtotals:
                here = f"{path}/TaxSubtotal"
                self.amount(subtotal, "TaxableAmount", here)
                self.amount(subtotal, "TaxAmount", here)
                category = self.aggregate(subtotal, "TaxCategory", here)
                if category is not None:
                    where = f"{here}/TaxCategory"
                    code = self.text(category, "ID", where).strip()
                    self.decimal(category, "Percent", where)
                    reason = ExemptionReason(
                        text=self.text(category, "TaxExemptionReason", where),
                        code=self.text(category, "TaxExemptionReasonCode", where),
                    )
                    self.tax_scheme(category, where)
                    self.done(category, where)
                    if (reason.text or reason.code) and code in VatCategory._value2member_map_:
                        invoice.vat_exemption_reasons.setdefault(VatCategory(code), reason)
                self.done(subtotal, here)
            self.done(tax_total, path)
        monetary = self.aggregate(root, "LegalMonetaryTotal", "")
        if monetary is not None:
            path = "/LegalMonetaryTotal"
            for computed in (
                "LineExtensionAmount",
                "TaxExclusiveAmount",
                "TaxInclusiveAmount",
                "AllowanceTotalAmount",
                "ChargeTotalAmount",
                "PayableAmount",
            ):
                self.amount(monetary, computed, path)
            invoice.paid_amount = self.amount(monetary, "PrepaidAmount", path)
            invoice.rounding_amount = self.amount(monetary, "PayableRoundingAmount", path)
            self.done(monetary, path)

    def invoice(self, root: etree._Element) -> Invoice:
        self.currency = self.text(root, "DocumentCurrencyCode", "").strip()
        self.tax_currency = self.text(root, "TaxCurrencyCode", "").strip()
        issue_date = self.date(root, "IssueDate", "")
        if issue_date is None:
            raise self.missing("BR-03", "/IssueDate", "das Rechnungsdatum (BT-2)", "the issue date (BT-2)")
        payment, credit_note_due = self.payment(root)
        creditor = [""] if payment is not None and payment.direct_debit is not None else []
        payee = self.payee(root, creditor)
        seller = self.seller(root, creditor)
        if creditor and payment is not None and payment.direct_debit is not None:
            payment.direct_debit.creditor_id = creditor[0]
        line_name = "CreditNoteLine" if self.credit_note else "InvoiceLine"
        lines = [
            self.line(element, f"/{line_name}[{index}]")
            for index, element in enumerate(self.take_all(root, CAC, line_name), start=1)
        ]
        type_code = self.text(
            root, "CreditNoteTypeCode" if self.credit_note else "InvoiceTypeCode", ""
        ).strip()
        if self.credit_note != (type_code in CREDIT_NOTE_TYPE_CODES):
            # The model derives the kind of document from BT-3; this one would change kind.
            raise InvalidDocument(
                "BR-CL-01" if not self.credit_note else "XR-UNSUPPORTED",
                f"Der Rechnungstyp {type_code!r} (BT-3) passt nicht zu einem "
                f"{'CreditNote' if self.credit_note else 'Invoice'}-Dokument.",
                f"The type code {type_code!r} (BT-3) does not fit a "
                f"{'CreditNote' if self.credit_note else 'Invoice'} document.",
                location="/" + ("CreditNoteTypeCode" if self.credit_note else "InvoiceTypeCode"),
            )
        invoice = Invoice(
            number=self.text(root, "ID", ""),
            issue_date=issue_date,
            seller=seller,
            buyer=self.buyer(root),
            lines=lines,
            buyer_reference=self.text(root, "BuyerReference", ""),
            payment=payment,
            type_code=type_code,
            currency=self.currency,
            vat_accounting_currency=self.tax_currency,
            vat_point_date=self.date(root, "TaxPointDate", ""),
            due_date=credit_note_due if self.credit_note else self.date(root, "DueDate", ""),
            contract_reference=self.reference(root, "ContractDocumentReference", ""),
            receiving_advice_reference=self.reference(root, "ReceiptDocumentReference", ""),
            despatch_advice_reference=self.reference(root, "DespatchDocumentReference", ""),
            tender_or_lot_reference=self.reference(root, "OriginatorDocumentReference", ""),
            buyer_accounting_reference=self.text(root, "AccountingCost", ""),
            notes=self.texts(root, "Note", ""),
            payee=payee,
            tax_representative=self.tax_representative(root),
            delivery=self.delivery(root),
            customization_id=self.text(root, "CustomizationID", "").strip(),
            profile_id=self.text(root, "ProfileID", "").strip(),
        )
        if not self.credit_note:
            invoice.project_reference = self.reference(root, "ProjectReference", "")
        period = self.aggregate(root, "InvoicePeriod", "")
        if period is not None:
            start, end = (
                self.date(period, "StartDate", "/InvoicePeriod"),
                self.date(period, "EndDate", "/InvoicePeriod"),
            )
            invoice.vat_point_date_code = self.text(period, "DescriptionCode", "/InvoicePeriod")
            if start is not None or end is not None:
                invoice.invoicing_period = Period(start, end)
            self.done(period, "/InvoicePeriod")
        order = self.aggregate(root, "OrderReference", "")
        if order is not None:
            purchase_order = self.text(order, "ID", "/OrderReference")
            invoice.sales_order_reference = self.text(order, "SalesOrderID", "/OrderReference")
            if not (purchase_order == NOT_APPLICABLE and invoice.sales_order_reference):
                invoice.purchase_order_reference = purchase_order
            self.done(order, "/OrderReference")
        for billing in self.take_all(root, CAC, "BillingReference"):
            reference = self.aggregate(billing, "InvoiceDocumentReference", "/BillingReference")
            if reference is not None:
                here = "/BillingReference/InvoiceDocumentReference"
                invoice.preceding_invoices.append(
                    PrecedingInvoice(
                        self.text(reference, "ID", here), self.date(reference, "IssueDate", here)
                    )
                )
                self.done(reference, here)
            self.done(billing, "/BillingReference")
        self.additional_documents(root, invoice)
        terms = self.aggregate(root, "PaymentTerms", "")
        if terms is not None:
            invoice.payment_terms = self.text(terms, "Note", "/PaymentTerms")
            self.done(terms, "/PaymentTerms")
        if not self.credit_note:
            for prepaid in self.take_all(root, CAC, "PrepaidPayment"):
                path = "/PrepaidPayment"
                invoice.third_party_payments.append(
                    ThirdPartyPayment(
                        type=self.text(prepaid, "ID", path),
                        amount=self.amount(prepaid, "PaidAmount", path) or Decimal("0"),
                        description=self.text(prepaid, "InstructionID", path),
                    )
                )
                self.done(prepaid, path)
        for element in self.take_all(root, CAC, "AllowanceCharge"):
            invoice.allowances_charges.append(self.allowance_charge(element, "/AllowanceCharge", True))
        self.totals(root, invoice)
        root.attrib.pop("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", None)
        self.done(root, "")
        return invoice


def parse(data: bytes) -> Invoice:
    """Read an XRechnung UBL Invoice or CreditNote into the dataclasses.

    :param data: the document; parsed without DTD, entities or network access.
    :returns: the invoice; ``parse(build(invoice)) == invoice``.
    :raises InvalidDocument: not XML, a DTD, another root, or content the model does not carry.
    """
    root = load(data)
    kind = document_kind(root)
    return _Reader(kind).invoice(root)
