"""Namespaces and small helpers for building the provider's XML with lxml."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from lxml import etree

__all__ = ["NS", "SCHEMAS", "XSI", "element", "iso_second", "qname", "text"]

XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
    "oai_id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
    "xsi": XSI,
}
SCHEMAS = {
    "oai": "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    "lom": "http://ltsc.ieee.org/xsd/lomv1.0/lomLoose.xsd",
    "oai_id": "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
}
# Characters XML 1.0 does not allow at all (C0 controls but tab, LF, CR; surrogates; U+FFFE, U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def qname(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def text(value: Any) -> str:
    """A value as text XML can carry: characters XML 1.0 forbids are dropped (a title may hold any)."""
    return _NOT_XML.sub("", str(value))


def element(parent: etree._Element, prefix: str, name: str, value: Any = None, **attributes: str) -> etree._Element:
    """A child element, with text when ``value`` is given (``None`` leaves it empty)."""
    child = etree.SubElement(parent, qname(prefix, name), {key: text(v) for key, v in attributes.items()})
    if value is not None:
        child.text = text(value)
    return child


def iso_second(moment: datetime) -> str:
    """UTC with second granularity: ``2026-12-01T10:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
