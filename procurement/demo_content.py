"""The texts of the demo data (`flask seed-demo`): organisations, users, marketplace, needs.

Data only; `procurement/demo.py` loads it through the workflows. Names, places and people are
fictitious; identifiers are well-formed (AGS with a real state and district prefix, Leitweg-IDs
with computed check digits, the real NUTS-3 code of the district, valid CPV codes).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from procurement.accounts.models import CompanySize, OrganisationKind, Role
from procurement.marketplace.models import Category
from workflows.curation import EntryStatus
from workflows.need import NeedStatus
from xrechnung.leitweg import leitweg_check_digits


def text(value: str) -> str:
    """Dedent ``value``; lines of a paragraph are joined, blank lines separate paragraphs."""
    paragraphs = textwrap.dedent(value).strip().split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def leitweg(coarse: str, fine: str = "") -> str:
    """A Leitweg-ID with its check digits (ISO 7064 MOD 97-10)."""
    check = leitweg_check_digits(coarse, fine)
    return f"{coarse}-{fine}-{check}" if fine else f"{coarse}-{check}"


# --- organisations and users --------------------------------------------------------------


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    kind: OrganisationKind
    name: str
    street: str
    postal_code: str
    city: str
    email: str
    ags: str | None = None
    leitweg_id: str | None = None
    nuts_code: str | None = None
    vat_id: str | None = None
    company_size: CompanySize | None = None  # vendors: eForms BT-165 in award notices
    # a small municipality without Smart-City funding (the platform is for them too)
    funded: bool = True


ORGANISATIONS = [
    DemoOrganisation(
        "kz",
        OrganisationKind.competence_centre,
        "Kompetenzzentrum Smart City",
        "Invalidenstraße 44",
        "10115",
        "Berlin",
        "kontakt@kompetenzzentrum.example",
        nuts_code="DE300",
    ),
    DemoOrganisation(
        "talheim",
        OrganisationKind.municipality,
        "Stadt Talheim an der Lauter",
        "Marktplatz 1",
        "74388",
        "Talheim an der Lauter",
        "vergabe@talheim.example",
        ags="08125099",
        leitweg_id="08125099-RECHNUNG-39",
        nuts_code="DE118",
    ),
    DemoOrganisation(
        "birkenfelde",
        OrganisationKind.municipality,
        "Gemeinde Birkenfelde",
        "Rathausstraße 3",
        "64572",
        "Birkenfelde",
        "vergabe@birkenfelde.example",
        ags="06433099",
        leitweg_id="06433099-KAEMMEREI-68",
        nuts_code="DE717",
    ),
    DemoOrganisation(
        "nordhafen",
        OrganisationKind.municipality,
        "Stadt Nordhafen",
        "Am Hafen 7",
        "24768",
        "Nordhafen",
        "vergabe@nordhafen.example",
        ags="01058099",
        leitweg_id="01058099-29",
        nuts_code="DEF0B",
    ),
    DemoOrganisation(
        "verkehrstechnik",
        OrganisationKind.vendor,
        "Verkehrstechnik Süd GmbH",
        "Industriestraße 12",
        "70565",
        "Stuttgart",
        "info@verkehrstechnik-sued.example",
        vat_id="DE817902350",
        nuts_code="DE111",  # eForms BT-507: every organisation in an award notice has one
        company_size=CompanySize.medium,
    ),
    DemoOrganisation(
        "energienetz",
        OrganisationKind.vendor,
        "EnergieNetz Solutions AG",
        "Hafenweg 5",
        "20457",
        "Hamburg",
        "info@energienetz.example",
        vat_id="DE293847560",
        nuts_code="DE600",  # eForms BT-507: every organisation in an award notice has one
        company_size=CompanySize.large,
    ),
    DemoOrganisation(
        "stadtdaten",
        OrganisationKind.vendor,
        "Offene Stadtdaten eG",
        "Lindenallee 9",
        "04109",
        "Leipzig",
        "info@offene-stadtdaten.example",
        vat_id="DE456123788",
        nuts_code="DED51",  # eForms BT-507: every organisation in an award notice has one
        company_size=CompanySize.small,
    ),
    # Hochsauerlandkreis (05958, DEA57): a mid-sized town in the MPSC programme
    DemoOrganisation(
        "wiesental",
        OrganisationKind.municipality,
        "Stadt Wiesental",
        "Rathausplatz 2",
        "59889",
        "Wiesental",
        "vergabe@wiesental.example",
        ags="05958099",
        leitweg_id=leitweg("05958099", "RECHNUNGSEINGANG"),
        nuts_code="DEA57",
    ),
    # Landkreis Lüchow-Dannenberg (03354, DE934): a village of 900 people, no funding
    DemoOrganisation(
        "kleinmoorbach",
        OrganisationKind.municipality,
        "Gemeinde Kleinmoorbach",
        "Dorfstraße 14",
        "29493",
        "Kleinmoorbach",
        "vergabe@kleinmoorbach.example",
        ags="03354099",
        leitweg_id=leitweg("03354099"),
        nuts_code="DE934",
        funded=False,
    ),
    # Landkreis Vulkaneifel (07233, DEB24): a small municipality, no funding
    DemoOrganisation(
        "maarhausen",
        OrganisationKind.municipality,
        "Gemeinde Maarhausen",
        "Hauptstraße 21",
        "54552",
        "Maarhausen",
        "vergabe@maarhausen.example",
        ags="07233099",
        leitweg_id=leitweg("07233099", "GEMEINDEKASSE"),
        nuts_code="DEB24",
        funded=False,
    ),
    # Landkreis Görlitz (14626, DED2D): a small town with state funding
    DemoOrganisation(
        "neisseufer",
        OrganisationKind.municipality,
        "Stadt Neißeufer",
        "Obermarkt 1",
        "02899",
        "Neißeufer",
        "vergabe@neisseufer.example",
        ags="14626099",
        leitweg_id=leitweg("14626099", "KAEMMEREI"),
        nuts_code="DED2D",
    ),
    # Landkreis Uckermark (12073, DE40I): a rural municipality of three villages, no funding
    DemoOrganisation(
        "uckerwalde",
        OrganisationKind.municipality,
        "Gemeinde Uckerwalde",
        "Am Anger 5",
        "17291",
        "Uckerwalde",
        "vergabe@uckerwalde.example",
        ags="12073099",
        leitweg_id=leitweg("12073099"),
        nuts_code="DE40I",
        funded=False,
    ),
    # Landkreis Vorpommern-Greifswald (13075, DE80N): a Hanseatic town in the MPSC programme
    DemoOrganisation(
        "boddenhagen",
        OrganisationKind.municipality,
        "Hansestadt Boddenhagen",
        "Markt 1",
        "17438",
        "Boddenhagen",
        "vergabe@boddenhagen.example",
        ags="13075099",
        leitweg_id=leitweg("13075099", "STADTKASSE"),
        nuts_code="DE80N",
    ),
]

# (organisation key, e-mail, name, roles): one user per role, plus colleagues to work with.
# The first user with a role is the one the browser tests log in as: append, do not reorder.
USERS = [
    ("kz", "admin@kompetenzzentrum.example", "Alex Admin", (Role.admin,)),
    ("kz", "kuratorin@kompetenzzentrum.example", "Clara Kuratorin", (Role.curator,)),
    ("talheim", "bedarf@talheim.example", "Ruth Bedarf", (Role.requester,)),
    ("talheim", "vergabe@talheim.example", "Oskar Vergabe", (Role.officer,)),
    # a second officer: the bids are opened by two people (§55(2) VgV)
    ("talheim", "oeffnung@talheim.example", "Olga Öffner", (Role.officer,)),
    ("talheim", "pruefung@talheim.example", "Paula Prüfung", (Role.auditor,)),
    ("birkenfelde", "vergabe@birkenfelde.example", "Bernd Beschaffer", (Role.officer, Role.requester)),
    ("nordhafen", "vergabe@nordhafen.example", "Nora Nordmann", (Role.officer, Role.requester)),
    ("verkehrstechnik", "angebot@verkehrstechnik-sued.example", "Viktor Verkehr", (Role.vendor,)),
    ("energienetz", "angebot@energienetz.example", "Erika Energie", (Role.vendor,)),
    ("stadtdaten", "angebot@offene-stadtdaten.example", "Daniel Daten", (Role.vendor,)),
    ("wiesental", "vergabe@wiesental.example", "Wiebke Wegener", (Role.officer,)),
    ("wiesental", "bedarf@wiesental.example", "Jonas Sauer", (Role.requester,)),
    ("kleinmoorbach", "vergabe@kleinmoorbach.example", "Gisela Brandt", (Role.officer,)),
    ("kleinmoorbach", "bedarf@kleinmoorbach.example", "Tobias Heide", (Role.requester,)),
    ("maarhausen", "vergabe@maarhausen.example", "Monika Eifler", (Role.officer,)),
    ("maarhausen", "bedarf@maarhausen.example", "Peter Krämer", (Role.requester,)),
    ("neisseufer", "vergabe@neisseufer.example", "Sabine Richter", (Role.officer,)),
    ("neisseufer", "bedarf@neisseufer.example", "Marek Nowak", (Role.requester,)),
    ("uckerwalde", "vergabe@uckerwalde.example", "Uwe Seeger", (Role.officer,)),
    ("uckerwalde", "bedarf@uckerwalde.example", "Katrin Lange", (Role.requester,)),
    ("boddenhagen", "vergabe@boddenhagen.example", "Birte Hansen", (Role.officer,)),
    ("boddenhagen", "bedarf@boddenhagen.example", "Ole Petersen", (Role.requester,)),
]

# --- marketplace: solutions ---------------------------------------------------------------


@dataclass(frozen=True)
class DemoSolution:
    key: str  # referenced by pilot projects and needs
    owner: str  # organisation key
    category: Category
    title: str
    summary: str
    description: str
    licence: str
    open_source: bool
    standards: str
    cost_min: Decimal | None
    cost_max: Decimal | None
    contact: tuple[str, str]  # name, e-mail
    cpv_codes: tuple[str, ...]
    status: EntryStatus = EntryStatus.published
    # a draft with a reason was sent back by the curator (submitted, then rejected)
    rejection_reason: str | None = None


VT = ("Viktor Verkehr", "angebot@verkehrstechnik-sued.example")
VT_SALES = ("Sandra Keller", "kommunen@verkehrstechnik-sued.example")
EN = ("Erika Energie", "angebot@energienetz.example")
EN_SALES = ("Jan Petersen", "kommunen@energienetz.example")
SD = ("Daniel Daten", "angebot@offene-stadtdaten.example")
SD_COOP = ("Lea Schubert", "genossenschaft@offene-stadtdaten.example")
KZ = ("Clara Kuratorin", "kuratorin@kompetenzzentrum.example")
KZ_REUSE = ("Team Nachnutzung", "nachnutzung@kompetenzzentrum.example")


SOLUTIONS = [
    # --- Verkehrssteuerung ----------------------------------------------------------------
    DemoSolution(
        key="traffic_adaptive",
        owner="verkehrstechnik",
        category=Category.traffic,
        title="Adaptive Lichtsignalsteuerung VerkehrsRechner Süd",
        summary=(
            "Verkehrsabhängige Steuerung von Lichtsignalanlagen: Freigabezeiten passen sich im "
            "Sekundentakt an Zählwerte an, Busse und Rettungswagen werden bevorrechtigt."
        ),
        description=text(
            """
            Der VerkehrsRechner Süd verbindet bestehende Lichtsignalanlagen herstellerübergreifend
            über OCIT-Outstations und steuert sie verkehrsabhängig. Detektoren (Induktionsschleifen,
            Radar oder Wärmebild) liefern Zählwerte, aus denen der Rechner die Freigabezeiten und
            Umlaufzeiten je Knotenpunkt im Sekundentakt optimiert.

            Typische Ergebnisse in Mittelstädten: 10 bis 20 Prozent weniger Wartezeit im
            Kfz-Verkehr und deutlich weniger Halte für Linienbusse. Die Verkehrslage wird als
            DATEX-II-Publikation bereitgestellt und kann an Landesverkehrszentralen oder die
            Mobilithek gemeldet werden.

            Lieferumfang: Verkehrsrechner (virtuelle Maschine oder Hardware im Rechenzentrum),
            Anbindung von bis zu 40 Knotenpunkten, Parametrierung, Schulung des Personals und
            Wartung über fünf Jahre.
            """
        ),
        licence="proprietär (Jahreslizenz je Knotenpunkt)",
        open_source=False,
        standards="OCIT-O, OCIT-C, DATEX II, RiLSA",
        cost_min=Decimal("45000.00"),
        cost_max=Decimal("180000.00"),
        contact=VT,
        cpv_codes=("34996000-5", "34923000-3"),
    ),
    DemoSolution(
        key="bike_green_wave",
        owner="verkehrstechnik",
        category=Category.traffic,
        title="Grüne Welle für den Radverkehr mit Radar-Vorausdetektion",
        summary=(
            "Radarsensoren erkennen Radfahrende 80 m vor der Ampel und verlängern oder fordern die "
            "Freigabe an, damit Radgruppen ohne Halt durchfahren."
        ),
        description=text(
            """
            An Radhauptrouten werden vor den Knotenpunkten Radarsensoren montiert, die Fahrräder von
            anderen Verkehrsteilnehmenden unterscheiden und ihre Geschwindigkeit messen. Das
            Steuergerät meldet die Anforderung über OCIT-O an die Lichtsignalanlage, die die
            Freigabe verlängert oder vorzieht.

            Die Sensoren speichern keine Bilder und keine personenbezogenen Daten. Zählwerte je
            Richtung stehen über MQTT und als Tageswerte zur Verfügung und können für die
            Radverkehrsplanung genutzt werden.

            Geeignet für Knotenpunkte mit vorhandenem OCIT-fähigem Steuergerät; ältere Geräte
            werden mit einem Nachrüstmodul angebunden.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="OCIT-O, MQTT, RiLSA",
        cost_min=Decimal("12000.00"),
        cost_max=Decimal("40000.00"),
        contact=VT_SALES,
        cpv_codes=("34970000-2", "34996000-5"),
    ),
    DemoSolution(
        key="bus_priority",
        owner="verkehrstechnik",
        category=Category.traffic,
        title="Busbeschleunigung an Lichtsignalanlagen per Funktelegramm",
        summary=(
            "Linienbusse melden sich per Funktelegramm an der Ampel an und erhalten Vorrang; "
            "Anbindung an das rechnergestützte Betriebsleitsystem des Verkehrsunternehmens."
        ),
        description=text(
            """
            Busse senden vor dem Knotenpunkt ein Anmeldetelegramm nach VDV-Schrift 420 (R09.16), das
            ein Empfänger an der Lichtsignalanlage auswertet. Die Steuerung verlängert die laufende
            Freigabe oder schaltet vorzeitig auf Grün, ohne den Querverkehr unzumutbar zu
            benachteiligen.

            Die Lösung wird in die bestehende Signalplanung eingearbeitet; Verspätungen aus dem
            Betriebsleitsystem können einbezogen werden, damit nur verspätete Busse Vorrang
            erhalten. Ein Monatsbericht zeigt gewonnene Fahrzeit je Linie und Knoten.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="VDV 420 (R09.16), OCIT-O, ITCS-Anbindung",
        cost_min=Decimal("8000.00"),
        cost_max=Decimal("25000.00"),
        contact=VT,
        cpv_codes=("34996000-5",),
    ),
    DemoSolution(
        key="open_traffic_hub",
        owner="stadtdaten",
        category=Category.traffic,
        title="Open Traffic Hub – offene Verkehrsdatenplattform",
        summary=(
            "Sammelt Zählstellen, Baustellen, Parkdaten und ÖPNV-Fahrpläne an einem Ort und gibt sie "
            "als DATEX II, GTFS und offene Programmierschnittstelle weiter."
        ),
        description=text(
            """
            Der Open Traffic Hub führt die Verkehrsdaten einer Kommune zusammen: Dauerzählstellen,
            Baustellen und Sperrungen aus dem Verkehrsrechner oder einer Eingabemaske, Parkhaus- und
            Parkplatzbelegung sowie Fahrpläne der Verkehrsunternehmen. Alle Daten werden normalisiert
            und in den gängigen Austauschformaten veröffentlicht.

            Die Software steht unter EUPL-1.2 und wird von der Genossenschaft gepflegt; Kommunen
            können sie selbst betreiben oder als Dienst beziehen. Eine dokumentierte REST-Schnittstelle
            (OpenAPI 3.1) erlaubt Navigationsanbietern und Bürgerinnen und Bürgern die Nachnutzung.

            Kosten entstehen nur für Einrichtung, Anbindung der Datenquellen und Betrieb.
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="DATEX II, GTFS, GTFS-Realtime, OpenAPI 3.1, DCAT-AP.de",
        cost_min=Decimal("15000.00"),
        cost_max=Decimal("60000.00"),
        contact=SD,
        cpv_codes=("48000000-8", "72300000-8"),
    ),
    DemoSolution(
        key="citizen_traffic_count",
        owner="kz",
        category=Category.traffic,
        title="Verkehrszählung mit Bürgersensoren (Open Source)",
        summary=(
            "Kleine Zählgeräte am Fenster zählen Fuß-, Rad- und Kfz-Verkehr anonym; die Daten "
            "fließen über die SensorThings API in offene Portale."
        ),
        description=text(
            """
            Das Kompetenzzentrum stellt Bauplan, Firmware und Auswertung eines Zählgeräts bereit,
            das Bürgerinnen und Bürger hinter einer Fensterscheibe anbringen. Das Gerät erkennt
            Verkehrsarten direkt auf dem Gerät (Edge-Auswertung) und überträgt nur Zählwerte, nie
            Bilder.

            Kommunen erhalten so mit wenig Geld ein flächiges Bild des Verkehrs in Wohnstraßen, etwa
            vor und nach einer Verkehrsberuhigung. Die Nachnutzung umfasst Leitfaden für die
            Bürgerbeteiligung, Datenschutzkonzept und Vorlage für die Datenschutz-Folgenabschätzung.
            """
        ),
        licence="MIT",
        open_source=True,
        standards="OGC SensorThings API, MQTT, DCAT-AP.de",
        cost_min=Decimal("2000.00"),
        cost_max=Decimal("8000.00"),
        contact=KZ_REUSE,
        cpv_codes=("34970000-2", "38000000-5"),
    ),
    DemoSolution(
        key="traffic_cloud",
        owner="verkehrstechnik",
        category=Category.traffic,
        title="Verkehrsmanagementzentrale als Cloud-Dienst",
        summary=(
            "Verkehrslage, Störungsmeldungen und Schaltzustände aller Lichtsignalanlagen in einer "
            "Weboberfläche – ohne eigenen Verkehrsrechner im Rathaus."
        ),
        description=text(
            """
            Kleinere Städte ohne eigene Verkehrsrechnerzentrale erhalten eine Verkehrsmanagement-
            oberfläche als Dienst. Die Lichtsignalanlagen werden über gesicherte Mobilfunk- oder
            Glasfaserverbindungen angebunden; Störungen werden per E-Mail und SMS gemeldet.

            Der Dienst wird in einem Rechenzentrum in Deutschland betrieben (BSI C5 Typ 2). Daten
            können jederzeit als DATEX II exportiert werden; bei Vertragsende erhält die Kommune
            alle Versorgungsdaten der Anlagen im OCIT-C-Format.
            """
        ),
        licence="proprietär (Software as a Service)",
        open_source=False,
        standards="OCIT-C, DATEX II, OpenAPI, BSI C5",
        cost_min=Decimal("24000.00"),
        cost_max=Decimal("96000.00"),
        contact=VT_SALES,
        cpv_codes=("72000000-5", "48000000-8"),
        status=EntryStatus.submitted,
    ),
    DemoSolution(
        key="variable_signs",
        owner="verkehrstechnik",
        category=Category.traffic,
        title="Dynamische Wegweisung mit LED-Wechselverkehrszeichen",
        summary=(
            "Wechselverkehrszeichen lenken bei Veranstaltungen, Hochwasser oder Baustellen den "
            "Verkehr um; Schaltung aus der Zentrale oder automatisch nach Lage."
        ),
        description=text(
            """
            Vollmatrix- und Prismenwender-Anzeigen werden an Einfallstraßen aufgestellt und über
            TLS-Streckenstationen oder OCIT-O angebunden. Schaltprogramme für wiederkehrende Lagen
            (Stadtfest, Sperrung der Ortsdurchfahrt, Hochwasser) werden vorab hinterlegt und mit
            einem Klick aktiviert.

            Jede Schaltung wird als DATEX-II-Situation veröffentlicht, damit Navigationsdienste die
            Umleitung übernehmen. Lieferung, Fundamente, Energieversorgung über Solar oder Netz
            und Wartung aus einer Hand.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="TLS 2012, OCIT-O, DATEX II",
        cost_min=Decimal("20000.00"),
        cost_max=Decimal("90000.00"),
        contact=VT,
        cpv_codes=("34996000-5", "34920000-2"),
    ),
    # --- Parken ---------------------------------------------------------------------------
    DemoSolution(
        key="parking_sensors",
        owner="verkehrstechnik",
        category=Category.parking,
        title="Bodensensoren zur Stellplatzerkennung über LoRaWAN",
        summary=(
            "Magnetfeld- und Radarsensoren im Stellplatz melden die Belegung in Echtzeit; "
            "Batterielaufzeit acht Jahre, Montage ohne Aufgraben."
        ),
        description=text(
            """
            Die Sensoren werden in einer Kernbohrung bündig in den Stellplatz eingesetzt und melden
            jede Zustandsänderung über LoRaWAN an den Netzserver der Kommune oder eines Anbieters.
            Die Kombination aus Magnetfeld- und Radarmessung erreicht eine Erkennungsgenauigkeit von
            über 98 Prozent, auch bei Schnee und Laub.

            Belegungsdaten stehen über MQTT und eine REST-Schnittstelle (OpenAPI) bereit und können
            in Parkleitsysteme, Apps und offene Datenportale (DATEX II Parking Publication)
            eingespielt werden. Preis je Sensor inklusive Montage: 180 bis 260 Euro netto.
            """
        ),
        licence="proprietär (Firmware), Schnittstellen offen dokumentiert",
        open_source=False,
        standards="LoRaWAN 1.0.4, MQTT, OpenAPI 3.0, DATEX II",
        cost_min=Decimal("9000.00"),
        cost_max=Decimal("60000.00"),
        contact=VT_SALES,
        cpv_codes=("34926000-4",),
    ),
    DemoSolution(
        key="parking_guidance",
        owner="verkehrstechnik",
        category=Category.parking,
        title="Parkleitsystem mit dynamischen Anzeigetafeln",
        summary=(
            "Anzeigetafeln an den Einfallstraßen zeigen freie Plätze in Parkhäusern und auf "
            "Parkplätzen und verringern den Parksuchverkehr in der Innenstadt."
        ),
        description=text(
            """
            Das Parkleitsystem bezieht Belegungsdaten von Schrankenanlagen, Zählschleifen oder
            Bodensensoren und zeigt sie auf statischen Wegweisern mit LED-Zahlenfeldern an. Die
            Zentrale läuft auf einem Server der Kommune oder als Dienst.

            Die Belegung wird zusätzlich als DATEX II Parking Publication veröffentlicht; so können
            Navigationsgeräte und die Mobilithek die Daten übernehmen. Planung der Standorte,
            verkehrsrechtliche Anordnung und Montage gehören zum Leistungsumfang.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="DATEX II, OCIT-O, TLS 2012",
        cost_min=Decimal("60000.00"),
        cost_max=Decimal("250000.00"),
        contact=VT,
        cpv_codes=("34926000-4", "34996000-5"),
    ),
    DemoSolution(
        key="parkdata",
        owner="stadtdaten",
        category=Category.parking,
        title="Offene Parkdaten-Schnittstelle",
        summary=(
            "Übersetzt Belegungsdaten beliebiger Parkhäuser und Sensoren in DATEX II und eine "
            "offene JSON-Schnittstelle und meldet sie an Datenportale."
        ),
        description=text(
            """
            Viele Parkhausbetreiber liefern Belegungsdaten in eigenen Formaten. Die Parkdaten-
            Schnittstelle der Genossenschaft bringt sie in ein einheitliches Modell, ergänzt
            Stammdaten (Lage, Öffnungszeiten, Tarife, Ladepunkte, Stellplätze für Menschen mit
            Behinderung) und veröffentlicht alles als DATEX II und als JSON nach OpenAPI.

            Die Metadaten werden nach DCAT-AP.de beschrieben, sodass die Daten automatisch im
            Open-Data-Portal des Landes und in GovData erscheinen. Quellcode unter MIT-Lizenz.
            """
        ),
        licence="MIT",
        open_source=True,
        standards="DATEX II, OpenAPI 3.1, DCAT-AP.de",
        cost_min=Decimal("5000.00"),
        cost_max=Decimal("20000.00"),
        contact=SD_COOP,
        cpv_codes=("72300000-8", "48000000-8"),
    ),
    DemoSolution(
        key="ev_parking",
        owner="energienetz",
        category=Category.parking,
        title="Parkraumbewirtschaftung für Stellplätze mit Ladepunkt",
        summary=(
            "Verbindet Ladesäulen und Parkraummanagement: Blockiergebühr nach Ladeende, Belegung "
            "der Ladestellplätze in Echtzeit, Abrechnung ohne Vertragsbindung."
        ),
        description=text(
            """
            Auf Stellplätzen mit Ladepunkt stehen oft Fahrzeuge, die längst geladen sind. Das
            Backend übernimmt die Ladevorgänge über OCPP und erkennt das Ladeende; nach einer
            Karenzzeit wird eine Blockiergebühr fällig, die über Ad-hoc-Zahlung oder Roaming (OCPI)
            abgerechnet wird.

            Die Belegung der Ladestellplätze wird in das Parkleitsystem und als offene Daten
            übergeben. Die Abrechnung entspricht dem Mess- und Eichrecht.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="OCPP 1.6J, OCPP 2.0.1, OCPI 2.2.1, ISO 15118",
        cost_min=Decimal("6000.00"),
        cost_max=Decimal("30000.00"),
        contact=EN_SALES,
        cpv_codes=("48000000-8", "51000000-9"),
    ),
    DemoSolution(
        key="mobile_parking",
        owner="verkehrstechnik",
        category=Category.parking,
        title="Handyparken und digitale Parkscheinkontrolle",
        summary=(
            "Parkgebühren per App mehrerer Anbieter bezahlen; der Kommunale Ordnungsdienst prüft "
            "Kennzeichen mit einem mobilen Gerät gegen alle Anbieter zugleich."
        ),
        description=text(
            """
            Die Lösung bindet die gängigen Handyparken-Anbieter über eine gemeinsame Schnittstelle an
            die Tarifzonen der Kommune an. Der Ordnungsdienst fragt ein Kennzeichen einmal ab und
            erhält die Auskunft, ob für diese Zone ein gültiger Parkvorgang besteht.

            Einnahmen werden je Anbieter monatlich abgerechnet und als Buchungsdatei für das
            Finanzverfahren bereitgestellt.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="OpenAPI 3.0, EN 12414",
        cost_min=Decimal("4000.00"),
        cost_max=Decimal("15000.00"),
        contact=VT_SALES,
        cpv_codes=("48000000-8", "72000000-5"),
        status=EntryStatus.submitted,
    ),
    DemoSolution(
        key="commuter_parking_count",
        owner="kz",
        category=Category.parking,
        title="Belegungszählung für Pendlerparkplätze (Open Source)",
        summary=(
            "Zwei Lichtschranken an der Zufahrt zählen ein- und ausfahrende Fahrzeuge; die freie "
            "Kapazität erscheint auf der Website und im Datenportal."
        ),
        description=text(
            """
            Für Park-and-Ride-Anlagen ohne Schranke genügt oft eine Zählung an der Zufahrt. Das
            Kompetenzzentrum stellt Hardware-Stückliste, Firmware und eine kleine Auswertung bereit,
            die ein Bauhof mit einer Elektrofachkraft selbst aufbauen kann.

            Die Daten werden über LoRaWAN übertragen und über die SensorThings API bereitgestellt.
            Eine nächtliche Korrektur gleicht Zählfehler aus.
            """
        ),
        licence="AGPL-3.0",
        open_source=True,
        standards="LoRaWAN, OGC SensorThings API",
        cost_min=Decimal("1500.00"),
        cost_max=Decimal("6000.00"),
        contact=KZ_REUSE,
        cpv_codes=("34926000-4", "38000000-5"),
    ),
    # --- Straßenbeleuchtung ---------------------------------------------------------------
    DemoSolution(
        key="led_luminaires",
        owner="energienetz",
        category=Category.lighting,
        title="LED-Straßenleuchten mit Zhaga-Steckplatz",
        summary=(
            "Effiziente LED-Leuchten für Wohn- und Hauptverkehrsstraßen mit genormtem Steckplatz "
            "für Steuermodule und Sensoren; bis zu 70 Prozent weniger Strom."
        ),
        description=text(
            """
            Die Leuchtenfamilie deckt Beleuchtungsklassen von P6 bis M3 nach DIN EN 13201 ab. Alle
            Leuchten haben eine Zhaga-Book-18-Schnittstelle und D4i-fähige Betriebsgeräte, sodass
            Lichtsteuerknoten und Bewegungsmelder ohne Werkzeug nachgerüstet werden können.

            Lichtfarbe 2.700 K oder 3.000 K, Abschirmung nach oben vollständig (ULR 0 Prozent),
            Lebensdauer L90 über 100.000 Stunden. Zehn Jahre Garantie auf Leuchte und Betriebsgerät.
            Richtpreis je Leuchte 280 bis 420 Euro netto, je nach Leistung und Mastaufsatz.

            Passende Mastaufsatz-Adapter für gängige Bestandsmasten sind verfügbar; die Umrüstung
            ist in der Regel ohne Tiefbau möglich und wird aus der Kommunalrichtlinie gefördert.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="DIN EN 13201, Zhaga Book 18, DALI-2, D4i",
        cost_min=Decimal("5000.00"),
        cost_max=Decimal("250000.00"),
        contact=EN_SALES,
        cpv_codes=("34928500-3", "31520000-7"),
    ),
    DemoSolution(
        key="light_management",
        owner="energienetz",
        category=Category.lighting,
        title="Lichtmanagementsystem mit bedarfsgerechter Nachtabsenkung",
        summary=(
            "Steuert jede Leuchte einzeln: Dimmprofile, Bewegungssteuerung, Störungsmeldungen und "
            "Verbrauchsmessung je Lichtpunkt in einer Oberfläche."
        ),
        description=text(
            """
            Steuerknoten auf dem Zhaga-Steckplatz kommunizieren über LoRaWAN oder ein Funk-Mesh mit
            der Zentrale. Dimmprofile werden je Straße oder Leuchte festgelegt, etwa 50 Prozent ab
            22 Uhr und 30 Prozent ab Mitternacht, mit Anhebung bei Bewegung.

            Die Zentrale spricht TALQ 2.x und ist damit herstellerunabhängig; Defekte werden
            automatisch gemeldet, der Verbrauch je Lichtpunkt wird eichrechtskonform gemessen und
            kann mit dem Netzbetreiber abgerechnet werden. Daten lassen sich über eine
            REST-Schnittstelle exportieren.
            """
        ),
        licence="proprietär (Jahreslizenz je Lichtpunkt)",
        open_source=False,
        standards="TALQ 2.x, LoRaWAN, Zhaga Book 18, OpenAPI",
        cost_min=Decimal("8000.00"),
        cost_max=Decimal("45000.00"),
        contact=EN,
        cpv_codes=("48000000-8", "34928500-3"),
    ),
    DemoSolution(
        key="path_lighting",
        owner="verkehrstechnik",
        category=Category.lighting,
        title="Bewegungsgesteuerte Beleuchtung für Rad- und Fußwege",
        summary=(
            "Wegbeleuchtung, die nur bei Bedarf hell wird: Radar-Bewegungsmelder geben das Licht an "
            "die nächsten Leuchten weiter (Lichtwelle)."
        ),
        description=text(
            """
            Auf Radwegen außerorts und in Parks brennt das Licht nachts meist für niemanden. Die
            Leuchten dieser Lösung laufen gedimmt auf 10 Prozent und heben das Licht an, sobald ein
            Radarsensor eine Person erkennt; die Information wandert über ein Funk-Mesh an die
            folgenden Leuchten weiter.

            Für Strecken ohne Stromanschluss gibt es eine Ausführung mit Solarmodul und Akku.
            Insektenfreundliche Lichtfarbe 2.200 K ist Standard.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="DIN EN 13201, Zhaga Book 18, IEEE 802.15.4",
        cost_min=Decimal("12000.00"),
        cost_max=Decimal("60000.00"),
        contact=VT,
        cpv_codes=("34928500-3", "31520000-7"),
    ),
    DemoSolution(
        key="lighting_maintenance",
        owner="verkehrstechnik",
        category=Category.lighting,
        title="Wartung und Störungsdienst für Straßenbeleuchtung und Ampeln",
        summary=(
            "Regelwartung, Standsicherheitsprüfung der Masten und 24-Stunden-Störungsdienst zum "
            "Festpreis je Lichtpunkt und Jahr."
        ),
        description=text(
            """
            Der Dienst umfasst die jährliche Sichtprüfung, die Standsicherheitsprüfung der Maste im
            Sechsjahresrhythmus, den Austausch defekter Leuchten und Betriebsgeräte und einen
            Störungsdienst mit Reaktionszeit von vier Stunden bei Ampeln und zwei Werktagen bei
            Straßenleuchten.

            Bürgerinnen und Bürger melden Störungen über einen QR-Code am Mast; der Stand der
            Bearbeitung ist im Webportal der Kommune sichtbar. Richtpreis 15 bis 25 Euro je
            Lichtpunkt und Jahr.
            """
        ),
        licence="Dienstleistung",
        open_source=False,
        standards="DIN EN 13201, DIN EN 40, OpenAPI (Störungsmeldungen)",
        cost_min=Decimal("10000.00"),
        cost_max=Decimal("80000.00"),
        contact=VT_SALES,
        cpv_codes=("50232000-0",),
    ),
    DemoSolution(
        key="lighting_cadastre",
        owner="stadtdaten",
        category=Category.lighting,
        title="Lichtpunktkataster (Open Source)",
        summary=(
            "Erfasst jede Leuchte mit Mast, Leuchtmittel, Leistung und Prüfterminen auf der Karte – "
            "die Grundlage für jede Umrüstungsplanung."
        ),
        description=text(
            """
            Das Kataster wird im Browser und mobil im Außendienst gepflegt; Fotos und Prüfberichte
            werden je Lichtpunkt abgelegt. Eine Auswertung zeigt Energieverbrauch und
            Einsparpotenzial nach Straßen, die direkt in einen Förderantrag übernommen werden kann.

            Die Daten werden über OGC-Dienste (WMS, WFS) und GeoJSON bereitgestellt und können in
            das Geoinformationssystem der Kommune eingebunden werden. Quellcode unter EUPL-1.2;
            die Genossenschaft bietet Einrichtung, Datenübernahme und Betrieb an.
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="OGC WMS, OGC WFS, GeoJSON, INSPIRE",
        cost_min=Decimal("3000.00"),
        cost_max=Decimal("12000.00"),
        contact=SD,
        cpv_codes=("48000000-8",),
    ),
    DemoSolution(
        key="insect_friendly",
        owner="energienetz",
        category=Category.lighting,
        title="Insektenfreundliche Leuchten mit 2.200 Kelvin",
        summary=(
            "Warmweiße, vollständig abgeschirmte Leuchten für Ortskerne, Parks und Gebiete nahe "
            "Schutzgebieten; erfüllen die Anforderungen des § 41a BNatSchG."
        ),
        description=text(
            """
            Das Licht mit 2.200 K enthält kaum blaue Anteile und lockt deutlich weniger Insekten an
            als kaltweiße Leuchten. Die Optik lenkt das Licht nur auf die Verkehrsfläche; Fassaden
            und Himmel bleiben dunkel.

            Die Leuchten sind in historischer Laternenform und als moderne Mastaufsatzleuchte
            erhältlich und haben einen Zhaga-Steckplatz für eine spätere Lichtsteuerung.
            Richtpreis je Leuchte 300 bis 480 Euro netto.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="DIN EN 13201, Zhaga Book 18, § 41a BNatSchG",
        cost_min=Decimal("3000.00"),
        cost_max=Decimal("150000.00"),
        contact=EN_SALES,
        cpv_codes=("34928500-3", "31520000-7"),
    ),
    DemoSolution(
        key="led_calculator",
        owner="kz",
        category=Category.lighting,
        title="Wirtschaftlichkeitsrechner für die LED-Umrüstung",
        summary=(
            "Webanwendung, die aus dem Leuchtenbestand Investition, Einsparung, Amortisation und "
            "CO₂-Minderung berechnet – als Grundlage für Haushalt und Förderantrag."
        ),
        description=text(
            """
            Der Rechner liest eine Bestandsliste (CSV oder Lichtpunktkataster) und vergleicht
            Bestand und Umrüstvarianten über 20 Jahre: Investition, Strom- und Wartungskosten,
            Förderquote, Kapitalwert und CO₂-Minderung nach den Emissionsfaktoren des
            Umweltbundesamts.

            Das Kompetenzzentrum betreibt den Rechner kostenfrei; der Quellcode steht unter
            MIT-Lizenz für den eigenen Betrieb bereit. Die Ergebnisse lassen sich als PDF für den
            Gemeinderat und als Tabelle für den Förderantrag herunterladen.
            """
        ),
        licence="MIT",
        open_source=True,
        standards="CSV, OpenAPI",
        cost_min=None,
        cost_max=None,
        contact=KZ_REUSE,
        cpv_codes=("48000000-8",),
    ),
    DemoSolution(
        key="sodium_retrofit",
        owner="verkehrstechnik",
        category=Category.lighting,
        title="Nachrüstsatz für Natriumdampf-Hochdrucklampen",
        summary=(
            "LED-Retrofit-Lampen für bestehende Leuchten mit Natriumdampflampen. Nicht mehr im "
            "Angebot: ersetzt durch vollständige LED-Leuchten."
        ),
        description=text(
            """
            Die Retrofit-Lampen ersetzten Natriumdampf-Hochdrucklampen ohne Tausch der Leuchte. Weil
            Lichtverteilung und Wärmeabfuhr in alten Leuchten oft ungünstig sind und die
            Förderprogramme nur noch vollständige Leuchten fördern, wird das Produkt nicht mehr
            angeboten. Der Eintrag bleibt für Kommunen mit Bestandsanlagen archiviert.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="DIN EN 13201",
        cost_min=Decimal("2000.00"),
        cost_max=Decimal("40000.00"),
        contact=VT,
        cpv_codes=("31520000-7",),
        status=EntryStatus.archived,
    ),
    # --- Energiemanagement ----------------------------------------------------------------
    DemoSolution(
        key="energy_management",
        owner="energienetz",
        category=Category.energy,
        title="Kommunales Energiemanagementsystem (KEM)",
        summary=(
            "Erfasst Strom, Wärme und Wasser aller Liegenschaften automatisch, erkennt Ausreißer "
            "und erstellt den jährlichen Energiebericht."
        ),
        description=text(
            """
            Zähler in Schulen, Kitas, Sporthallen und Verwaltungsgebäuden werden über M-Bus,
            Modbus, LoRaWAN oder die Schnittstelle des Messstellenbetreibers angebunden. Das
            System vergleicht Verbräuche mit Kennwerten und Vorjahren und meldet Auffälligkeiten,
            etwa eine Heizung, die in den Ferien durchläuft.

            Der Energiebericht nach den Vorgaben der Landesenergieagenturen wird auf Knopfdruck
            erstellt; die Struktur folgt ISO 50001. Daten stehen über MQTT und eine REST-
            Schnittstelle für weitere Anwendungen bereit.
            """
        ),
        licence="proprietär (Jahreslizenz nach Zahl der Liegenschaften)",
        open_source=False,
        standards="ISO 50001, M-Bus, Modbus, LoRaWAN, MQTT, OpenAPI",
        cost_min=Decimal("8000.00"),
        cost_max=Decimal("40000.00"),
        contact=EN,
        cpv_codes=("48000000-8", "38551000-2"),
    ),
    DemoSolution(
        key="rooftop_pv",
        owner="energienetz",
        category=Category.energy,
        title="Photovoltaik auf kommunalen Dächern – Planung und Errichtung",
        summary=(
            "Dachanlagen von 10 bis 500 kWp für Schulen, Bauhöfe und Feuerwehrhäuser mit "
            "Eigenverbrauchsoptimierung und optionalem Batteriespeicher."
        ),
        description=text(
            """
            Leistungen von der Potenzialanalyse über Statikprüfung, Planung und Netzanmeldung bis
            zur schlüsselfertigen Errichtung. Die Anlagen werden auf hohen Eigenverbrauch ausgelegt;
            Überschüsse werden nach EEG eingespeist.

            Ein Monitoring zeigt Erzeugung, Eigenverbrauch und Einsparung je Gebäude und wird in das
            Energiemanagementsystem übernommen. Auf Wunsch Betrieb und Wartung über 20 Jahre.
            """
        ),
        licence="Bau- und Lieferleistung",
        open_source=False,
        standards="VDE-AR-N 4105, DIN VDE 0100-712, EEG 2023",
        cost_min=Decimal("20000.00"),
        cost_max=Decimal("400000.00"),
        contact=EN_SALES,
        cpv_codes=("09331000-8", "45000000-7"),
    ),
    DemoSolution(
        key="fleet_charging",
        owner="energienetz",
        category=Category.energy,
        title="Ladeinfrastruktur für kommunale Fuhrparks",
        summary=(
            "AC-Wallboxen und DC-Schnelllader für Bauhof, Verwaltung und Pflegedienste mit "
            "Lastmanagement und Dienstwagen-Abrechnung."
        ),
        description=text(
            """
            Geliefert werden eichrechtskonforme Ladepunkte mit 11 bis 22 kW (AC) und 50 kW (DC),
            ein dynamisches Lastmanagement, das den Netzanschluss nicht überlastet, und ein
            Backend, das Ladevorgänge Fahrzeugen und Kostenstellen zuordnet.

            Die Ladepunkte sprechen OCPP 2.0.1 und können jederzeit an ein anderes Backend
            angebunden werden. Richtpreis je Ladepunkt einschließlich Installation 3.500 bis
            9.000 Euro netto.
            """
        ),
        licence="proprietär (Backend), offene Protokolle",
        open_source=False,
        standards="OCPP 2.0.1, ISO 15118, OCPI 2.2.1, Mess- und Eichrecht",
        cost_min=Decimal("10000.00"),
        cost_max=Decimal("120000.00"),
        contact=EN,
        cpv_codes=("51000000-9", "48000000-8"),
    ),
    DemoSolution(
        key="energy_portal",
        owner="stadtdaten",
        category=Category.energy,
        title="Offenes Energiedatenportal für Liegenschaften",
        summary=(
            "Zeigt Verbräuche öffentlicher Gebäude tagesaktuell im Internet – für Hausmeister, "
            "Schulen und die Öffentlichkeit; Quellcode unter AGPL-3.0."
        ),
        description=text(
            """
            Das Portal liest Zählerdaten über MQTT oder die SensorThings API und zeigt für jedes
            Gebäude Verbrauch, Vergleich zum Vorjahr und witterungsbereinigte Kennwerte. Schulen
            nutzen es für Energiesparprojekte mit Schülerinnen und Schülern.

            Alle Auswertungen sind als offene Daten verfügbar. Die Genossenschaft betreibt das
            Portal für Mitgliedskommunen; der eigene Betrieb ist ebenso möglich.
            """
        ),
        licence="AGPL-3.0",
        open_source=True,
        standards="MQTT, OGC SensorThings API, OpenAPI, DCAT-AP.de",
        cost_min=Decimal("4000.00"),
        cost_max=Decimal("20000.00"),
        contact=SD_COOP,
        cpv_codes=("48000000-8", "72300000-8"),
    ),
    DemoSolution(
        key="energy_meters",
        owner="energienetz",
        category=Category.energy,
        title="Funkauslesbare Zähler für Strom, Wärme und Gas",
        summary=(
            "Unterzähler mit wireless M-Bus oder LoRaWAN für die Verbrauchserfassung in "
            "Liegenschaften – Voraussetzung für jedes Energiemanagement."
        ),
        description=text(
            """
            Das Sortiment umfasst Stromzähler für Hutschiene, Wärmemengenzähler und Gaszähler-Module
            mit Funkschnittstelle. Die Zähler senden im 15-Minuten-Takt; die Daten werden in jedes
            Energiemanagementsystem übernommen, das OMS oder LoRaWAN unterstützt.

            Montage durch Partnerbetriebe vor Ort; Richtpreis je Messstelle 90 bis 240 Euro netto
            zuzüglich Montage.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="wireless M-Bus (EN 13757), OMS, LoRaWAN, SML",
        cost_min=Decimal("5000.00"),
        cost_max=Decimal("80000.00"),
        contact=EN_SALES,
        cpv_codes=("38551000-2",),
    ),
    DemoSolution(
        key="energy_dashboard",
        owner="kz",
        category=Category.energy,
        title="Energie-Monitoring-Dashboard aus einem Modellprojekt",
        summary=(
            "Nachnutzbares Dashboard für Energieverbräuche, entstanden in einem Modellprojekt Smart "
            "Cities; mit Installationsanleitung und Musterdaten."
        ),
        description=text(
            """
            Das Dashboard wurde in einem Modellprojekt Smart Cities entwickelt und vom
            Kompetenzzentrum für die Nachnutzung aufbereitet: Installationsanleitung, Musterdaten,
            Datenmodell und eine Anleitung für die Anbindung der gängigen Zählerfabrikate.

            Es setzt auf einer Urbanen Datenplattform mit SensorThings API oder FIWARE NGSI-LD auf.
            Die Beschreibung wird derzeit vom Kompetenzzentrum geprüft.
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="OGC SensorThings API, FIWARE NGSI-LD, DIN SPEC 91357",
        cost_min=Decimal("0.00"),
        cost_max=Decimal("10000.00"),
        contact=KZ_REUSE,
        cpv_codes=("48000000-8",),
        status=EntryStatus.submitted,
    ),
    DemoSolution(
        key="green_electricity",
        owner="energienetz",
        category=Category.energy,
        title="Ökostrom aus regionalen Anlagen für kommunale Abnahmestellen",
        summary=(
            "Stromlieferung mit Herkunftsnachweisen aus Wind- und Solarparks der Region, auch als "
            "Bündelausschreibung mehrerer Kommunen."
        ),
        description=text(
            """
            Geliefert wird Strom für Verwaltungsgebäude, Schulen, Straßenbeleuchtung und
            Pumpwerke. Die Herkunftsnachweise stammen aus Anlagen im Umkreis von 50 km und werden
            im Herkunftsnachweisregister des Umweltbundesamts entwertet.

            Preisgestaltung als Festpreis über zwei Jahre oder mit Tranchenbeschaffung. Gemeinsame
            Ausschreibungen mehrerer Kommunen senken den Preis und den Aufwand für jede einzelne.
            """
        ),
        licence="Lieferleistung",
        open_source=False,
        standards="Herkunftsnachweisregister (UBA), EDIFACT-Marktkommunikation",
        cost_min=Decimal("30000.00"),
        cost_max=Decimal("900000.00"),
        contact=EN,
        cpv_codes=("09310000-5",),
    ),
    # --- Wasser und Abwasser --------------------------------------------------------------
    DemoSolution(
        key="water_meters",
        owner="energienetz",
        category=Category.water,
        title="Funk-Wasserzähler mit Leckageerkennung",
        summary=(
            "Ultraschall-Wasserzähler, die per Funk abgelesen werden und Leckagen, Rückfluss und "
            "Manipulation melden; Ablesung ohne Zutritt zum Haus."
        ),
        description=text(
            """
            Die Zähler messen mit Ultraschall ohne bewegliche Teile und bleiben über die gesamte
            Eichfrist genau. Sie senden Zählerstand und Alarme über wireless M-Bus (OMS) oder
            LoRaWAN; die Ablesung erfolgt im Vorbeifahren oder stationär über Gateways.

            Dauerhafter Kleinstdurchfluss wird als mögliche Leckage gemeldet, damit
            Hauseigentümerinnen und -eigentümer früh informiert werden können. Richtpreis je Zähler
            55 bis 110 Euro netto.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="wireless M-Bus (EN 13757), OMS 4.0, LoRaWAN, MID",
        cost_min=Decimal("10000.00"),
        cost_max=Decimal("250000.00"),
        contact=EN_SALES,
        cpv_codes=("38421100-3",),
    ),
    DemoSolution(
        key="sewer_levels",
        owner="energienetz",
        category=Category.water,
        title="Kanalnetz-Überwachung mit Füllstandssensoren",
        summary=(
            "Radarsensoren in Schächten und Regenüberlaufbecken melden Füllstände in Echtzeit und "
            "warnen vor Überstau bei Starkregen."
        ),
        description=text(
            """
            Die Sensoren werden unter dem Schachtdeckel montiert und senden über LoRaWAN oder
            NB-IoT. Die Messwerte fließen in eine Lageansicht des Kanalnetzes; Schwellenwerte lösen
            Warnungen an den Bereitschaftsdienst aus.

            Entlastungsereignisse an Regenüberläufen werden automatisch dokumentiert, wie es die
            Selbstüberwachungsverordnungen der Länder verlangen. Messwerte stehen über die
            SensorThings API zur Verfügung.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="LoRaWAN, NB-IoT, OGC SensorThings API",
        cost_min=Decimal("15000.00"),
        cost_max=Decimal("90000.00"),
        contact=EN,
        cpv_codes=("38000000-5", "48000000-8"),
    ),
    DemoSolution(
        key="water_network_gis",
        owner="stadtdaten",
        category=Category.water,
        title="Netzinformationssystem für Trinkwasser und Abwasser (Open Source)",
        summary=(
            "Leitungen, Schieber, Hydranten und Schächte auf der Karte, mit Schadensdokumentation "
            "und mobiler Erfassung im Außendienst."
        ),
        description=text(
            """
            Das Netzinformationssystem führt die Bestandspläne kleiner Wasserversorger und
            Abwasserbetriebe digital. Hydrantenprüfungen, Rohrbrüche und Kamerabefahrungen werden
            je Objekt dokumentiert; Auswertungen zeigen Schadensschwerpunkte.

            Die Daten werden über OGC-Dienste bereitgestellt; der Austausch mit Ingenieurbüros
            erfolgt im ISYBAU-Format. Quellcode unter EUPL-1.2.
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="OGC WMS, OGC WFS, ISYBAU, INSPIRE",
        cost_min=Decimal("5000.00"),
        cost_max=Decimal("30000.00"),
        contact=SD,
        cpv_codes=("48000000-8",),
    ),
    DemoSolution(
        key="tree_irrigation",
        owner="kz",
        category=Category.water,
        title="Bewässerungssteuerung für Stadtbäume und Grünflächen",
        summary=(
            "Bodenfeuchtesensoren zeigen, welche Bäume Wasser brauchen; der Bauhof gießt gezielt "
            "statt nach Plan und spart Wasser und Fahrten."
        ),
        description=text(
            """
            Sensoren in 30 und 60 cm Tiefe messen die Saugspannung im Wurzelraum und senden über
            LoRaWAN. Eine Karte zeigt den Wasserbedarf je Baum; der Bauhof erhält eine Tourenliste
            für das Gießfahrzeug. Optional steuern Ventile Zisternen und Tropfschläuche.

            Bauanleitung, Firmware und Auswertung stellt das Kompetenzzentrum unter MIT-Lizenz
            bereit; die Lösung wurde in mehreren Dörfern ohne Fördermittel nachgebaut.
            """
        ),
        licence="MIT",
        open_source=True,
        standards="LoRaWAN, OGC SensorThings API, MQTT",
        cost_min=Decimal("3000.00"),
        cost_max=Decimal("15000.00"),
        contact=KZ_REUSE,
        cpv_codes=("38000000-5", "51000000-9"),
    ),
    DemoSolution(
        key="leak_detection",
        owner="energienetz",
        category=Category.water,
        title="Akustische Leckageortung im Trinkwassernetz",
        summary=(
            "Geräuschlogger an Schiebern hören das Netz nachts ab und orten Leckagen auf wenige "
            "Meter genau – bevor ein Rohrbruch die Straße unterspült."
        ),
        description=text(
            """
            Die Logger werden magnetisch an Armaturen gesetzt und zeichnen nachts das
            Geräuschspektrum auf. Eine Korrelation benachbarter Logger ortet Leckagen; die
            Ergebnisse erscheinen als Liste mit Priorität für den Rohrnetzdienst.

            Wasserverluste kleiner Versorger liegen oft bei über 15 Prozent; die Ortung senkt sie
            messbar und spart Förder- und Aufbereitungskosten.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="LoRaWAN, OpenAPI",
        cost_min=Decimal("20000.00"),
        cost_max=Decimal("120000.00"),
        contact=EN_SALES,
        cpv_codes=("38000000-5", "65100000-4"),
        status=EntryStatus.submitted,
    ),
    DemoSolution(
        key="wastewater_analytics",
        owner="stadtdaten",
        category=Category.water,
        title="Betriebsdatenauswertung für kleine Kläranlagen",
        summary=(
            "Führt Betriebstagebuch, Laborwerte und Energieverbrauch kleiner Kläranlagen zusammen "
            "und erstellt den Jahresbericht für die Wasserbehörde."
        ),
        description=text(
            """
            Messwerte der Prozessleittechnik werden über OPC UA oder MQTT übernommen, Laborwerte
            im Browser erfasst. Die Auswertung zeigt Reinigungsleistung, Energiebedarf je
            Einwohnerwert und Auffälligkeiten.

            Der Jahresbericht entsteht aus den erfassten Daten; Kläranlagen mehrerer Gemeinden
            können gemeinsam ausgewertet werden. Quellcode unter AGPL-3.0.
            """
        ),
        licence="AGPL-3.0",
        open_source=True,
        standards="OPC UA, MQTT, OpenAPI",
        cost_min=Decimal("6000.00"),
        cost_max=Decimal("25000.00"),
        contact=SD_COOP,
        cpv_codes=("48000000-8", "90000000-7"),
    ),
    # --- Umwelt und Klima -----------------------------------------------------------------
    DemoSolution(
        key="air_quality",
        owner="stadtdaten",
        category=Category.environment,
        title="Luftqualitätsmessnetz mit kalibrierten Low-Cost-Sensoren",
        summary=(
            "Feinstaub-, Stickstoffdioxid- und Temperatursensoren an Laternen und Schulen, "
            "kalibriert gegen eine amtliche Messstation."
        ),
        description=text(
            """
            Das Messnetz ergänzt die wenigen amtlichen Stationen durch viele günstige Sensoren. Die
            Genossenschaft kalibriert die Sensoren vor Ort gegen eine Referenzstation und
            korrigiert Feuchteeinflüsse rechnerisch.

            Messwerte werden über LoRaWAN übertragen und über die SensorThings API und als offene
            Daten veröffentlicht. Eine Karte für die Öffentlichkeit erklärt die Werte und ihre
            Grenzen.
            """
        ),
        licence="MIT",
        open_source=True,
        standards="OGC SensorThings API, LoRaWAN, DCAT-AP.de",
        cost_min=Decimal("6000.00"),
        cost_max=Decimal("35000.00"),
        contact=SD,
        cpv_codes=("38000000-5", "90700000-4"),
    ),
    DemoSolution(
        key="noise_monitoring",
        owner="energienetz",
        category=Category.environment,
        title="Lärmmonitoring an Hauptverkehrsstraßen",
        summary=(
            "Dauermessstationen erfassen Schallpegel rund um die Uhr und liefern Daten für "
            "Lärmaktionsplanung und Tempo-30-Anordnungen."
        ),
        description=text(
            """
            Die Messstationen der Klasse 1 erfassen Mittelungspegel, Maximalpegel und Ereignisse;
            Audiodaten werden nicht gespeichert. Die Auswertung liefert Kennwerte für die
            Lärmaktionsplanung nach der EU-Umgebungslärmrichtlinie.

            Daten werden über MQTT übertragen und als Stunden- und Tageswerte veröffentlicht.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="DIN EN 61672, EU-Umgebungslärmrichtlinie, MQTT",
        cost_min=Decimal("15000.00"),
        cost_max=Decimal("70000.00"),
        contact=EN,
        cpv_codes=("38000000-5",),
    ),
    DemoSolution(
        key="climate_schools",
        owner="kz",
        category=Category.environment,
        title="Stadtklima-Messnetz mit Schulen (Open Source)",
        summary=(
            "Schülerinnen und Schüler bauen Wetterstationen und messen Hitzeinseln in ihrer Stadt; "
            "die Daten fließen in die Klimaanpassungsplanung."
        ),
        description=text(
            """
            Das Kompetenzzentrum stellt Bausatzliste, Unterrichtsmaterial und eine Datenplattform
            bereit. Jede Station misst Temperatur, Luftfeuchte und Niederschlag und sendet über
            LoRaWAN.

            Die Messreihen zeigen, wo sich die Stadt im Sommer besonders aufheizt, und helfen bei
            Entscheidungen über Begrünung und Trinkbrunnen. Das Material steht unter EUPL-1.2
            (Software) und CC BY 4.0 (Unterrichtsmaterial).
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="OGC SensorThings API, LoRaWAN, DCAT-AP.de",
        cost_min=Decimal("2500.00"),
        cost_max=Decimal("12000.00"),
        contact=KZ,
        cpv_codes=("38000000-5", "80000000-4"),
    ),
    DemoSolution(
        key="tree_cadastre",
        owner="stadtdaten",
        category=Category.environment,
        title="Baumkataster mit Kontrollplanung",
        summary=(
            "Alle Stadtbäume mit Art, Alter, Zustand und Kontrollterminen; Baumkontrollen nach "
            "FLL-Richtlinie mobil erfassen."
        ),
        description=text(
            """
            Das Baumkataster dokumentiert die Verkehrssicherungspflicht: Kontrollen werden nach der
            FLL-Baumkontrollrichtlinie geplant, mobil erfasst und revisionssicher gespeichert.
            Maßnahmen gehen als Auftrag an Bauhof oder Fachfirma.

            Die Baumdaten können als offene Daten veröffentlicht werden und speisen
            Gießpaten-Portale. Quellcode unter EUPL-1.2.
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="OGC WFS, GeoJSON, FLL-Baumkontrollrichtlinie",
        cost_min=Decimal("4000.00"),
        cost_max=Decimal("18000.00"),
        contact=SD_COOP,
        cpv_codes=("48000000-8",),
    ),
    DemoSolution(
        key="waste_fill_levels",
        owner="energienetz",
        category=Category.environment,
        title="Füllstandsmessung für Wertstoff- und Abfallbehälter",
        summary=(
            "Ultraschallsensoren in Glas-, Altkleider- und Papierkorbbehältern melden den "
            "Füllstand; Touren werden nach Bedarf geplant."
        ),
        description=text(
            """
            Die Sensoren werden unter den Deckel geklebt und senden mehrmals täglich über LoRaWAN.
            Die Tourenplanung schlägt nur Behälter vor, die zu mindestens 70 Prozent gefüllt sind,
            und vermeidet überquellende Container an Wochenenden.

            Typisch sind 20 bis 40 Prozent weniger Leerungsfahrten. Richtpreis 45 bis 90 Euro je
            Sensor zuzüglich Plattformlizenz.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="LoRaWAN, OpenAPI",
        cost_min=Decimal("3000.00"),
        cost_max=Decimal("30000.00"),
        contact=EN_SALES,
        cpv_codes=("90000000-7", "38000000-5"),
    ),
    DemoSolution(
        key="ghg_balance",
        owner="energienetz",
        category=Category.environment,
        title="Treibhausgasbilanz nach BISKO als Online-Dienst",
        summary=(
            "Kommunale Treibhausgasbilanz nach dem BISKO-Standard mit Datenabfrage bei "
            "Netzbetreibern und Fortschreibung für das Klimaschutzkonzept."
        ),
        description=text(
            """
            Der Dienst sammelt Verbrauchsdaten von Netzbetreibern, Schornsteinfegerinnung und
            Statistikämtern, berechnet die Bilanz nach BISKO und zeigt Entwicklungspfade bis zur
            Klimaneutralität. Maßnahmen aus dem Klimaschutzkonzept werden mit ihrer Wirkung
            hinterlegt.

            Der Eintrag ist noch in Bearbeitung: Angaben zu Datenschutz und Hosting fehlen.
            """
        ),
        licence="proprietär (Software as a Service)",
        open_source=False,
        standards="BISKO",
        cost_min=Decimal("2500.00"),
        cost_max=Decimal("9000.00"),
        contact=EN,
        cpv_codes=("72000000-5",),
        status=EntryStatus.draft,
        rejection_reason=(
            "Bitte ergänzen Sie, wo der Dienst betrieben wird und ob ein Vertrag zur "
            "Auftragsverarbeitung angeboten wird; ohne diese Angaben können Kommunen ihn nicht "
            "bewerten."
        ),
    ),
    # --- Katastrophenschutz ---------------------------------------------------------------
    DemoSolution(
        key="flood_warning",
        owner="stadtdaten",
        category=Category.disaster_protection,
        title="Pegel- und Starkregen-Frühwarnsystem",
        summary=(
            "Pegelsensoren an Bächen und Durchlässen warnen vor Hochwasser; Warnungen gehen an "
            "Feuerwehr, Bauhof und über das Modulare Warnsystem an die Bevölkerung."
        ),
        description=text(
            """
            Gerade kleine Gewässer schwellen bei Starkregen in Minuten an und werden von keinem
            Landespegel erfasst. Die Radarpegel werden an Brücken montiert, arbeiten mit Solarstrom
            und senden über LoRaWAN; Niederschlagsradar und Wettervorhersage ergänzen die Lage.

            Überschreitet ein Pegel eine Warnstufe, benachrichtigt das System die Einsatzkräfte und
            erzeugt eine Warnmeldung im Common Alerting Protocol (CAP), die über die Leitstelle in
            das Modulare Warnsystem (MoWaS) eingespeist werden kann.

            Die Software steht unter AGPL-3.0; die Genossenschaft übernimmt Planung der Messstellen,
            Montage und Betrieb.
            """
        ),
        licence="AGPL-3.0",
        open_source=True,
        standards="LoRaWAN, OGC SensorThings API, CAP 1.2, MoWaS-Anbindung",
        cost_min=Decimal("12000.00"),
        cost_max=Decimal("70000.00"),
        contact=SD,
        cpv_codes=("35100000-5", "38000000-5"),
    ),
    DemoSolution(
        key="sirens",
        owner="verkehrstechnik",
        category=Category.disaster_protection,
        title="Elektronische Sirenen mit Ansteuerung über BOS-Digitalfunk",
        summary=(
            "Netzunabhängige Sirenen mit Sprachdurchsage, angesteuert über TETRA-Digitalfunk und "
            "das Warnsystem des Landes."
        ),
        description=text(
            """
            Die Sirenen arbeiten mit Akku und Solarmodul mindestens 72 Stunden ohne Netz und
            können neben den Signaltönen Sprachdurchsagen abspielen. Die Ansteuerung erfolgt über
            BOS-Digitalfunk (TETRA) von der Leitstelle und über das Warnsystem des Landes.

            Leistungen: Schallausbreitungsberechnung, Standortplanung, Montage auf Dächern oder
            Masten, Anbindung an die Leitstelle und Wartung. Richtpreis 18.000 bis 25.000 Euro je
            Sirene.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="TETRA (BOS-Digitalfunk), DIN 14620, MoWaS-Anbindung",
        cost_min=Decimal("20000.00"),
        cost_max=Decimal("200000.00"),
        contact=VT,
        cpv_codes=("35100000-5",),
    ),
    DemoSolution(
        key="crisis_map",
        owner="kz",
        category=Category.disaster_protection,
        title="Lagebild-Software für Krisenstäbe (Open Source)",
        summary=(
            "Gemeinsames digitales Lagebild für Verwaltungsstab und Feuerwehr: Karte, "
            "Einsatztagebuch, Meldungen und Ressourcen in einer Anwendung."
        ),
        description=text(
            """
            Die Anwendung ersetzt Lagekarte und Papier-Einsatztagebuch im Verwaltungsstab. Sensoren
            (Pegel, Wetter) und Meldungen im Common Alerting Protocol erscheinen direkt auf der
            Karte; Aufträge an Fachbereiche werden nachverfolgt.

            Sie läuft auch ohne Internetverbindung auf einem Laptop im Stabsraum. Entwickelt in
            einem Modellprojekt, für die Nachnutzung aufbereitet; Quellcode unter EUPL-1.2.
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="CAP 1.2, OGC WMS, OpenAPI",
        cost_min=Decimal("5000.00"),
        cost_max=Decimal("25000.00"),
        contact=KZ_REUSE,
        cpv_codes=("48000000-8",),
    ),
    DemoSolution(
        key="emergency_power",
        owner="energienetz",
        category=Category.disaster_protection,
        title="Notstrom für Katastrophenschutz-Leuchttürme",
        summary=(
            "Netzersatzanlagen und Photovoltaik mit Speicher für Rathaus, Feuerwehrhaus und "
            "Anlaufstellen der Bevölkerung bei einem Stromausfall."
        ),
        description=text(
            """
            Katastrophenschutz-Leuchttürme sind Anlaufstellen, die bei einem flächigen Stromausfall
            mindestens 72 Stunden weiterarbeiten. Geplant und errichtet werden Netzersatzanlagen,
            Einspeisepunkte für mobile Aggregate und, wo sinnvoll, Photovoltaik mit Speicher im
            Inselbetrieb.

            Dazu gehören ein Betriebskonzept, Probeläufe und die Einweisung der Hausmeister.
            """
        ),
        licence="Bau- und Lieferleistung",
        open_source=False,
        standards="DIN VDE 0100-551, DIN 6280-13",
        cost_min=Decimal("30000.00"),
        cost_max=Decimal("180000.00"),
        contact=EN_SALES,
        cpv_codes=("09300000-2", "45000000-7"),
    ),
    DemoSolution(
        key="wildfire_detection",
        owner="stadtdaten",
        category=Category.disaster_protection,
        title="Waldbrand-Früherkennung mit Gassensoren",
        summary=(
            "Solarbetriebene Gassensoren im Wald erkennen Schwelbrände in der Entstehung und melden "
            "sie über ein Funknetz an die Leitstelle."
        ),
        description=text(
            """
            Die Sensoren messen Wasserstoff, Kohlenmonoxid und Temperatur und erkennen Brände oft,
            bevor Rauch sichtbar ist. Ein Mesh-Netz verbindet die Sensoren mit Gateways am
            Waldrand, die Alarme per Mobilfunk an die Leitstelle weitergeben.

            Firmware und Auswertung unter Apache-2.0. Geeignet für Kiefernwälder in Brandenburg,
            Sachsen und Mecklenburg-Vorpommern.
            """
        ),
        licence="Apache-2.0",
        open_source=True,
        standards="LoRaWAN, MQTT, CAP 1.2",
        cost_min=Decimal("20000.00"),
        cost_max=Decimal("100000.00"),
        contact=SD_COOP,
        cpv_codes=("35120000-1",),
        status=EntryStatus.submitted,
    ),
    DemoSolution(
        key="culvert_cameras",
        owner="verkehrstechnik",
        category=Category.disaster_protection,
        title="Kameraüberwachung von Durchlässen und Rechen",
        summary=(
            "Kameras zeigen, ob Treibgut Durchlässe und Rechen verstopft; Bilder alle 15 Minuten, "
            "bei Starkregen im Minutentakt."
        ),
        description=text(
            """
            Verstopfte Durchlässe sind eine häufige Ursache für Überflutungen bei Starkregen. Die
            Kameras werden so ausgerichtet, dass nur das Bauwerk zu sehen ist; Personen werden
            automatisch unkenntlich gemacht.

            Bilder und Wasserstand werden in der Lageübersicht angezeigt; der Bauhof kann
            Räumtrupps gezielt schicken.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="ONVIF, MQTT",
        cost_min=Decimal("8000.00"),
        cost_max=Decimal("30000.00"),
        contact=VT_SALES,
        cpv_codes=("35120000-1",),
    ),
    # --- Offene Daten ---------------------------------------------------------------------
    DemoSolution(
        key="open_data_portal",
        owner="stadtdaten",
        category=Category.open_data,
        title="Open-Data-Portal für Kommunen",
        summary=(
            "Datenportal auf Basis von CKAN: Datensätze veröffentlichen, mit DCAT-AP.de "
            "beschreiben und automatisch an GovData und das Landesportal melden."
        ),
        description=text(
            """
            Das Portal bietet Fachämtern eine einfache Maske zum Veröffentlichen von Datensätzen;
            Metadaten werden nach DCAT-AP.de erfasst und über die Harvesting-Schnittstelle an
            GovData und die Landesportale gemeldet. Automatische Aktualisierung aus
            Fachverfahren ist über die CKAN-Programmierschnittstelle möglich.

            Die Genossenschaft betreibt das Portal als gemeinsame Instanz für kleinere Kommunen,
            jede mit eigenem Bereich und eigener Adresse. Quellcode unter AGPL-3.0.
            """
        ),
        licence="AGPL-3.0",
        open_source=True,
        standards="DCAT-AP.de, CKAN API, OpenAPI",
        cost_min=Decimal("6000.00"),
        cost_max=Decimal("30000.00"),
        contact=SD,
        cpv_codes=("48000000-8", "72400000-4"),
    ),
    DemoSolution(
        key="urban_data_platform",
        owner="stadtdaten",
        category=Category.open_data,
        title="Urbane Datenplattform auf Basis von FIWARE",
        summary=(
            "Offene Datenplattform nach DIN SPEC 91357 für Sensordaten, Fachdaten und "
            "Dashboards – betrieben von der Genossenschaft oder im eigenen Rechenzentrum."
        ),
        description=text(
            """
            Die Plattform besteht aus quelloffenen Bausteinen: einem Context Broker nach FIWARE
            NGSI-LD, einem SensorThings-Server, einer Zeitreihendatenbank, Dashboards und einer
            Rechteverwaltung. Sensoren werden über MQTT und LoRaWAN angebunden; Fachverfahren über
            REST-Schnittstellen.

            Die Referenzarchitektur folgt der DIN SPEC 91357 (Offene Urbane Plattform). Kommunen
            behalten die Hoheit über ihre Daten; offene Daten werden automatisch im Datenportal
            veröffentlicht.

            Leistungen: Einrichtung, Anbindung der ersten Datenquellen, Schulung, Betrieb und
            Weiterentwicklung in der Gemeinschaft der nutzenden Kommunen.
            """
        ),
        licence="Apache-2.0 / AGPL-3.0 (Bausteine)",
        open_source=True,
        standards="FIWARE NGSI-LD, OGC SensorThings API, MQTT, DIN SPEC 91357, DCAT-AP.de",
        cost_min=Decimal("40000.00"),
        cost_max=Decimal("250000.00"),
        contact=SD_COOP,
        cpv_codes=("48000000-8", "72300000-8"),
    ),
    DemoSolution(
        key="open_data_training",
        owner="kz",
        category=Category.open_data,
        title="Musterdatenkatalog und Schulung „Offene Daten in der Verwaltung“",
        summary=(
            "Eintägige Schulung für Verwaltungsmitarbeitende mit Musterdatenkatalog: welche Daten "
            "eine Kommune zuerst veröffentlichen sollte und wie."
        ),
        description=text(
            """
            Die Schulung erklärt rechtliche Grundlagen (Datennutzungsgesetz, Open-Data-Gesetze der
            Länder), Lizenzen und Metadaten nach DCAT-AP.de. Anhand des Musterdatenkatalogs wählen
            die Teilnehmenden die ersten zehn Datensätze für ihre Kommune aus.

            Das Material steht unter CC BY 4.0 und darf für eigene Schulungen nachgenutzt werden.
            """
        ),
        licence="CC BY 4.0 (Schulungsmaterial)",
        open_source=False,
        standards="DCAT-AP.de",
        cost_min=Decimal("0.00"),
        cost_max=Decimal("2500.00"),
        contact=KZ,
        cpv_codes=("80000000-4",),
    ),
    DemoSolution(
        key="open_budget",
        owner="stadtdaten",
        category=Category.open_data,
        title="Offener Haushalt – Haushaltsdaten verständlich darstellen",
        summary=(
            "Macht den kommunalen Haushalt interaktiv erkundbar: Produkte, Ausgaben und "
            "Investitionen als Grafik und als offene Daten."
        ),
        description=text(
            """
            Der Haushalt wird als CSV aus dem Finanzverfahren exportiert und nach dem
            Produktrahmenplan des Landes gegliedert dargestellt. Bürgerinnen und Bürger sehen, wofür
            die Kommune Geld ausgibt, und können Jahre vergleichen.

            Die Daten werden mit DCAT-AP.de-Metadaten im Datenportal veröffentlicht. Quellcode unter
            MIT-Lizenz.
            """
        ),
        licence="MIT",
        open_source=True,
        standards="CSV, OpenAPI, DCAT-AP.de",
        cost_min=Decimal("2000.00"),
        cost_max=Decimal("8000.00"),
        contact=SD,
        cpv_codes=("48000000-8",),
    ),
    DemoSolution(
        key="gtfs_community_bus",
        owner="stadtdaten",
        category=Category.open_data,
        title="Fahrplandaten für Bürgerbusse und Rufbusse im GTFS-Format",
        summary=(
            "Bürgerbusse und Rufbusse erscheinen in Fahrplanauskünften: Erfassung der Fahrpläne, "
            "Export als GTFS und NeTEx, Meldung an die Landesdatendrehscheibe."
        ),
        description=text(
            """
            Ehrenamtliche Bürgerbusvereine pflegen ihren Fahrplan in einer einfachen Oberfläche.
            Die Software erzeugt daraus GTFS- und NeTEx-Daten und meldet sie an die
            Datendrehscheibe des Landes und die Mobilithek, damit der Bürgerbus in jeder
            Fahrplanauskunft erscheint.

            Für Rufbusse werden Bedienzeiten und Haltestellen als flexible Verkehre beschrieben.
            Quellcode unter Apache-2.0.
            """
        ),
        licence="Apache-2.0",
        open_source=True,
        standards="GTFS, GTFS-Flex, NeTEx, DCAT-AP.de",
        cost_min=Decimal("3000.00"),
        cost_max=Decimal("12000.00"),
        contact=SD_COOP,
        cpv_codes=("72300000-8",),
    ),
    DemoSolution(
        key="sensor_hub",
        owner="kz",
        category=Category.open_data,
        title="Sensordaten-Hub nach OGC SensorThings API",
        summary=(
            "Ein quelloffener SensorThings-Server als gemeinsame Ablage für alle Sensordaten einer "
            "Kommune – mit Musterkonfiguration und Betriebshandbuch."
        ),
        description=text(
            """
            Pegel, Wetterstationen, Bodenfeuchte, Parkplatzbelegung: Sensordaten landen oft in
            getrennten Herstellerportalen. Der Sensordaten-Hub speichert sie herstellerunabhängig
            nach dem offenen OGC-Standard SensorThings API; Anwendungen greifen über eine
            einheitliche Schnittstelle zu.

            Das Kompetenzzentrum stellt eine erprobte Konfiguration mit Docker-Compose,
            Sicherungskonzept und Betriebshandbuch bereit. Der Server steht unter LGPL-3.0.
            """
        ),
        licence="LGPL-3.0",
        open_source=True,
        standards="OGC SensorThings API, MQTT, DCAT-AP.de",
        cost_min=Decimal("0.00"),
        cost_max=Decimal("6000.00"),
        contact=KZ_REUSE,
        cpv_codes=("48000000-8", "72300000-8"),
    ),
    DemoSolution(
        key="traffic_open_data",
        owner="verkehrstechnik",
        category=Category.open_data,
        title="Verkehrsdaten als offene Daten für die Mobilithek",
        summary=(
            "Adapter, der Zähldaten, Baustellen und Schaltzustände aus Verkehrsrechnern als "
            "DATEX II an die Mobilithek meldet."
        ),
        description=text(
            """
            Der Adapter liest Daten aus OCIT-C-fähigen Verkehrsrechnern und meldet sie als
            DATEX II an die Mobilithek. Metadaten werden nach DCAT-AP.de erzeugt. Der Eintrag ist
            noch ein Entwurf.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="DATEX II, OCIT-C",
        cost_min=Decimal("4000.00"),
        cost_max=Decimal("15000.00"),
        contact=VT_SALES,
        cpv_codes=("72300000-8",),
        status=EntryStatus.draft,
    ),
    # --- Netze und Sensorik ---------------------------------------------------------------
    DemoSolution(
        key="lorawan_service",
        owner="energienetz",
        category=Category.connectivity,
        title="LoRaWAN-Netz als Dienstleistung",
        summary=(
            "Gateways, Netzserver und Betrieb aus einer Hand: ein funkbasiertes Sensornetz für das "
            "ganze Gemeindegebiet zum monatlichen Festpreis."
        ),
        description=text(
            """
            Nach einer Funkplanung werden Gateways auf Rathaus, Feuerwehrhaus, Wasserturm oder
            Kirchturm montiert. Der Netzserver wird im Rechenzentrum in Deutschland betrieben; die
            Kommune erhält Zugriff auf alle Rohdaten über MQTT und eine REST-Schnittstelle.

            Ein Gateway deckt in ländlichen Gebieten 5 bis 10 km ab. Richtpreis je Gateway 900 bis
            1.800 Euro netto einmalig zuzüglich Betrieb.
            """
        ),
        licence="proprietär (Dienstleistung)",
        open_source=False,
        standards="LoRaWAN 1.0.4, MQTT, OpenAPI",
        cost_min=Decimal("5000.00"),
        cost_max=Decimal("40000.00"),
        contact=EN,
        cpv_codes=("32400000-7", "64200000-8"),
    ),
    DemoSolution(
        key="lorawan_open",
        owner="stadtdaten",
        category=Category.connectivity,
        title="Offener LoRaWAN-Netzserver für Kommunen",
        summary=(
            "Eigenes Sensornetz mit quelloffener Netzserver-Software: Einrichtung, Schulung und "
            "Betriebsunterstützung durch die Genossenschaft."
        ),
        description=text(
            """
            Kommunen, die ihr Sensornetz selbst betreiben wollen, erhalten einen vorkonfigurierten
            Netzserver auf Basis quelloffener Software, die Einrichtung der Gateways und eine
            Schulung für die IT-Abteilung oder den Zweckverband.

            Mehrere Gemeinden können sich einen Netzserver teilen; jede behält ihre Geräte und
            Daten getrennt. Quellcode und Konfiguration unter MIT-Lizenz.
            """
        ),
        licence="MIT",
        open_source=True,
        standards="LoRaWAN 1.0.4, MQTT, OpenAPI",
        cost_min=Decimal("3000.00"),
        cost_max=Decimal("15000.00"),
        contact=SD,
        cpv_codes=("72000000-5", "48000000-8"),
    ),
    DemoSolution(
        key="public_wifi",
        owner="energienetz",
        category=Category.connectivity,
        title="Öffentliches WLAN für Innenstädte und Bürgerhäuser",
        summary=(
            "Kostenloses WLAN auf Marktplatz, in Bibliothek und Bürgerhaus mit einfacher Anmeldung "
            "und Jugendschutzfilter."
        ),
        description=text(
            """
            Außen- und Innen-Access-Points nach Wi-Fi 6 werden an das Glasfaser- oder
            Richtfunknetz angebunden. Die Anmeldung erfolgt über eine Startseite ohne
            Registrierung; Passpoint ermöglicht automatische Anmeldung ohne Startseite.

            Der Betrieb erfolgt als Dienstleistung mit Störungsdienst; der Datenverkehr wird über
            eine Provider-Infrastruktur ausgeleitet, sodass die Kommune nicht als Anbieter haftet.
            """
        ),
        licence="proprietär (Dienstleistung)",
        open_source=False,
        standards="IEEE 802.11ax, WPA3, Passpoint (Hotspot 2.0)",
        cost_min=Decimal("10000.00"),
        cost_max=Decimal("90000.00"),
        contact=EN_SALES,
        cpv_codes=("32400000-7", "64200000-8"),
    ),
    DemoSolution(
        key="fibre_signals",
        owner="verkehrstechnik",
        category=Category.connectivity,
        title="Glasfaseranbindung von Lichtsignalanlagen und Verkehrstechnik",
        summary=(
            "Lichtsignalanlagen, Zählstellen und Kameras sicher an den Verkehrsrechner anbinden – "
            "über eigene Glasfaser oder Leerrohre des Breitbandausbaus."
        ),
        description=text(
            """
            Geplant und gebaut werden Glasfaserstrecken zwischen Knotenpunkten und Verkehrsrechner,
            bevorzugt in vorhandenen Leerrohren aus dem Breitbandausbau. Die aktive Technik
            trennt Verkehrstechnik und Verwaltungsnetz.

            Mitverlegte Reservefasern können später für Sensorik und öffentliches WLAN genutzt
            werden.
            """
        ),
        licence="Bau- und Lieferleistung",
        open_source=False,
        standards="DIN EN 50173, OCIT-O",
        cost_min=Decimal("15000.00"),
        cost_max=Decimal("120000.00"),
        contact=VT,
        cpv_codes=("32400000-7", "45000000-7"),
    ),
    DemoSolution(
        key="sensor_kit",
        owner="kz",
        category=Category.connectivity,
        title="Sensor-Baukasten für kommunale IoT-Projekte",
        summary=(
            "Offene Hardware-Vorlagen für die häufigsten Sensoren (Temperatur, Bodenfeuchte, Pegel, "
            "Zähler) mit Gehäuse, Firmware und Anleitung."
        ),
        description=text(
            """
            Der Baukasten enthält Schaltpläne, Stücklisten und 3D-Druckvorlagen für Gehäuse sowie
            eine gemeinsame Firmware für LoRaWAN. Kommunen, Schulen und Makerspaces bauen damit
            Sensoren für wenige Dutzend Euro selbst.

            Hardware unter CERN-OHL-S-2.0, Firmware unter MIT-Lizenz.
            """
        ),
        licence="CERN-OHL-S-2.0 / MIT",
        open_source=True,
        standards="LoRaWAN, MQTT, OGC SensorThings API",
        cost_min=Decimal("500.00"),
        cost_max=Decimal("3000.00"),
        contact=KZ_REUSE,
        cpv_codes=("38000000-5", "32000000-3"),
    ),
    DemoSolution(
        key="campus_5g",
        owner="energienetz",
        category=Category.connectivity,
        title="5G-Campusnetz für Betriebshof und Klärwerk",
        summary=(
            "Privates 5G-Netz auf eigenem Gelände für Fahrzeuge, Sensorik und mobile Arbeitsplätze; "
            "Frequenzantrag bei der Bundesnetzagentur inklusive."
        ),
        description=text(
            """
            Das Campusnetz im Frequenzbereich 3,7 bis 3,8 GHz versorgt Betriebshof, Klärwerk oder
            Wasserwerk mit einem eigenen, vom öffentlichen Netz getrennten Mobilfunknetz.
            Leistungen: Frequenzantrag, Funkplanung, Installation, Kernnetz (5G Standalone) und
            Betrieb. Sinnvoll erst bei vielen mobilen Anwendungen; für einfache Sensorik genügt
            meist LoRaWAN.
            """
        ),
        licence="proprietär",
        open_source=False,
        standards="3GPP Release 16, 5G Standalone",
        cost_min=Decimal("80000.00"),
        cost_max=Decimal("350000.00"),
        contact=EN,
        cpv_codes=("32400000-7",),
    ),
    # --- Digitale Verwaltung --------------------------------------------------------------
    DemoSolution(
        key="ozg_forms",
        owner="stadtdaten",
        category=Category.administration,
        title="Online-Antragsassistent für OZG-Leistungen",
        summary=(
            "Antragsstrecken für kommunale Verwaltungsleistungen auf Basis der FIM-Stammtexte, mit "
            "Übermittlung an Fachverfahren über FIT-Connect und XÖV-Standards."
        ),
        description=text(
            """
            Der Antragsassistent erzeugt Online-Formulare aus FIM-Datenfeldern und
            -Stammdatenschemata, sodass Anträge rechtlich und fachlich korrekt sind. Die Anmeldung
            erfolgt über das Nutzerkonto Bund (BundID); Anträge werden über FIT-Connect an das
            Fachverfahren oder die E-Akte übermittelt.

            Für verbreitete Leistungen (Sondernutzung, Hundesteuer, Veranstaltungsanzeige) gibt es
            fertige Strecken. Quellcode unter EUPL-1.2; die Genossenschaft betreibt den Dienst für
            Mitgliedskommunen.
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="OZG, FIM, XÖV, FIT-Connect, BundID",
        cost_min=Decimal("8000.00"),
        cost_max=Decimal("40000.00"),
        contact=SD,
        cpv_codes=("48000000-8", "72200000-7"),
    ),
    DemoSolution(
        key="defect_reports",
        owner="kz",
        category=Category.administration,
        title="Mängelmelder für Bürgerinnen und Bürger (Open Source)",
        summary=(
            "Schlaglöcher, defekte Laternen, wilder Müll: Meldungen mit Foto und Ort gehen direkt "
            "an das zuständige Amt; der Bearbeitungsstand ist öffentlich."
        ),
        description=text(
            """
            Meldungen kommen über Website oder App und werden nach Kategorie automatisch dem
            zuständigen Bereich zugewiesen. Der Bearbeitungsstand ist öffentlich sichtbar; doppelte
            Meldungen werden zusammengeführt.

            Die Schnittstelle folgt Open311 GeoReport v2, sodass bestehende Apps und
            Auswertungen genutzt werden können. Auch kleine Gemeinden können den Dienst über das
            Kompetenzzentrum mitnutzen. Quellcode unter EUPL-1.2.
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="Open311 GeoReport v2, OpenAPI, BITV 2.0",
        cost_min=Decimal("1500.00"),
        cost_max=Decimal("9000.00"),
        contact=KZ_REUSE,
        cpv_codes=("48000000-8",),
    ),
    DemoSolution(
        key="council_information",
        owner="stadtdaten",
        category=Category.administration,
        title="Ratsinformationssystem mit OParl-Schnittstelle",
        summary=(
            "Sitzungen, Tagesordnungen, Vorlagen und Beschlüsse für Gremien und Öffentlichkeit, "
            "barrierefrei und maschinenlesbar nach OParl."
        ),
        description=text(
            """
            Das Ratsinformationssystem unterstützt Sitzungsvorbereitung, Einladung, Protokoll und
            Beschlusskontrolle. Mandatsträgerinnen und -träger arbeiten papierlos in einer App.

            Alle öffentlichen Inhalte stehen über die OParl-1.1-Schnittstelle bereit. Quellcode
            unter AGPL-3.0.
            """
        ),
        licence="AGPL-3.0",
        open_source=True,
        standards="OParl 1.1, BITV 2.0, OpenAPI",
        cost_min=Decimal("5000.00"),
        cost_max=Decimal("25000.00"),
        contact=SD_COOP,
        cpv_codes=("48000000-8",),
    ),
    DemoSolution(
        key="xrechnung_inbox",
        owner="kz",
        category=Category.administration,
        title="E-Rechnungseingang nach XRechnung",
        summary=(
            "Empfängt, prüft und visualisiert XRechnungen und leitet sie an Finanzverfahren und "
            "Freigabe weiter – Pflicht für öffentliche Auftraggeber."
        ),
        description=text(
            """
            Rechnungen kommen über Peppol, das OZG-Rechnungseingangsportal oder E-Mail. Jede
            Rechnung wird gegen die offiziellen Prüfregeln (KoSIT-Validator) geprüft, lesbar
            dargestellt und anhand der Leitweg-ID dem richtigen Bereich zugeordnet.

            Freigabe-Workflow und Übergabe an das Finanzverfahren sind enthalten. Quellcode unter
            EUPL-1.2, Betrieb über das Kompetenzzentrum oder selbst.
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="XRechnung 3.0, EN 16931, Peppol BIS Billing 3.0, Leitweg-ID",
        cost_min=Decimal("2000.00"),
        cost_max=Decimal("12000.00"),
        contact=KZ_REUSE,
        cpv_codes=("48000000-8",),
    ),
    DemoSolution(
        key="appointments",
        owner="stadtdaten",
        category=Category.administration,
        title="Online-Terminvergabe für Bürgerbüros",
        summary=(
            "Termine für Bürgerbüro, Standesamt und Zulassungsstelle online buchen, mit Erinnerung "
            "per E-Mail und Aufrufanlage im Wartebereich."
        ),
        description=text(
            """
            Die Terminvergabe zeigt freie Zeiten je Dienstleistung und berücksichtigt die Dauer
            jeder Leistung. Bürgerinnen und Bürger erhalten eine Bestätigung mit Kalendereintrag
            (iCalendar) und eine Liste der mitzubringenden Unterlagen.

            Die Oberfläche ist barrierefrei nach BITV 2.0. Quellcode unter MIT-Lizenz.
            """
        ),
        licence="MIT",
        open_source=True,
        standards="iCalendar, OpenAPI, BITV 2.0",
        cost_min=Decimal("1200.00"),
        cost_max=Decimal("6000.00"),
        contact=SD,
        cpv_codes=("48000000-8",),
    ),
    DemoSolution(
        key="digital_building_permit",
        owner="stadtdaten",
        category=Category.administration,
        title="Digitaler Bauantrag mit XBau-Schnittstelle",
        summary=(
            "Bauanträge online einreichen, Stellungnahmen der Fachstellen digital einholen und "
            "Bescheide elektronisch zustellen."
        ),
        description=text(
            """
            Die Anwendung nimmt Bauanträge aus dem Online-Dienst des Landes über XBau entgegen,
            verteilt sie an Fachstellen zur Stellungnahme und erzeugt den Bescheid. Bebauungspläne
            werden im XPlanung-Format eingebunden.

            Geeignet für untere Bauaufsichtsbehörden kleiner und mittlerer Städte. Quellcode unter
            EUPL-1.2.
            """
        ),
        licence="EUPL-1.2",
        open_source=True,
        standards="XBau, XPlanung, OZG, XÖV",
        cost_min=Decimal("15000.00"),
        cost_max=Decimal("60000.00"),
        contact=SD_COOP,
        cpv_codes=("48000000-8", "72200000-7"),
    ),
    DemoSolution(
        key="procurement_training",
        owner="kz",
        category=Category.administration,
        title="Schulung „Gemeinsam beschaffen“ für Vergabestellen",
        summary=(
            "Praxisschulung zur gemeinsamen Beschaffung nach § 4 VgV: Bedarfe bündeln, Schätzung "
            "des Auftragswerts, federführende Stelle, Vereinbarungen."
        ),
        description=text(
            """
            Die Schulung führt an einem durchgehenden Beispiel durch eine gemeinsame Ausschreibung
            mehrerer Kommunen: von der Bedarfsabfrage über die Schätzung des Auftragswerts nach
            § 3 VgV und die Wahl des Verfahrens bis zu Zuschlag und E-Rechnung.

            Materialien und Mustervereinbarung stehen unter CC BY-SA 4.0.
            """
        ),
        licence="CC BY-SA 4.0 (Schulungsmaterial)",
        open_source=False,
        standards="VgV, UVgO, eForms, XRechnung",
        cost_min=Decimal("0.00"),
        cost_max=Decimal("4500.00"),
        contact=KZ,
        cpv_codes=("80000000-4", "79000000-4"),
    ),
]

# --- marketplace: pilot projects (Modellprojekte) -----------------------------------------

MPSC = "Modellprojekte Smart Cities (MPSC) des Bundes, BMWSB/KfW"


@dataclass(frozen=True)
class DemoPilotProject:
    key: str
    owner: str  # organisation key (a municipality)
    category: Category
    title: str
    summary: str
    description: str
    period_start: date
    period_end: date | None
    budget: Decimal
    funding_programme: str | None  # None: paid from the municipality's own budget
    results: str
    lessons_learned: str
    specification: str  # Leistungsbeschreibung, reusable for a need
    award_criteria: tuple[tuple[str, int], ...]  # (criterion, weight in %), summing to 100
    contact: tuple[str, str]
    cpv_codes: tuple[str, ...]
    solutions: tuple[str, ...]  # keys of SOLUTIONS
    status: EntryStatus = EntryStatus.published


PILOT_PROJECTS = [
    DemoPilotProject(
        key="talheim_led",
        owner="talheim",
        category=Category.lighting,
        title="LED-Umrüstung mit Nachtabsenkung in der Kernstadt Talheim",
        summary=(
            "1.150 Straßenleuchten auf LED umgerüstet und mit einer Lichtsteuerung verbunden: "
            "68 Prozent weniger Strom, gefördert über die Kommunalrichtlinie."
        ),
        description=text(
            """
            Die Stadt Talheim an der Lauter hat in zwei Bauabschnitten die Straßenbeleuchtung der
            Kernstadt erneuert. Ausgangslage waren 1.150 Leuchten mit Quecksilberdampf- und
            Natriumdampflampen, ein Stromverbrauch von 610.000 kWh im Jahr und häufige Ausfälle.

            Ausgeschrieben wurden Lieferung und Montage von LED-Leuchten mit Zhaga-Steckplatz und
            ein herstellerunabhängiges Lichtmanagementsystem. Die Umrüstung erfolgte ohne Tiefbau
            auf den vorhandenen Masten.
            """
        ),
        period_start=date(2022, 3, 1),
        period_end=date(2023, 10, 31),
        budget=Decimal("486000.00"),
        funding_programme="Kommunalrichtlinie der Nationalen Klimaschutzinitiative (NKI)",
        results=text(
            """
            Stromverbrauch von 610.000 kWh auf 195.000 kWh im Jahr gesenkt (minus 68 Prozent),
            rund 150 Tonnen CO₂ weniger im Jahr. Störungen werden automatisch gemeldet; die
            durchschnittliche Reparaturzeit sank von neun auf zwei Werktage. Die Amortisation
            ohne Förderung liegt bei neun Jahren, mit Förderung bei sechs.
            """
        ),
        lessons_learned=text(
            """
            Das Lichtpunktkataster vor der Ausschreibung vollständig zu erfassen, hat sich
            gelohnt: Nachträge wegen unbekannter Mastaufsätze blieben aus. Die Nachtabsenkung
            sollte früh mit Polizei und Ortschaftsräten abgestimmt werden; nach einer
            Probephase gab es keine Beschwerden. Die Forderung nach TALQ hat einen späteren
            Wechsel der Lichtsteuerung ohne Leuchtentausch möglich gemacht.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Lieferung und Montage von LED-Straßenleuchten als Mastaufsatzleuchten
            für Anliegerstraßen (Beleuchtungsklasse P4 bis P5 nach DIN EN 13201) einschließlich
            Demontage und fachgerechter Entsorgung der Altleuchten.

            2. Anforderungen an die Leuchten. Lichtfarbe höchstens 3.000 K, in der Nähe von
            Grünflächen 2.200 K; Lichtstromanteil nach oben 0 Prozent; Lebensdauer mindestens
            L90B10 bei 100.000 Stunden; Schutzart IP66, Schlagfestigkeit IK08; Steckplatz nach
            Zhaga Book 18 und D4i-fähiges Betriebsgerät; Garantie mindestens zehn Jahre auf Leuchte
            und Betriebsgerät.

            3. Lichtsteuerung. Jede Leuchte erhält einen Steuerknoten. Das Steuersystem muss das
            offene Protokoll TALQ unterstützen, Dimmprofile je Straße erlauben (mindestens
            50 Prozent ab 22 Uhr, 30 Prozent ab 0 Uhr) und Ausfälle automatisch melden.

            4. Nachweise und Abnahme. Lichttechnische Berechnung für jede Straßenklasse,
            Datenblätter, Nachweis der Förderfähigkeit nach der Kommunalrichtlinie. Abnahme je
            Bauabschnitt mit Messung der Beleuchtungsstärke an fünf repräsentativen Stellen.
            Übergabe der Bestandsdaten im Format des Lichtpunktkatasters (CSV oder GeoJSON).
            """
        ),
        award_criteria=(
            ("Preis", 40),
            ("Energieeffizienz (Systemleistung je Leuchte)", 25),
            ("Qualität der lichttechnischen Planung", 20),
            ("Garantie und Service", 15),
        ),
        contact=("Oskar Vergabe", "vergabe@talheim.example"),
        cpv_codes=("34928500-3", "45316110-9"),
        solutions=("led_luminaires", "light_management", "lighting_cadastre"),
    ),
    DemoPilotProject(
        key="talheim_einvoice",
        owner="talheim",
        category=Category.administration,
        title="E-Rechnungseingang für Stadt und Eigenbetriebe",
        summary=(
            "Alle Rechnungen kommen als XRechnung über eine Adresse, werden automatisch geprüft "
            "und im Freigabe-Workflow bearbeitet."
        ),
        description=text(
            """
            Mit der Pflicht zur Annahme elektronischer Rechnungen hat die Stadt den gesamten
            Rechnungseingang für Kernverwaltung, Stadtwerke und Bauhof digitalisiert. Jede
            Organisationseinheit erhielt eine eigene Leitweg-ID.
            """
        ),
        period_start=date(2023, 1, 1),
        period_end=date(2023, 12, 31),
        budget=Decimal("48000.00"),
        funding_programme="Digitale Zukunftskommune@bw (Land Baden-Württemberg)",
        results=text(
            """
            82 Prozent der Rechnungen kommen inzwischen elektronisch. Die Durchlaufzeit von
            Eingang bis Zahlung sank von 19 auf 8 Tage; Skonto wird fast immer genutzt.
            """
        ),
        lessons_learned=text(
            """
            Lieferanten früh und mehrfach informieren und die Leitweg-IDs auf jede Bestellung
            drucken. Papierrechnungen werden am Eingang gescannt, damit es nur einen Workflow
            gibt.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Bereitstellung und Betrieb einer Lösung für den Empfang, die Prüfung,
            die Visualisierung und die Freigabe elektronischer Rechnungen nach XRechnung 3.0 und
            EN 16931.

            2. Funktionen. Empfang über Peppol, das Rechnungseingangsportal des Landes und E-Mail;
            Prüfung gegen die offiziellen KoSIT-Prüfregeln; Zuordnung anhand der Leitweg-ID;
            mehrstufige Freigabe mit Vertretungsregelung; Übergabe an das Finanzverfahren.

            3. Betrieb. Betrieb in einem Rechenzentrum in Deutschland oder auf Servern der Stadt;
            Verfügbarkeit 99 Prozent zu den Geschäftszeiten; Aktualisierung bei jeder neuen
            XRechnung-Version innerhalb von drei Monaten.
            """
        ),
        award_criteria=(
            ("Preis", 50),
            ("Funktionsumfang und Bedienbarkeit", 30),
            ("Betrieb und Support", 20),
        ),
        contact=("Oskar Vergabe", "vergabe@talheim.example"),
        cpv_codes=("48000000-8",),
        solutions=("xrechnung_inbox",),
    ),
    DemoPilotProject(
        key="birkenfelde_parking",
        owner="birkenfelde",
        category=Category.parking,
        title="Belegung des Pendlerparkplatzes am Bahnhof Birkenfelde",
        summary=(
            "120 Stellplätze mit Bodensensoren ausgestattet; die Belegung erscheint auf der "
            "Website, in der Pendler-App des Verkehrsverbunds und im Datenportal."
        ),
        description=text(
            """
            Der Park-and-Ride-Parkplatz am Bahnhof ist morgens oft schon um 7 Uhr voll; Pendelnde
            suchten danach vergeblich und fuhren mit dem Auto weiter. Die Gemeinde hat die
            Stellplätze mit Sensoren ausgestattet und die Belegung als offene Daten
            veröffentlicht.
            """
        ),
        period_start=date(2023, 1, 15),
        period_end=date(2023, 12, 15),
        budget=Decimal("64000.00"),
        funding_programme="Landesförderprogramm Digitalisierung in Kommunen (Hessen)",
        results=text(
            """
            Erkennungsgenauigkeit 98,7 Prozent. Die Daten werden vom Verkehrsverbund in der
            Fahrplanauskunft angezeigt; eine Umfrage ergab, dass jede fünfte pendelnde Person
            ihre Abfahrtszeit danach richtet.
            """
        ),
        lessons_learned=text(
            """
            Eigene LoRaWAN-Gateways waren günstiger als ein Dienstleisternetz, brauchen aber eine
            zuständige Person im Bauhof. Die Sensoren an der Einfahrt wurden durch Kehrmaschinen
            beschädigt: Einbau tiefer und mit Abstand zur Bordsteinkante.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Lieferung, Einbau und Inbetriebnahme von Stellplatzsensoren sowie
            Bereitstellung der Belegungsdaten über offene Schnittstellen.

            2. Sensoren. Erkennung der Belegung mit mindestens 97 Prozent Genauigkeit bei jeder
            Witterung; Einbau bündig in Asphalt oder Pflaster ohne Aufgraben; Batterielaufzeit
            mindestens sechs Jahre; Übertragung über LoRaWAN in das Netz der Gemeinde.

            3. Daten. Belegung je Stellplatz und je Fläche in Echtzeit über MQTT und REST; tägliche
            Veröffentlichung als DATEX II Parking Publication mit Metadaten nach DCAT-AP.de. Die
            Gemeinde erhält alle Rechte an den Daten.

            4. Wartung. Austausch defekter Sensoren innerhalb von zehn Werktagen über die gesamte
            Vertragslaufzeit von fünf Jahren.
            """
        ),
        award_criteria=(
            ("Preis", 45),
            ("Erkennungsgenauigkeit im Probebetrieb", 25),
            ("Offenheit der Schnittstellen", 20),
            ("Wartungskonzept", 10),
        ),
        contact=("Bernd Beschaffer", "vergabe@birkenfelde.example"),
        cpv_codes=("34926000-4",),
        solutions=("parking_sensors", "parkdata"),
    ),
    DemoPilotProject(
        key="nordhafen_flood",
        owner="nordhafen",
        category=Category.disaster_protection,
        title="Sturmflut- und Starkregen-Frühwarnung am Hafen Nordhafen",
        summary=(
            "Zwölf Pegelsensoren an Hafenbecken, Au und Regenrückhaltebecken warnen Feuerwehr und "
            "Anwohnende früh vor Hochwasser."
        ),
        description=text(
            """
            Nordhafen liegt an einer Förde und an der Mündung eines kleinen Flusses. Bei
            Ostseesturmflut und gleichzeitigem Starkregen staut sich das Wasser in der Altstadt.
            Im Rahmen des Modellprojekts Smart Cities hat die Stadt ein Messnetz aufgebaut und an
            die Leitstelle angebunden.
            """
        ),
        period_start=date(2021, 4, 1),
        period_end=date(2024, 3, 31),
        budget=Decimal("385000.00"),
        funding_programme=MPSC,
        results=text(
            """
            Bei der Sturmflut im Oktober 2023 lag die Warnung 95 Minuten vor dem Überlaufen der
            Kaimauer vor; Sandsäcke und Pumpen waren rechtzeitig vor Ort. Die Messwerte sind als
            offene Daten verfügbar und werden von der Hochschule für Modelle genutzt.
            """
        ),
        lessons_learned=text(
            """
            Warnstufen gemeinsam mit Feuerwehr und Wasser- und Bodenverband festlegen und nach
            jedem Ereignis prüfen. Solarbetriebene Sensoren an Brücken brauchen im Winter
            größere Akkus als geplant.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Aufbau eines Messnetzes für Wasserstände an Gewässern und Bauwerken
            einschließlich Datenplattform, Warnlogik und Anbindung an die Leitstelle.

            2. Messstellen. Berührungslose Radarpegel mit Auflösung 1 cm, autarke
            Energieversorgung für mindestens 14 Tage ohne Sonne, Übertragung über LoRaWAN oder
            Mobilfunk mit Rückfallebene.

            3. Warnung. Frei einstellbare Warnstufen je Messstelle; Benachrichtigung per SMS,
            E-Mail und Alarmierungsschnittstelle der Leitstelle; Erzeugung von Warnmeldungen im
            Common Alerting Protocol (CAP 1.2).

            4. Daten. Speicherung und Bereitstellung über die OGC SensorThings API; Veröffentlichung
            als offene Daten; vollständiger Datenexport bei Vertragsende.
            """
        ),
        award_criteria=(
            ("Preis", 35),
            ("Qualität des Konzepts", 30),
            ("Ausfallsicherheit", 25),
            ("Offenheit der Schnittstellen", 10),
        ),
        contact=("Nora Nordmann", "vergabe@nordhafen.example"),
        cpv_codes=("35100000-5", "38000000-5"),
        solutions=("flood_warning", "sensor_hub"),
    ),
    DemoPilotProject(
        key="nordhafen_parking",
        owner="nordhafen",
        category=Category.parking,
        title="Parkraummanagement an der Hafenpromenade",
        summary=(
            "Sensoren, Parkleitsystem und Handyparken für die Hafenpromenade, auf der im Sommer "
            "Tagesgäste und Fährverkehr um Stellplätze konkurrieren."
        ),
        description=text(
            """
            Die Stadt erprobt seit 2024 die Steuerung des Parkens an der Promenade: 240 Stellplätze
            mit Sensoren, drei Anzeigetafeln an den Zufahrten und Handyparken. Der Bericht ist
            noch nicht abgeschlossen; die Kuratierung prüft den Eintrag.
            """
        ),
        period_start=date(2024, 4, 1),
        period_end=date(2027, 9, 30),
        budget=Decimal("172000.00"),
        funding_programme=None,
        results="Zwischenstand: Parksuchverkehr an Sommerwochenenden um geschätzt ein Drittel gesunken.",
        lessons_learned="Die Fährgesellschaft früh einbinden; ihre Fahrgäste parken anders als Tagesgäste.",
        specification=text(
            """
            1. Gegenstand. Stellplatzsensoren für 240 Stellplätze, drei dynamische Anzeigetafeln
            und eine Zentrale zur Parkraumsteuerung.

            2. Anforderungen. Sensoren mit LoRaWAN, Genauigkeit mindestens 97 Prozent; Anzeigen
            nach TLS und DATEX II; Veröffentlichung der Belegung als offene Daten.
            """
        ),
        award_criteria=(("Preis", 50), ("Qualität des Konzepts", 30), ("Wartung", 20)),
        contact=("Nora Nordmann", "vergabe@nordhafen.example"),
        cpv_codes=("34926000-4",),
        solutions=("parking_sensors", "parking_guidance", "mobile_parking"),
        status=EntryStatus.submitted,
    ),
    DemoPilotProject(
        key="wiesental_traffic",
        owner="wiesental",
        category=Category.traffic,
        title="Adaptive Ampelsteuerung an der Ortsdurchfahrt",
        summary=(
            "Neun Knotenpunkte der Ortsdurchfahrt verkehrsabhängig gesteuert: kürzere Wartezeiten, "
            "Vorrang für Busse, weniger Stop-and-go."
        ),
        description=text(
            """
            Durch Wiesental führt eine Bundesstraße mit 18.000 Fahrzeugen am Tag. Die neun
            Lichtsignalanlagen liefen mit festen Signalprogrammen aus den 1990er-Jahren. Im
            Modellprojekt wurden die Steuergeräte erneuert, Radardetektoren montiert und ein
            Verkehrsrechner eingeführt, der die Anlagen verkehrsabhängig koordiniert.
            """
        ),
        period_start=date(2022, 1, 1),
        period_end=date(2024, 6, 30),
        budget=Decimal("420000.00"),
        funding_programme=MPSC,
        results=text(
            """
            Mittlere Reisezeit durch die Ortsdurchfahrt in der Spitzenstunde um 14 Prozent
            gesunken, Halte der Linienbusse um 35 Prozent. Die Stickstoffdioxid-Belastung an der
            Messstelle Marktstraße ging um 8 Prozent zurück.
            """
        ),
        lessons_learned=text(
            """
            Frühzeitig mit dem Straßenbaulastträger der Bundesstraße eine Vereinbarung schließen.
            OCIT-Schnittstellen in der Ausschreibung verbindlich fordern, sonst bleibt man an einen
            Hersteller gebunden.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Erneuerung der Steuergeräte an neun Knotenpunkten, Lieferung von
            Detektoren und eines Verkehrsrechners zur verkehrsabhängigen Koordinierung.

            2. Anforderungen. Steuergeräte mit OCIT-Outstations-Schnittstelle; Verkehrsrechner mit
            OCIT-C zur Anbindung weiterer Hersteller; Bevorrechtigung des ÖPNV über
            VDV-420-Telegramme; Veröffentlichung von Verkehrslage und Störungen als DATEX II.

            3. Leistungen. Signaltechnische Planung nach RiLSA, Lieferung, Montage, Inbetriebnahme,
            Wirkungsanalyse vor und nach der Umstellung, Schulung, Wartung über sechs Jahre.
            """
        ),
        award_criteria=(
            ("Preis", 40),
            ("Qualität des Steuerungskonzepts", 30),
            ("Herstellerunabhängigkeit", 20),
            ("Wartung und Reaktionszeiten", 10),
        ),
        contact=("Wiebke Wegener", "vergabe@wiesental.example"),
        cpv_codes=("34996000-5", "34923000-3"),
        solutions=("traffic_adaptive", "bus_priority"),
    ),
    DemoPilotProject(
        key="wiesental_platform",
        owner="wiesental",
        category=Category.open_data,
        title="Urbane Datenplattform Wiesental",
        summary=(
            "Offene Datenplattform für Sensordaten, Fachdaten und Dashboards; Grundlage aller "
            "weiteren Smart-City-Anwendungen der Stadt."
        ),
        description=text(
            """
            Die Stadt hat im Modellprojekt eine Urbane Datenplattform nach DIN SPEC 91357
            aufgebaut. Angebunden sind Verkehrszählungen, Parkhausbelegung, Pegel, Wetterstationen
            und die Energieverbräuche der Schulen. Ein Open-Data-Portal veröffentlicht die Daten.
            """
        ),
        period_start=date(2021, 1, 1),
        period_end=date(2025, 12, 31),
        budget=Decimal("980000.00"),
        funding_programme=MPSC,
        results=text(
            """
            34 Datenquellen angebunden, 61 Datensätze als offene Daten veröffentlicht, sechs
            Dashboards für Fachämter. Zwei Nachbarkommunen nutzen die Plattform mit.
            """
        ),
        lessons_learned=text(
            """
            Ein kleines festes Plattform-Team ist wichtiger als viele Anwendungen. Datenqualität
            und Zuständigkeiten in den Fachämtern klären, bevor Sensoren gekauft werden.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Aufbau und Betrieb einer offenen urbanen Datenplattform einschließlich
            Anbindung von Datenquellen, Dashboards und Open-Data-Portal.

            2. Architektur. Referenzarchitektur nach DIN SPEC 91357; ausschließlich quelloffene
            Bausteine; Schnittstellen nach FIWARE NGSI-LD und OGC SensorThings API; Rechte- und
            Rollenkonzept; Betrieb in Deutschland.

            3. Leistungen. Einrichtung, Anbindung von mindestens 20 Datenquellen, Schulung des
            Plattform-Teams, Betrieb und Weiterentwicklung für vier Jahre; Übergabe aller
            Konfigurationen und Daten bei Vertragsende.

            4. Offene Daten. Veröffentlichung über ein Datenportal mit Metadaten nach DCAT-AP.de
            und Harvesting durch GovData.
            """
        ),
        award_criteria=(
            ("Preis", 30),
            ("Qualität der Architektur", 30),
            ("Betriebs- und Sicherheitskonzept", 25),
            ("Nachnutzbarkeit durch andere Kommunen", 15),
        ),
        contact=("Wiebke Wegener", "vergabe@wiesental.example"),
        cpv_codes=("48000000-8", "72300000-8"),
        solutions=("urban_data_platform", "open_data_portal", "sensor_hub"),
    ),
    DemoPilotProject(
        key="neisseufer_climate",
        owner="neisseufer",
        category=Category.environment,
        title="Stadtklima-Messnetz mit Schulen in Neißeufer",
        summary=(
            "Drei Schulen haben 24 Wetterstationen gebaut; die Messreihen zeigen Hitzeinseln in "
            "der Altstadt und fließen in den Hitzeaktionsplan ein."
        ),
        description=text(
            """
            Schülerinnen und Schüler der Oberschule und zweier Grundschulen haben im Unterricht
            Wetterstationen gebaut und an Schulen, Kitas und im Stadtgebiet aufgestellt. Die Stadt
            stellt die Daten auf ihrer Website und im Datenportal bereit.
            """
        ),
        period_start=date(2023, 3, 1),
        period_end=date(2024, 10, 31),
        budget=Decimal("85000.00"),
        funding_programme="Förderrichtlinie Regionalentwicklung (FR Regio) des Freistaates Sachsen",
        results=text(
            """
            An heißen Tagen ist der Marktplatz nachts bis zu 6 Grad wärmer als der Stadtrand. Die
            Stadt hat daraufhin zwei Trinkbrunnen und 30 Baumpflanzungen priorisiert.
            """
        ),
        lessons_learned=text(
            """
            Die Schulen brauchen eine feste Ansprechperson in der Verwaltung. Stationen auf
            Schuldächern sind vor Vandalismus sicher, messen aber wärmer: Standorte dokumentieren.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Lieferung von Bausätzen für Klimamessstationen, Begleitung des
            Unterrichts und Betrieb einer Datenplattform für zwei Jahre.

            2. Anforderungen. Messung von Temperatur, relativer Luftfeuchte und Niederschlag;
            Übertragung über LoRaWAN; Speicherung und Bereitstellung über die OGC SensorThings API;
            Unterrichtsmaterial für die Klassen 5 bis 10 unter freier Lizenz.
            """
        ),
        award_criteria=(("Preis", 40), ("Pädagogisches Konzept", 35), ("Offenheit der Daten", 25)),
        contact=("Sabine Richter", "vergabe@neisseufer.example"),
        cpv_codes=("38000000-5", "80000000-4"),
        solutions=("climate_schools", "air_quality"),
    ),
    DemoPilotProject(
        key="neisseufer_ozg",
        owner="neisseufer",
        category=Category.administration,
        title="Digitale Antragsstrecken im Bürgerbüro Neißeufer",
        summary=(
            "Zwölf häufige Verwaltungsleistungen online beantragbar, mit Übermittlung über "
            "FIT-Connect direkt in die Fachverfahren."
        ),
        description=text(
            """
            Die Stadt hat die zwölf häufigsten Anträge des Bürgerbüros und des Ordnungsamts als
            Online-Dienste umgesetzt, darunter Sondernutzungserlaubnis, Hundesteuer und
            Veranstaltungsanzeige. Grundlage waren die FIM-Stammtexte und ein quelloffener
            Antragsassistent.
            """
        ),
        period_start=date(2022, 5, 1),
        period_end=date(2023, 9, 30),
        budget=Decimal("140000.00"),
        funding_programme="Förderrichtlinie E-Government des Freistaates Sachsen",
        results=text(
            """
            41 Prozent der Anträge dieser Leistungen kommen online; die Bearbeitungszeit sank im
            Mittel um vier Tage, weil Rückfragen wegen fehlender Angaben entfallen.
            """
        ),
        lessons_learned=text(
            """
            Erst den Prozess im Amt vereinfachen, dann digitalisieren. Die Anbindung der
            Fachverfahren über FIT-Connect dauerte länger als die Formulare selbst.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Bereitstellung eines Online-Antragsassistenten und Umsetzung von zwölf
            Antragsstrecken einschließlich Anbindung an die Fachverfahren.

            2. Anforderungen. Formulare auf Basis der FIM-Datenfelder; Anmeldung mit BundID;
            Übermittlung über FIT-Connect in XÖV-Formaten; Barrierefreiheit nach BITV 2.0;
            quelloffene Lizenz, die die Nachnutzung durch andere Kommunen erlaubt.
            """
        ),
        award_criteria=(
            ("Preis", 40),
            ("Qualität der Umsetzung", 30),
            ("Barrierefreiheit", 15),
            ("Nachnutzbarkeit", 15),
        ),
        contact=("Sabine Richter", "vergabe@neisseufer.example"),
        cpv_codes=("48000000-8", "72200000-7"),
        solutions=("ozg_forms",),
    ),
    DemoPilotProject(
        key="boddenhagen_lorawan",
        owner="boddenhagen",
        category=Category.connectivity,
        title="Stadtweites LoRaWAN-Netz der Hansestadt Boddenhagen",
        summary=(
            "14 Gateways versorgen Stadt und Ortsteile; auf dem Netz laufen heute Pegel, "
            "Parksensoren, Bodenfeuchte und Zähler der Stadtwerke."
        ),
        description=text(
            """
            Die Hansestadt hat im Modellprojekt ein eigenes LoRaWAN-Netz aufgebaut, das
            Stadtverwaltung, Stadtwerke und Schulen gemeinsam nutzen. Der Netzserver läuft im
            Rechenzentrum des Zweckverbands.
            """
        ),
        period_start=date(2021, 6, 1),
        period_end=date(2023, 5, 31),
        budget=Decimal("310000.00"),
        funding_programme=MPSC,
        results=text(
            """
            Abdeckung von 97 Prozent der bebauten Fläche; 1.800 Sensoren im Netz, davon 1.200
            Wasserzähler der Stadtwerke. Betriebskosten rund 9.000 Euro im Jahr.
            """
        ),
        lessons_learned=text(
            """
            Gateway-Standorte auf eigenen Gebäuden sparen Mieten. Eine klare Regel, wer Geräte ins
            Netz bringen darf, verhindert Wildwuchs.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Funkplanung, Lieferung und Montage von LoRaWAN-Gateways sowie
            Bereitstellung eines Netzservers mit Betrieb für fünf Jahre.

            2. Anforderungen. Abdeckung von mindestens 95 Prozent der bebauten Fläche (Indoor-Tiefe
            eine Wand); Netzserver nach LoRaWAN 1.0.4 mit Mandantenfähigkeit; Rohdaten über MQTT;
            Betrieb in Deutschland; vollständiger Export aller Gerätedaten bei Vertragsende.
            """
        ),
        award_criteria=(("Preis", 45), ("Funkplanung und Abdeckung", 35), ("Betriebskonzept", 20)),
        contact=("Birte Hansen", "vergabe@boddenhagen.example"),
        cpv_codes=("32400000-7", "64200000-8"),
        solutions=("lorawan_service", "lorawan_open"),
    ),
    DemoPilotProject(
        key="boddenhagen_sewer",
        owner="boddenhagen",
        category=Category.water,
        title="Füllstandsüberwachung im Kanalnetz",
        summary=(
            "40 Radarsensoren in Schächten und Regenüberlaufbecken; Überstau bei Starkregen wird "
            "früh erkannt, Entlastungen werden automatisch dokumentiert."
        ),
        description=text(
            """
            Nach zwei Starkregenereignissen mit Kellerüberflutungen hat der Eigenbetrieb Abwasser
            an kritischen Stellen Füllstandssensoren eingebaut. Die Sensoren nutzen das städtische
            LoRaWAN-Netz.
            """
        ),
        period_start=date(2023, 2, 1),
        period_end=date(2025, 1, 31),
        budget=Decimal("260000.00"),
        funding_programme="EFRE-Programm Mecklenburg-Vorpommern 2021-2027",
        results=text(
            """
            Zwei Engstellen im Netz identifiziert, die bei jedem Starkregen überstauen; ihre
            Sanierung ist im Wirtschaftsplan. Die Entlastungsberichte für die Wasserbehörde
            entstehen automatisch.
            """
        ),
        lessons_learned=text(
            """
            Sensoren vor Ort kalibrieren und die Schachttiefe aufmessen; Planunterlagen waren oft
            ungenau. Montage nur mit zwei Personen und Gaswarngerät.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Lieferung, Montage und Betrieb von Füllstandssensoren im Kanalnetz
            einschließlich Auswertungssoftware.

            2. Anforderungen. Berührungslose Radarmessung, Schutzart IP68, Ex-Schutz für Zone 1;
            Übertragung über LoRaWAN in das Netz der Stadt; Warnschwellen je Messstelle;
            automatische Dokumentation von Entlastungsereignissen; Daten über die OGC
            SensorThings API.
            """
        ),
        award_criteria=(("Preis", 40), ("Messgenauigkeit und Robustheit", 35), ("Auswertung", 25)),
        contact=("Birte Hansen", "vergabe@boddenhagen.example"),
        cpv_codes=("38000000-5", "90000000-7"),
        solutions=("sewer_levels",),
    ),
    DemoPilotProject(
        key="kleinmoorbach_lorawan",
        owner="kleinmoorbach",
        category=Category.connectivity,
        title="LoRaWAN im Dorf: drei Gateways, viele Anwendungen",
        summary=(
            "Eine Gemeinde mit 900 Menschen baut ohne Fördermittel ein Sensornetz auf – für "
            "Pegel am Mühlbach, Bodenfeuchte und die Heizung im Dorfgemeinschaftshaus."
        ),
        description=text(
            """
            Kleinmoorbach hat keine eigene IT-Abteilung. Zusammen mit dem örtlichen
            Elektrobetrieb und zwei Ehrenamtlichen wurden drei Gateways auf Feuerwehrhaus,
            Kirchturm und Wasserhochbehälter montiert. Der Netzserver läuft beim Landkreis mit.
            """
        ),
        period_start=date(2024, 3, 1),
        period_end=date(2024, 11, 30),
        budget=Decimal("14500.00"),
        funding_programme=None,
        results=text(
            """
            Das ganze Gemeindegebiet ist abgedeckt. Die Heizung im Dorfgemeinschaftshaus wird nun
            nach Belegung gesteuert und spart rund 2.000 Euro Heizkosten im Jahr; der Pegel am
            Mühlbach warnt die Freiwillige Feuerwehr.
            """
        ),
        lessons_learned=text(
            """
            Kleine Gemeinden können das, wenn sie Partner haben: den Landkreis für den
            Netzserver, das Kompetenzzentrum für Beratung. Eine Direktvergabe reichte wegen des
            geringen Auftragswerts; drei Vergleichsangebote schaffen trotzdem Sicherheit.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Lieferung und Montage von drei LoRaWAN-Gateways einschließlich
            Blitzschutz, Einbindung in den Netzserver des Landkreises und Einweisung.

            2. Anforderungen. Außengateways mit Mobilfunk- oder Glasfaser-Rückverbindung,
            Schutzart IP67, Betrieb an 230 V oder PoE; Nachweis der Abdeckung durch Messfahrt.
            """
        ),
        award_criteria=(("Preis", 60), ("Abdeckung laut Funkplanung", 25), ("Service vor Ort", 15)),
        contact=("Gisela Brandt", "vergabe@kleinmoorbach.example"),
        cpv_codes=("32400000-7",),
        solutions=("lorawan_open", "sensor_kit"),
    ),
    DemoPilotProject(
        key="kleinmoorbach_irrigation",
        owner="kleinmoorbach",
        category=Category.water,
        title="Smarte Bewässerung von Dorfanger und Friedhof",
        summary=(
            "Acht Bodenfeuchtesensoren zeigen, wann die Linden am Dorfanger Wasser brauchen; der "
            "Gemeindearbeiter gießt nur noch bei Bedarf."
        ),
        description=text(
            """
            In den trockenen Sommern musste der Gemeindearbeiter dreimal die Woche alle jungen
            Bäume gießen. Mit nachgebauten Bodenfeuchtesensoren aus dem Sensor-Baukasten des
            Kompetenzzentrums wird nur noch gegossen, wo es nötig ist.
            """
        ),
        period_start=date(2024, 4, 1),
        period_end=date(2024, 9, 30),
        budget=Decimal("6800.00"),
        funding_programme=None,
        results=text(
            """
            Halb so viele Gießfahrten wie im Vorjahr bei gleichem Zustand der Bäume; rund
            60 Kubikmeter Trinkwasser gespart.
            """
        ),
        lessons_learned="Sensoren mit Pflöcken markieren: einer wurde beim Mähen zerstört.",
        specification=text(
            """
            1. Gegenstand. Lieferung von Bodenfeuchtesensoren mit LoRaWAN und Einrichtung einer
            Kartenansicht für den Bauhof.

            2. Anforderungen. Messung in zwei Tiefen; Batterielaufzeit mindestens drei Jahre;
            Daten über die SensorThings API; quelloffene Firmware.
            """
        ),
        award_criteria=(("Preis", 70), ("Robustheit", 30)),
        contact=("Gisela Brandt", "vergabe@kleinmoorbach.example"),
        cpv_codes=("38000000-5",),
        solutions=("tree_irrigation",),
    ),
    DemoPilotProject(
        key="maarhausen_lighting",
        owner="maarhausen",
        category=Category.lighting,
        title="Insektenfreundliche Beleuchtung im Ortskern von Maarhausen",
        summary=(
            "95 Leuchten im Ortskern und am Maar-Rundweg auf warmweiße, abgeschirmte LED "
            "umgestellt – aus eigenen Mitteln, mit Amortisation in sieben Jahren."
        ),
        description=text(
            """
            Maarhausen liegt am Rand eines Naturschutzgebiets. Die alten Kugelleuchten strahlten in
            alle Richtungen und zogen Insekten an. Die Gemeinde hat sie ohne Fördermittel durch
            insektenfreundliche Leuchten ersetzt.
            """
        ),
        period_start=date(2023, 5, 1),
        period_end=date(2023, 11, 30),
        budget=Decimal("58000.00"),
        funding_programme=None,
        results=text(
            """
            Stromverbrauch der Beleuchtung um 61 Prozent gesunken, Himmelsaufhellung deutlich
            geringer. Die Naturschutzbehörde hat die Lösung anderen Gemeinden empfohlen.
            """
        ),
        lessons_learned=text(
            """
            Für kleine Stückzahlen sind die Preise hoch; eine gemeinsame Beschaffung mit
            Nachbargemeinden hätte nach unserer Schätzung 15 bis 20 Prozent gespart.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Lieferung und Montage insektenfreundlicher LED-Leuchten für Anliegerstraßen
            und Wege einschließlich Demontage der Altleuchten.

            2. Anforderungen. Lichtfarbe höchstens 2.200 K; Lichtstromanteil oberhalb der
            Horizontalen 0 Prozent; Lichtlenkung ausschließlich auf die Verkehrsfläche;
            Oberflächentemperatur des Gehäuses höchstens 60 °C; Anforderungen nach § 41a BNatSchG;
            Zhaga-Steckplatz für eine spätere Nachtabsenkung.

            3. Nachweise. Lichttechnische Berechnung nach DIN EN 13201, Datenblätter, Garantie
            mindestens acht Jahre.
            """
        ),
        award_criteria=(("Preis", 50), ("Insektenfreundlichkeit", 30), ("Garantie", 20)),
        contact=("Monika Eifler", "vergabe@maarhausen.example"),
        cpv_codes=("34928500-3",),
        solutions=("insect_friendly",),
    ),
    DemoPilotProject(
        key="uckerwalde_defects",
        owner="uckerwalde",
        category=Category.administration,
        title="Mängelmelder für die drei Ortsteile von Uckerwalde",
        summary=(
            "Bürgerinnen und Bürger melden Schäden online; die Gemeinde nutzt dafür ohne eigene "
            "IT den Mängelmelder des Kompetenzzentrums."
        ),
        description=text(
            """
            Die Gemeinde hat drei Ortsteile und einen Gemeindearbeiter. Meldungen kamen bisher
            per Telefon an die Bürgermeisterin. Jetzt landen sie mit Foto und Ort in einer Liste,
            die Bürgermeisterin, Amtsverwaltung und Gemeindearbeiter gemeinsam bearbeiten.
            """
        ),
        period_start=date(2024, 2, 1),
        period_end=date(2024, 7, 31),
        budget=Decimal("3200.00"),
        funding_programme=None,
        results=text(
            """
            146 Meldungen im ersten Halbjahr, 90 Prozent innerhalb von zwei Wochen erledigt. Ältere
            Menschen nutzen weiter das Telefon; die Amtsverwaltung trägt diese Meldungen ein.
            """
        ),
        lessons_learned="Wenige Kategorien genügen; zu viele Auswahlmöglichkeiten verwirrten.",
        specification=text(
            """
            1. Gegenstand. Bereitstellung eines Mängelmelders als Dienst einschließlich Einrichtung
            der Kategorien und Zuständigkeiten.

            2. Anforderungen. Meldung über Website und App mit Foto und Standort; öffentlicher
            Bearbeitungsstand; Schnittstelle nach Open311 GeoReport v2; Barrierefreiheit nach
            BITV 2.0; Betrieb in Deutschland.
            """
        ),
        award_criteria=(("Preis", 60), ("Bedienbarkeit", 40)),
        contact=("Uwe Seeger", "vergabe@uckerwalde.example"),
        cpv_codes=("48000000-8",),
        solutions=("defect_reports",),
    ),
    DemoPilotProject(
        key="uckerwalde_energy",
        owner="uckerwalde",
        category=Category.energy,
        title="Energiemonitoring in Kita, Schule und Gemeindezentrum",
        summary=(
            "Funkzähler und ein offenes Energiedatenportal zeigen den Verbrauch der drei größten "
            "Gebäude der Gemeinde; die Heizkosten sanken um 18 Prozent."
        ),
        description=text(
            """
            Die drei Gebäude verursachen 80 Prozent der Energiekosten der Gemeinde. Mit
            funkauslesbaren Zählern und einem offenen Energiedatenportal sehen Hausmeister und
            Kita-Leitung den Verbrauch täglich.
            """
        ),
        period_start=date(2023, 9, 1),
        period_end=date(2024, 8, 31),
        budget=Decimal("22000.00"),
        funding_programme=None,
        results=text(
            """
            Heizkosten um 18 Prozent gesenkt, vor allem durch angepasste Heizzeiten am Wochenende
            und in den Ferien; die Investition hat sich nach gut einem Jahr bezahlt gemacht.
            """
        ),
        lessons_learned=text(
            """
            Die Hausmeister von Anfang an einbeziehen: Sie kennen die Anlagen und setzen die
            Änderungen um.
            """
        ),
        specification=text(
            """
            1. Gegenstand. Lieferung und Montage funkauslesbarer Zähler für Strom und Wärme in drei
            Gebäuden und Bereitstellung eines Energiedatenportals.

            2. Anforderungen. Zähler mit wireless M-Bus oder LoRaWAN; Messwerte mindestens
            stündlich; Portal mit Vergleich zum Vorjahr und Witterungsbereinigung; Export als CSV.
            """
        ),
        award_criteria=(("Preis", 55), ("Qualität der Auswertung", 30), ("Montage und Service", 15)),
        contact=("Uwe Seeger", "vergabe@uckerwalde.example"),
        cpv_codes=("38551000-2", "48000000-8"),
        solutions=("energy_meters", "energy_portal"),
    ),
    DemoPilotProject(
        key="birkenfelde_pv",
        owner="birkenfelde",
        category=Category.energy,
        title="Photovoltaik auf Feuerwehrhaus und Bauhof",
        summary="Entwurf: zwei Dachanlagen mit zusammen 96 kWp, Bericht in Arbeit.",
        description=text(
            """
            Die Gemeinde plant zwei Dachanlagen mit Batteriespeicher; der Eintrag wird nach
            Abschluss der Ausschreibung ergänzt.
            """
        ),
        period_start=date(2025, 3, 1),
        period_end=None,
        budget=Decimal("145000.00"),
        funding_programme=None,
        results="",
        lessons_learned="",
        specification=text(
            """
            1. Gegenstand. Planung, Lieferung und Errichtung von zwei Photovoltaik-Dachanlagen
            mit zusammen 96 kWp und einem Batteriespeicher.
            """
        ),
        award_criteria=(("Preis", 60), ("Ertragsprognose", 25), ("Wartung", 15)),
        contact=("Bernd Beschaffer", "vergabe@birkenfelde.example"),
        cpv_codes=("09331000-8", "45000000-7"),
        solutions=("rooftop_pv",),
        status=EntryStatus.draft,
    ),
]

# --- needs (Bedarfe) ----------------------------------------------------------------------
#
# Open needs of different municipalities with the same CPV group (first 5 digits) and
# overlapping delivery periods are what bundling proposes to buy together (§ 4 VgV):
#   34928 street lighting: five municipalities, together above the EU threshold for
#         municipalities (216,000 EUR net in 2026-2027), each one far below it;
#   34926 parking sensors: three municipalities, together below the threshold;
#   32400 LoRaWAN networks: three small municipalities without funding, below the threshold.
# The rest matches nothing: a single need of its group, a period years apart, or a draft.
# Delivery periods are whole months counted from the day of seeding, so they stay ahead.


@dataclass(frozen=True)
class DemoNeed:
    owner: str  # organisation key (a municipality)
    title: str
    description: str
    cpv_code: str
    quantity: Decimal
    unit: str
    estimated_value: Decimal  # EUR net (§ 3 VgV)
    starts_in_months: int  # delivery from the first day of the month this many months ahead
    lasts_months: int  # ... until the last day of the month this many months later
    place_of_performance: str
    status: NeedStatus = NeedStatus.open
    source_pilot: str | None = None  # key of PILOT_PROJECTS: specification and criteria reused
    source_solution: str | None = None  # key of SOLUTIONS


NEEDS = [
    # --- 34928: LED street lighting, above the EU threshold together ----------------------
    DemoNeed(
        owner="talheim",
        title="LED-Straßenleuchten für die Wohngebiete, 2. Bauabschnitt",
        description=text(
            """
            Nach der Kernstadt sollen die Wohngebiete Lauterblick und Am Weinberg auf LED
            umgerüstet werden: 280 Mastaufsatzleuchten für Anliegerstraßen mit Steuerknoten für
            die vorhandene Lichtsteuerung. Leistungsbeschreibung aus dem 1. Bauabschnitt.
            """
        ),
        cpv_code="34928500-3",
        quantity=Decimal("280"),
        unit="Stück",
        estimated_value=Decimal("92400.00"),
        starts_in_months=4,
        lasts_months=7,
        place_of_performance="Talheim an der Lauter, Wohngebiete Lauterblick und Am Weinberg",
        source_pilot="talheim_led",
        source_solution="led_luminaires",
    ),
    DemoNeed(
        owner="birkenfelde",
        title="LED-Umrüstung Ortsdurchfahrt und Gewerbegebiet Süd",
        description=text(
            """
            160 Leuchten an der Ortsdurchfahrt (Beleuchtungsklasse M4) und im Gewerbegebiet Süd
            sollen durch LED-Leuchten mit Zhaga-Steckplatz ersetzt werden. Die Masten bleiben.
            """
        ),
        cpv_code="34928500-3",
        quantity=Decimal("160"),
        unit="Stück",
        estimated_value=Decimal("56000.00"),
        starts_in_months=5,
        lasts_months=7,
        place_of_performance="Birkenfelde, Hauptstraße und Gewerbegebiet Süd",
        source_solution="led_luminaires",
    ),
    DemoNeed(
        owner="kleinmoorbach",
        title="LED-Leuchten mit Nachtabsenkung für den Ortskern",
        description=text(
            """
            45 Leuchten im Ortskern und an der Kreisstraße sind über 30 Jahre alt. Gesucht werden
            LED-Leuchten mit Nachtabsenkung; die Leistungsbeschreibung der Stadt Talheim wird
            nachgenutzt. Allein wäre die Stückzahl für gute Preise zu klein.
            """
        ),
        cpv_code="34928500-3",
        quantity=Decimal("45"),
        unit="Stück",
        estimated_value=Decimal("17100.00"),
        starts_in_months=3,
        lasts_months=7,
        place_of_performance="Kleinmoorbach, Ortskern und Kreisstraße",
        source_pilot="talheim_led",
    ),
    DemoNeed(
        owner="uckerwalde",
        title="LED-Straßenleuchten für die Ortsteile Lindow, Griebenow und Seehof",
        description=text(
            """
            120 Straßenleuchten in drei Ortsteilen sollen ersetzt werden. Die Gemeinde hat keine
            Fördermittel und möchte sich einer gemeinsamen Ausschreibung anschließen.
            """
        ),
        cpv_code="34928500-3",
        quantity=Decimal("120"),
        unit="Stück",
        estimated_value=Decimal("43200.00"),
        starts_in_months=6,
        lasts_months=7,
        place_of_performance="Uckerwalde, Ortsteile Lindow, Griebenow und Seehof",
    ),
    DemoNeed(
        owner="maarhausen",
        title="Insektenfreundliche LED-Leuchten für das Neubaugebiet Am Maarblick",
        description=text(
            """
            Für das Neubaugebiet werden 38 Leuchten mit 2.200 K benötigt, wie sie die Gemeinde im
            Ortskern bereits verwendet. Leistungsbeschreibung aus dem eigenen Projekt.
            """
        ),
        cpv_code="34928500-3",
        quantity=Decimal("38"),
        unit="Stück",
        estimated_value=Decimal("14800.00"),
        starts_in_months=4,
        lasts_months=7,
        place_of_performance="Maarhausen, Neubaugebiet Am Maarblick",
        source_pilot="maarhausen_lighting",
        source_solution="insect_friendly",
    ),
    # same group, but years later: overlaps with none of the above
    DemoNeed(
        owner="neisseufer",
        title="LED-Leuchten für den Altstadtring nach der Sanierung",
        description=text(
            """
            Nach der Sanierung des Altstadtrings sollen 90 Leuchten in historischer Laternenform
            montiert werden. Der Zeitpunkt hängt vom Bauablauf ab und liegt fast zwei Jahre
            voraus.
            """
        ),
        cpv_code="34928500-3",
        quantity=Decimal("90"),
        unit="Stück",
        estimated_value=Decimal("36000.00"),
        starts_in_months=20,
        lasts_months=7,
        place_of_performance="Neißeufer, Altstadtring",
    ),
    # same group and period, but still a draft: not offered for bundling
    DemoNeed(
        owner="boddenhagen",
        title="LED-Leuchten für das Hafenviertel",
        description=text(
            """
            Entwurf des Bauamts: 70 Leuchten im Hafenviertel. Die Stückzahl wird noch mit den
            Stadtwerken abgestimmt.
            """
        ),
        cpv_code="34928500-3",
        quantity=Decimal("70"),
        unit="Stück",
        estimated_value=Decimal("25200.00"),
        starts_in_months=4,
        lasts_months=7,
        place_of_performance="Boddenhagen, Hafenviertel",
        status=NeedStatus.draft,
    ),
    # --- 34926: parking sensors, below the EU threshold together ------------------------
    DemoNeed(
        owner="wiesental",
        title="Stellplatzsensoren für Innenstadt und Bahnhofsumfeld",
        description=text(
            """
            180 Stellplätze in der Innenstadt und am Bahnhof sollen mit Sensoren ausgestattet
            werden; die Belegung soll auf der Urbanen Datenplattform der Stadt erscheinen.
            """
        ),
        cpv_code="34926000-4",
        quantity=Decimal("180"),
        unit="Stück",
        estimated_value=Decimal("41400.00"),
        starts_in_months=3,
        lasts_months=6,
        place_of_performance="Wiesental, Innenstadt und Bahnhofstraße",
        source_pilot="birkenfelde_parking",
        source_solution="parking_sensors",
    ),
    DemoNeed(
        owner="neisseufer",
        title="Parksensorik für die Altstadt",
        description=text(
            """
            120 Stellplätze rund um den Obermarkt; die Daten sollen als offene Daten veröffentlicht
            und im Parkleitsystem angezeigt werden.
            """
        ),
        cpv_code="34926000-4",
        quantity=Decimal("120"),
        unit="Stück",
        estimated_value=Decimal("28800.00"),
        starts_in_months=4,
        lasts_months=6,
        place_of_performance="Neißeufer, Altstadt",
        source_pilot="birkenfelde_parking",
    ),
    DemoNeed(
        owner="nordhafen",
        title="Stellplatzsensoren Fährterminal",
        description=text(
            """
            Erweiterung der Sensorik von der Hafenpromenade auf 60 Stellplätze am Fährterminal.
            """
        ),
        cpv_code="34926000-4",
        quantity=Decimal("60"),
        unit="Stück",
        estimated_value=Decimal("15600.00"),
        starts_in_months=5,
        lasts_months=6,
        place_of_performance="Nordhafen, Fährterminal",
        source_solution="parking_sensors",
    ),
    # --- 32400: LoRaWAN networks of small municipalities, below the threshold -----------
    DemoNeed(
        owner="kleinmoorbach",
        title="Zwei weitere LoRaWAN-Gateways für die Ortsteile",
        description=text(
            """
            Das Netz aus dem eigenen Projekt soll auf die Ortsteile Moorhof und Bruchdorf
            erweitert werden: drei Gateways einschließlich Montage und fünf Jahren Betrieb.
            """
        ),
        cpv_code="32400000-7",
        quantity=Decimal("3"),
        unit="Gateway",
        estimated_value=Decimal("9600.00"),
        starts_in_months=3,
        lasts_months=7,
        place_of_performance="Kleinmoorbach, Ortsteile Moorhof und Bruchdorf",
        source_pilot="kleinmoorbach_lorawan",
    ),
    DemoNeed(
        owner="uckerwalde",
        title="LoRaWAN-Grundversorgung für drei Ortsteile",
        description=text(
            """
            Für Energiemonitoring, Pegel und Bodenfeuchte braucht die Gemeinde ein Sensornetz:
            vier Gateways mit Montage und fünf Jahren Betrieb.
            """
        ),
        cpv_code="32400000-7",
        quantity=Decimal("4"),
        unit="Gateway",
        estimated_value=Decimal("12800.00"),
        starts_in_months=4,
        lasts_months=7,
        place_of_performance="Uckerwalde, Ortsteile Lindow, Griebenow und Seehof",
        source_pilot="kleinmoorbach_lorawan",
        source_solution="lorawan_open",
    ),
    DemoNeed(
        owner="maarhausen",
        title="LoRaWAN-Netz für Sensorik im Gemeindegebiet",
        description=text(
            """
            Zwei Gateways auf Feuerwehrhaus und Wasserhochbehälter für Pegel am Maarbach und
            Zähler in den Gemeindegebäuden.
            """
        ),
        cpv_code="32400000-7",
        quantity=Decimal("2"),
        unit="Gateway",
        estimated_value=Decimal("6900.00"),
        starts_in_months=3,
        lasts_months=6,
        place_of_performance="Maarhausen",
        source_solution="lorawan_service",
    ),
    # --- needs that match nothing ---------------------------------------------------------
    DemoNeed(
        owner="boddenhagen",
        title="Funk-Wasserzähler für die Wasserversorgung",
        description=text(
            """
            Austausch von 2.400 Hauswasserzählern nach Ablauf der Eichfrist gegen funkauslesbare
            Ultraschallzähler, die über das städtische LoRaWAN-Netz abgelesen werden.
            """
        ),
        cpv_code="38421100-3",
        quantity=Decimal("2400"),
        unit="Stück",
        estimated_value=Decimal("156000.00"),
        starts_in_months=6,
        lasts_months=12,
        place_of_performance="Boddenhagen, gesamtes Versorgungsgebiet",
        source_solution="water_meters",
    ),
    DemoNeed(
        owner="talheim",
        title="Online-Terminvergabe für das Bürgerbüro",
        description=text(
            """
            Terminvergabe für Bürgerbüro und Standesamt mit Aufrufanlage, Laufzeit drei Jahre.
            """
        ),
        cpv_code="48000000-8",
        quantity=Decimal("1"),
        unit="Lizenz (3 Jahre)",
        estimated_value=Decimal("7200.00"),
        starts_in_months=3,
        lasts_months=4,
        place_of_performance="Talheim an der Lauter, Rathaus",
        source_solution="appointments",
    ),
    DemoNeed(
        owner="nordhafen",
        title="Elektronische Sirenen für die Warnung der Bevölkerung",
        description=text(
            """
            Sechs netzunabhängige Sirenen mit Sprachdurchsage für Altstadt, Hafen und die
            Ortsteile, angesteuert über den BOS-Digitalfunk.
            """
        ),
        cpv_code="35100000-5",
        quantity=Decimal("6"),
        unit="Stück",
        estimated_value=Decimal("132000.00"),
        starts_in_months=6,
        lasts_months=10,
        place_of_performance="Nordhafen, Stadtgebiet",
        source_solution="sirens",
    ),
    # --- drafts ---------------------------------------------------------------------------
    DemoNeed(
        owner="wiesental",
        title="Erneuerung des Verkehrsrechners und zweier Knotenpunkte",
        description=text(
            """
            Entwurf: Der Verkehrsrechner aus dem Modellprojekt soll um zwei Knotenpunkte an der
            Nordumgehung erweitert werden. Kostenschätzung des Ingenieurbüros steht noch aus.
            """
        ),
        cpv_code="34996000-5",
        quantity=Decimal("2"),
        unit="Knotenpunkt",
        estimated_value=Decimal("145000.00"),
        starts_in_months=9,
        lasts_months=12,
        place_of_performance="Wiesental, Nordumgehung",
        status=NeedStatus.draft,
        source_pilot="wiesental_traffic",
    ),
    DemoNeed(
        owner="birkenfelde",
        title="Luftqualitätssensoren an Schulwegen",
        description=text(
            """
            Entwurf: zwölf Sensoren für Feinstaub und Stickstoffdioxid an den Schulwegen der
            Grundschule und der Gesamtschule.
            """
        ),
        cpv_code="38000000-5",
        quantity=Decimal("12"),
        unit="Stück",
        estimated_value=Decimal("9600.00"),
        starts_in_months=4,
        lasts_months=6,
        place_of_performance="Birkenfelde, Schulwege",
        status=NeedStatus.draft,
        source_solution="air_quality",
    ),
]
