"""Bundling proposals on plain data: no app, no database."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from decimal import Decimal

from procurement.needs.bundling import NeedRow, common_window, propose_bundles
from procurement.reference.thresholds import ContractKind

DAY = date(2026, 11, 25)
TALHEIM, BIRKENFELDE, NORDHAFEN, LAUTERTAL = 1, 2, 3, 4
NUTS = {TALHEIM: "DE118", BIRKENFELDE: "DE717", NORDHAFEN: "DEF0B", LAUTERTAL: "DE113"}
_ids = itertools.count(1)


def need(org, start, end, value="10000.00", group="34996", nuts=None) -> NeedRow:  # type: ignore[no-untyped-def]
    return NeedRow(
        id=next(_ids),
        organisation_id=org,
        cpv_group=group,
        estimated_value=Decimal(value),
        delivery_from=date.fromisoformat(start),
        delivery_until=date.fromisoformat(end),
        nuts_code=nuts or NUTS[org],
    )


def ids(proposal) -> set[int]:  # type: ignore[no-untyped-def]
    return {n.id for n in proposal.needs}


def test_needs_of_two_municipalities_with_the_same_cpv_group_and_overlapping_periods_match():
    a = need(TALHEIM, "2027-03-01", "2027-09-30")
    b = need(BIRKENFELDE, "2027-06-01", "2027-12-31")
    [proposal] = propose_bundles([a, b], DAY)
    assert ids(proposal) == {a.id, b.id}
    assert proposal.municipality_count == 2
    assert proposal.organisation_ids == {TALHEIM, BIRKENFELDE}
    assert (proposal.window_from, proposal.window_until) == (date(2027, 6, 1), date(2027, 9, 30))
    assert proposal.key == ("34996", date(2027, 6, 1), date(2027, 9, 30))


def test_needs_of_different_cpv_groups_do_not_match():
    a = need(TALHEIM, "2027-03-01", "2027-09-30", group="34996")
    b = need(BIRKENFELDE, "2027-03-01", "2027-09-30", group="34923")
    assert propose_bundles([a, b], DAY) == []


def test_non_overlapping_periods_do_not_match():
    a = need(TALHEIM, "2027-01-01", "2027-03-31")
    b = need(BIRKENFELDE, "2027-04-01", "2027-06-30")
    assert propose_bundles([a, b], DAY) == []


def test_periods_touching_on_one_day_overlap():
    a = need(TALHEIM, "2027-01-01", "2027-03-31")
    b = need(BIRKENFELDE, "2027-03-31", "2027-06-30")
    [proposal] = propose_bundles([a, b], DAY)
    assert (proposal.window_from, proposal.window_until) == (date(2027, 3, 31), date(2027, 3, 31))


def test_needs_of_one_municipality_alone_are_no_proposal():
    a = need(TALHEIM, "2027-01-01", "2027-06-30")
    b = need(TALHEIM, "2027-02-01", "2027-05-31")
    assert propose_bundles([a, b], DAY) == []


def test_a_municipality_with_two_needs_counts_once():
    a = need(TALHEIM, "2027-01-01", "2027-06-30")
    b = need(TALHEIM, "2027-02-01", "2027-05-31")
    c = need(BIRKENFELDE, "2027-03-01", "2027-04-30")
    [proposal] = propose_bundles([a, b, c], DAY)
    assert ids(proposal) == {a.id, b.id, c.id}
    assert proposal.municipality_count == 2


def test_every_need_of_a_proposal_overlaps_every_other():
    long = need(TALHEIM, "2027-01-01", "2027-12-31")
    spring = need(BIRKENFELDE, "2027-03-01", "2027-04-30")
    autumn = need(NORDHAFEN, "2027-09-01", "2027-10-31")
    proposals = propose_bundles([long, spring, autumn], DAY)
    # spring and autumn do not overlap: two proposals, both with the long need
    assert sorted(map(sorted, map(ids, proposals))) == [
        sorted({long.id, spring.id}),
        sorted({long.id, autumn.id}),
    ]


def test_needs_whose_delivery_period_is_over_are_left_out():
    a = need(TALHEIM, "2026-01-01", "2026-11-24")
    b = need(BIRKENFELDE, "2026-06-01", "2027-06-30")
    assert propose_bundles([a, b], DAY) == []


def test_same_nuts2_region_ranks_before_same_nuts1_before_far_apart():
    # equal in everything but the region; far apart has the most value, to show region comes first
    far = [
        need(TALHEIM, "2027-01-01", "2027-06-30", "90000.00", group="48000"),
        need(NORDHAFEN, "2027-01-01", "2027-06-30", "90000.00", group="48000"),
    ]
    state = [
        need(TALHEIM, "2027-01-01", "2027-06-30", group="72000"),
        need(BIRKENFELDE, "2027-01-01", "2027-06-30", group="72000", nuts="DE125"),
    ]
    near = [
        need(TALHEIM, "2027-01-01", "2027-06-30", group="34996"),
        need(LAUTERTAL, "2027-01-01", "2027-06-30", group="34996"),
    ]
    proposals = propose_bundles([*far, *state, *near], DAY)
    assert [p.cpv_group for p in proposals] == ["34996", "72000", "48000"]
    assert [p.region_score for p in proposals] == [2.0, 1.0, 0.0]
    assert [p.common_region for p in proposals] == ["DE11", "DE1", None]


def test_more_municipalities_rank_higher_within_the_same_region_score():
    two = [
        need(TALHEIM, "2027-01-01", "2027-06-30", group="48000"),
        need(NORDHAFEN, "2027-01-01", "2027-06-30", group="48000"),
    ]
    three = [
        need(TALHEIM, "2027-01-01", "2027-06-30", group="72000"),
        need(NORDHAFEN, "2027-01-01", "2027-06-30", group="72000"),
        need(BIRKENFELDE, "2027-01-01", "2027-06-30", group="72000"),
    ]
    assert [p.cpv_group for p in propose_bundles([*two, *three], DAY)] == ["72000", "48000"]


def test_the_sum_reaching_exactly_216000_eur_on_2026_11_25_crosses_the_eu_threshold():
    a = need(TALHEIM, "2027-01-01", "2027-06-30", "108000.00")
    b = need(BIRKENFELDE, "2027-01-01", "2027-06-30", "108000.00")
    [proposal] = propose_bundles([a, b], date(2026, 11, 25))
    assert proposal.total_value == Decimal("216000.00")
    assert proposal.eu_procedure is True
    assert proposal.threshold.value == Decimal("216000")
    assert proposal.threshold.kind is ContractKind.supplies_services_sub_central
    assert "2025/2152" in proposal.threshold.source


def test_one_cent_below_the_threshold_stays_national():
    a = need(TALHEIM, "2027-01-01", "2027-06-30", "108000.00")
    b = need(BIRKENFELDE, "2027-01-01", "2027-06-30", "107999.99")
    [proposal] = propose_bundles([a, b], DAY)
    assert proposal.total_value == Decimal("215999.99")
    assert proposal.eu_procedure is False


def test_the_threshold_in_force_on_the_day_decides():
    a = need(TALHEIM, "2026-01-01", "2026-06-30", "108000.00")
    b = need(BIRKENFELDE, "2026-01-01", "2026-06-30", "108000.00")
    [proposal] = propose_bundles([a, b], date(2025, 11, 25))
    assert proposal.threshold.value == Decimal("221000")  # 2024-2025
    assert proposal.eu_procedure is False


def test_no_threshold_known_for_the_day_is_said_not_guessed():
    a = need(TALHEIM, "2030-01-01", "2030-06-30")
    b = need(BIRKENFELDE, "2030-01-01", "2030-06-30")
    [proposal] = propose_bundles([a, b], date(2030, 1, 1))
    assert proposal.threshold is None and proposal.eu_procedure is None


def test_sums_are_exact_decimals():
    values = ["0.10", "0.20", "1000000.33"]
    needs = [
        need(org, "2027-01-01", "2027-06-30", value) for org, value in zip((1, 2, 3), values, strict=True)
    ]
    [proposal] = propose_bundles(needs, DAY)
    assert isinstance(proposal.total_value, Decimal)
    assert proposal.total_value == Decimal("1000000.63")
    assert str(proposal.total_value) == "1000000.63"


def test_common_window():
    a = need(TALHEIM, "2027-01-01", "2027-06-30")
    b = need(BIRKENFELDE, "2027-03-01", "2027-09-30")
    c = need(NORDHAFEN, "2027-07-01", "2027-09-30")
    assert common_window([a, b]) == (date(2027, 3, 1), date(2027, 6, 30))
    assert common_window([a, b, c]) is None
    assert common_window([]) is None


def test_random_needs_every_matching_pair_is_proposed_and_every_proposal_shares_its_window():
    rng = random.Random(2026)
    start = date(2026, 12, 1)
    needs = []
    for _ in range(300):
        first = start + timedelta(days=rng.randrange(200))
        needs.append(
            NeedRow(
                id=next(_ids),
                organisation_id=rng.randrange(8),
                cpv_group=rng.choice(["34996", "48000", "72000"]),
                estimated_value=Decimal(rng.randrange(1, 10**7)) / 100,
                delivery_from=first,
                delivery_until=first + timedelta(days=rng.randrange(60)),
                nuts_code=rng.choice(["DE118", "DE113", "DE717", "DEF0B"]),
            )
        )
    proposals = propose_bundles(needs, DAY)
    covered = set()
    for p in proposals:
        assert p.municipality_count == len({n.organisation_id for n in p.needs}) >= 2
        assert p.total_value == sum((n.estimated_value for n in p.needs), Decimal(0))
        # members are exactly the needs of the group whose period contains the window
        expected = {
            n.id
            for n in needs
            if n.cpv_group == p.cpv_group
            and n.delivery_from <= p.window_from
            and n.delivery_until >= p.window_until
        }
        assert ids(p) == expected
        covered |= {
            frozenset((a.id, b.id))
            for a, b in itertools.combinations(p.needs, 2)
            if a.organisation_id != b.organisation_id
        }
    for a, b in itertools.combinations(needs, 2):
        match = (
            a.cpv_group == b.cpv_group
            and a.organisation_id != b.organisation_id
            and a.delivery_from <= b.delivery_until
            and b.delivery_from <= a.delivery_until
        )
        assert (frozenset((a.id, b.id)) in covered) == match
    assert len({p.key for p in proposals}) == len(proposals)
