"""`flask` commands: seed-demo, tick, audit verify, mail send-pending."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from procurement.extensions import db
from procurement.search.cli import register_commands as register_search_commands


def register_commands(app: Flask) -> None:
    audit = AppGroup("audit", help="The tamper-evident audit log.")
    mail = AppGroup("mail", help="The mail outbox.")

    @audit.command("verify")
    @click.option(
        "--archive",
        type=click.Path(exists=True, dir_okay=False),
        help="Check an exported Vergabeakte (ZIP) offline instead of the database's chain.",
    )
    def audit_verify(archive: str | None) -> None:
        """Recompute the hash chain; name the first broken entry and exit 1 if there is one.

        With --archive: recompute the archive's manifest hashes and its audit lines (no database).
        """
        if archive:
            from procurement.records.verify import verify_archive_command

            sys.exit(verify_archive_command(archive))
        from procurement.audit.services import verify_chain

        result = verify_chain()
        if result.ok:
            click.echo(f"audit chain intact: {result.checked} entries verified")
            return
        broken = result.first_break
        assert broken is not None
        click.echo(
            f"audit chain BROKEN at entry seq={broken.seq} (id={broken.entry_id}): {broken.reason}; "
            f"{result.checked} entries before it are intact",
            err=True,
        )
        sys.exit(1)

    @mail.command("send-pending")
    def mail_send_pending() -> None:
        """Send every mail waiting in the outbox."""
        from procurement.mail.services import send_pending

        report = send_pending()
        click.echo(f"{report.sent} sent, {report.failed} failed")
        if report.failed:
            sys.exit(1)

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the demo organisations and users (idempotent)."""
        from procurement.demo import seed

        created = seed()
        db.session.commit()
        click.echo(f"demo data loaded ({created} new records)" if created else "demo data already present")

    @app.cli.command("tick")
    def tick() -> None:
        """Time-driven work (run every minute from cron): close the submission of due tenders,
        count delivered §134 GWB letters (the standstill starts), remove unfinished uploads of
        killed workers from the local storage."""
        from procurement.database import utcnow
        from procurement.storage import LocalStorage, storage
        from procurement.tenders.deadlines import close_due_tenders

        moved = close_due_tenders(utcnow())
        db.session.commit()
        click.echo(
            f"{len(moved)} tender(s) moved to opening" + (f": {', '.join(map(str, moved))}" if moved else "")
        )
        from procurement.awards.requests import lapse_overdue

        lapsed = lapse_overdue(utcnow())
        db.session.commit()
        if lapsed:
            click.echo(f"{len(lapsed)} document request(s) lapsed: {', '.join(map(str, lapsed))}")
        from procurement.awards.letters import sync_deliveries

        notified = sync_deliveries(utcnow())
        db.session.commit()
        if notified:
            click.echo(f"{len(notified)} award(s) notified: §134 GWB letters delivered, standstill running")
        store = storage()
        # S3: an unfinished multipart upload is removed by the bucket's lifecycle rule (README)
        if isinstance(store, LocalStorage):
            removed = store.sweep_partials()
            if removed:
                click.echo(f"{removed} unfinished upload(s) removed from the storage")

    app.cli.add_command(audit)
    app.cli.add_command(mail)
    from procurement.records.retention import records_cli

    app.cli.add_command(records_cli)
    register_search_commands(app)
