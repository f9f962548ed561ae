"""`flask search ...`: maintenance of the search index."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup

from procurement.extensions import db


def register_commands(app: Flask) -> None:
    search = AppGroup("search", help="The full-text search index.")

    @search.command("reindex")
    def reindex() -> None:
        """Rebuild the index from every published solution and pilot project (after bulk loads)."""
        from procurement.search.index import rebuild_index

        began = time.perf_counter()
        report = rebuild_index()
        db.session.commit()
        click.echo(
            f"search index rebuilt: {report.solutions} solutions, {report.pilot_projects} pilot projects "
            f"in {time.perf_counter() - began:.1f} s"
        )

    app.cli.add_command(search)
