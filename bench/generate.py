"""Bulk test data for benchmarks: municipalities, vendors, solutions, pilot projects, needs.

Realistic German texts from word lists, categories, CPV codes of the built-in vocabulary,
Decimal costs, real NUTS-3 codes; deterministic for a seed. Rows go in with bulk INSERTs
(explicit ids; PostgreSQL sequences are moved past them), then the search index is rebuilt.

As a library (inside an app context, or with any SQLAlchemy session on a migrated database)::

    from generate import generate_dataset, generate_needs, need_rows
    stats = generate_dataset(session, solutions=100_000, needs=20_000)
    generate_needs(session, 20_000)        # open needs of (generated) municipalities
    rows = need_rows(20_000)               # plain dicts, no database (e.g. for bundling)

From the shell (migrates the database first; the caller's database is changed!)::

    .venv/bin/python bench/generate.py --database-url sqlite:////tmp/x.sqlite \
        --solutions 100000 --needs 20000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from procurement.accounts.models import Organisation, OrganisationKind
from procurement.marketplace.models import (
    Category,
    PilotProject,
    PilotProjectCpv,
    Solution,
    SolutionCpv,
    pilot_solutions,
)
from procurement.needs.models import Need
from procurement.reference.cpv import built_in_vocabulary
from workflows.curation import EntryStatus
from workflows.need import NeedStatus
from xrechnung.leitweg import leitweg_check_digits

DEFAULT_SEED = 2026
_BATCH = 5000

# --- vocabulary -----------------------------------------------------------------------------
# Word lists as "|"-separated strings (compact); a description combines a product, features,
# benefits, standards and general sentences, so that a specific word occurs in a few per cent
# of the entries, as in a real catalogue, and a general word in many.


def _words(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


@dataclass(frozen=True)
class Theme:
    """Words and codes of one marketplace category."""

    products: tuple[str, ...]  # what is offered (title nouns)
    features: tuple[str, ...]  # "mit ..." phrases
    benefits: tuple[str, ...]  # sentences on the benefit
    standards: tuple[str, ...]
    cpv: tuple[str, ...]  # codes of the built-in vocabulary
    cost: tuple[int, int]  # typical cost range in EUR (low, high)
    units: tuple[str, ...]  # units of needs


def _theme(
    products: str, features: str, benefits: str, standards: str, cpv: str, cost: tuple[int, int], units: str
) -> Theme:
    return Theme(
        _words(products),
        _words(features),
        _words(benefits),
        _words(standards),
        _words(cpv),
        cost,
        _words(units),
    )


THEMES: dict[Category, Theme] = {
    Category.traffic: _theme(
        "Ampelsteuerung|Verkehrsrechner|Lichtsignalanlage|Verkehrszählung|Radarsensor für Kreuzungen|"
        "Busbeschleunigung|Verkehrsdatenplattform|Fußgängererkennung|Grüne Welle für Radfahrende|"
        "Baustellenmanagement|Verkehrslagebild|Knotenpunktsteuerung|Radverkehrszähler|Wechselverkehrszeichen|"
        "Dynamische Verkehrsinformation|Verkehrsmodell|Schulwegsicherung|Tempoanzeige|Lkw-Routing|"
        "Umweltsensitives Verkehrsmanagement|Pförtnerampel|Querungshilfe mit Anforderung|"
        "Verkehrsleitzentrale",
        "adaptiver Grünzeitberechnung|Wärmebildkameras|Anbindung an den Verkehrsrechner|ÖPNV-Priorisierung|"
        "Echtzeitprognose|datenschutzkonformer Erfassung|Seitenradar|Induktionsschleifen|"
        "Bluetooth-Reisezeitmessung|"
        "Floating Car Data|Fernparametrierung|Störungsmanagement|Auswertung nach Fahrzeugklassen|"
        "Solarversorgung",
        "Wartezeiten an Kreuzungen sinken messbar.|Busse und Rettungsfahrzeuge erhalten Vorrang an Ampeln.|"
        "Die Verkehrsplanung erhält belastbare Zähldaten.|Rückstaus werden früh erkannt und umgeleitet.|"
        "Der Radverkehr wird sichtbar und planbar.|Emissionen an Hauptverkehrsstraßen gehen zurück.|"
        "Schulkinder queren sicherer.|Baustellen werden mit weniger Stau abgewickelt.",
        "OCIT-O|OCIT-C|DATEX II|MQTT|OpenAPI|NTCIP|TLS over IP|GTFS",
        "34996000-5|34923000-3|34970000-2|50232000-0",
        (8_000, 250_000),
        "Knotenpunkte|Lichtsignalanlagen|Zählstellen|Stück",
    ),
    Category.parking: _theme(
        "Parkraumsensorik|Parkleitsystem|Parkplatzbelegung in Echtzeit|Digitales Anwohnerparken|"
        "Parkschein-App|"
        "Ladesäulenmanagement|Parkhaussteuerung|Kennzeichenerkennung für Parkhäuser|Lieferzonenmanagement|"
        "Behindertenparkplatz-Monitoring|Park-and-Ride-Auslastung|Digitale Parkraumbewirtschaftung|"
        "Handyparken|Fahrradparkhaus|Parkraumkonzept als Dienstleistung",
        "Bodensensoren|Kamerazählung an Zufahrten|dynamischen Anzeigetafeln|Anbindung an Navigationsdienste|"
        "LoRaWAN-Funk|Schrankenanbindung|Tarifmodul|Kontrollgeräten für den Außendienst|"
        "Prognose der Auslastung|"
        "bargeldloser Zahlung",
        "Der Parksuchverkehr in der Innenstadt nimmt ab.|Freie Stellplätze werden in Echtzeit angezeigt.|"
        "Die Kontrolle des ruhenden Verkehrs wird effizienter.|"
        "Lieferverkehr hält nicht mehr in zweiter Reihe.|"
        "Pendler finden schneller einen Platz am Bahnhof.",
        "LoRaWAN|DATEX II|OCPP|OpenAPI|MQTT|APDS",
        "34926000-4|34920000-2|48000000-8",
        (5_000, 180_000),
        "Stellplätze|Sensoren|Parkhäuser|Ladepunkte",
    ),
    Category.lighting: _theme(
        "LED-Straßenbeleuchtung|Lichtmanagementsystem|Smarte Straßenlaterne|Bedarfsgerechte Beleuchtung|"
        "Leuchtenfernsteuerung|Beleuchtungskataster|Mastsanierung|Beleuchtung von Radwegen|"
        "Fußgängerüberweg-Beleuchtung|"
        "Parkbeleuchtung|Solarleuchte|Leuchtenkopf-Tausch|Lichtplanung|Beleuchtungscontracting",
        "Bewegungsmeldern|Dimmprofilen für die Nacht|Fernwartung|insektenfreundlicher Lichtfarbe|"
        "Störungsmeldung per Funk|Astrouhr|Konstantlichtstromregelung|Zhaga-Sockel|"
        "Energieverbrauchsmessung je Leuchte",
        "Der Stromverbrauch der Straßenbeleuchtung sinkt um mehr als die Hälfte.|"
        "Defekte Leuchten melden sich selbst.|"
        "Die Lichtverschmutzung wird verringert.|Wege sind nachts sicherer.|Wartungsfahrten werden planbar.",
        "TALQ|DALI-2|Zhaga|LoRaWAN|NB-IoT|D4i",
        "34928500-3|31520000-7|31500000-1|45316110-9|50232000-0",
        (10_000, 400_000),
        "Leuchten|Lichtpunkte|Straßenkilometer",
    ),
    Category.energy: _theme(
        "Energiemanagementsystem|Photovoltaik auf Dachflächen|Lastmanagement|Smart-Meter-Auswertung|"
        "Energiemonitoring für Liegenschaften|Wärmeplanung|Quartierspeicher|Gebäudeautomation|"
        "Heizungsoptimierung|"
        "Ladeinfrastruktur für den Fuhrpark|Mieterstrom|Balkonkraftwerke für Schulen|"
        "Energieausweis-Verwaltung|"
        "Abwärmenutzung|Virtuelles Kraftwerk",
        "Zählerfernauslesung|Prognose des Eigenverbrauchs|Berichten nach ISO 50001|Batteriespeicher|"
        "Anbindung an die Gebäudeleittechnik|Wetterprognose|Lastspitzenkappung|Dashboard für Hausmeister|"
        "CO2-Bilanz|dynamischen Stromtarifen",
        "Die Energiekosten kommunaler Gebäude sinken.|Der Eigenverbrauch von Solarstrom steigt.|"
        "Die kommunale Wärmeplanung erhält eine Datengrundlage.|Lastspitzen werden vermieden.|"
        "Die Klimabilanz der Verwaltung wird messbar.",
        "OCPP|EEBus|Modbus|SML|OpenAPI|BACnet|KNX",
        "09330000-1|09331000-8|09310000-5|38551000-2|65300000-6",
        (15_000, 600_000),
        "Liegenschaften|kWp|Zähler|Ladepunkte",
    ),
    Category.water: _theme(
        "Funkwasserzähler|Kanalnetzüberwachung|Pegelmessung|Leckageortung im Trinkwassernetz|"
        "Regenüberlaufbecken-Monitoring|Kläranlagensteuerung|Hydrantenüberwachung|Grundwassermessstellen|"
        "Starkregenvorsorge|Trinkbrunnen-Monitoring|Pumpwerksfernwirkung|Zisternensteuerung",
        "Ultraschallmessung|Alarmierung bei Grenzwerten|Fernauslesung|hydraulischem Modell|Solarversorgung|"
        "Druckmanagement|Kamerabefahrung|Niederschlagsradar|Fernwirktechnik",
        "Wasserverluste im Netz werden früh erkannt.|Die Ablesung der Wasserzähler entfällt vor Ort.|"
        "Starkregenereignisse werden besser beherrscht.|Pumpwerke laufen energiesparend.|"
        "Grenzwertüberschreitungen werden sofort gemeldet.",
        "wM-Bus|LoRaWAN|OGC SensorThings API|MQTT|IEC 60870-5-104",
        "38421100-3|65100000-4|90000000-7",
        (5_000, 300_000),
        "Zähler|Messstellen|Pegel|Pumpwerke",
    ),
    Category.environment: _theme(
        "Luftqualitätsmessnetz|Baumbewässerung mit Bodenfeuchtesensoren|Lärmmessung|"
        "Hitzeaktionsplan-Dashboard|"
        "Stadtklimaanalyse|Abfallbehälter-Füllstand|Pollenmonitoring|Wildblumenwiesen-Pflegeplanung|"
        "Gewässergüte-Monitoring|Biodiversitätskartierung|Grünflächenkataster|Klimaanpassungskonzept|"
        "Feinstaubwarnung|Müllsammelrouten-Optimierung",
        "Feinstaubsensoren|Bodenfeuchtemessung|Kartendarstellung|Schwellenwertwarnungen|offenen Messdaten|"
        "Satellitendaten|Bürgerbeteiligung|Tourenplanung|Fotodokumentation",
        "Stadtbäume werden nur bei Bedarf bewässert.|Die Luftqualität wird flächendeckend sichtbar.|"
        "Hitzeinseln im Stadtgebiet werden erkannt.|Leerungsfahrten werden eingespart.|"
        "Grünflächen werden artenreicher gepflegt.",
        "OGC SensorThings API|LoRaWAN|FIWARE NGSI-LD|MQTT|INSPIRE",
        "90700000-4|38000000-5|90000000-7",
        (3_000, 150_000),
        "Sensoren|Messstationen|Bäume|Behälter",
    ),
    Category.disaster_protection: _theme(
        "Sirenensteuerung|Hochwasserfrühwarnsystem|Warn-App-Anbindung|Lagebild für den Katastrophenschutz|"
        "Waldbrandfrüherkennung|Notfalltreffpunkte|Einsatzleitsoftware|Katastrophenschutz-Leuchttürme|"
        "Stromausfall-Vorsorge|Deichüberwachung|Bevölkerungsinformation|Drohnen für die Lageerkundung",
        "Pegelprognose|Kameraerkennung von Rauch|Anbindung an MoWaS|Notstromversorgung|"
        "redundanter Funkstrecke|"
        "Satellitenkommunikation|Alarmierungskaskade|mehrsprachigen Warnungen",
        "Die Bevölkerung wird schneller gewarnt.|Einsatzkräfte sehen die Lage auf einer Karte.|"
        "Hochwasser wird Stunden früher erkannt.|Die Verwaltung bleibt auch bei Stromausfall handlungsfähig.",
        "CAP|TETRA|LoRaWAN|OpenAPI|EDXL",
        "35100000-5|35120000-1|35000000-4|32000000-3",
        (20_000, 800_000),
        "Sirenen|Messstellen|Stück|Standorte",
    ),
    Category.open_data: _theme(
        "Open-Data-Portal|Urbane Datenplattform|Digitaler Zwilling|Datenkatalog|Dashboard für Stadtdaten|"
        "Geodateninfrastruktur|3D-Stadtmodell|Datenraum für Kommunen|Haushaltsvisualisierung|"
        "Statistikportal|Fahrplandaten-Bereitstellung|Datenstrategie-Beratung",
        "DCAT-AP.de-Metadaten|offenen Schnittstellen|3D-Stadtmodell|Rollen- und Rechtekonzept|"
        "Harvesting für GovData|"
        "Datenqualitätsprüfung|Anonymisierung|Echtzeitdaten|Kartenviewer",
        "Verwaltung, Wirtschaft und Bürgerschaft nutzen dieselben Daten.|"
        "Datensätze werden automatisch an GovData gemeldet.|"
        "Planungen werden im digitalen Zwilling anschaulich.|"
        "Anfragen nach dem Informationsfreiheitsgesetz werden seltener.",
        "DCAT-AP.de|FIWARE NGSI-LD|CityGML|OGC API Features|GTFS|WMS",
        "48000000-8|48600000-4|72300000-8|72000000-5",
        (10_000, 500_000),
        "Lizenzen|Datensätze|Nutzer",
    ),
    Category.connectivity: _theme(
        "LoRaWAN-Netz|Öffentliches WLAN|Sensornetz für die Stadt|Glasfaser-Monitoring|IoT-Plattform|"
        "Funkmast-Mitnutzung|Campusnetz|Gateway-Betrieb|Netzplanung für Gewerbegebiete|Mobilfunkmessung",
        "Gateways auf kommunalen Gebäuden|Netzmanagement|Geräteverwaltung|Ende-zu-Ende-Verschlüsselung|"
        "offener Netzarchitektur|Abdeckungskarten|Netzbetrieb als Dienstleistung",
        "Sensoren aller Fachbereiche teilen sich ein Netz.|Die Abdeckung reicht bis in die Ortsteile.|"
        "Betriebskosten für Funkverträge entfallen.|Funklöcher werden dokumentiert.",
        "LoRaWAN|NB-IoT|MQTT|OpenAPI|IEEE 802.11ax|5G",
        "32400000-7|64200000-8|32000000-3|51000000-9",
        (5_000, 350_000),
        "Gateways|Zugangspunkte|Sensoren",
    ),
    Category.administration: _theme(
        "Bürgerportal|Digitale Antragsstrecke|Terminvereinbarung|Mängelmelder|E-Akte|Ratsinformationssystem|"
        "Chatbot für Bürgeranfragen|Digitale Bauakte|Online-Kfz-Zulassung|Fundbüro online|Vergabeplattform|"
        "E-Rechnungs-Eingang|Dokumentenscanning|Hundesteuer online|Elektronische Wahlhelfer-Verwaltung",
        "Anbindung an das Servicekonto|XÖV-Schnittstellen|barrierefreier Oberfläche|"
        "Ende-zu-Ende-Verschlüsselung|"
        "OZG-Leistungen|Zahlungsanbindung|Formularbaukasten|Schnittstelle zum Fachverfahren|Mehrsprachigkeit",
        "Anträge werden vollständig digital bearbeitet.|Bürgerinnen und Bürger sparen Wege ins Rathaus.|"
        "Die Bearbeitungszeit sinkt deutlich.|Papierakten entfallen.|Rückfragen werden seltener.",
        "XÖV|OZG|FIT-Connect|OpenAPI|BITV 2.0|XRechnung",
        "48000000-8|72200000-7|72000000-5|72400000-4|48800000-6",
        (5_000, 450_000),
        "Lizenzen|Arbeitsplätze|Verfahren",
    ),
}

_ADJECTIVES = _words(
    "Intelligente|Vernetzte|Modulare|Offene|Cloudbasierte|Kommunale|Skalierbare|Energieeffiziente|Robuste|"
    "Interoperable|Datensparsame|Wartungsarme|Mandantenfähige|Barrierefreie"
)
_CONTEXT = _words(
    "für Kleinstädte|für Landkreise|für Mittelstädte|für Großstädte|im ländlichen Raum|für Gemeindeverbünde|"
    "im Mietmodell|als Komplettpaket|mit Betriebsführung|als Open-Source-Lösung|für Zweckverbände|"
    "mit Förderberatung"
)
_GENERIC = _words(
    "Die Lösung ist in mehreren Kommunen im Einsatz und wird laufend weiterentwickelt.|"
    "Schulungen für die Verwaltung und ein Supportvertrag sind enthalten.|"
    "Der Betrieb erfolgt in einem Rechenzentrum in Deutschland.|Die Daten bleiben im Eigentum der Kommune.|"
    "Eine Ausschreibung kann losweise nach Hardware, Installation und Betrieb erfolgen.|"
    "Die Einführung dauert typischerweise drei bis sechs Monate.|"
    "Bestehende Anlagen verschiedener Hersteller werden eingebunden.|"
    "Eine Leistungsbeschreibung zur Nachnutzung steht zur Verfügung.|"
    "Ein Pilotbetrieb über sechs Monate ist möglich.|"
    "Die Abrechnung erfolgt monatlich nach Anzahl der Geräte.|"
    "Das Rechte- und Rollenkonzept ist mit dem Datenschutz abgestimmt.|"
    "Die Weboberfläche funktioniert im Browser ohne Installation.|"
    "Die Hardware ist für den Außeneinsatz nach IP67 geschützt.|"
    "Updates werden ohne Unterbrechung des Betriebs eingespielt.|"
    "Eine Anbindung an bestehende Geoinformationssysteme ist vorgesehen.|"
    "Der Hersteller bietet eine Hotline an Werktagen von 7 bis 18 Uhr.|"
    "Für kleine Gemeinden gibt es ein Einstiegspaket.|"
    "Referenzen aus Baden-Württemberg, Hessen und Niedersachsen liegen vor.|"
    "Die Wartung kann auch durch den örtlichen Bauhof erfolgen.|"
    "Alle Schnittstellen sind offen dokumentiert.|Das Angebot umfasst Planung, Lieferung und Montage.|"
    "Die Lösung wurde gemeinsam mit Kommunen entwickelt.|"
    "Ein Sicherheitskonzept nach BSI-Grundschutz liegt vor.|Die Laufzeit beträgt in der Regel fünf Jahre."
)
_LICENCES_OPEN = _words("EUPL-1.2|Apache-2.0|MIT|AGPL-3.0-or-later")
_LICENCES_CLOSED = _words("proprietär (Abonnement)|proprietär (Kauflizenz)|proprietär (SaaS)")
_PROGRAMMES = _words(
    "Modellprojekte Smart Cities (MPSC)|Digitale Zukunftskommune@bw|Förderprogramm Digitale Kommune Bayern|"
    "Klimaschutzinitiative (NKI)|Landesprogramm Smarte Region"
)
_TOWNS = _words(
    "Lauterbach|Eichenau|Birkenfelde|Talheim|Nordhafen|Seefeld|Altdorf|Neustadt|Bergheim|Rosenthal|Waldkirch|"
    "Hohenfels|Mühlbach|Lindenberg|Sonnenfeld|Kirchdorf|Steinbach|Ahrensfelde|Schönwalde|Hafenstedt"
)
_COMPANY_WORDS = _words("Stadtwerk|Urban|Kommunal|Signal|Licht|Daten|Netz|Sensor|Verkehr|Klima|Wasser|Smart")
_COMPANY_FORMS = _words("GmbH|AG|eG|GmbH & Co. KG|UG (haftungsbeschränkt)")
# Made-up product names: every vendor names its products.
_BRAND_PARTS = _words(
    "Civi|Urba|Terra|Lumi|Aqua|Flux|Nova|Polis|Vita|Quanta|Orbi|Stella|Vento|Sila|Kora|Mira|Tekto|Zentra"
)
_BRAND_ENDINGS = _words("flow|net|sense|line|grid|hub|lab|view|base|sphere|link|wave")

# Real NUTS-3 codes (NUTS 2021) by state code (first two AGS digits).
NUTS3: dict[str, tuple[str, ...]] = {
    "01": ("DEF02", "DEF03", "DEF0B", "DEF0C", "DEF0F"),
    "02": ("DE600",),
    "03": ("DE929", "DE922", "DE932", "DE944", "DE949"),
    "04": ("DE501", "DE502"),
    "05": ("DEA11", "DEA23", "DEA31", "DEA47", "DEA56", "DEA2C"),
    "06": ("DE712", "DE714", "DE717", "DE721", "DE731"),
    "07": ("DEB21", "DEB34", "DEB3E", "DEB12"),
    "08": ("DE111", "DE112", "DE118", "DE121", "DE131", "DE146"),
    "09": ("DE212", "DE21H", "DE254", "DE271", "DE22C", "DE236"),
    "10": ("DEC01", "DEC02", "DEC05"),
    "11": ("DE300",),
    "12": ("DE403", "DE405", "DE40A", "DE40I"),
    "13": ("DE803", "DE80J", "DE80N", "DE80O"),
    "14": ("DED21", "DED2D", "DED41", "DED51"),
    "15": ("DEE02", "DEE03", "DEE0C", "DEE0E"),
    "16": ("DEG01", "DEG02", "DEG0A", "DEG0N"),
}


@dataclass(frozen=True)
class Municipality:
    id: int
    name: str
    nuts_code: str


@dataclass(frozen=True)
class Organisations:
    municipalities: list[Municipality]
    vendor_ids: list[int]


@dataclass(frozen=True)
class DatasetStats:
    solutions: int
    pilot_projects: int
    needs: int
    municipalities: int
    vendors: int
    indexed: int
    seconds: float


# --- helpers -------------------------------------------------------------------------------


def _next_id(session: Session, model: Any) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def _insert(session: Session, target: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _BATCH):
        session.execute(insert(target), rows[start : start + _BATCH])


def _fix_sequences(session: Session, tables: Iterable[str]) -> None:
    """After explicit ids, move PostgreSQL's sequences past them (SQLite needs nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    value = rng.uniform(low, high)
    step = 100 if value < 20_000 else 1_000
    return Decimal(int(value // step * step)).quantize(Decimal("0.01"))


def _cost_range(rng: random.Random, theme: Theme) -> tuple[Optional[Decimal], Optional[Decimal]]:
    if rng.random() < 0.05:
        return None, None  # "auf Anfrage"
    low = _money(rng, theme.cost[0], theme.cost[1] / 2)
    high = low + _money(rng, theme.cost[0] / 2, theme.cost[1] / 2)
    return low, high


def _brand(rng: random.Random) -> str:
    return f"{rng.choice(_BRAND_PARTS)}{rng.choice(_BRAND_ENDINGS)} {rng.randint(1, 9)}"


def _sentence_list(rng: random.Random, theme: Theme, product: str, feature: str) -> str:
    features = rng.sample(theme.features, k=2)
    sentences = [
        f"{_brand(rng)}: {product} mit {feature}.",
        rng.choice(theme.benefits),
        f"Zum Umfang gehören {features[0]} und {features[1] if features[1] != feature else features[0]}.",
        f"Unterstützt werden {' und '.join(rng.sample(theme.standards, k=2))}.",
        *rng.sample(_GENERIC, k=3),
    ]
    return " ".join(sentences)


def _title(rng: random.Random, theme: Theme) -> tuple[str, str, str]:
    product = rng.choice(theme.products)
    feature = rng.choice(theme.features)
    adjective = rng.choice(_ADJECTIVES)
    pattern = rng.randrange(3)
    if pattern == 0:
        title = f"{product} mit {feature}"
    elif pattern == 1:
        title = f"{adjective} {product} {rng.choice(_CONTEXT)}"
    else:
        title = f"{product} {rng.choice(_CONTEXT)}"
    return title[:200], product, feature


# --- organisations -------------------------------------------------------------------------


def generate_organisations(
    session: Session, *, municipalities: int = 400, vendors: int = 200, rng: Optional[random.Random] = None
) -> Organisations:
    """Insert fictitious municipalities (valid Leitweg-IDs, real NUTS-3 codes) and vendors."""
    rng = rng or random.Random(DEFAULT_SEED)
    next_id = _next_id(session, Organisation)
    taken_ags = set(session.scalars(select(Organisation.ags).where(Organisation.ags.is_not(None))))
    taken_vat = set(session.scalars(select(Organisation.vat_id).where(Organisation.vat_id.is_not(None))))
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    result: list[Municipality] = []
    states = sorted(NUTS3)
    serial = 0
    while len(result) < municipalities:
        serial += 1
        state = states[serial % len(states)]
        ags = f"{state}{900_000 - serial:06d}"
        if ags in taken_ags:
            continue
        taken_ags.add(ags)
        town = f"{rng.choice(_TOWNS)}-{serial}"
        name = f"{'Stadt' if serial % 3 else 'Gemeinde'} {town}"
        nuts = rng.choice(NUTS3[state])
        coarse = ags
        rows.append(
            {
                "id": next_id,
                "kind": OrganisationKind.municipality,
                "name": name,
                "street": "Rathausplatz 1",
                "postal_code": f"{rng.randrange(1000, 99999):05d}",
                "city": town,
                "country_code": "DE",
                "email": f"vergabe@{town.lower()}.example",
                "ags": ags,
                "leitweg_id": f"{coarse}-{leitweg_check_digits(coarse)}",
                "nuts_code": nuts,
                "created_at": now,
            }
        )
        result.append(Municipality(next_id, name, nuts))
        next_id += 1
    vendor_ids: list[int] = []
    serial = 0
    while len(vendor_ids) < vendors:
        serial += 1
        vat = f"DE{900_000_000 - serial:09d}"
        if vat in taken_vat:
            continue
        taken_vat.add(vat)
        words = f"{rng.choice(_COMPANY_WORDS)}{rng.choice(_COMPANY_WORDS).lower()}"
        name = f"{words} {serial} {rng.choice(_COMPANY_FORMS)}"
        rows.append(
            {
                "id": next_id,
                "kind": OrganisationKind.vendor,
                "name": name,
                "street": "Industriestraße 5",
                "postal_code": f"{rng.randrange(1000, 99999):05d}",
                "city": rng.choice(_TOWNS),
                "country_code": "DE",
                "email": f"info@anbieter-{serial}.example",
                "vat_id": vat,
                "created_at": now,
            }
        )
        vendor_ids.append(next_id)
        next_id += 1
    _insert(session, Organisation, rows)
    _fix_sequences(session, ["organisations"])
    return Organisations(result, vendor_ids)


# --- solutions and pilot projects ----------------------------------------------------------


def generate_solutions(
    session: Session,
    n: int,
    *,
    vendor_ids: Sequence[int],
    rng: Optional[random.Random] = None,
    published_share: float = 1.0,
    now: Optional[datetime] = None,
) -> list[int]:
    """Insert ``n`` solutions (published unless ``published_share`` < 1) with 1-3 CPV codes."""
    rng = rng or random.Random(DEFAULT_SEED)
    now = now or datetime.now(UTC)
    vocabulary = built_in_vocabulary()
    categories = list(THEMES)
    first = _next_id(session, Solution)
    rows: list[dict[str, Any]] = []
    codes: list[dict[str, Any]] = []
    for solution_id in range(first, first + n):
        category = categories[rng.randrange(len(categories))]
        theme = THEMES[category]
        title, product, feature = _title(rng, theme)
        cost_min, cost_max = _cost_range(rng, theme)
        open_source = rng.random() < 0.3
        published = rng.random() < published_share
        created = now - timedelta(days=rng.randrange(30, 1500), seconds=rng.randrange(86_400))
        rows.append(
            {
                "id": solution_id,
                "organisation_id": vendor_ids[rng.randrange(len(vendor_ids))],
                "status": EntryStatus.published if published else EntryStatus.draft,
                "title": title,
                "category": category,
                "summary": f"{product} mit {feature}: {rng.choice(theme.benefits)}",
                "description": _sentence_list(rng, theme, product, feature),
                "cost_min": cost_min,
                "cost_max": cost_max,
                "licence": rng.choice(_LICENCES_OPEN if open_source else _LICENCES_CLOSED),
                "open_source": open_source,
                "standards": ", ".join(rng.sample(theme.standards, k=rng.randint(1, 3))),
                "contact_name": "Vertrieb Kommunen",
                "contact_email": f"kommunen{solution_id}@anbieter.example",
                "created_at": created,
                "updated_at": created,
                "submitted_at": created if published else None,
                "published_at": created + timedelta(days=rng.randrange(1, 20)) if published else None,
            }
        )
        for code in rng.sample(theme.cpv, k=rng.randint(1, min(3, len(theme.cpv)))):
            assert vocabulary.get(code) is not None, code
            codes.append({"solution_id": solution_id, "code": code})
    _insert(session, Solution, rows)
    _insert(session, SolutionCpv, codes)
    _fix_sequences(session, ["solutions"])
    return list(range(first, first + n))


def generate_pilot_projects(
    session: Session,
    n: int,
    *,
    municipalities: Sequence[Municipality],
    solution_ids: Sequence[int],
    rng: Optional[random.Random] = None,
    now: Optional[datetime] = None,
) -> list[int]:
    """Insert ``n`` published pilot projects, each using 1-3 of ``solution_ids``."""
    rng = rng or random.Random(DEFAULT_SEED)
    now = now or datetime.now(UTC)
    categories = list(THEMES)
    first = _next_id(session, PilotProject)
    rows: list[dict[str, Any]] = []
    codes: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for project_id in range(first, first + n):
        category = categories[rng.randrange(len(categories))]
        theme = THEMES[category]
        municipality = municipalities[rng.randrange(len(municipalities))]
        product = rng.choice(theme.products)
        feature = rng.choice(theme.features)
        funded = rng.random() < 0.5
        start = (now - timedelta(days=rng.randrange(200, 2000))).date()
        created = now - timedelta(days=rng.randrange(10, 190))
        rows.append(
            {
                "id": project_id,
                "organisation_id": municipality.id,
                "status": EntryStatus.published,
                "title": f"{product} in {municipality.name}",
                "category": category,
                "summary": f"Die Kommune hat {product} mit {feature} erprobt. {rng.choice(theme.benefits)}",
                "description": _sentence_list(rng, theme, product, feature),
                "period_start": start,
                "period_end": start + timedelta(days=rng.randrange(180, 900)),
                "budget": _money(rng, theme.cost[0], theme.cost[1]),
                "funded": funded,
                "funding_programme": rng.choice(_PROGRAMMES) if funded else None,
                "results": rng.choice(theme.benefits),
                "lessons_learned": "Frühe Einbindung von Datenschutz und Fachbereichen hat sich bewährt.",
                "specification": f"Leistungsbeschreibung {product}: Lieferung, Installation, Betrieb.",
                "award_criteria": "Preis; 40\nQualität des Konzepts; 40\nBetrieb und Service; 20",
                "contact_name": "Smart-City-Koordination",
                "contact_email": f"smart{project_id}@kommune.example",
                "created_at": created,
                "updated_at": created,
                "submitted_at": created,
                "published_at": created + timedelta(days=2),
            }
        )
        codes.append({"pilot_project_id": project_id, "code": rng.choice(theme.cpv)})
        for solution_id in rng.sample(solution_ids, k=min(len(solution_ids), rng.randint(1, 3))):
            links.append({"pilot_project_id": project_id, "solution_id": solution_id})
    _insert(session, PilotProject, rows)
    _insert(session, PilotProjectCpv, codes)
    _insert(session, pilot_solutions, links)
    _fix_sequences(session, ["pilot_projects"])
    return list(range(first, first + n))


# --- needs ---------------------------------------------------------------------------------


def need_rows(
    n: int,
    *,
    municipalities: Optional[Sequence[Municipality]] = None,
    rng: Optional[random.Random] = None,
    today: Optional[date] = None,
    status: NeedStatus = NeedStatus.open,
    first_id: int = 1,
) -> list[dict[str, Any]]:
    """Plain rows (dicts with the columns of ``needs``) for ``n`` needs; no database needed.

    Without ``municipalities``, 400 fictitious ones are used (ids 1..400). Delivery periods
    start 1-12 months after ``today`` and last 2-18 months, so many overlap.
    """
    rng = rng or random.Random(DEFAULT_SEED)
    today = today or datetime.now(UTC).date()
    if municipalities is None:
        states = sorted(NUTS3)
        municipalities = [
            Municipality(i, f"Kommune {i}", rng.choice(NUTS3[states[i % len(states)]])) for i in range(1, 401)
        ]
    now = datetime.now(UTC)
    categories = list(THEMES)
    rows: list[dict[str, Any]] = []
    for need_id in range(first_id, first_id + n):
        theme = THEMES[categories[rng.randrange(len(categories))]]
        municipality = municipalities[rng.randrange(len(municipalities))]
        code = rng.choice(theme.cpv)
        start = today + timedelta(days=rng.randrange(30, 365))
        product = rng.choice(theme.products)
        quantity = Decimal(rng.randint(1, 400))
        rows.append(
            {
                "id": need_id,
                "organisation_id": municipality.id,
                "status": status,
                "title": f"{product} für {municipality.name}",
                "description": (
                    f"Wir benötigen {product} mit {rng.choice(theme.features)}. {rng.choice(theme.benefits)}"
                ),
                "cpv_code": code,
                "cpv_group": code[:5],
                "quantity": quantity.quantize(Decimal("0.001")),
                "unit": rng.choice(theme.units),
                "estimated_value": _money(rng, theme.cost[0], theme.cost[1]),
                "delivery_from": start,
                "delivery_until": start + timedelta(days=rng.randrange(60, 540)),
                "nuts_code": municipality.nuts_code,
                "place_of_performance": municipality.name,
                "specification": "",
                "award_criteria": "Preis; 60\nQualität; 40",
                "created_at": now,
                "updated_at": now,
                "opened_at": now if status is not NeedStatus.draft else None,
            }
        )
    return rows


def generate_needs(
    session: Session,
    n: int,
    *,
    municipalities: Optional[Sequence[Municipality]] = None,
    rng: Optional[random.Random] = None,
    today: Optional[date] = None,
    status: NeedStatus = NeedStatus.open,
) -> list[int]:
    """Insert ``n`` needs (open by default) of ``municipalities`` (generated if not given)."""
    rng = rng or random.Random(DEFAULT_SEED)
    if municipalities is None:
        municipalities = generate_organisations(
            session, municipalities=400, vendors=0, rng=rng
        ).municipalities
    first = _next_id(session, Need)
    rows = need_rows(n, municipalities=municipalities, rng=rng, today=today, status=status, first_id=first)
    _insert(session, Need, rows)
    _fix_sequences(session, ["needs"])
    return [row["id"] for row in rows]


# --- everything ----------------------------------------------------------------------------


def generate_dataset(
    session: Session,
    *,
    solutions: int = 100_000,
    pilot_projects: int = 2_000,
    needs: int = 20_000,
    municipalities: int = 400,
    vendors: int = 200,
    seed: int = DEFAULT_SEED,
    reindex: bool = True,
) -> DatasetStats:
    """Insert a whole data set and rebuild the search index; the caller commits."""
    from procurement.reference.cpv import built_in_vocabulary as cpv_vocabulary
    from procurement.search.index import rebuild_index

    began = time.perf_counter()
    rng = random.Random(seed)
    orgs = generate_organisations(session, municipalities=municipalities, vendors=vendors, rng=rng)
    solution_ids = generate_solutions(session, solutions, vendor_ids=orgs.vendor_ids, rng=rng)
    generate_pilot_projects(
        session, pilot_projects, municipalities=orgs.municipalities, solution_ids=solution_ids, rng=rng
    )
    generate_needs(session, needs, municipalities=orgs.municipalities, rng=rng)
    indexed = 0
    if reindex:
        report = rebuild_index(session, cpv=cpv_vocabulary())
        indexed = report.solutions + report.pilot_projects
    if session.get_bind().dialect.name == "postgresql":
        # Planner statistics for the freshly loaded tables (autovacuum would take its time).
        # (SQLite: rebuild_index analyses what the search reads.)
        session.execute(text("ANALYZE"))
    return DatasetStats(
        solutions=solutions,
        pilot_projects=pilot_projects,
        needs=needs,
        municipalities=municipalities,
        vendors=vendors,
        indexed=indexed,
        seconds=time.perf_counter() - began,
    )


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", required=True, help="SQLAlchemy URL; the database is migrated first"
    )
    parser.add_argument("--solutions", type=int, default=100_000)
    parser.add_argument("--pilot-projects", type=int, default=2_000)
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from procurement import create_app
    from procurement.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        upgrade()
        stats = generate_dataset(
            db.session,
            solutions=args.solutions,
            pilot_projects=args.pilot_projects,
            needs=args.needs,
            seed=args.seed,
        )
        db.session.commit()
    print(
        f"{stats.solutions} solutions, {stats.pilot_projects} pilot projects, {stats.needs} needs, "
        f"{stats.municipalities} municipalities, {stats.vendors} vendors; {stats.indexed} entries indexed "
        f"in {stats.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
