"""The rules the library checks itself: official rule ids where one exists, German and English text.

The texts paraphrase EN 16931 (CEN rules BR-*), the KoSIT XRechnung rules (BR-DE-*) and the
Peppol rules KoSIT adopted (PEPPOL-EN16931-R*), so that a finding reads the same whether the
library or the official artefacts found it. Library ids: ``LEITWEG-ID-*`` (BT-10 is no valid
Leitweg-ID), ``XML-*`` (not readable as XML), ``NO-SCENARIO`` (not an XRechnung 3.0).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """As the official rules flag them; only ``fatal`` makes a document invalid."""

    FATAL = "fatal"
    WARNING = "warning"
    INFORMATION = "information"


@dataclass(frozen=True)
class Rule:
    severity: Severity
    de: str
    en: str


F, W = Severity.FATAL, Severity.WARNING

RULES: dict[str, Rule] = {
    # --- the document ------------------------------------------------------------------------
    "XML-WELLFORMED": Rule(
        F, "Das Dokument ist kein wohlgeformtes XML.", "The document is not well-formed XML."
    ),
    "XML-DOCTYPE": Rule(
        F,
        "Das Dokument enthält eine Dokumenttyp-Deklaration (DTD, Entitäten); sie wird aus "
        "Sicherheitsgründen abgelehnt.",
        "The document contains a document type declaration (DTD, entities); it is refused for security "
        "reasons.",
    ),
    "XML-SIZE": Rule(F, "Das Dokument ist zu groß.", "The document is too large."),
    "XML-ROOT": Rule(
        F,
        "Das Dokument ist keine UBL-2.1-Rechnung (Invoice) oder -Gutschrift (CreditNote).",
        "The document is not a UBL 2.1 Invoice or CreditNote.",
    ),
    "NO-SCENARIO": Rule(
        F,
        "Die Spezifikationskennung (BT-24) ist nicht die einer XRechnung 3.0; das Dokument kann nicht als "
        "XRechnung geprüft werden.",
        "The specification identifier (BT-24) is not one of XRechnung 3.0; the document cannot be "
        "checked as an XRechnung.",
    ),
    "XSD": Rule(
        F,
        "Das Dokument entspricht nicht dem UBL-2.1-Schema.",
        "The document does not conform to the UBL 2.1 schema.",
    ),
    "BR-01": Rule(
        F, "Die Spezifikationskennung (BT-24) fehlt.", "The specification identifier (BT-24) is missing."
    ),
    "BR-02": Rule(F, "Die Rechnungsnummer (BT-1) fehlt.", "The invoice number (BT-1) is missing."),
    "BR-03": Rule(F, "Das Rechnungsdatum (BT-2) fehlt.", "The invoice issue date (BT-2) is missing."),
    "BR-04": Rule(F, "Der Rechnungstyp (BT-3) fehlt.", "The invoice type code (BT-3) is missing."),
    "BR-05": Rule(F, "Die Rechnungswährung (BT-5) fehlt.", "The invoice currency code (BT-5) is missing."),
    "BR-CL-01": Rule(
        F,
        "Der Rechnungstyp (BT-3) ist kein Code der UNTDID 1001 für diese Dokumentart.",
        "The type code (BT-3) is not a UNTDID 1001 code for this kind of document.",
    ),
    "BR-DE-15": Rule(
        F,
        'Das Element "Buyer reference" (BT-10), bei öffentlichen Auftraggebern die Leitweg-ID, muss '
        "übermittelt werden.",
        "The buyer reference (BT-10), the Leitweg-ID of a public buyer, must be provided.",
    ),
    "LEITWEG-ID-STRUCTURE": Rule(
        F,
        "Die Käuferreferenz (BT-10) ist keine Leitweg-ID: erwartet werden Grobadressierung (2–12 Ziffern), "
        "optional Feinadressierung (bis 30 Buchstaben und Ziffern) und zwei Prüfziffern, getrennt durch "
        "Bindestriche (z. B. 04011000-1234512345-06).",
        "The buyer reference (BT-10) is not a Leitweg-ID: expected are a coarse address (2-12 digits), "
        "an optional fine address (up to 30 letters and digits) and two check digits, separated by "
        "hyphens (e.g. 04011000-1234512345-06).",
    ),
    "LEITWEG-ID-CHECK-DIGITS": Rule(
        F,
        "Die Prüfziffern der Leitweg-ID in der Käuferreferenz (BT-10) stimmen nicht (ISO 7064 MOD 97-10).",
        "The check digits of the Leitweg-ID in the buyer reference (BT-10) do not match (ISO 7064 MOD "
        "97-10).",
    ),
    "BR-16": Rule(F, "Die Rechnung hat keine Position (BG-25).", "The invoice has no invoice line (BG-25)."),
    "BR-DE-17": Rule(
        W,
        "Als Rechnungstyp (BT-3) sollen nur 326, 380, 384, 389, 381, 875, 876 oder 877 verwendet werden.",
        "The type code (BT-3) should be one of 326, 380, 384, 389, 381, 875, 876, 877.",
    ),
    "BR-DE-26": Rule(
        W,
        "Eine korrigierte Rechnung (Typ 384) soll die vorausgegangene Rechnung (BG-3) nennen.",
        "A corrected invoice (type 384) should name the preceding invoice (BG-3).",
    ),
    "BR-55": Rule(
        F,
        "Jede Referenz auf eine vorausgegangene Rechnung (BG-3) braucht deren Nummer (BT-25).",
        "Each preceding invoice reference (BG-3) needs its number (BT-25).",
    ),
    "BR-29": Rule(
        F,
        "Das Ende des Abrechnungszeitraums (BT-74) liegt vor seinem Beginn (BT-73).",
        "The invoicing period end date (BT-74) is before its start date (BT-73).",
    ),
    "BR-CO-19": Rule(
        F,
        "Ein Abrechnungszeitraum (BG-14) braucht einen Beginn (BT-73) oder ein Ende (BT-74).",
        "An invoicing period (BG-14) needs a start (BT-73) or an end date (BT-74).",
    ),
    "BR-CO-03": Rule(
        F,
        "Steuerdatum (BT-7) und Code für das Steuerdatum (BT-8) schließen einander aus.",
        "The VAT point date (BT-7) and its code (BT-8) are mutually exclusive.",
    ),
    "BR-52": Rule(
        F,
        "Jede rechnungsbegründende Unterlage (BG-24) braucht eine Kennung (BT-122).",
        "Each supporting document (BG-24) needs a reference (BT-122).",
    ),
    "BR-DE-22": Rule(
        F,
        "Die Dateinamen der eingebetteten Anhänge (BT-125) müssen eindeutig sein.",
        "The filenames of the embedded attachments (BT-125) must be unique.",
    ),
    # --- seller, buyer, payee, tax representative, delivery -----------------------------------
    "BR-06": Rule(F, "Der Name des Verkäufers (BT-27) fehlt.", "The seller name (BT-27) is missing."),
    "BR-08": Rule(
        F, "Die Anschrift des Verkäufers (BG-5) fehlt.", "The seller postal address (BG-5) is missing."
    ),
    "BR-09": Rule(
        F, "Der Ländercode des Verkäufers (BT-40) fehlt.", "The seller country code (BT-40) is missing."
    ),
    "BR-DE-2": Rule(
        F, "Die Kontaktdaten des Verkäufers (BG-6) fehlen.", "The seller contact (BG-6) is missing."
    ),
    "BR-DE-3": Rule(F, "Der Ort des Verkäufers (BT-37) fehlt.", "The seller city (BT-37) is missing."),
    "BR-DE-4": Rule(
        F, "Die Postleitzahl des Verkäufers (BT-38) fehlt.", "The seller post code (BT-38) is missing."
    ),
    "BR-DE-5": Rule(
        F, "Der Ansprechpartner des Verkäufers (BT-41) fehlt.", "The seller contact point (BT-41) is missing."
    ),
    "BR-DE-6": Rule(
        F,
        "Die Telefonnummer des Verkäufers (BT-42) fehlt.",
        "The seller contact telephone number (BT-42) is missing.",
    ),
    "BR-DE-7": Rule(
        F,
        "Die E-Mail-Adresse des Verkäufers (BT-43) fehlt.",
        "The seller contact email address (BT-43) is missing.",
    ),
    "BR-DE-27": Rule(
        W,
        "Die Telefonnummer des Verkäufers (BT-42) soll mindestens drei Ziffern enthalten.",
        "The seller telephone number (BT-42) should contain at least three digits.",
    ),
    "BR-DE-28": Rule(
        W,
        "Die E-Mail-Adresse des Verkäufers (BT-43) soll genau ein @ mit Text auf beiden Seiten enthalten.",
        "The seller email address (BT-43) should contain exactly one @ with text on both sides.",
    ),
    "PEPPOL-EN16931-R020": Rule(
        F,
        "Die elektronische Adresse des Verkäufers (BT-34) fehlt.",
        "The seller electronic address (BT-34) is missing.",
    ),
    "BR-62": Rule(
        F,
        "Die elektronische Adresse des Verkäufers (BT-34) braucht eine Schemakennung (z. B. EM für E-Mail).",
        "The seller electronic address (BT-34) needs a scheme identifier (e.g. EM for e-mail).",
    ),
    "BR-CO-26": Rule(
        F,
        "Der Verkäufer braucht eine Kennung (BT-29), eine Registernummer (BT-30) oder eine USt-IdNr. "
        "(BT-31).",
        "The seller needs an identifier (BT-29), a legal registration identifier (BT-30) or a VAT "
        "identifier (BT-31).",
    ),
    "BR-CO-09": Rule(
        F,
        "Eine Umsatzsteuer-Identifikationsnummer muss mit dem Ländercode beginnen (z. B. DE).",
        "A VAT identifier must start with its country code (e.g. DE).",
    ),
    "BR-07": Rule(F, "Der Name des Käufers (BT-44) fehlt.", "The buyer name (BT-44) is missing."),
    "BR-10": Rule(
        F, "Die Anschrift des Käufers (BG-8) fehlt.", "The buyer postal address (BG-8) is missing."
    ),
    "BR-11": Rule(
        F, "Der Ländercode des Käufers (BT-55) fehlt.", "The buyer country code (BT-55) is missing."
    ),
    "BR-DE-8": Rule(F, "Der Ort des Käufers (BT-52) fehlt.", "The buyer city (BT-52) is missing."),
    "BR-DE-9": Rule(
        F, "Die Postleitzahl des Käufers (BT-53) fehlt.", "The buyer post code (BT-53) is missing."
    ),
    "PEPPOL-EN16931-R010": Rule(
        F,
        "Die elektronische Adresse des Käufers (BT-49) fehlt.",
        "The buyer electronic address (BT-49) is missing.",
    ),
    "BR-63": Rule(
        F,
        "Die elektronische Adresse des Käufers (BT-49) braucht eine Schemakennung (z. B. 0204 für die "
        "Leitweg-ID).",
        "The buyer electronic address (BT-49) needs a scheme identifier (e.g. 0204 for the Leitweg-ID).",
    ),
    "BR-17": Rule(F, "Der Name des Zahlungsempfängers (BT-59) fehlt.", "The payee name (BT-59) is missing."),
    "BR-18": Rule(
        F,
        "Der Name des Steuervertreters (BT-62) fehlt.",
        "The seller tax representative name (BT-62) is missing.",
    ),
    "BR-19": Rule(
        F,
        "Die Anschrift des Steuervertreters (BG-12) fehlt.",
        "The seller tax representative postal address (BG-12) is missing.",
    ),
    "BR-20": Rule(
        F,
        "Der Ländercode des Steuervertreters (BT-69) fehlt.",
        "The tax representative country code (BT-69) is missing.",
    ),
    "BR-56": Rule(
        F,
        "Die USt-IdNr. des Steuervertreters (BT-63) fehlt.",
        "The seller tax representative VAT identifier (BT-63) is missing.",
    ),
    "BR-57": Rule(
        F,
        "Die Lieferanschrift (BG-15) braucht einen Ländercode (BT-80).",
        "The deliver to address (BG-15) needs a country code (BT-80).",
    ),
    "BR-DE-10": Rule(
        F, "Der Ort der Lieferanschrift (BT-77) fehlt.", "The deliver to city (BT-77) is missing."
    ),
    "BR-DE-11": Rule(
        F,
        "Die Postleitzahl der Lieferanschrift (BT-78) fehlt.",
        "The deliver to post code (BT-78) is missing.",
    ),
    "BR-DE-16": Rule(
        F,
        "Bei den Steuerkategorien S, Z, E, AE, K, G, L oder M muss die USt-IdNr. (BT-31) oder die "
        "Steuernummer (BT-32) des Verkäufers oder ein Steuervertreter (BG-11) angegeben sein.",
        "With the VAT categories S, Z, E, AE, K, G, L or M the seller VAT identifier (BT-31), the seller "
        "tax registration identifier (BT-32) or a tax representative (BG-11) must be given.",
    ),
    # --- payment -----------------------------------------------------------------------------
    "BR-DE-1": Rule(
        F, "Die Zahlungsanweisungen (BG-16) fehlen.", "The payment instructions (BG-16) are missing."
    ),
    "BR-49": Rule(
        F, "Der Code der Zahlungsart (BT-81) fehlt.", "The payment means type code (BT-81) is missing."
    ),
    "BR-61": Rule(
        F,
        "Bei einer Überweisung (Code 30 oder 58) muss die Kontokennung (BT-84, IBAN) angegeben sein.",
        "With a credit transfer (code 30 or 58) the payment account identifier (BT-84, IBAN) must be given.",
    ),
    "BR-DE-19": Rule(
        W,
        "Die Kontokennung (BT-84) soll bei SEPA-Überweisung (58) eine korrekte IBAN sein.",
        "The payment account identifier (BT-84) should be a correct IBAN with SEPA credit transfer (58).",
    ),
    "BR-DE-20": Rule(
        W,
        "Das belastete Konto (BT-91) soll bei SEPA-Lastschrift (59) eine korrekte IBAN sein.",
        "The debited account identifier (BT-91) should be a correct IBAN with SEPA direct debit (59).",
    ),
    "BR-DE-23-a": Rule(
        F,
        "Bei einer Überweisung (Code 30 oder 58) müssen die Überweisungsangaben (BG-17) übermittelt werden.",
        "With a credit transfer (code 30 or 58) the credit transfer group (BG-17) must be provided.",
    ),
    "BR-DE-23-b": Rule(
        F,
        "Bei einer Überweisung (Code 30 oder 58) dürfen keine Karten- (BG-18) oder Lastschriftangaben "
        "(BG-19) stehen.",
        "With a credit transfer (code 30 or 58) card (BG-18) and direct debit (BG-19) data must not be "
        "given.",
    ),
    "BR-DE-24-a": Rule(
        F,
        "Bei einer Kartenzahlung (Code 48, 54 oder 55) müssen die Kartenangaben (BG-18) übermittelt werden.",
        "With a card payment (code 48, 54 or 55) the card group (BG-18) must be provided.",
    ),
    "BR-DE-24-b": Rule(
        F,
        "Bei einer Kartenzahlung dürfen keine Überweisungs- (BG-17) oder Lastschriftangaben (BG-19) stehen.",
        "With a card payment credit transfer (BG-17) and direct debit (BG-19) data must not be given.",
    ),
    "BR-DE-25-a": Rule(
        F,
        "Bei einer Lastschrift (Code 59) müssen die Lastschriftangaben (BG-19) übermittelt werden.",
        "With a direct debit (code 59) the direct debit group (BG-19) must be provided.",
    ),
    "BR-DE-25-b": Rule(
        F,
        "Bei einer Lastschrift dürfen keine Überweisungs- (BG-17) oder Kartenangaben (BG-18) stehen.",
        "With a direct debit credit transfer (BG-17) and card (BG-18) data must not be given.",
    ),
    "BR-DE-30": Rule(
        F,
        "Bei einer Lastschrift (BG-19) muss die Gläubiger-Identifikationsnummer (BT-90) angegeben sein.",
        "With a direct debit (BG-19) the bank assigned creditor identifier (BT-90) must be given.",
    ),
    "BR-DE-31": Rule(
        F,
        "Bei einer Lastschrift (BG-19) muss das belastete Konto (BT-91) angegeben sein.",
        "With a direct debit (BG-19) the debited account identifier (BT-91) must be given.",
    ),
    "PEPPOL-EN16931-R061": Rule(
        F,
        "Bei einer Lastschrift muss die Mandatsreferenz (BT-89) angegeben sein.",
        "With a direct debit the mandate reference (BT-89) must be given.",
    ),
    "BR-CO-25": Rule(
        F,
        "Ist ein Betrag fällig (BT-115 > 0), müssen das Fälligkeitsdatum (BT-9) oder die Zahlungsbedingungen "
        "(BT-20) angegeben sein.",
        "When an amount is due (BT-115 > 0), the due date (BT-9) or the payment terms (BT-20) must be given.",
    ),
    # --- totals ------------------------------------------------------------------------------
    "BR-12": Rule(
        F,
        "Die Summe der Positionsnettobeträge (BT-106) fehlt.",
        "The sum of line net amounts (BT-106) is missing.",
    ),
    "BR-13": Rule(
        F,
        "Der Gesamtbetrag ohne Umsatzsteuer (BT-109) fehlt.",
        "The invoice total without VAT (BT-109) is missing.",
    ),
    "BR-14": Rule(
        F,
        "Der Gesamtbetrag mit Umsatzsteuer (BT-112) fehlt.",
        "The invoice total with VAT (BT-112) is missing.",
    ),
    "BR-15": Rule(F, "Der fällige Betrag (BT-115) fehlt.", "The amount due for payment (BT-115) is missing."),
    "BR-CO-10": Rule(
        F,
        "Die Summe der Positionsnettobeträge (BT-106) stimmt nicht mit den Positionen (BT-131) überein.",
        "The sum of line net amounts (BT-106) does not equal the line net amounts (BT-131).",
    ),
    "BR-CO-11": Rule(
        F,
        "Die Summe der Nachlässe (BT-107) stimmt nicht mit den Nachlässen auf Dokumentebene (BT-92) überein.",
        "The sum of allowances (BT-107) does not equal the document level allowances (BT-92).",
    ),
    "BR-CO-12": Rule(
        F,
        "Die Summe der Zuschläge (BT-108) stimmt nicht mit den Zuschlägen auf Dokumentebene (BT-99) überein.",
        "The sum of charges (BT-108) does not equal the document level charges (BT-99).",
    ),
    "BR-CO-13": Rule(
        F,
        "Der Gesamtbetrag ohne Umsatzsteuer (BT-109) ist nicht Positionssumme (BT-106) − Nachlässe (BT-107) "
        "+ Zuschläge (BT-108).",
        "The invoice total without VAT (BT-109) is not the line total (BT-106) - allowances (BT-107) + "
        "charges (BT-108).",
    ),
    "BR-CO-14": Rule(
        F,
        "Die Umsatzsteuer gesamt (BT-110) ist nicht die Summe der Steuerbeträge je Kategorie (BT-117).",
        "The invoice total VAT amount (BT-110) is not the sum of the VAT category amounts (BT-117).",
    ),
    "BR-CO-15": Rule(
        F,
        "Der Gesamtbetrag mit Umsatzsteuer (BT-112) ist nicht Betrag ohne Umsatzsteuer (BT-109) + "
        "Umsatzsteuer (BT-110).",
        "The invoice total with VAT (BT-112) is not the total without VAT (BT-109) + the VAT (BT-110).",
    ),
    "BR-CO-16": Rule(
        F,
        "Der fällige Betrag (BT-115) ist nicht Gesamtbetrag (BT-112) − bereits gezahlt (BT-113) + Rundung "
        "(BT-114).",
        "The amount due (BT-115) is not the total with VAT (BT-112) - paid amount (BT-113) + rounding "
        "(BT-114).",
    ),
    "BR-DEX-09": Rule(
        F,
        "Der fällige Betrag (BT-115) ist nicht Gesamtbetrag (BT-112) − bereits gezahlt (BT-113) + Rundung "
        "(BT-114) + Zahlungen an Dritte (BT-DEX-002).",
        "The amount due (BT-115) is not the total with VAT (BT-112) - paid amount (BT-113) + rounding "
        "(BT-114) + third party payments (BT-DEX-002).",
    ),
    "BR-CO-18": Rule(
        F,
        "Die Rechnung hat keine Aufschlüsselung der Umsatzsteuer (BG-23).",
        "The invoice has no VAT breakdown (BG-23).",
    ),
    "BR-DE-14": Rule(
        F,
        "In der Umsatzsteueraufschlüsselung fehlt der Steuersatz (BT-119).",
        "The VAT breakdown lacks the VAT category rate (BT-119).",
    ),
    "BR-CO-17": Rule(
        F,
        "Der Steuerbetrag der Kategorie (BT-117) ist nicht Bemessungsgrundlage (BT-116) × Steuersatz "
        "(BT-119).",
        "The VAT category tax amount (BT-117) is not the taxable amount (BT-116) × the rate (BT-119).",
    ),
    "XR-ROUNDING": Rule(
        W,
        "Ein Steuerbetrag oder eine Bemessungsgrundlage weicht um weniger als eine Währungseinheit vom genau "
        "gerundeten Wert ab (die offiziellen Regeln lassen das zu).",
        "A VAT amount or taxable amount differs by less than one currency unit from the exactly rounded "
        "value (the official rules tolerate that).",
    ),
    "XR-VALUE": Rule(
        F,
        "Ein Wert ist keine gültige Zahl, kein gültiges Datum oder kein gültiger Code.",
        "A value is not a valid number, date or code.",
    ),
    "XR-UNSUPPORTED": Rule(
        W,
        "Das Dokument enthält Angaben, die diese Bibliothek nicht abbildet; die Darstellung wäre "
        "unvollständig.",
        "The document contains data this library does not carry; a rendering would be incomplete.",
    ),
    "XR-CURRENCY": Rule(
        F,
        "Ein Betrag ist in einer anderen Währung als der Rechnungswährung (BT-5) angegeben.",
        "An amount is given in a currency other than the invoice currency (BT-5).",
    ),
    "BR-DEC": Rule(
        F,
        "Ein Betrag hat mehr als zwei Nachkommastellen.",
        "An amount has more than two decimals.",
    ),
    # --- allowances and charges --------------------------------------------------------------
    "BR-31": Rule(
        F,
        "Ein Nachlass (BG-20) hat keinen Betrag (BT-92).",
        "A document allowance (BG-20) has no amount (BT-92).",
    ),
    "BR-32": Rule(
        F,
        "Ein Nachlass auf Dokumentebene (BG-20) hat keine Umsatzsteuerkategorie (BT-95).",
        "A document level allowance (BG-20) has no VAT category code (BT-95).",
    ),
    "BR-33": Rule(
        F,
        "Ein Nachlass auf Dokumentebene (BG-20) braucht einen Grund (BT-97) oder Grundcode (BT-98).",
        "A document level allowance (BG-20) needs a reason (BT-97) or reason code (BT-98).",
    ),
    "BR-36": Rule(
        F,
        "Ein Zuschlag (BG-21) hat keinen Betrag (BT-99).",
        "A document charge (BG-21) has no amount (BT-99).",
    ),
    "BR-37": Rule(
        F,
        "Ein Zuschlag auf Dokumentebene (BG-21) hat keine Umsatzsteuerkategorie (BT-102).",
        "A document level charge (BG-21) has no VAT category code (BT-102).",
    ),
    "BR-38": Rule(
        F,
        "Ein Zuschlag auf Dokumentebene (BG-21) braucht einen Grund (BT-104) oder Grundcode (BT-105).",
        "A document level charge (BG-21) needs a reason (BT-104) or reason code (BT-105).",
    ),
    "BR-42": Rule(
        F,
        "Ein Nachlass auf eine Position (BG-27) braucht einen Grund (BT-139) oder Grundcode (BT-140).",
        "A line allowance (BG-27) needs a reason (BT-139) or reason code (BT-140).",
    ),
    "BR-44": Rule(
        F,
        "Ein Zuschlag auf eine Position (BG-28) braucht einen Grund (BT-144) oder Grundcode (BT-145).",
        "A line charge (BG-28) needs a reason (BT-144) or reason code (BT-145).",
    ),
    "PEPPOL-EN16931-R040": Rule(
        F,
        "Der Betrag eines Nachlasses oder Zuschlags ist nicht Grundbetrag × Prozentsatz ÷ 100.",
        "An allowance or charge amount is not base amount × percentage ÷ 100.",
    ),
    # --- lines -------------------------------------------------------------------------------
    "BR-21": Rule(
        F, "Eine Position hat keine Kennung (BT-126).", "An invoice line has no identifier (BT-126)."
    ),
    "BR-22": Rule(F, "Eine Position hat keine Menge (BT-129).", "An invoice line has no quantity (BT-129)."),
    "BR-23": Rule(
        F,
        "Eine Position hat keine Mengeneinheit (BT-130).",
        "An invoice line has no unit of measure (BT-130).",
    ),
    "BR-24": Rule(
        F,
        "Eine Position hat keinen Nettobetrag (BT-131).",
        "An invoice line has no line net amount (BT-131).",
    ),
    "BR-25": Rule(
        F, "Eine Position hat keinen Artikelnamen (BT-153).", "An invoice line has no item name (BT-153)."
    ),
    "BR-26": Rule(
        F, "Eine Position hat keinen Nettopreis (BT-146).", "An invoice line has no item net price (BT-146)."
    ),
    "BR-27": Rule(
        F,
        "Der Nettopreis (BT-146) darf nicht negativ sein.",
        "The item net price (BT-146) must not be negative.",
    ),
    "BR-28": Rule(
        F,
        "Der Bruttopreis (BT-148) darf nicht negativ sein.",
        "The item gross price (BT-148) must not be negative.",
    ),
    "BR-30": Rule(
        F,
        "Das Ende des Positionszeitraums (BT-135) liegt vor seinem Beginn (BT-134).",
        "The line period end date (BT-135) is before its start date (BT-134).",
    ),
    "BR-CO-04": Rule(
        F,
        "Eine Position hat keine Umsatzsteuerkategorie (BT-151).",
        "An invoice line has no VAT category code (BT-151).",
    ),
    "PEPPOL-EN16931-R120": Rule(
        W,
        "Der Nettobetrag der Position (BT-131) ist nicht Menge × Nettopreis ÷ Basismenge + Zuschläge − "
        "Nachlässe.",
        "The line net amount (BT-131) is not quantity × net price ÷ base quantity + charges - allowances.",
    ),
    "PEPPOL-EN16931-R121": Rule(
        F, "Die Basismenge (BT-149) muss größer als 0 sein.", "The base quantity (BT-149) must be above zero."
    ),
    "PEPPOL-EN16931-R046": Rule(
        F,
        "Der Nettopreis (BT-146) ist nicht Bruttopreis (BT-148) − Preisnachlass (BT-147).",
        "The item net price (BT-146) is not the gross price (BT-148) - the price discount (BT-147).",
    ),
    "BR-DEX-02": Rule(
        W,
        "Der Nettobetrag einer Position mit Unterpositionen soll die Summe der Unterpositionen sein.",
        "The net amount of a line with sub lines should be the sum of its sub lines.",
    ),
}

# UNTDID 5305 category -> (rule prefix, German name, English name) for the per-category rules.
CATEGORY_RULES = {
    "S": ("BR-S", "Normalsatz", "Standard rated"),
    "Z": ("BR-Z", "Nullsatz", "Zero rated"),
    "E": ("BR-E", "steuerbefreit", "Exempt from VAT"),
    "AE": ("BR-AE", "Steuerschuldnerschaft des Leistungsempfängers", "Reverse charge"),
    "K": ("BR-IC", "innergemeinschaftliche Lieferung", "Intra-community supply"),
    "G": ("BR-G", "Ausfuhr außerhalb der EU", "Export outside the EU"),
    "O": ("BR-O", "nicht steuerbar", "Not subject to VAT"),
    "L": ("BR-AF", "IGIC (Kanarische Inseln)", "IGIC"),
    "M": ("BR-AG", "IPSI (Ceuta und Melilla)", "IPSI"),
}
EXEMPTION_REQUIRED = {"E", "AE", "K", "G", "O"}
EXEMPTION_FORBIDDEN = {"S", "Z", "L", "M"}
ZERO_RATE = {"Z", "E", "AE", "K", "G"}


def _category_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for code, (prefix, de, en) in CATEGORY_RULES.items():
        rules[f"{prefix}-01"] = Rule(
            F,
            f"Positionen, Nachlässe oder Zuschläge der Kategorie {code} ({de}) brauchen eine "
            f"Umsatzsteueraufschlüsselung (BG-23) dieser Kategorie.",
            f'Lines, allowances or charges of category {code} ("{en}") need a VAT breakdown (BG-23) of it.',
        )
        rules[f"{prefix}-05"] = Rule(
            F,
            f"Der Steuersatz (BT-152) einer Position der Kategorie {code} ({de}) ist nicht zulässig"
            + (
                " (er muss größer als 0 sein)."
                if code == "S"
                else " (er muss fehlen)."
                if code == "O"
                else " (er muss 0 sein)."
            ),
            f'The VAT rate (BT-152) of a line of category {code} ("{en}") is not allowed'
            + (
                " (it must be above 0)."
                if code == "S"
                else " (it must be absent)."
                if code == "O"
                else " (it must be 0)."
            ),
        )
        rules[f"{prefix}-08"] = Rule(
            F,
            f"Die Bemessungsgrundlage (BT-116) der Kategorie {code} ({de}) ist nicht die Summe der "
            f"Positionsnettobeträge minus Nachlässe plus Zuschläge dieser Kategorie.",
            f'The taxable amount (BT-116) of category {code} ("{en}") is not the sum of its line net '
            f"amounts minus allowances plus charges.",
        )
        rules[f"{prefix}-09"] = Rule(
            F,
            f"Der Steuerbetrag (BT-117) der Kategorie {code} ({de}) ist nicht richtig"
            + (" (Bemessungsgrundlage × Steuersatz)." if code in ("S", "L", "M") else " (er muss 0 sein)."),
            f'The VAT amount (BT-117) of category {code} ("{en}") is wrong'
            + (" (taxable amount × rate)." if code in ("S", "L", "M") else " (it must be 0)."),
        )
        if code in EXEMPTION_REQUIRED:
            rules[f"{prefix}-10"] = Rule(
                F,
                f"Die Aufschlüsselung der Kategorie {code} ({de}) braucht einen Befreiungsgrund (BT-120) "
                f"oder dessen Code (BT-121).",
                f'The breakdown of category {code} ("{en}") needs an exemption reason (BT-120) or code '
                "(BT-121).",
            )
        else:
            rules[f"{prefix}-10"] = Rule(
                F,
                f"Die Aufschlüsselung der Kategorie {code} ({de}) darf keinen Befreiungsgrund "
                "(BT-120/BT-121) haben.",
                f'The breakdown of category {code} ("{en}") must not have an exemption reason '
                "(BT-120/BT-121).",
            )
    rules["BR-S-02"] = Rule(
        F,
        "Bei Positionen zum Normalsatz (S) muss die USt-IdNr. (BT-31) oder Steuernummer (BT-32) des "
        "Verkäufers oder die USt-IdNr. des Steuervertreters (BT-63) angegeben sein.",
        "Standard rated lines (S) need the seller VAT identifier (BT-31), tax registration identifier "
        "(BT-32) or the tax representative VAT identifier (BT-63).",
    )
    rules["BR-Z-02"] = Rule(
        F,
        rules["BR-S-02"].de.replace("zum Normalsatz (S)", "zum Nullsatz (Z)"),
        rules["BR-S-02"].en.replace("Standard rated lines (S)", "Zero rated lines (Z)"),
    )
    rules["BR-E-02"] = Rule(
        F,
        rules["BR-S-02"].de.replace("zum Normalsatz (S)", "steuerbefreiter Lieferungen (E)"),
        rules["BR-S-02"].en.replace("Standard rated lines (S)", "Exempt lines (E)"),
    )
    rules["BR-AE-02"] = Rule(
        F,
        "Bei Reverse Charge (AE) müssen die USt-IdNr. oder Steuernummer des Verkäufers (BT-31/BT-32, oder "
        "des Steuervertreters BT-63) und die USt-IdNr. (BT-48) oder Registernummer (BT-47) des Käufers "
        "angegeben sein.",
        "Reverse charge (AE) needs the seller VAT or tax registration identifier (BT-31/BT-32, or the "
        "tax representative's BT-63) and the buyer VAT identifier (BT-48) or legal registration (BT-47).",
    )
    rules["BR-IC-02"] = Rule(
        F,
        "Bei innergemeinschaftlicher Lieferung (K) müssen die USt-IdNr. des Verkäufers (BT-31, oder des "
        "Steuervertreters BT-63) und die USt-IdNr. des Käufers (BT-48) angegeben sein.",
        "An intra-community supply (K) needs the seller VAT identifier (BT-31, or the tax "
        "representative's BT-63) and the buyer VAT identifier (BT-48).",
    )
    rules["BR-IC-11"] = Rule(
        F,
        "Bei innergemeinschaftlicher Lieferung (K) muss das Lieferdatum (BT-72) oder der Abrechnungszeitraum "
        "(BG-14) angegeben sein.",
        "An intra-community supply (K) needs the actual delivery date (BT-72) or the invoicing period "
        "(BG-14).",
    )
    rules["BR-IC-12"] = Rule(
        F,
        "Bei innergemeinschaftlicher Lieferung (K) muss das Land der Lieferanschrift (BT-80) angegeben sein.",
        "An intra-community supply (K) needs the deliver to country code (BT-80).",
    )
    rules["BR-G-02"] = Rule(
        F,
        "Bei Ausfuhr (G) muss die USt-IdNr. des Verkäufers (BT-31) oder des Steuervertreters (BT-63) "
        "angegeben sein.",
        "An export (G) needs the seller VAT identifier (BT-31) or the tax representative's (BT-63).",
    )
    rules["BR-O-02"] = Rule(
        F,
        "Bei nicht steuerbaren Umsätzen (O) dürfen keine USt-IdNr. von Verkäufer, Steuervertreter oder "
        "Käufer "
        "angegeben sein.",
        "Not subject to VAT (O) excludes the VAT identifiers of seller, tax representative and buyer.",
    )
    rules["BR-O-11"] = Rule(
        F,
        "Eine Rechnung mit nicht steuerbaren Umsätzen (O) darf keine anderen Steuerkategorien enthalten.",
        "An invoice with a not subject to VAT breakdown (O) must not contain other VAT categories.",
    )
    return rules


RULES.update(_category_rules())


def rule(rule_id: str) -> Rule:
    """The rule with this id; the BR-DEC-nn rules share one text."""
    if rule_id.startswith("BR-DEC-"):
        return RULES["BR-DEC"]
    return RULES[rule_id]
