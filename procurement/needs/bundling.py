"""Bundling proposals: open needs of different municipalities that could be bought together.

Pure functions of plain data (no Flask, no database), so they can be unit-tested and
benchmarked alone. Two needs *match* when they share the CPV group (the first five digits:
the category level of the CPV hierarchy) and their delivery periods overlap. A *proposal* is
a largest set of needs of one CPV group that all share a common delivery window — every need
of it overlaps every other — with needs of at least two municipalities: a joint tender in
that window could serve all of them (§4 VgV). A need may belong to several proposals (a long
delivery period can overlap two windows that do not overlap each other).

Algorithm: group by CPV group (one pass), then per group a sweep over the delivery periods
sorted by start and by end (O(n log n)): the set of needs whose period contains the current
day grows at each start and shrinks at each end; just before it shrinks after having grown, it
is a maximal set with a common window (a maximal clique of the interval graph). Totals,
municipalities and regional pair counts are kept up to date with each step, so a proposal
costs O(1) besides copying its members. No pair of needs is ever compared directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple, Optional, Protocol

from procurement.reference.thresholds import (
    ContractKind,
    NoThresholdInForce,
    Threshold,
    is_eu_procedure,
    threshold_on,
)

# Municipalities buy supplies and services as sub-central authorities (§106 GWB).
DEFAULT_CONTRACT_KIND = ContractKind.supplies_services_sub_central


class BundlingNeed(Protocol):
    """What bundling reads of a need (an ORM row, a query row or a ``NeedRow``)."""

    id: int
    organisation_id: int
    cpv_group: str
    estimated_value: Decimal
    delivery_from: date
    delivery_until: date
    nuts_code: str


class NeedRow(NamedTuple):
    """An open need as plain data: the columns bundling reads, plus what a page shows."""

    id: int
    organisation_id: int
    cpv_group: str
    estimated_value: Decimal
    delivery_from: date
    delivery_until: date
    nuts_code: str
    title: str = ""
    organisation_name: str = ""
    cpv_code: str = ""
    quantity: Decimal = Decimal(1)
    unit: str = ""


def nuts1(code: str) -> Optional[str]:
    """The NUTS-1 region of a NUTS code (country + 1 character, e.g. DE1 Baden-Württemberg)."""
    return code[:3] if len(code) >= 3 else None


def nuts2(code: str) -> Optional[str]:
    """The NUTS-2 region of a NUTS code (country + 2 characters, e.g. DE11 Stuttgart)."""
    return code[:4] if len(code) >= 4 else None


@dataclass(frozen=True)
class Proposal:
    """Needs of at least two municipalities that share a CPV group and a delivery window."""

    cpv_group: str
    window_from: date  # the common delivery window: every need's period contains it
    window_until: date
    needs: tuple[BundlingNeed, ...]
    total_value: Decimal  # §3 VgV: for a joint tender the sum over all participants
    municipality_count: int
    organisation_ids: frozenset[int]
    # 0..2: share of the pairs of needs of different municipalities in the same NUTS-2
    # region (counts twice) or the same NUTS-1 region (counts once)
    region_score: float
    threshold: Optional[Threshold]  # the EU threshold in force on the day of the proposal
    eu_procedure: Optional[bool]  # None: no threshold known for that day

    @property
    def key(self) -> tuple[str, date, date]:
        """Identifies the proposal: its members are the open needs whose period contains the window."""
        return (self.cpv_group, self.window_from, self.window_until)

    @property
    def common_region(self) -> Optional[str]:
        """The NUTS-2 (else NUTS-1) region every need lies in, or None."""
        for level in (nuts2, nuts1):
            regions = {level(need.nuts_code) for need in self.needs}
            if len(regions) == 1 and None not in regions:
                return regions.pop()
        return None

    def concerns(self, organisation_id: int) -> bool:
        return organisation_id in self.organisation_ids

    def rank_key(self) -> tuple[float, int, Decimal, date, str]:
        return (
            -self.region_score,
            -self.municipality_count,
            -self.total_value,
            self.window_from,
            self.cpv_group,
        )


def _threshold(kind: ContractKind, day: date) -> Optional[Threshold]:
    try:
        return threshold_on(kind, day)
    except NoThresholdInForce:
        return None


class _Sweep:
    """The needs whose delivery period contains the current day, with running figures."""

    __slots__ = (
        "active",
        "orgs",
        "total",
        "same_org",
        "by_n1",
        "by_n2",
        "by_org_n1",
        "by_org_n2",
        "pairs_org",
        "pairs_n1",
        "pairs_n2",
        "pairs_org_n1",
        "pairs_org_n2",
    )

    def __init__(self) -> None:
        self.active: dict[int, BundlingNeed] = {}
        self.orgs: dict[int, int] = {}
        self.total = Decimal(0)
        self.by_n1: dict[Optional[str], int] = {}
        self.by_n2: dict[Optional[str], int] = {}
        self.by_org_n1: dict[tuple[int, Optional[str]], int] = {}
        self.by_org_n2: dict[tuple[int, Optional[str]], int] = {}
        # pairs of active needs with the same municipality / region / both
        self.pairs_org = self.pairs_n1 = self.pairs_n2 = self.pairs_org_n1 = self.pairs_org_n2 = 0

    def add(self, need: BundlingNeed) -> None:
        self.active[need.id] = need
        self.total += need.estimated_value
        org, code = need.organisation_id, need.nuts_code
        r1, r2 = nuts1(code), nuts2(code)
        self.pairs_org += _inc(self.orgs, org)
        if r1 is not None:
            self.pairs_n1 += _inc(self.by_n1, r1)
            self.pairs_org_n1 += _inc(self.by_org_n1, (org, r1))
        if r2 is not None:
            self.pairs_n2 += _inc(self.by_n2, r2)
            self.pairs_org_n2 += _inc(self.by_org_n2, (org, r2))

    def remove(self, need: BundlingNeed) -> None:
        del self.active[need.id]
        self.total -= need.estimated_value
        org, code = need.organisation_id, need.nuts_code
        r1, r2 = nuts1(code), nuts2(code)
        self.pairs_org -= _dec(self.orgs, org)
        if r1 is not None:
            self.pairs_n1 -= _dec(self.by_n1, r1)
            self.pairs_org_n1 -= _dec(self.by_org_n1, (org, r1))
        if r2 is not None:
            self.pairs_n2 -= _dec(self.by_n2, r2)
            self.pairs_org_n2 -= _dec(self.by_org_n2, (org, r2))

    def region_score(self) -> float:
        k = len(self.active)
        cross = k * (k - 1) // 2 - self.pairs_org
        if cross <= 0:
            return 0.0
        same_n1 = self.pairs_n1 - self.pairs_org_n1
        same_n2 = self.pairs_n2 - self.pairs_org_n2
        return (same_n1 + same_n2) / cross


def _inc(counts: dict, key: object) -> int:  # type: ignore[type-arg]
    """Count ``key`` once more; return how many were there before (= new pairs)."""
    before = counts.get(key, 0)
    counts[key] = before + 1
    return before


def _dec(counts: dict, key: object) -> int:  # type: ignore[type-arg]
    """Count ``key`` once less; return how many remain (= pairs lost)."""
    left = counts[key] - 1
    if left:
        counts[key] = left
    else:
        del counts[key]
    return left


_FROM = attrgetter("delivery_from")
_UNTIL = attrgetter("delivery_until")


def _group_proposals(
    group: str, needs: Sequence[BundlingNeed], threshold: Optional[Threshold], kind: ContractKind, day: date
) -> list[Proposal]:
    starts = sorted(needs, key=_FROM)
    ends = sorted(needs, key=_UNTIL)
    sweep = _Sweep()
    proposals: list[Proposal] = []
    n, i, j = len(needs), 0, 0
    grew = False
    while j < n:
        # Periods are closed: a need ending on the day another starts overlaps it.
        if i < n and starts[i].delivery_from <= ends[j].delivery_until:
            sweep.add(starts[i])
            i += 1
            grew = True
            continue
        if grew and len(sweep.orgs) >= 2:
            total = sweep.total
            proposals.append(
                Proposal(
                    cpv_group=group,
                    window_from=starts[i - 1].delivery_from,  # latest start of the active needs
                    window_until=ends[j].delivery_until,  # earliest end of the active needs
                    needs=tuple(sweep.active.values()),
                    total_value=total,
                    municipality_count=len(sweep.orgs),
                    organisation_ids=frozenset(sweep.orgs),
                    region_score=sweep.region_score(),
                    threshold=threshold,
                    eu_procedure=None if threshold is None else is_eu_procedure(total, kind, day),
                )
            )
        grew = False
        sweep.remove(ends[j])
        j += 1
    return proposals


def propose_bundles(
    needs: Iterable[BundlingNeed], day: date, kind: ContractKind = DEFAULT_CONTRACT_KIND
) -> list[Proposal]:
    """Return the bundling proposals for ``needs`` (open needs), best first.

    Needs whose delivery period ended before ``day`` are left out; the EU threshold is the one
    in force on ``day``. Ranking: regional closeness (same NUTS-2, then NUTS-1), then the number
    of municipalities, then the total value.
    """
    groups: defaultdict[str, list[BundlingNeed]] = defaultdict(list)
    for need in needs:
        if need.delivery_until >= day:
            groups[need.cpv_group].append(need)
    threshold = _threshold(kind, day)
    proposals: list[Proposal] = []
    for group, members in groups.items():
        if len(members) >= 2:
            proposals.extend(_group_proposals(group, members, threshold, kind, day))
    proposals.sort(key=Proposal.rank_key)
    return proposals


def common_window(needs: Iterable[BundlingNeed]) -> Optional[tuple[date, date]]:
    """Return the delivery window all ``needs`` share, or None if two of them do not overlap."""
    needs = list(needs)
    if not needs:
        return None
    start = max(need.delivery_from for need in needs)
    end = min(need.delivery_until for need in needs)
    return (start, end) if start <= end else None
