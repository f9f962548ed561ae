"""Tender documents (Vergabeunterlagen): upload, versions, downloads."""

from __future__ import annotations

from procurement.tenders.blueprint import bp  # noqa: F401
