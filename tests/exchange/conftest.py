"""Fixtures of the exchange tests: the OAI-PMH schemas (tests/fixtures/oai/schemas) and a client that checks
every response against them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from lxml import etree

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCHEMAS = FIXTURES / "oai" / "schemas"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
}


@pytest.fixture(scope="session")
def oai_schema() -> etree.XMLSchema:
    """OAI-PMH 2.0 with oai_dc, IEEE LOM and oai-identifier, from the bundled XSD files."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "all.xsd")))


def check_valid(schema: etree.XMLSchema, body: bytes) -> etree._Element:
    """Parse a response and fail with the schema's own messages unless it is valid."""
    tree = etree.fromstring(body)
    if not schema.validate(tree):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        raise AssertionError(f"response is not valid OAI-PMH:\n{errors}\n{body[:3000].decode()}")
    return tree


@pytest.fixture
def oai(db, oai_schema) -> Callable[..., etree._Element]:
    """``oai(verb="ListRecords", metadataPrefix="lom")``: GET /oai/, status 200, valid; the parsed root."""
    client = Client()

    def request(method: str = "get", **arguments: str) -> etree._Element:
        response = getattr(client, method)("/oai/", arguments)
        assert response.status_code == 200, response.content[:500]
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        return check_valid(oai_schema, response.content)

    return request


def error_code(root: etree._Element) -> str | None:
    error = root.find("oai:error", NS)
    return error.get("code") if error is not None else None


def texts(root: etree._Element, path: str) -> list[str]:
    return [node.text or "" for node in root.iterfind(path, NS)]
