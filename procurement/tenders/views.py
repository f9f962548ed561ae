"""Officers' pages of a tender: create, edit, lots, criteria, advisor, publish, cancel."""

from __future__ import annotations

from procurement.tenders import models  # noqa: F401
from procurement.tenders.blueprint import bp  # noqa: F401
