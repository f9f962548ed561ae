"""Untrusted documents: not XML, DTDs, entity bombs, external entities; nothing reads the network."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.xrechnung.cases import standard_19
from xrechnung import InvalidDocument, build, parse, validate

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""


def with_doctype(doctype: str, note: str = "") -> bytes:
    """A valid invoice with a document type declaration (and a note, e.g. an entity reference)."""
    document = build(standard_19()).decode()
    head, _, body = document.partition("?>")
    if note:
        body = body.replace(
            "<cbc:DocumentCurrencyCode>", f"<cbc:Note>{note}</cbc:Note><cbc:DocumentCurrencyCode>", 1
        )
    return f"{head}?>\n{doctype}{body}".encode()


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server hook
        _Recorder.requests.append(self.path)
        body = b'<!ENTITY leaked "from the network">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence the log
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on loopback that records every request it receives."""
    _Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def rule_of_parse(document: bytes) -> str:
    with pytest.raises(InvalidDocument) as err:
        parse(document)
    return err.value.rule_id


@pytest.mark.parametrize(
    ("document", "rule_id"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "XML-WELLFORMED"),
        (b"", "XML-WELLFORMED"),
        (b"<Invoice><cbc:ID>1</Invoice>", "XML-WELLFORMED"),
        (b"<html><body>Rechnung</body></html>", "XML-ROOT"),
        (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>', "XML-ROOT"),
        (BILLION_LAUGHS, "XML-DOCTYPE"),
        (with_doctype("<!DOCTYPE Invoice>"), "XML-DOCTYPE"),
        (with_doctype('<!DOCTYPE Invoice [<!ENTITY company "Smart Signal">]>', "&company;"), "XML-DOCTYPE"),
    ],
    ids=["pdf", "empty", "unclosed", "html", "order", "billion-laughs", "doctype", "internal-entity"],
)
def test_document_that_is_no_xrechnung_is_rejected_with_its_rule(document, rule_id, own_checks_only):
    report = validate(document)
    assert not report.valid
    assert [finding.rule_id for finding in report.findings] == [rule_id]
    assert report.findings[0].message_de and report.findings[0].message_en
    assert rule_of_parse(document) == rule_id


def test_billion_laughs_is_refused_at_once(own_checks_only):
    began = time.perf_counter()
    report = validate(BILLION_LAUGHS)
    assert report.findings[0].rule_id == "XML-DOCTYPE"
    assert time.perf_counter() - began < 1.0


def test_utf16_document_with_a_doctype_is_refused(own_checks_only):
    document = with_doctype("<!DOCTYPE Invoice>").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert validate(document.encode("utf-16")).findings[0].rule_id == "XML-DOCTYPE"


def test_external_file_entity_is_never_read(tmp_path, official_rules):
    secret = tmp_path / "secret.txt"
    secret.write_text("IBAN-GEHEIM-4711")
    document = with_doctype(f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;")
    report = validate(document, official_rules)
    assert [finding.rule_id for finding in report.findings] == ["XML-DOCTYPE"]
    assert "IBAN-GEHEIM" not in repr(report)
    with pytest.raises(InvalidDocument) as err:
        parse(document)
    assert err.value.rule_id == "XML-DOCTYPE"
    assert "IBAN-GEHEIM" not in str(err.value) + err.value.message_de


@pytest.mark.parametrize(
    "make",
    [
        lambda url: with_doctype(f'<!DOCTYPE Invoice SYSTEM "{url}/invoice.dtd">'),
        lambda url: with_doctype(f'<!DOCTYPE Invoice [<!ENTITY leak SYSTEM "{url}/entity">]>', "&leak;"),
        lambda url: with_doctype(f'<!DOCTYPE Invoice [<!ENTITY % remote SYSTEM "{url}/p.dtd"> %remote;]>'),
    ],
    ids=["external-dtd", "external-entity", "parameter-entity"],
)
def test_documents_pointing_to_the_network_are_refused_without_a_request(make, listener, official_rules):
    url, requests = listener
    document = make(url)
    report = validate(document, official_rules)
    assert [finding.rule_id for finding in report.findings] == ["XML-DOCTYPE"]
    assert rule_of_parse(document) == "XML-DOCTYPE"
    assert requests == []


def test_schema_location_and_xinclude_are_not_followed(listener, official_rules):
    url, requests = listener
    document = build(standard_19()).decode()
    document = document.replace(
        'xmlns:cac="',
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 {url}/Invoice.xsd" '
        'xmlns:cac="',
        1,
    )
    with_xinclude = document.replace(
        "<cbc:DocumentCurrencyCode>",
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{url}/note.xml"/>'
        "<cbc:DocumentCurrencyCode>",
        1,
    )
    assert validate(document.encode(), official_rules).valid
    assert parse(document.encode()) == standard_19()
    report = validate(with_xinclude.encode(), official_rules)
    assert "XSD" in report.rule_ids
    assert requests == []
