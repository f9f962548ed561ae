"""The XRechnung check page: official examples, own checks only, refusals, attacks, escaping, PDF.

The official examples and the KoSIT artefacts live beside the checkout (``../shared/xrechnung``);
the tests that need them are skipped with the reason when they are absent. Nothing of an upload
is stored: no audit entry, no mail, no row.
"""

from __future__ import annotations

import base64
import http.server
import io
import re
import resource
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from procurement.audit.models import AuditEntry
from procurement.mail.models import OutboxMail
from tests.conftest import count, csrf_token, page_text
from tests.procurement.invoices.conftest import BUYER, BUYER_AUDITOR, BUYER_REQUESTER, CURATOR, VENDOR

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "xrechnung"
EXAMPLES = SHARED / "examples"
VALID_EXAMPLES = sorted(
    path for folder in ("standard", "extension", "technical") for path in (EXAMPLES / folder).glob("*.xml")
)
INVALID_EXAMPLES = sorted((EXAMPLES / "invalid").glob("*.expect-*.xml"))
URL = "/rechnungen/pruefen"
OFFICIAL = "Offizielle Prüfung: XSD, EN 16931, XRechnung 3.0"
OWN_ONLY = "Nur eigene Prüfungen der Plattform"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

needs_rules = pytest.mark.skipif(
    not (SHARED / "xsd").is_dir() or not (SHARED / "xslt").is_dir(),
    reason=f"the KoSIT artefacts and examples are not in {SHARED} (they live beside the checkout)",
)


def example(name: str) -> bytes:
    path = EXAMPLES / name
    if not path.is_file():
        pytest.skip(f"the official example {path} is not there")
    return path.read_bytes()


def upload(client: FlaskClient, data: bytes, filename: str = "rechnung.xml", **fields: str):  # type: ignore[no-untyped-def]
    payload: dict[str, object] = {"csrf_token": csrf_token(client, URL), "submit": "1", **fields}
    payload["file"] = (io.BytesIO(data), filename)
    return client.post(URL, data=payload, content_type="multipart/form-data")


def rules(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Rule id -> severity of the findings table."""
    html = response.get_data(as_text=True)
    return dict(re.findall(r'data-rule="([^"]+)" data-severity="([^"]+)"', html))


def document_number(data: bytes) -> str:
    return etree.fromstring(data).findtext(f"{{{CBC}}}ID")


@pytest.fixture
def signed_in(app: Flask, demo: None, auth) -> FlaskClient:  # type: ignore[no-untyped-def]
    auth.login(BUYER)
    return auth.client


@pytest.fixture
def rules_configured(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "XRECHNUNG_RULES_DIR", str(SHARED))


@pytest.fixture
def own_checks_only(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app config switches the official rules off, whatever the environment says."""
    monkeypatch.setitem(app.config, "XRECHNUNG_RULES_DIR", "")
    monkeypatch.setenv("XRECHNUNG_RULES_DIR", str(SHARED))


# --- the official examples -------------------------------------------------------------------


@needs_rules
@pytest.mark.parametrize("path", VALID_EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_official_examples_are_valid_and_shown(signed_in, rules_configured, path):
    data = path.read_bytes()
    response = upload(signed_in, data, path.name)
    assert response.status_code == 200
    text = page_text(response)
    assert OFFICIAL in text
    assert "Gültig: die XRechnung erfüllt die offiziellen Regeln" in text
    assert "fatal" not in rules(response).values()
    # the rendered invoice shows the document's number, and the PDF can be had from the page
    assert "Inhalt der Rechnung" in text
    assert document_number(data) in text
    assert 'name="document"' in response.get_data(as_text=True)


@needs_rules
@pytest.mark.parametrize("path", INVALID_EXAMPLES, ids=lambda p: p.name)
def test_invalid_examples_show_their_rule_id(signed_in, rules_configured, path):
    expected = path.name.split(".expect-")[1].removesuffix(".xml")
    response = upload(signed_in, path.read_bytes(), path.name)
    assert response.status_code == 200
    assert rules(response).get(expected) == "fatal"
    assert "Nicht gültig" in page_text(response)


@needs_rules
def test_wrong_sum_names_br_co_15_with_the_amounts(signed_in, rules_configured):
    response = upload(signed_in, example("invalid/wrong-BT-112.expect-BR-CO-15.xml"))
    assert rules(response)["BR-CO-15"] == "fatal"
    assert "berechnet" in page_text(response)  # the own check says what it computed


@needs_rules
def test_made_up_leitweg_id_of_an_example_is_a_warning(signed_in, rules_configured):
    """The official rules do not check Leitweg-ID check digits; the page warns about them."""
    response = upload(signed_in, example("standard/01.06a-INVOICE_ubl.xml"))
    assert rules(response)["LEITWEG-ID-CHECK-DIGITS"] == "warning"
    assert "Gültig" in page_text(response)


@needs_rules
def test_own_checks_only_when_the_config_switches_the_rules_off(signed_in, own_checks_only):
    page = signed_in.get(URL)
    assert OWN_ONLY in page_text(page)
    response = upload(signed_in, example("invalid/no-BT-10-BuyerReference.expect-BR-DE-15.xml"))
    text = page_text(response)
    assert OWN_ONLY in text and OFFICIAL not in text
    assert "nicht eingerichtet" in text
    assert rules(response)["BR-DE-15"] == "fatal"
    wrong_sum = upload(signed_in, example("invalid/wrong-BT-112.expect-BR-CO-15.xml"))
    assert rules(wrong_sum)["BR-CO-15"] == "fatal"
    # an XSD-only fault is beyond the own checks: nothing claims the official verdict
    valid = upload(signed_in, example("standard/01.01a-INVOICE_ubl.xml"))
    assert "Keine Fehler bei den eigenen Prüfungen" in page_text(valid)


@needs_rules
def test_the_page_names_the_level_before_any_upload(signed_in, rules_configured):
    assert OFFICIAL in page_text(signed_in.get(URL))


# --- the PDF rendering -----------------------------------------------------------------------


@needs_rules
def test_pdf_rendering_by_posting_the_document_again(signed_in, rules_configured):
    data = example("standard/01.01a-INVOICE_ubl.xml")
    page = upload(signed_in, data, "eingang.xml")
    html = page.get_data(as_text=True)
    document = re.search(r'name="document" value="([^"]+)"', html).group(1)
    assert base64.b64decode(document) == data
    response = signed_in.post(
        URL,
        data={
            "csrf_token": csrf_token(signed_in, URL),
            "document": document,
            "filename": "eingang.xml",
            "pdf": "1",
        },
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "eingang.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert document_number(data) in text


@needs_rules
def test_pdf_directly_with_the_upload(signed_in, rules_configured):
    data = example("technical/01.05_minimal_test_ubl.xml")
    response = upload(signed_in, data, "minimal.xml", pdf="1")
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")


def test_a_tampered_reposted_document_is_checked_again(signed_in):
    response = signed_in.post(
        URL,
        data={"csrf_token": csrf_token(signed_in, URL), "document": "not base64!!", "pdf": "1"},
    )
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "UPLOAD-EMPTY" in page_text(response)


# --- refusals --------------------------------------------------------------------------------


def test_empty_file_is_refused(signed_in):
    response = upload(signed_in, b"")
    assert response.status_code == 422
    text = page_text(response)
    assert "Die Datei ist leer" in text and "UPLOAD-EMPTY" in text


def test_no_file_is_refused(signed_in):
    response = signed_in.post(URL, data={"csrf_token": csrf_token(signed_in, URL), "submit": "1"})
    assert response.status_code == 422
    assert "Bitte wählen Sie eine XRechnung" in page_text(response)


def test_a_pdf_is_refused_as_not_xml(signed_in):
    response = upload(signed_in, b"%PDF-1.7\n1 0 obj <<>> endobj\n", "rechnung.pdf")
    assert response.status_code == 422
    text = page_text(response)
    assert "keine XML-Datei, sondern PDF" in text and "XML-WELLFORMED" in text


def test_text_that_is_not_xml_is_refused(signed_in):
    response = upload(signed_in, b"Rechnung Nr. 17 ueber 100 EUR", "rechnung.txt")
    assert response.status_code == 422
    assert "kein wohlgeformtes XML" in page_text(response)
    assert rules(response) == {"XML-WELLFORMED": "fatal"}


def test_xml_that_is_no_invoice_is_refused(signed_in):
    response = upload(signed_in, b"<?xml version='1.0'?><Bestellung><Nr>1</Nr></Bestellung>")
    assert response.status_code == 422
    assert rules(response) == {"XML-ROOT": "fatal"}


def test_oversize_file_is_refused_unread(app, signed_in, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_XRECHNUNG_BYTES", 1000)
    padded = b"<?xml version='1.0'?><Invoice>" + b" " * 1500 + b"</Invoice>"
    response = upload(signed_in, padded)
    assert response.status_code == 413
    text = page_text(response)
    assert "zu groß" in text and "UPLOAD-SIZE" in text
    # far beyond the request limit: refused before the form is parsed
    response = upload(signed_in, b"<a>" + b"x" * 200_000 + b"</a>")
    assert response.status_code == 413
    assert "UPLOAD-SIZE" in page_text(response)


def test_default_limit_is_ten_mebibytes(app):
    assert app.config["MAX_XRECHNUNG_BYTES"] == 10 * 1024 * 1024


# --- attacks ---------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:Note>&lol9;</cbc:Note>
</Invoice>
"""


def quadratic_blowup() -> bytes:
    entity = "A" * 100_000
    references = "&a;" * 20_000
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY a "{entity}">]>\n'
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        f"<cbc:Note>{references}</cbc:Note></Invoice>"
    ).encode()


def with_note(note: str, doctype: str) -> bytes:
    """The minimal official example with a DTD and ``note`` in BT-22."""
    data = example("technical/01.05_minimal_test_ubl.xml")
    root_end = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
    data = data[:root_end] + doctype.encode() + data[root_end:]
    return re.sub(rb"(<cbc:IssueDate>)", f"<cbc:Note>{note}</cbc:Note>".encode() + rb"\1", data, count=1)


def assert_doctype_refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 422
    assert rules(response) == {"XML-DOCTYPE": "fatal"}
    assert "Dokumenttyp-Deklaration" in page_text(response)


@pytest.mark.parametrize("attack", ["billion_laughs", "quadratic_blowup"])
def test_entity_bombs_are_refused_quickly_in_bounded_memory(signed_in, attack):
    data = BILLION_LAUGHS if attack == "billion_laughs" else quadratic_blowup()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.perf_counter()
    response = upload(signed_in, data)
    elapsed = time.perf_counter() - started
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert_doctype_refused(response)
    assert "lollol" not in response.get_data(as_text=True)
    assert "AAAAAAAAAA" not in response.get_data(as_text=True)
    assert elapsed < 2.0, elapsed
    assert grown_mib < 100, grown_mib


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "geheim.txt"
    path.write_text("GEHEIMNIS-4711-NICHT-ZEIGEN\n")
    return path


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server hook
        _Recorder.hits.append(self.path)
        body = b'<!ENTITY leak "NETZWERK-GELADEN">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_listener() -> Iterator[str]:
    """A local HTTP server that records every request (any fetch would be a network access)."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_external_file_entity_is_refused_and_nothing_leaks(signed_in, secret_file):
    data = with_note("&xxe;", f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://{secret_file}">]>')
    response = upload(signed_in, data)
    assert_doctype_refused(response)
    assert "GEHEIMNIS" not in response.get_data(as_text=True)
    passwd = with_note("&xxe;", '<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    response = upload(signed_in, passwd)
    assert_doctype_refused(response)
    assert "root:" not in response.get_data(as_text=True)


def test_external_http_entities_and_dtds_are_never_fetched(signed_in, http_listener):
    attacks = [
        with_note("&xxe;", f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "{http_listener}/entity">]>'),
        with_note("x", f'<!DOCTYPE Invoice SYSTEM "{http_listener}/external.dtd">'),
        with_note(
            "&leak;", f'<!DOCTYPE Invoice [<!ENTITY % remote SYSTEM "{http_listener}/param"> %remote;]>'
        ),
    ]
    for data in attacks:
        response = upload(signed_in, data)
        assert_doctype_refused(response)
        assert "NETZWERK-GELADEN" not in response.get_data(as_text=True)
    assert _Recorder.hits == []


def test_a_doctype_in_utf16_is_refused_too(signed_in, secret_file):
    text = with_note("&xxe;", f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://{secret_file}">]>').decode()
    data = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    response = upload(signed_in, data)
    assert response.status_code == 422
    assert "XML-DOCTYPE" in rules(response)
    assert "GEHEIMNIS" not in response.get_data(as_text=True)


@needs_rules
def test_xinclude_is_not_processed(signed_in, rules_configured, secret_file):
    data = example("technical/01.05_minimal_test_ubl.xml")
    include = (
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{secret_file}" parse="text"/>'
    )
    data = data.replace(b"<cbc:IssueDate>", f"<cbc:Note>{include}</cbc:Note><cbc:IssueDate>".encode(), 1)
    response = upload(signed_in, data)
    assert "GEHEIMNIS" not in response.get_data(as_text=True)
    assert "Gültig: die XRechnung" not in page_text(response)


# --- escaping --------------------------------------------------------------------------------


@needs_rules
def test_vendor_text_with_script_stays_escaped(signed_in, rules_configured):
    data = example("standard/01.01a-INVOICE_ubl.xml")
    data = data.replace(b"[Seller name]", b"&lt;script&gt;alert('xss')&lt;/script&gt; GmbH", 1)
    response = upload(signed_in, data, '<script>alert("name")</script>.xml')
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html  # shown as text in the rendered invoice
    assert "alert(&#39;xss&#39;)" in html or "alert(&#x27;xss&#x27;)" in html


# --- nothing is stored -----------------------------------------------------------------------


@needs_rules
def test_nothing_is_stored_or_audited(app, signed_in, rules_configured):
    entries, mails = count(app, AuditEntry), count(app, OutboxMail)
    upload(signed_in, example("standard/01.01a-INVOICE_ubl.xml"))
    upload(signed_in, example("invalid/wrong-BT-112.expect-BR-CO-15.xml"))
    assert count(app, AuditEntry) == entries
    assert count(app, OutboxMail) == mails


# --- who may use it --------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(app, demo, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    token = csrf_token(client, "/login")
    response = client.post(
        URL,
        data={"csrf_token": token, "file": (io.BytesIO(b"<a/>"), "a.xml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", [BUYER, BUYER_AUDITOR, BUYER_REQUESTER, VENDOR, CURATOR])
def test_every_signed_in_user_may_check(app, demo, auth, who):
    auth.login(who)
    assert auth.client.get(URL).status_code == 200
    response = upload(auth.client, b"<kein xml")
    assert response.status_code == 422
    assert "XML-WELLFORMED" in rules(response)


def test_post_without_csrf_token_is_refused(signed_in):
    response = signed_in.post(
        URL, data={"file": (io.BytesIO(b"<a/>"), "a.xml")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Formular abgelaufen" in page_text(response)
