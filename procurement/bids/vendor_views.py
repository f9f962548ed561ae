"""Vendors' bid pages: prepare, upload files, submit, withdraw, receipt."""

from __future__ import annotations

from procurement.bids import models  # noqa: F401
from procurement.bids.blueprint import bp  # noqa: F401
