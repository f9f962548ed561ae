"""The README's example of building an invoice runs and gives a valid XRechnung."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from xrechnung import compute_totals, parse

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_example_builds_a_valid_invoice(own_checks_only):
    section = README.read_text(encoding="utf-8").split("## XRechnung library", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the repository's own README
    report = namespace["report"]
    assert report.valid and report.level_label == "own checks only"
    totals = compute_totals(parse(namespace["xml"]))
    assert (totals.tax_exclusive, totals.vat_total, totals.amount_due) == (
        Decimal("999.60"),
        Decimal("189.92"),
        Decimal("1189.52"),
    )
