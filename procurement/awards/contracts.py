"""Contracts per participant and lot, made when a lot's award becomes final (§4 VgV, §134 GWB)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from procurement.accounts.models import User
from procurement.awards.models import Award, Contract


def create_contracts(actor: Optional[User], award: Award, now: datetime) -> list[Contract]:
    """Create the contracts of a final award: one per joined participant with a quantity of the lot.

    Foundation placeholder: the contracts module fills this in; until then no contract is made.
    """
    return []
