"""The award notice of a tender: eForms Contract Award Notice (subtype 29) for EU procedures,
the platform's public award page for national ones."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from procurement.accounts.models import User
from procurement.tenders.models import Notice, Tender


def issue_award_notice(actor: Optional[User], tender: Tender, now: datetime) -> Optional[Notice]:
    """Build, check and store the award notice once every lot's award is final or cancelled.

    Foundation placeholder: the award-notice module fills this in; until then nothing is issued.
    """
    return None
