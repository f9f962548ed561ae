"""Opening of the bids by two officers (§55 VgV), the opening record, opened bids."""

from __future__ import annotations

from procurement.bids import models  # noqa: F401
from procurement.bids.blueprint import bp  # noqa: F401
