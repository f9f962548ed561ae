"""Notices of a tender: the eForms contract notice preview with its findings, the XML download."""

from __future__ import annotations

from procurement.tenders.blueprint import bp  # noqa: F401
