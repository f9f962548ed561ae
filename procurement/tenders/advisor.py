"""Value and procedure advisor: estimated value (§3 VgV), threshold (§106 GWB), procedure, deadline.

`advise` is pure computation on plain values (no database, no request), so the same facts feed
the page, the publication guard and the property tests; `explain` turns them into sentences that
each name the paragraph they come from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional
from zoneinfo import ZoneInfo

from flask_babel import format_currency, format_date, ngettext
from flask_babel import gettext as _

from procurement.reference.deadlines import (
    EU_OPEN_PAPER_DAYS,
    DeadlineRule,
    Procedure,
    find_rule,
)
from procurement.reference.thresholds import ContractKind, NoThresholdInForce, Threshold, threshold_on

BERLIN = ZoneInfo("Europe/Berlin")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class SmallLotRule:
    """§3(9) VgV: small lots may be awarded nationally while their sum stays within a share."""

    lot_limit: Decimal  # each lot below this net value
    total_share: Decimal  # their sum at most this share of the total value
    valid_from: date
    valid_until: date
    source: str


SMALL_LOT_RULES: dict[str, tuple[SmallLotRule, ...]] = {
    "supplies_services": (
        SmallLotRule(
            Decimal("80000"),
            Decimal("0.20"),
            date(2016, 4, 18),
            date(9999, 12, 31),
            "§3 Abs. 9 VgV",
        ),
    ),
    "works": (
        SmallLotRule(
            Decimal("1000000"),
            Decimal("0.20"),
            date(2016, 4, 18),
            date(9999, 12, 31),
            "§3 Abs. 9 VgV",
        ),
    ),
}


def small_lot_rule(kind: ContractKind, day: date) -> Optional[SmallLotRule]:
    group = "works" if kind is ContractKind.works else "supplies_services"
    for rule in SMALL_LOT_RULES[group]:
        if rule.valid_from <= day <= rule.valid_until:
            return rule
    return None


@dataclass(frozen=True)
class LotInput:
    """One lot as the advisor sees it: the estimated unit price and each participant's quantity."""

    number: int
    title: str
    unit_price: Decimal  # EUR net per unit
    quantities: Sequence[Decimal]  # one per participant
    options_value: Decimal = Decimal(0)  # EUR net for options and renewals (§3(1) VgV)


@dataclass(frozen=True)
class LotValue:
    number: int
    title: str
    quantity: Decimal
    value: Decimal  # EUR net, options included


@dataclass(frozen=True)
class Advice:
    lots: list[LotValue]
    total: Decimal
    publication_date: date
    kind: ContractKind
    threshold: Optional[Threshold]  # None: no threshold data for that day
    eu: bool  # the EU rules apply (value at or above the threshold)
    procedure: Procedure  # what the platform proposes
    small_lots: list[int] = field(default_factory=list)  # lot numbers §3(9) VgV lets award nationally
    small_lot_rule: Optional[SmallLotRule] = None
    deadline_rule: Optional[DeadlineRule] = None

    def allowed_procedures(self) -> list[Procedure]:
        """EU procedures are always allowed; national ones only below the threshold."""
        if self.eu:
            return [Procedure.eu_open]
        return [Procedure.national_open, Procedure.eu_open]


def lot_value(lot: LotInput) -> LotValue:
    """The estimated net value of one lot: all participants' quantities at the unit price."""
    quantity = sum(lot.quantities, Decimal(0))
    value = (quantity * lot.unit_price + lot.options_value).quantize(CENT, ROUND_HALF_UP)
    return LotValue(lot.number, lot.title, quantity, value)


def select_small_lots(values: Sequence[LotValue], total: Decimal, rule: SmallLotRule) -> list[int]:
    """The lots below the limit, smallest first, as many as fit into the share of the total."""
    budget = total * rule.total_share
    chosen: list[int] = []
    used = Decimal(0)
    for lot in sorted(values, key=lambda item: (item.value, item.number)):
        if lot.value >= rule.lot_limit:
            break
        if used + lot.value > budget:
            break
        used += lot.value
        chosen.append(lot.number)
    return sorted(chosen)


def advise(lots: Sequence[LotInput], kind: ContractKind, publication_date: date) -> Advice:
    """Estimate the value per lot and in total and propose the procedure (§3 VgV, §106 GWB)."""
    values = [lot_value(lot) for lot in lots]
    # §3(7) VgV: with lots the value of all lots together decides.
    total = sum((item.value for item in values), Decimal(0))
    try:
        threshold: Optional[Threshold] = threshold_on(kind, publication_date)
    except NoThresholdInForce:
        threshold = None
    # Without threshold data the platform cannot rule the EU procedure out.
    eu = threshold is None or total >= threshold.value
    procedure = Procedure.eu_open if eu else Procedure.national_open
    rule = small_lot_rule(kind, publication_date)
    small = select_small_lots(values, total, rule) if eu and rule is not None and len(values) > 1 else []
    return Advice(
        lots=values,
        total=total,
        publication_date=publication_date,
        kind=kind,
        threshold=threshold,
        eu=eu,
        procedure=procedure,
        small_lots=small,
        small_lot_rule=rule,
        deadline_rule=find_rule(procedure, publication_date),
    )


def earliest_bid_deadline(procedure: Procedure, publication_date: date) -> Optional[datetime]:
    """The earliest moment a bid deadline may end, or None without a rule for that day.

    A period in days starts the day after the notice is sent and ends with its last day
    (Regulation (EEC, Euratom) No 1182/71, Art. 3): the deadline may end at midnight after it.
    """
    rule = find_rule(procedure, publication_date)
    if rule is None:
        return None
    last_day = publication_date + timedelta(days=rule.minimum_days)
    if rule.minimum_days == 0:
        return datetime.combine(publication_date, time(0), BERLIN).astimezone(ZoneInfo("UTC"))
    return datetime.combine(last_day + timedelta(days=1), time(0), BERLIN).astimezone(ZoneInfo("UTC"))


def proposed_bid_deadline(procedure: Procedure, publication_date: date) -> Optional[datetime]:
    """What the platform proposes: the end of the proposed period, 12:00 the day after, Berlin time."""
    rule = find_rule(procedure, publication_date)
    if rule is None:
        return None
    day = publication_date + timedelta(days=rule.proposed_days + 1)
    return datetime.combine(day, time(12, 0), BERLIN).astimezone(ZoneInfo("UTC"))


def deadline_warning(procedure: Procedure, publication_date: date, deadline: datetime) -> Optional[str]:
    """A warning for a deadline the law allows but the platform considers short (UVgO)."""
    rule = find_rule(procedure, publication_date)
    if rule is None or rule.binding:
        return None
    proposed = publication_date + timedelta(days=rule.proposed_days)
    if deadline.astimezone(BERLIN).date() <= proposed:
        return _(
            "Die Angebotsfrist ist kürzer als %(days)d Tage. §13 Abs. 1 UVgO verlangt eine "
            "angemessene Frist: prüfen Sie, ob Unternehmen in dieser Zeit ein Angebot erstellen können.",
            days=rule.proposed_days,
        )
    return None


def explain(advice: Advice) -> list[tuple[str, str]]:
    """Each conclusion of the advice as (sentence, source): shown on the advisor page."""
    reasons: list[tuple[str, str]] = []
    reasons.append(
        (
            _(
                "Der geschätzte Auftragswert beträgt %(total)s netto: die Summe aller Lose, "
                "jeweils die Mengen aller teilnehmenden Kommunen zum geschätzten Einzelpreis, "
                "einschließlich Optionen und Verlängerungen.",
                total=format_currency(advice.total, "EUR"),
            ),
            "§3 Abs. 1 und 7 VgV",
        )
    )
    if advice.threshold is None:
        reasons.append(
            (
                _(
                    "Für den %(date)s ist kein EU-Schwellenwert hinterlegt; vorsorglich wird das "
                    "EU-Verfahren vorgeschlagen. Bitte lassen Sie die Schwellenwerte aktualisieren.",
                    date=format_date(advice.publication_date),
                ),
                "§106 GWB",
            )
        )
    elif advice.eu:
        reasons.append(
            (
                _(
                    "Der Wert erreicht den EU-Schwellenwert von %(threshold)s, der am %(date)s gilt: "
                    "Es gilt das EU-Vergaberecht (GWB Teil 4, VgV) mit Bekanntmachung im Amtsblatt "
                    "der EU (eForms). Vorgeschlagen wird das offene Verfahren.",
                    threshold=format_currency(advice.threshold.value, "EUR"),
                    date=format_date(advice.publication_date),
                ),
                f"§106 GWB, §§14, 15 VgV; {advice.threshold.source}",
            )
        )
    else:
        reasons.append(
            (
                _(
                    "Der Wert liegt unter dem EU-Schwellenwert von %(threshold)s, der am %(date)s gilt: "
                    "Es gilt das nationale Haushaltsvergaberecht. Vorgeschlagen wird die öffentliche "
                    "Ausschreibung nach UVgO; ein EU-Verfahren ist freiwillig möglich.",
                    threshold=format_currency(advice.threshold.value, "EUR"),
                    date=format_date(advice.publication_date),
                ),
                f"§106 GWB, §9 UVgO; {advice.threshold.source}",
            )
        )
    rule = advice.small_lot_rule
    if advice.small_lots and rule is not None:
        reasons.append(
            (
                ngettext(
                    "Das Los %(lots)s liegt unter %(limit)s und bei höchstens %(share)s %% des "
                    "Gesamtwerts: Es darf national vergeben werden (Kleinlosregel).",
                    "Die Lose %(lots)s liegen jeweils unter %(limit)s und zusammen bei höchstens "
                    "%(share)s %% des Gesamtwerts: Sie dürfen national vergeben werden (Kleinlosregel).",
                    len(advice.small_lots),
                    lots=", ".join(str(number) for number in advice.small_lots),
                    limit=format_currency(rule.lot_limit, "EUR"),
                    share=int(rule.total_share * 100),
                ),
                rule.source,
            )
        )
    elif advice.eu and len(advice.lots) > 1 and rule is not None:
        reasons.append(
            (
                _(
                    "Kein Los kommt für die Kleinlosregel in Frage (Lose unter %(limit)s, zusammen "
                    "höchstens %(share)s %% des Gesamtwerts).",
                    limit=format_currency(rule.lot_limit, "EUR"),
                    share=int(rule.total_share * 100),
                ),
                rule.source,
            )
        )
    deadline = advice.deadline_rule
    if deadline is not None and deadline.binding:
        reasons.append(
            (
                _(
                    "Die Angebotsfrist beträgt mindestens %(days)d Tage ab Absendung der "
                    "Bekanntmachung (%(paper)d Tage, verkürzt, weil Angebote nur elektronisch "
                    "eingereicht werden). Eine längere Frist ist möglich, eine kürzere nicht.",
                    days=deadline.minimum_days,
                    paper=EU_OPEN_PAPER_DAYS,
                ),
                deadline.source,
            )
        )
    elif deadline is not None:
        reasons.append(
            (
                _(
                    "Die Angebotsfrist muss angemessen sein; die Plattform schlägt %(days)d Tage vor "
                    "und warnt bei kürzeren Fristen.",
                    days=deadline.proposed_days,
                ),
                deadline.source,
            )
        )
    return reasons
