"""The tender's segment of the audit chain: the right entries, in order, each line recomputable."""

from __future__ import annotations

import json

from flask import Flask

from procurement.audit.models import AuditEntry
from procurement.extensions import db
from procurement.records.chain import entry_line, line_hash, tender_entries
from tests.procurement.records.conftest import Closed


def test_tender_entries_are_the_tenders_in_seq_order_and_recompute(app: Flask, closed: Closed) -> None:
    with app.app_context():
        lines = [entry_line(entry) for entry in tender_entries(closed.tender_id, batch=7)]
        all_count = db.session.query(AuditEntry).count()
    seqs = [line["seq"] for line in lines]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    actions = {line["action"] for line in lines}
    # the procedure's own events and its bids' and awards' events
    assert any(a.startswith("tender.") for a in actions), actions
    assert any(a.startswith("bid.") for a in actions), actions
    assert any(a.startswith("award.") or a.startswith("contract.") for a in actions), actions
    assert len(lines) < all_count  # account events etc. are not part of the segment
    for line in lines:
        json.dumps(line)  # a JSON line
        assert line_hash(line) == line["hash"]
        if line["object_type"] != "tender":
            assert f'"tender_id":{closed.tender_id}' in line["after"]
    changed = dict(lines[0], action="tender.changed")
    assert line_hash(changed) != lines[0]["hash"]
