"""EU thresholds (§106 GWB) as dated data: a change of law is a data change, not a code change.

Net values without VAT. At or above the threshold the EU procedure applies (VgV, eForms notice);
below it the national rules (UVgO, state law).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class ContractKind(enum.Enum):
    works = "works"
    supplies_services_central = "supplies_services_central"
    supplies_services_sub_central = "supplies_services_sub_central"  # municipalities
    supplies_services_utilities = "supplies_services_utilities"
    social_services = "social_services"


@dataclass(frozen=True)
class Threshold:
    kind: ContractKind
    value: Decimal
    valid_from: date
    valid_until: date  # inclusive
    source: str


_2024 = "Delegierte Verordnungen (EU) 2023/2495, 2023/2496, 2023/2497 (Schwellenwerte 2024-2025)"
_2026 = "Delegierte Verordnungen (EU) 2025/2152 und 2025/2150 vom 22. Oktober 2025 (Schwellenwerte 2026-2027)"

THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(ContractKind.works, Decimal("5538000"), date(2024, 1, 1), date(2025, 12, 31), _2024),
    Threshold(
        ContractKind.supplies_services_central, Decimal("143000"), date(2024, 1, 1), date(2025, 12, 31), _2024
    ),
    Threshold(
        ContractKind.supplies_services_sub_central,
        Decimal("221000"),
        date(2024, 1, 1),
        date(2025, 12, 31),
        _2024,
    ),
    Threshold(
        ContractKind.supplies_services_utilities,
        Decimal("443000"),
        date(2024, 1, 1),
        date(2025, 12, 31),
        _2024,
    ),
    Threshold(ContractKind.social_services, Decimal("750000"), date(2024, 1, 1), date(2025, 12, 31), _2024),
    Threshold(ContractKind.works, Decimal("5404000"), date(2026, 1, 1), date(2027, 12, 31), _2026),
    Threshold(
        ContractKind.supplies_services_central, Decimal("140000"), date(2026, 1, 1), date(2027, 12, 31), _2026
    ),
    Threshold(
        ContractKind.supplies_services_sub_central,
        Decimal("216000"),
        date(2026, 1, 1),
        date(2027, 12, 31),
        _2026,
    ),
    Threshold(
        ContractKind.supplies_services_utilities,
        Decimal("432000"),
        date(2026, 1, 1),
        date(2027, 12, 31),
        _2026,
    ),
    Threshold(ContractKind.social_services, Decimal("750000"), date(2026, 1, 1), date(2027, 12, 31), _2026),
)


class NoThresholdInForce(LookupError):
    """No threshold is known for that kind on that day (the data needs an update)."""


def threshold_on(kind: ContractKind, day: date) -> Threshold:
    """Return the threshold in force for ``kind`` on ``day``."""
    for threshold in THRESHOLDS:
        if threshold.kind is kind and threshold.valid_from <= day <= threshold.valid_until:
            return threshold
    raise NoThresholdInForce(f"no {kind.value} threshold in force on {day.isoformat()}")


def is_eu_procedure(value: Decimal, kind: ContractKind, day: date) -> bool:
    """§106 GWB: the EU rules apply when the estimated net value reaches the threshold."""
    return value >= threshold_on(kind, day).value
