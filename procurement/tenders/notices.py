"""Notices of a tender: the eForms contract notice of an EU procedure (§37 VgV, Art. 51 of
Directive 2014/24/EU), the platform's own notice of a national procedure (§28 UVgO).

A notice is stored exactly as it was issued, with the level of checking it passed.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Optional

from flask import current_app
from flask_babel import gettext as _

from procurement.accounts.models import User
from procurement.errors import DomainError
from procurement.exports.eforms import NoticeDataMissing, build_contract_notice, missing_data
from procurement.exports.validation import PLATFORM, NoticeCheck, check_notice
from procurement.extensions import db
from procurement.tenders.models import Notice, NoticeKind, Tender
from procurement.tenders.services import audit_tender, load_for_manager

CONTRACT_NOTICE_VERSION = "01"  # BT-757: the platform sends each contract notice once


def _base_url() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")  # the builder joins the paths


def _procedure_missing(tender: Tender) -> list[str]:
    return [] if tender.procedure is not None else [_("die Verfahrensart (EU-weit oder national)")]


def preview_notice(tender: Tender, now: datetime) -> tuple[Optional[bytes], Optional[NoticeCheck], list[str]]:
    """The notice as it would be issued ``now``: its XML, the checks' result, what is missing.

    National procedures have no eForms notice: (None, None, []).
    """
    missing = _procedure_missing(tender)
    if missing:
        return None, None, missing
    if not tender.is_eu:
        return None, None, []
    missing = missing_data(tender, now)
    if missing:
        return None, None, missing
    xml = build_contract_notice(
        tender,
        notice_uuid=str(uuid.uuid4()),
        issued_at=now,
        version=CONTRACT_NOTICE_VERSION,
        base_url=_base_url(),
    )
    return xml, check_notice(xml), []


def issue_notice(actor: User, tender: Tender, now: datetime) -> Notice:
    """Build, check and store the tender's notice; the publish service calls it before publishing.

    :param actor: the lead officer publishing the tender
    :raises NoticeDataMissing: the tender lacks data an eForms notice needs
    :raises DomainError: the checks found a fatal error in the notice (listed in the message)
    """
    load_for_manager(actor, tender)
    missing = _procedure_missing(tender)
    if missing:
        raise NoticeDataMissing(missing)
    notice_uuid = str(uuid.uuid4())
    if tender.is_eu:
        xml = build_contract_notice(
            tender,
            notice_uuid=notice_uuid,
            issued_at=now,
            version=CONTRACT_NOTICE_VERSION,
            base_url=_base_url(),
        )
        check = check_notice(xml)
        if not check.ok:
            problems = "; ".join(
                f"{finding.rule}: {finding.message}"
                for finding in check.findings
                if finding.severity == "fatal"
            )
            raise DomainError(
                _(
                    "Die EU-Bekanntmachung hat die Prüfung nicht bestanden und wurde nicht "
                    "veröffentlicht: %(problems)s",
                    problems=problems,
                )
            )
        notice = Notice(
            kind=NoticeKind.contract_notice,
            notice_uuid=notice_uuid,
            version=CONTRACT_NOTICE_VERSION,
            xml=xml,
            sha256=hashlib.sha256(xml).hexdigest(),
            validation_level=check.level,
        )
    else:
        notice = Notice(
            kind=NoticeKind.national_notice,
            notice_uuid=notice_uuid,
            version=CONTRACT_NOTICE_VERSION,
            xml=None,
            sha256="",
            validation_level=PLATFORM,
        )
    notice.created_by_id = actor.id
    notice.created_at = now
    tender.notices.append(notice)
    db.session.flush()
    audit_tender(
        "notice_issued",
        actor,
        tender,
        now,
        after={
            "kind": notice.kind.value,
            "notice_uuid": notice.notice_uuid,
            "sha256": notice.sha256,
            "validation_level": notice.validation_level,
        },
    )
    return notice


def issued_contract_notice(tender: Tender) -> Optional[Notice]:
    """The newest contract notice issued for the tender, as it left the platform."""
    issued = [n for n in tender.notices if n.kind is NoticeKind.contract_notice and n.xml is not None]
    return issued[-1] if issued else None
