"""Public pages: the list of open tenders, a tender's notice page, bidder questions."""

from __future__ import annotations

from procurement.tenders.blueprint import bp  # noqa: F401
