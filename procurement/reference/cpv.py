"""CPV codes (Common Procurement Vocabulary, Regulation (EC) 213/2008).

A code is 8 digits, a hyphen and a check digit; the hierarchy is in the digits (2 division,
3 group, 4 class, 5 category, trailing zeros). The check digit has no simple published formula,
so a code is valid when it is in the vocabulary: the built-in selection below (the codes the
platform's categories use), or the official list an operator provides as a CSV file
(`CPV_CODES_FILE`: `code;German label[;English label]` per line), which replaces it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CPV_PATTERN = re.compile(r"^([0-9]{8})-([0-9])$")


@dataclass(frozen=True)
class CpvCode:
    code: str
    label_de: str
    label_en: str

    @property
    def stem(self) -> str:
        return self.code[:8]

    @property
    def significant(self) -> str:
        """The digits that carry meaning (trailing zeros of the hierarchy removed, at least 2)."""
        return self.stem.rstrip("0").ljust(2, "0")


_BUILT_IN = [
    ("03000000-1", "Landwirtschaftliche Erzeugnisse", "Agricultural products"),
    (
        "09000000-3",
        "Mineralölerzeugnisse, Brennstoffe, Elektrizität",
        "Petroleum products, fuel, electricity",
    ),
    (
        "09300000-2",
        "Elektrizität, Heizung, Solarenergie und Kernenergie",
        "Electricity, heating, solar and nuclear energy",
    ),
    ("09310000-5", "Elektrizität", "Electricity"),
    ("09330000-1", "Solarenergie", "Solar energy"),
    ("09331000-8", "Solarmodule", "Solar panels"),
    ("30200000-1", "Computeranlagen und Zubehör", "Computer equipment and supplies"),
    ("31500000-1", "Beleuchtungsausrüstung und elektrische Lampen", "Lighting equipment and electric lamps"),
    ("31520000-7", "Lampen und Leuchten", "Lamps and light fittings"),
    (
        "32000000-3",
        "Rundfunk- und Fernsehgeräte, Kommunikations- und Fernmeldeausrüstung",
        "Radio, television, communication, telecommunication equipment",
    ),
    ("32400000-7", "Netze", "Networks"),
    ("34110000-1", "Personenkraftwagen", "Passenger cars"),
    ("34144900-7", "Elektrofahrzeuge", "Electric vehicles"),
    ("34920000-2", "Straßenausrüstung", "Road equipment"),
    ("34923000-3", "Ausrüstung für die Straßenverkehrssteuerung", "Road traffic-control equipment"),
    ("34926000-4", "Parkplatzüberwachungsausrüstung", "Car park control equipment"),
    ("34928500-3", "Straßenbeleuchtungsausrüstung", "Street-lighting equipment"),
    ("34970000-2", "Verkehrsüberwachungssysteme", "Traffic-monitoring equipment"),
    (
        "34996000-5",
        "Steuer-, Sicherheits- oder Signalausrüstung für Straßen",
        "Control, safety or signalling equipment for roads",
    ),
    (
        "35000000-4",
        "Ausrüstung für Sicherheit, Feuerwehr, Polizei und Verteidigung",
        "Security, fire-fighting, police and defence equipment",
    ),
    ("35100000-5", "Not- und Sicherheitsausrüstung", "Emergency and security equipment"),
    (
        "35120000-1",
        "Überwachungs- und Sicherheitssysteme und -vorrichtungen",
        "Surveillance and security systems and devices",
    ),
    (
        "38000000-5",
        "Laborausrüstung, optische Geräte und Präzisionsgeräte",
        "Laboratory, optical and precision equipments",
    ),
    ("38421100-3", "Wasserzähler", "Water meters"),
    ("38551000-2", "Energiezähler", "Energy meters"),
    ("42000000-6", "Industriemaschinen", "Industrial machinery"),
    ("45000000-7", "Bauarbeiten", "Construction work"),
    ("45316110-9", "Installation von Straßenbeleuchtungsanlagen", "Installation of road lighting equipment"),
    ("48000000-8", "Softwarepaket und Informationssysteme", "Software package and information systems"),
    ("48600000-4", "Software für Datenbanken und Betriebssysteme", "Database and operating software package"),
    ("48800000-6", "Informationssysteme und Server", "Information systems and servers"),
    ("50000000-5", "Reparatur- und Wartungsdienste", "Repair and maintenance services"),
    (
        "50232000-0",
        "Wartung von öffentlichen Beleuchtungsanlagen und Verkehrsampeln",
        "Maintenance services of public-lighting installations and traffic lights",
    ),
    ("51000000-9", "Installation (außer Software)", "Installation services (except software)"),
    ("60000000-8", "Verkehrsdienste (ohne Abfalltransport)", "Transport services (excl. waste transport)"),
    ("64200000-8", "Telekommunikationsdienste", "Telecommunications services"),
    ("65000000-3", "Öffentliches Versorgungswesen", "Public utilities"),
    (
        "65100000-4",
        "Wasserverteilung und zugehörige Dienstleistungen",
        "Water distribution and related services",
    ),
    (
        "65300000-6",
        "Elektrizitätsverteilung und zugehörige Dienstleistungen",
        "Electricity distribution and related services",
    ),
    (
        "71000000-8",
        "Dienstleistungen von Architektur-, Konstruktions- und Ingenieurbüros und Prüfstellen",
        "Architectural, construction, engineering and inspection services",
    ),
    (
        "72000000-5",
        "IT-Dienste: Beratung, Software-Entwicklung, Internet und Hilfestellung",
        "IT services: consulting, software development, Internet and support",
    ),
    ("72200000-7", "Softwareprogrammierung und -beratung", "Software programming and consultancy services"),
    ("72300000-8", "Datendienste", "Data services"),
    ("72400000-4", "Internetdienste", "Internet services"),
    (
        "73000000-2",
        "Forschungs- und Entwicklungsdienste und zugehörige Beratung",
        "Research and development services and related consultancy services",
    ),
    (
        "79000000-4",
        "Dienstleistungen für Unternehmen: Recht, Marketing, Consulting, Einstellungen, Druck und Sicherheit",
        "Business services: law, marketing, consulting, recruitment, printing and security",
    ),
    ("80000000-4", "Allgemeine und berufliche Bildung", "Education and training services"),
    (
        "90000000-7",
        "Abwasser- und Abfallbeseitigungs-, Reinigungs- und Umweltschutzdienste",
        "Sewage, refuse, cleaning and environmental services",
    ),
    ("90700000-4", "Dienstleistungen im Umweltschutz", "Environmental services"),
]


class InvalidCpv(ValueError):
    """The text is not a CPV code of the vocabulary; ``reason`` says why."""

    def __init__(self, reason: str, code: str, expected: str | None = None) -> None:
        super().__init__(f"{reason}: {code}")
        self.reason = reason  # "format", "check_digit" or "unknown"
        self.code = code
        self.expected = expected


class Vocabulary:
    def __init__(self, entries: list[CpvCode]) -> None:
        self.by_stem = {entry.stem: entry for entry in entries}

    def __len__(self) -> int:
        return len(self.by_stem)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self.by_stem.values(), key=lambda entry: entry.code))

    def validate(self, value: str) -> CpvCode:
        """Return the vocabulary entry for ``value`` or raise InvalidCpv."""
        text = value.strip().replace(" ", "")
        match = CPV_PATTERN.match(text)
        if match is None:
            raise InvalidCpv("format", text)
        entry = self.by_stem.get(match.group(1))
        if entry is None:
            raise InvalidCpv("unknown", text)
        if entry.code != text:
            raise InvalidCpv("check_digit", text, expected=entry.code)
        return entry

    def get(self, code: str) -> CpvCode | None:
        entry = self.by_stem.get(code[:8])
        return entry if entry is not None and entry.code == code else None


def built_in_vocabulary() -> Vocabulary:
    return Vocabulary([CpvCode(*row) for row in _BUILT_IN])


@lru_cache(maxsize=4)
def load_vocabulary(path: str | None) -> Vocabulary:
    """The operator's official list at ``path`` (CSV), or the built-in selection."""
    if not path:
        return built_in_vocabulary()
    entries = []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter=";"):
            if not row or row[0].startswith("#"):
                continue
            code, label_de, *rest = (cell.strip() for cell in row)
            if CPV_PATTERN.match(code):
                entries.append(CpvCode(code, label_de, rest[0] if rest else label_de))
    return Vocabulary(entries)


def cpv_group(code: str, digits: int = 5) -> str:
    """The first ``digits`` digits of a code: the level bundling matches on (5 = category)."""
    return code[:digits]
