"""Search blueprint: public full-text search over published solutions and pilot projects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_currency, format_decimal
from flask_babel import gettext as _

from procurement.marketplace.labels import CATEGORY_LABELS
from procurement.search import (
    engine,
    models,  # noqa: F401 - registers the tables
)
from procurement.search.forms import FUNDING_LABELS, KIND_LABELS, KIND_LABELS_PLURAL, bound_form
from procurement.search.models import EntryKind
from procurement.search.regions import STATES

bp = Blueprint("search", __name__)


def _text_notices(result: engine.SearchResult) -> list[str]:
    text = result.text
    notices = []
    if text.truncated:
        notices.append(
            _(
                "Der Suchtext war zu lang; verwendet wurden die ersten %(count)d Zeichen.",
                count=engine.MAX_QUERY_CHARS,
            )
        )
    if text.dropped_terms:
        notices.append(
            _(
                "Es werden höchstens %(count)d Wörter gesucht; nicht berücksichtigt: %(words)s.",
                count=engine.MAX_TERMS,
                words=", ".join(text.dropped_terms),
            )
        )
    if text.only_stop_words:
        notices.append(_("Der Suchtext enthielt keine suchbaren Wörter; er wurde nicht berücksichtigt."))
    if result.requested_page > result.page:
        notices.append(_("Diese Seite gibt es nicht; gezeigt wird Seite %(page)d.", page=result.page))
    return notices


def _money(value: Optional[Decimal]) -> str:
    return "" if value is None else format_currency(value, "EUR")


def _number(value: int) -> str:
    return format_decimal(value, format="#,##0")


def _detail_url(item: engine.ResultItem) -> str:
    if item.kind is EntryKind.solution:
        return url_for("marketplace.solution", solution_id=item.entry_id)
    return url_for("marketplace.pilot_project", project_id=item.entry_id)


def _page_url(page: int) -> str:
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for("search.search", **args)


@bp.route("/search")
def search() -> ResponseReturnValue:
    """Search page: words, filters, facet counts per category, sorted and paginated results."""
    form = bound_form(request.args)
    result = engine.search(form.search_query())
    return render_template(
        "search/search.html",
        form=form,
        result=result,
        notices=form.notices() + _text_notices(result),
        category_labels=CATEGORY_LABELS,
        kind_labels=KIND_LABELS,
        kind_labels_plural=KIND_LABELS_PLURAL,
        funding_labels=FUNDING_LABELS,
        states=STATES,
        money=_money,
        number=_number,
        detail_url=_detail_url,
        page_url=_page_url,
        entry_kinds=EntryKind,
    )
