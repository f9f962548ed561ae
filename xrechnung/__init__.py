"""XRechnung 3.0 (UBL) library: invoice data -> XML, parse, validate. Imports nothing of the app."""

from xrechnung.leitweg import InvalidLeitwegId, leitweg_check_digits, validate_leitweg_id

__all__ = ["InvalidLeitwegId", "leitweg_check_digits", "validate_leitweg_id"]
