"""XRechnung fixtures: the shared official oracle and the rules directory beside the checkout."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

RULES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "xrechnung"
ORACLE = RULES_DIR / "validate.py"
EXAMPLES = RULES_DIR / "examples"


@pytest.fixture(scope="session")
def oracle_module() -> ModuleType:
    """The shared offline validator (UBL XSD + CEN EN 16931 + KoSIT XRechnung), loaded once."""
    if not ORACLE.exists():
        pytest.skip(
            f"the XRechnung validator {ORACLE} is not there (the KoSIT artefacts live beside the checkout)"
        )
    pytest.importorskip("saxonche")
    spec = importlib.util.spec_from_file_location("xrechnung_oracle", ORACLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def fatal_findings(oracle_module: ModuleType) -> Callable[[bytes], list[tuple[str, str, str]]]:
    """The oracle's fatal findings (XSD, EN 16931 or XRechnung, after KoSIT's re-grading)."""

    def check(document: bytes) -> list[tuple[str, str, str]]:
        return [finding for finding in oracle_module.validate(document) if finding[0] == "fatal"]

    return check


@pytest.fixture(scope="session")
def official_rules() -> Path:
    """The official artefacts the library reads by default (``../shared/xrechnung``)."""
    if not (RULES_DIR / "xsd").is_dir() or not (RULES_DIR / "xslt").is_dir():
        pytest.skip(f"the KoSIT artefacts are not in {RULES_DIR} (they live beside the checkout)")
    pytest.importorskip("saxonche")
    return RULES_DIR


@pytest.fixture
def own_checks_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validate without the official artefacts (``XRECHNUNG_RULES_DIR`` set but empty)."""
    monkeypatch.setenv("XRECHNUNG_RULES_DIR", "")
