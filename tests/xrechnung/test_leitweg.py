from __future__ import annotations

import pytest

from xrechnung import InvalidLeitwegId, leitweg_check_digits, validate_leitweg_id


@pytest.mark.parametrize(
    "value",
    ["04011000-1234512345-06", "991-33333TEST-33", "08125099-RECHNUNG-39", "01058099-29"],
)
def test_valid_leitweg_ids_pass(value):
    assert validate_leitweg_id(value) == value


def test_fine_address_is_normalised_to_upper_case():
    assert validate_leitweg_id(" 991-33333test-33 ") == "991-33333TEST-33"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("04011000-1234512345-07", "check_digits"),
        ("991-33333TEST-34", "check_digits"),
        ("04011000-1234512345", "structure"),
        ("4-1234-06", "structure"),
        ("0401100012345-06", "structure"),  # coarse address longer than 12 digits
        ("04011000-12345_12345-06", "structure"),
        ("04011000--06", "structure"),
        ("", "structure"),
    ],
)
def test_invalid_leitweg_ids_are_refused_with_reason(value, reason):
    with pytest.raises(InvalidLeitwegId) as err:
        validate_leitweg_id(value)
    assert err.value.reason == reason


def test_check_digits_follow_iso_7064_mod_97_10():
    assert leitweg_check_digits("04011000", "1234512345") == "06"
    assert leitweg_check_digits("991", "33333TEST") == "33"
