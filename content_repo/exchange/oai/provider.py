"""The OAI-PMH 2.0 provider: one request in, one XML response out, for all six verbs.

:func:`respond` builds the envelope (``responseDate``, ``request``) and either the verb's element or an
``error`` element; every failure of the request itself is a protocol error code, so a client never gets a 500
for what it sent. Lists (``ListIdentifiers``, ``ListRecords``) are pages of ``OAI_PAGE_SIZE`` records in
``position`` order, resumed by a signed token (:mod:`.tokens`); ``completeListSize`` is counted once, when the
list starts, and travels in the token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from lxml import etree

from content_repo.api.models import Change

from ..conf import ExchangeSettings, exchange_settings
from ..models import OaiRecord, OaiSetMember
from .formats import FORMATS
from .protocol import OAIError, Window, format_identifier, parse_arguments, parse_identifier, parse_window
from .sets import SET_SPEC, all_sets
from .sync import follow_feed
from .tokens import InvalidToken, ListState, expiration, read_token, write_token
from .xml import NS, SCHEMAS, XSI, element, iso_second, qname

__all__ = ["respond"]

# repositoryIdentifier of the oai-identifier scheme: a domain name (an IP address or «localhost» is not one).
_SAMPLE_ID = "6f1c1f8e-0000-5000-8000-000000000000"  # the form of an identifier, for Identify's description
_DOMAIN = re.compile(r"^[A-Za-z][A-Za-z0-9\-]*(\.[A-Za-z][A-Za-z0-9\-]*)+$")


@dataclass(frozen=True)
class Context:
    """What every verb needs: the settings, the endpoint's address and the moment of the response."""

    conf: ExchangeSettings
    base_url: str
    now: datetime

    def identifier(self, record: OaiRecord) -> str:
        return format_identifier(self.conf.repository_id, record.resource_id)


def respond(pairs: Iterable[tuple[str, list[str]]], base_url: str) -> bytes:
    """The whole response to one request (its query or form arguments as ``(name, values)`` pairs)."""
    ctx = Context(exchange_settings(), base_url, timezone.now())
    root = etree.Element(
        qname("oai", "OAI-PMH"),
        {f"{{{XSI}}}schemaLocation": f"{NS['oai']} {SCHEMAS['oai']}"},
        nsmap={None: NS["oai"], "xsi": XSI},
    )
    element(root, "oai", "responseDate", iso_second(ctx.now))
    request = element(root, "oai", "request", base_url)
    try:
        verb, arguments = parse_arguments(pairs)
        request.set("verb", verb)
        for name, value in arguments.items():
            request.set(name, value)
        follow_feed()
        _VERBS[verb](element(root, "oai", verb), arguments, ctx)
    except OAIError as error:
        if error.code in ("badVerb", "badArgument"):
            request.attrib.clear()  # the protocol: such a request is not echoed
        for partial in [child for child in root if child.tag not in (qname("oai", "responseDate"), request.tag)]:
            root.remove(partial)
        element(root, "oai", "error", error.message, code=error.code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --- Identify, ListMetadataFormats, ListSets -----------------------------------------------------------


def identify(parent: etree._Element, arguments: dict[str, str], ctx: Context) -> None:
    earliest = OaiRecord.objects.order_by("datestamp").values_list("datestamp", flat=True).first()
    element(parent, "oai", "repositoryName", ctx.conf.repository_name)
    element(parent, "oai", "baseURL", ctx.base_url)
    element(parent, "oai", "protocolVersion", "2.0")
    element(parent, "oai", "adminEmail", ctx.conf.admin_email)
    element(parent, "oai", "earliestDatestamp", iso_second(earliest or ctx.now))
    element(parent, "oai", "deletedRecord", "persistent")
    element(parent, "oai", "granularity", "YYYY-MM-DDThh:mm:ssZ")
    if _DOMAIN.match(ctx.conf.repository_id):
        description = element(parent, "oai", "description")
        oai_id = etree.SubElement(
            description,
            qname("oai_id", "oai-identifier"),
            {f"{{{XSI}}}schemaLocation": f"{NS['oai_id']} {SCHEMAS['oai_id']}"},
            nsmap={None: NS["oai_id"], "xsi": XSI},
        )
        element(oai_id, "oai_id", "scheme", "oai")
        element(oai_id, "oai_id", "repositoryIdentifier", ctx.conf.repository_id)
        element(oai_id, "oai_id", "delimiter", ":")
        element(oai_id, "oai_id", "sampleIdentifier", format_identifier(ctx.conf.repository_id, _SAMPLE_ID))


def list_metadata_formats(parent: etree._Element, arguments: dict[str, str], ctx: Context) -> None:
    if "identifier" in arguments:
        _record(ctx, arguments["identifier"])
    for metadata_format in FORMATS.values():
        entry = element(parent, "oai", "metadataFormat")
        element(entry, "oai", "metadataPrefix", metadata_format.prefix)
        element(entry, "oai", "schema", metadata_format.schema)
        element(entry, "oai", "metadataNamespace", metadata_format.namespace)


def list_sets(parent: etree._Element, arguments: dict[str, str], ctx: Context) -> None:
    if "resumptionToken" in arguments:
        raise OAIError("badResumptionToken", "список наборов отдаётся целиком; маркеров для него не выдаётся")
    for spec, name in all_sets():
        entry = element(parent, "oai", "set")
        element(entry, "oai", "setSpec", spec)
        element(entry, "oai", "setName", name)


# --- records -------------------------------------------------------------------------------------------


def _record(ctx: Context, identifier: str) -> OaiRecord:
    resource_id = parse_identifier(ctx.conf.repository_id, identifier)
    record = OaiRecord.objects.filter(pk=resource_id).first()
    if record is None:
        raise OAIError("idDoesNotExist", f"нет записи {identifier!r}")
    return record


def _format(prefix: str) -> None:
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"формат {prefix[:40]!r} не поддерживается; есть: oai_dc, lom")


def _header(parent: etree._Element, record: OaiRecord, ctx: Context) -> None:
    header = element(parent, "oai", "header", **({"status": "deleted"} if record.deleted else {}))
    element(header, "oai", "identifier", ctx.identifier(record))
    element(header, "oai", "datestamp", iso_second(record.datestamp))
    for spec in record.sets:
        element(header, "oai", "setSpec", spec)


def _full_record(parent: etree._Element, record: OaiRecord, document: Any, prefix: str, ctx: Context) -> None:
    entry = element(parent, "oai", "record")
    _header(entry, record, ctx)
    if not record.deleted and isinstance(document, dict):
        FORMATS[prefix].write(element(entry, "oai", "metadata"), document, ctx.identifier(record))


def _documents(records: list[OaiRecord]) -> dict[int, Any]:
    """The public documents of live records: the change-feed entries their positions name."""
    positions = [record.position for record in records if not record.deleted]
    return dict(Change.objects.filter(seq__in=positions).values_list("seq", "document")) if positions else {}


def get_record(parent: etree._Element, arguments: dict[str, str], ctx: Context) -> None:
    _format(arguments["metadataPrefix"])
    record = _record(ctx, arguments["identifier"])
    documents = _documents([record])
    _full_record(parent, record, documents.get(record.position), arguments["metadataPrefix"], ctx)


def _start(verb: str, arguments: dict[str, str], ctx: Context) -> ListState:
    """The state of a new list: its position window and its size, counted once."""
    _format(arguments["metadataPrefix"])
    spec = arguments.get("set")
    if spec is not None and not SET_SPEC.match(spec):
        raise OAIError("badArgument", f"set={spec[:60]!r}: не имя набора (буквы, цифры, «-_.!~*'()», уровни через «:»)")
    bounds = _positions(parse_window(arguments))
    if bounds is None:
        raise OAIError("noRecordsMatch", "за этот период записей нет")
    after, upper = bounds
    state = ListState(verb, arguments["metadataPrefix"], spec, after, upper, cursor=0, total=0)
    total = _in_window(state).count()
    if total == 0:
        raise OAIError("noRecordsMatch", "нет записей, отвечающих запросу")
    return ListState(verb, state.prefix, spec, after, upper, cursor=0, total=total)


def _positions(window: Window) -> tuple[int, int | None] | None:
    """``from``/``until`` as a range of positions ``(after, upper]`` — positions grow with datestamps."""
    after, upper = 0, None
    if window.start is not None:
        first = (
            OaiRecord.objects.filter(datestamp__gte=window.start)
            .order_by("datestamp", "position")
            .values_list("position", flat=True)
            .first()
        )
        if first is None:
            return None
        after = first - 1
    if window.end is not None:
        upper = (
            OaiRecord.objects.filter(datestamp__lt=window.end)
            .order_by("-datestamp", "-position")
            .values_list("position", flat=True)
            .first()
        )
        if upper is None or upper <= after:
            return None
    return after, upper


def _in_window(state: ListState):
    """Positions of the list's records after ``state.after`` (an index range scan)."""
    rows = OaiSetMember.objects.filter(spec=state.spec) if state.spec else OaiRecord.objects.all()
    rows = rows.filter(position__gt=state.after)
    return rows.filter(position__lte=state.upper) if state.upper is not None else rows


def _page(state: ListState, size: int) -> list[OaiRecord]:
    positions = list(_in_window(state).order_by("position").values_list("position", flat=True)[: size + 1])
    if not state.spec:
        return list(OaiRecord.objects.filter(position__in=positions).order_by("position"))
    by_position = {record.position: record for record in OaiRecord.objects.filter(position__in=positions)}
    return [by_position[position] for position in positions if position in by_position]


def list_items(parent: etree._Element, arguments: dict[str, str], ctx: Context, verb: str) -> None:
    if "resumptionToken" in arguments:
        try:
            state = read_token(arguments["resumptionToken"], verb, ctx.conf.token_ttl)
        except InvalidToken as error:
            raise OAIError("badResumptionToken", str(error)) from error
    else:
        state = _start(verb, arguments, ctx)
    size = ctx.conf.page_size
    records = _page(state, size)
    if not records:
        raise OAIError("noRecordsMatch", "записей, отвечающих запросу, больше нет")
    shown, more = records[:size], len(records) > size
    if verb == "ListRecords":
        documents = _documents(shown)
        for record in shown:
            _full_record(parent, record, documents.get(record.position), state.prefix, ctx)
    else:
        for record in shown:
            _header(parent, record, ctx)
    if not more and state.cursor == 0:
        return  # the whole list in one response: no token at all
    attributes = {"completeListSize": str(max(state.total, state.cursor + len(shown))), "cursor": str(state.cursor)}
    if more:
        attributes["expirationDate"] = iso_second(expiration(ctx.conf.token_ttl))
        token = write_token(state.advanced(shown[-1].position, len(shown)))
    element(parent, "oai", "resumptionToken", token if more else None, **attributes)


def _list_identifiers(parent: etree._Element, arguments: dict[str, str], ctx: Context) -> None:
    list_items(parent, arguments, ctx, "ListIdentifiers")


def _list_records(parent: etree._Element, arguments: dict[str, str], ctx: Context) -> None:
    list_items(parent, arguments, ctx, "ListRecords")


_VERBS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": _list_identifiers,
    "ListRecords": _list_records,
}
