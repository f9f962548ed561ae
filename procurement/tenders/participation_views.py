"""Participation pages: invite municipalities, join with quantities, leave, freeze."""

from __future__ import annotations

from procurement.tenders.blueprint import bp  # noqa: F401
