"""HTML and text helpers shared by the source parsers.

lxml's HTML parser applies the HTML rules for optional end tags (an unclosed ``<li>`` closes at the
next ``<li>``), which is what positional selectors such as ``li[3]`` rely on; ``html.parser`` does not.
"""

from __future__ import annotations

import lxml.html
from lxml.etree import ParserError

from content_repo.intake.text import collapse_whitespace, normalise_text

__all__ = [
    "class_xpath",
    "collapse_whitespace",
    "first",
    "normalise_text",
    "parse_document",
    "parse_fragment",
    "text_of",
]


def parse_document(text: str) -> lxml.html.HtmlElement:
    """Parse an HTML document; an empty or unparsable page raises ``ValueError``."""
    if not text.strip():
        raise ValueError("empty document")
    try:
        return lxml.html.document_fromstring(text)
    except ParserError as error:
        raise ValueError(f"unparsable HTML: {error}") from error


def parse_fragment(text: str) -> lxml.html.HtmlElement:
    """Parse an HTML fragment (an ajax answer) into a wrapper element; empty text gives an empty one."""
    return lxml.html.fragment_fromstring(text or "", create_parent="div")


def text_of(element: lxml.html.HtmlElement | None) -> str:
    """The normalised text content of an element, or ``""`` for ``None``."""
    if element is None:
        return ""
    # The parser has decoded entities already; decoding again would turn a literal "&amp;lt;" into "<".
    return collapse_whitespace(element.text_content())


def class_xpath(name: str) -> str:
    """XPath predicate for «has CSS class ``name``» (what ``.name`` means in a CSS selector)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def first(element: lxml.html.HtmlElement, xpath: str) -> lxml.html.HtmlElement | None:
    """The first element an XPath finds, or ``None``."""
    found = element.xpath(xpath)
    return found[0] if found else None
