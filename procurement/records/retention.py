"""Retention of a procedure's record (§8(4) VgV) and the deletion of what is past it.

The rule: the documentation, the bids and their annexes are kept at least three years from the
award. The award date is the day (Europe/Berlin) of the last Zuschlag of the tender's lots, or of
the cancellation (Aufhebung, §63 VgV) for a cancelled procedure. Three calendar years later the
record is kept through the whole of that day (a 29 February award: through 28 February); from
the following midnight in Berlin on it may be deleted. A procedure without an award or
cancellation has no retention end: it is never deleted.

Deleting (`purge_tender`) removes the stored files (tender documents, sealed bid files, the
opening record, reply files of document requests, §134 letters, contracts) and the rows of the
procedure (invoices with their XML, contracts, awards, bids, the tender and everything that
cascades from it). The audit chain is append-only and is never touched: it keeps every entry of
the procedure and gains one more, ``record.purged``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup
from sqlalchemy import delete, func, select, update

from procurement.accounts.models import User
from procurement.audit.services import record
from procurement.awards.models import (
    Award,
    Contract,
    DocumentReplyFile,
    DocumentRequest,
    InformationLetter,
)
from procurement.bids.models import Bid, BidFile, Opening
from procurement.extensions import db
from procurement.invoices.models import Invoice
from procurement.records.permissions import AUDITABLE_STATES
from procurement.storage import delete_after_commit, storage
from procurement.tenders.models import Tender, TenderDocument
from workflows.tender import TenderStatus

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
# §8(4) VgV: "mindestens für drei Jahre ab dem Tag des Zuschlags"
RETENTION_YEARS = 3


class RetentionRunning(Exception):
    """The record is still within its retention period (or has none): nothing is deleted."""

    def __init__(self, tender_id: int, last_day: Optional[date]) -> None:
        self.tender_id = tender_id
        self.last_day = last_day
        if last_day is None:
            message = f"Vergabe {tender_id}: ohne Zuschlag oder Aufhebung gibt es kein Ende der Aufbewahrung."
        else:
            message = (
                f"Vergabe {tender_id}: Aufbewahrung nach §8(4) VgV läuft noch bis einschließlich "
                f"{last_day.strftime('%d.%m.%Y')}; nichts gelöscht."
            )
        super().__init__(message)


def award_moment(tender: Tender) -> Optional[datetime]:
    """When the procedure ended: the last Zuschlag of its lots, else its cancellation (or None)."""
    finalised = db.session.scalar(select(func.max(Award.finalised_at)).where(Award.tender_id == tender.id))
    if finalised is not None and tender.status is not TenderStatus.cancelled:
        return finalised
    if tender.status is TenderStatus.cancelled:
        return tender.cancelled_at
    return None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without it: the last day of February
        return day.replace(year=day.year + years, day=28)


def retention_last_day(tender: Tender) -> Optional[date]:
    """The last day (Berlin) the record must be kept: the award date plus three calendar years."""
    moment = award_moment(tender)
    if moment is None:
        return None
    return _add_years(moment.astimezone(BERLIN).date(), RETENTION_YEARS)


def retention_end(tender: Tender) -> Optional[datetime]:
    """The moment the retention ends (UTC): midnight in Berlin after the last day; None: never."""
    last_day = retention_last_day(tender)
    if last_day is None:
        return None
    return datetime.combine(last_day + timedelta(days=1), time(0), BERLIN).astimezone(UTC)


def is_past_retention(tender: Tender, now: datetime) -> bool:
    end = retention_end(tender)
    return end is not None and now >= end


@dataclass(frozen=True)
class PastRetention:
    tender_id: int
    title: str
    last_day: date


def past_retention(now: datetime) -> list[PastRetention]:
    """The procedures whose retention has ended at ``now``, oldest first."""
    tenders = db.session.scalars(
        select(Tender).where(Tender.status.in_(AUDITABLE_STATES)).order_by(Tender.id)
    ).all()
    found = []
    for tender in tenders:
        last_day = retention_last_day(tender)
        if last_day is not None and is_past_retention(tender, now):
            found.append(PastRetention(tender.id, tender.title, last_day))
    return sorted(found, key=lambda row: (row.last_day, row.tender_id))


def _storage_keys(tender_id: int) -> list[str]:
    """Every stored file of the procedure."""
    bid_ids = select(Bid.id).where(Bid.tender_id == tender_id)
    award_ids = select(Award.id).where(Award.tender_id == tender_id)
    request_ids = select(DocumentRequest.id).where(DocumentRequest.tender_id == tender_id)
    queries = [
        select(TenderDocument.storage_key).where(TenderDocument.tender_id == tender_id),
        select(BidFile.storage_key).where(BidFile.bid_id.in_(bid_ids)),
        select(Opening.record_storage_key).where(Opening.tender_id == tender_id),
        select(DocumentReplyFile.storage_key).where(DocumentReplyFile.request_id.in_(request_ids)),
        select(InformationLetter.pdf_storage_key).where(InformationLetter.award_id.in_(award_ids)),
        select(Contract.pdf_storage_key).where(Contract.tender_id == tender_id),
    ]
    keys: list[str] = []
    for query in queries:
        keys.extend(key for key in db.session.scalars(query) if key)
    return keys


def purge_tender(actor: Optional[User], tender: Tender, now: datetime) -> int:
    """Delete the procedure's files and rows after its retention; return how many files go.

    :param actor: the admin who runs the command, or None (the command line without a user)
    :raises RetentionRunning: before the retention has ended, or for a procedure never concluded
    """
    if not is_past_retention(tender, now):
        raise RetentionRunning(tender.id, retention_last_day(tender))
    tender_id = tender.id
    last_day = retention_last_day(tender)
    keys = _storage_keys(tender_id)
    summary = {
        "tender_id": tender_id,
        "title": tender.title,
        "reference": tender.reference,
        "retention_last_day": last_day.isoformat() if last_day else None,
        "files": len(keys),
    }
    store = storage()
    for key in keys:
        delete_after_commit(db.session, store, key)
    session = db.session
    # rows that refer to others without ON DELETE CASCADE go first, the tender cascades the rest
    session.execute(update(Invoice).where(Invoice.tender_id == tender_id).values(preceding_invoice_id=None))
    session.execute(delete(Invoice).where(Invoice.tender_id == tender_id))
    award_ids = select(Award.id).where(Award.tender_id == tender_id)
    session.execute(delete(InformationLetter).where(InformationLetter.award_id.in_(award_ids)))
    session.execute(delete(Contract).where(Contract.tender_id == tender_id))
    session.execute(delete(Award).where(Award.tender_id == tender_id))
    session.execute(delete(Tender).where(Tender.id == tender_id))
    session.expire_all()
    record(
        "record.purged",
        actor=actor,
        object_type="tender",
        object_id=tender_id,
        now=now,
        after=summary,
    )
    session.flush()
    return len(keys)


# --- flask records retention | purge -------------------------------------------------------

records_cli = AppGroup("records", help="Records of procedures: retention (§8(4) VgV).")


@records_cli.command("retention")
def retention_command() -> None:
    """List the procedures past their retention (id, title, last day kept)."""
    from procurement.database import utcnow

    rows = past_retention(utcnow())
    if not rows:
        click.echo("no procedure is past its retention")
        return
    for row in rows:
        click.echo(f"{row.tender_id}\t{row.title}\t{row.last_day.isoformat()}")
    click.echo(f"{len(rows)} procedure(s) past retention")


@records_cli.command("purge")
@click.option("--tender", "tender_id", type=int, required=True, help="The procedure's id.")
@click.option("--yes", is_flag=True, help="Delete without asking.")
def purge_command(tender_id: int, yes: bool) -> None:
    """Delete a procedure's files and rows after its retention; the audit chain stays."""
    from procurement.database import utcnow

    tender = db.session.get(Tender, tender_id)
    if tender is None:
        click.echo(f"no procedure with id {tender_id}", err=True)
        sys.exit(1)
    now = utcnow()
    if not is_past_retention(tender, now):
        click.echo(str(RetentionRunning(tender.id, retention_last_day(tender))), err=True)
        sys.exit(1)
    if not yes and not click.confirm(
        f"Delete procedure {tender.id} ({tender.title}) with all its files? The audit entries stay."
    ):
        click.echo("nothing deleted")
        sys.exit(1)
    files = purge_tender(None, tender, now)
    db.session.commit()
    click.echo(f"procedure {tender_id} deleted ({files} file(s)); its audit entries are kept")
