"""The Kompetenzzentrum's overview: figures per year (Decimal sums) and accessible SVG charts."""

from __future__ import annotations

import re
from decimal import Decimal

from procurement.records.overview import Series, bar_chart, overview
from tests.conftest import page_text
from tests.procurement.records.test_workspace_support import (
    CURATOR,
    KZ_AUDITOR,
    LEAD_AUDITOR,
    add_auditors,
    cancelled_tender,
    set_estimated_value,
)
from tests.procurement.tenders.conftest import LEAD


def test_figures_count_joint_procedures_and_compare_estimated_with_awarded_values(app, closed, public_tender):
    set_estimated_value(app, closed.tender_id, "61900.25")
    cancelled_tender(app, public_tender)
    with app.app_context():
        figures = overview()
    assert [y.year for y in figures.years] == [2026, 2027]
    cancelled_year, award_year = figures.years
    assert (cancelled_year.joint, cancelled_year.single, cancelled_year.cancelled) == (1, 0, 1)
    assert (cancelled_year.estimated, cancelled_year.awarded) == (Decimal(0), Decimal(0))
    assert (award_year.joint, award_year.single, award_year.cancelled) == (1, 0, 0)
    assert award_year.estimated == Decimal("61900.25")
    assert award_year.awarded == Decimal("49200.50")  # 48,000.00 + 1,200.50, the winning prices
    assert award_year.savings == Decimal("12699.75")
    assert isinstance(award_year.awarded, Decimal)
    assert figures.participants == {2: 2}
    assert figures.total_savings == Decimal("12699.75")


def test_nothing_before_the_award_counts(app, opened):
    with app.app_context():
        assert overview().years == []


def test_the_page_has_each_chart_with_its_numbers_in_a_table(app, closed, auth, client):
    set_estimated_value(app, closed.tender_id, "61900.25")
    auth.login(CURATOR)
    response = client.get("/kompetenzzentrum/uebersicht")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for chart in ("chart-procedures", "chart-participants", "chart-values"):
        svg = re.search(rf'<svg[^>]*id="{chart}"[^>]*>.*?</svg>', html, re.S)
        assert svg, chart
        assert 'role="img"' in svg.group(0)
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in svg.group(0)
        assert f'<title id="{chart}-title">' in svg.group(0) and f'<desc id="{chart}-desc">' in svg.group(0)
    table = re.search(r'<table[^>]*id="table-values".*?</table>', html, re.S).group(0)
    assert "<caption>" in table and 'scope="col"' in table and 'scope="row"' in table
    text = page_text(response)
    assert "61.900,25" in text and "49.200,50" in text and "12.699,75" in text
    # the bars say the same in their tooltips
    assert "2027, vergeben: 49.201" in html or "2027, vergeben: 49.200" in html


def test_only_the_kompetenzzentrum_reads_the_overview(app, closed, auth, client):
    add_auditors(app)
    assert client.get("/kompetenzzentrum/uebersicht").status_code == 302
    for email, status in ((CURATOR, 200), (KZ_AUDITOR, 200), (LEAD, 403), (LEAD_AUDITOR, 403)):
        auth.login(email)
        assert client.get("/kompetenzzentrum/uebersicht").status_code == status, email
        linked = 'href="/kompetenzzentrum/uebersicht"' in client.get("/").get_data(as_text=True)
        assert linked is (status == 200), email  # the navigation links it for those who may read it
        auth.logout()


def test_bar_heights_follow_the_values_and_text_is_escaped(app):
    with app.test_request_context():
        svg = str(
            bar_chart(
                "c",
                "A <b>",
                "d & e",
                ["2026", "2027"],
                [Series("x", [Decimal(50), Decimal(100)], "#000")],
            )
        )
    assert "A &lt;b&gt;" in svg and "d &amp; e" in svg and "<b>" not in svg
    heights = [float(h) for h in re.findall(r'<rect class="chart-bar"[^>]*height="([\d.]+)"', svg)]
    assert heights[1] == 2 * heights[0] > 0
