"""Reference data: CPV vocabulary and EU thresholds as dated data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from procurement.reference.cpv import InvalidCpv, built_in_vocabulary, cpv_group, load_vocabulary
from procurement.reference.thresholds import (
    ContractKind,
    NoThresholdInForce,
    is_eu_procedure,
    threshold_on,
)

SUB_CENTRAL = ContractKind.supplies_services_sub_central


def test_known_cpv_code_is_accepted_with_its_label():
    entry = built_in_vocabulary().validate(" 48000000-8 ")
    assert entry.code == "48000000-8" and entry.label_de.startswith("Softwarepaket")
    assert entry.significant == "48"


@pytest.mark.parametrize(
    ("value", "reason"),
    [("34996000-4", "check_digit"), ("3499600-5", "format"), ("abc", "format"), ("99999999-1", "unknown")],
)
def test_invalid_cpv_codes_are_refused_with_reason(value, reason):
    with pytest.raises(InvalidCpv) as err:
        built_in_vocabulary().validate(value)
    assert err.value.reason == reason


def test_wrong_check_digit_names_the_right_code():
    with pytest.raises(InvalidCpv) as err:
        built_in_vocabulary().validate("34996000-4")
    assert err.value.expected == "34996000-5"


def test_operator_list_replaces_the_built_in_selection(tmp_path):
    path = tmp_path / "cpv.csv"
    path.write_text("# code;label\n15000000-8;Nahrungsmittel;Food\n", encoding="utf-8")
    vocabulary = load_vocabulary(str(path))
    assert len(vocabulary) == 1 and vocabulary.validate("15000000-8").label_en == "Food"
    with pytest.raises(InvalidCpv):
        vocabulary.validate("48000000-8")


def test_cpv_group_is_the_category_level():
    assert cpv_group("34996000-5") == "34996"


@pytest.mark.parametrize(
    ("day", "value"),
    [
        (date(2025, 12, 31), Decimal("221000")),
        (date(2026, 1, 1), Decimal("216000")),
        (date(2027, 12, 31), Decimal("216000")),
    ],
)
def test_municipal_threshold_depends_on_the_day(day, value):
    assert threshold_on(SUB_CENTRAL, day).value == value


def test_value_at_the_threshold_is_an_eu_procedure():
    day = date(2026, 11, 25)
    assert is_eu_procedure(Decimal("216000.00"), SUB_CENTRAL, day)
    assert not is_eu_procedure(Decimal("215999.99"), SUB_CENTRAL, day)


def test_missing_threshold_data_is_an_error_not_a_guess():
    with pytest.raises(NoThresholdInForce):
        threshold_on(SUB_CENTRAL, date(2028, 1, 1))
