"""The Kompetenzzentrum's overview: how much is procured jointly, and what bundling saves.

Figures over the concluded procedures (awarded in any later state, or cancelled), by the year
(Europe/Berlin) of the last Zuschlag or of the cancellation:
- procedures per year, joint (two or more joined participants, §4 VgV) against single;
- how many participants the joint procedures had (distribution);
- per year, the estimated values (§3 VgV) against the awarded values (the winning bids' prices)
  of the awarded procedures; the difference is what the procedures saved against the estimate.
Organisations carry no "funded" flag yet, so funded and non-funded municipalities are not told
apart. Charts are SVG bar charts made here (no JavaScript); every chart has the same numbers as a
table beside it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional
from xml.sax.saxutils import escape

from markupsafe import Markup
from sqlalchemy import select

from procurement.extensions import db
from procurement.records.permissions import AUDITABLE_STATES
from procurement.records.workspace import BERLIN, awarded_values, concluded_moments
from procurement.tenders.models import Tender
from workflows.tender import TenderStatus

ZERO = Decimal("0.00")


@dataclass
class YearFigures:
    year: int
    joint: int = 0
    single: int = 0
    cancelled: int = 0
    estimated: Decimal = ZERO  # of the awarded procedures with an estimate
    awarded: Decimal = ZERO

    @property
    def procedures(self) -> int:
        return self.joint + self.single

    @property
    def savings(self) -> Decimal:
        return self.estimated - self.awarded


@dataclass
class Overview:
    years: list[YearFigures] = field(default_factory=list)
    participants: dict[int, int] = field(default_factory=dict)  # participants -> joint procedures

    @property
    def total_estimated(self) -> Decimal:
        return sum((y.estimated for y in self.years), ZERO)

    @property
    def total_awarded(self) -> Decimal:
        return sum((y.awarded for y in self.years), ZERO)

    @property
    def total_savings(self) -> Decimal:
        return self.total_estimated - self.total_awarded


def overview() -> Overview:
    """The figures of all concluded procedures (see the module docstring)."""
    tenders = list(db.session.scalars(select(Tender).where(Tender.status.in_(AUDITABLE_STATES))))
    moments = concluded_moments(tenders)
    awarded = awarded_values([t.id for t in tenders])
    years: dict[int, YearFigures] = {}
    participants: Counter[int] = Counter()
    for tender in tenders:
        moment = moments.get(tender.id)
        if moment is None:
            continue
        year = moment.astimezone(BERLIN).year
        figures = years.setdefault(year, YearFigures(year))
        count = tender.participant_count
        if count >= 2:
            figures.joint += 1
            participants[count] += 1
        else:
            figures.single += 1
        if tender.status is TenderStatus.cancelled:
            figures.cancelled += 1
            continue
        # the comparison needs both values: a procedure without an estimate is left out of both sums
        if tender.estimated_value is not None and tender.id in awarded:
            figures.estimated += tender.estimated_value
            figures.awarded += awarded[tender.id]
    return Overview(
        years=[years[y] for y in sorted(years)],
        participants=dict(sorted(participants.items())),
    )


# --- SVG bar charts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    label: str
    values: list[Decimal | int]
    colour: str  # a fill colour with enough contrast on white (WCAG 1.4.11: 3:1)


WIDTH = 640
HEIGHT = 280
MARGIN_LEFT = 70
MARGIN_BOTTOM = 40
MARGIN_TOP = 20
LEGEND_HEIGHT = 24


def _nice_max(value: Decimal) -> Decimal:
    """A round upper end for the axis (1, 2, 5 × 10^n) at least ``value``."""
    if value <= 0:
        return Decimal(1)
    exponent = len(str(int(value))) - 1
    base = Decimal(10) ** exponent
    for step in (1, 2, 5, 10):
        if value <= step * base:
            return step * base
    return 10 * base  # pragma: no cover - the loop always returns


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
    format_value: Optional[Callable[[Any], str]] = None,
) -> Markup:
    """A grouped bar chart as inline SVG: role="img" with <title> and <desc> (aria-labelledby)."""
    fmt = format_value or str
    top = max((Decimal(v) for s in series for v in s.values), default=Decimal(0))
    axis_max = _nice_max(top)
    plot_w = WIDTH - MARGIN_LEFT - 10
    plot_h = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP - LEGEND_HEIGHT
    base_y = MARGIN_TOP + LEGEND_HEIGHT + plot_h
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * 0.7 / max(len(series), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    # axis with three ticks
    for fraction in (Decimal(0), Decimal("0.5"), Decimal(1)):
        y = base_y - float(fraction) * plot_h
        parts.append(
            f'<line stroke="#adb5bd" x1="{MARGIN_LEFT}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text font-size="11" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(axis_max * fraction))}</text>"
        )
    for index, category in enumerate(categories):
        x0 = MARGIN_LEFT + index * group_w + group_w * 0.15
        for position, item in enumerate(series):
            value = Decimal(item.values[index])
            height = float(value / axis_max) * plot_h if axis_max else 0.0
            x = x0 + position * bar_w
            parts.append(
                f'<rect class="chart-bar" fill="{escape(item.colour)}" x="{x:.1f}" y="{base_y - height:.1f}" '
                f'width="{bar_w:.1f}" height="{height:.1f}"><title>{escape(category)}, {escape(item.label)}: '
                f"{escape(fmt(item.values[index]))}</title></rect>"
            )
        parts.append(
            f'<text font-size="12" x="{x0 + bar_w * len(series) / 2:.1f}" y="{base_y + 18}" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    for position, item in enumerate(series):
        x = MARGIN_LEFT + position * 200
        parts.append(
            f'<rect fill="{escape(item.colour)}" x="{x}" y="{MARGIN_TOP - 10}" width="12" height="12"/>'
        )
        parts.append(f'<text font-size="12" x="{x + 18}" y="{MARGIN_TOP}">{escape(item.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text and attribute above is escaped
