"""OAI-PMH 2.0 repositories (another instance of this catalog, a regional system, a library): source kind ``oai``.

A source is configured with its base URL and options (``HarvestSource.options``, see :class:`OaiConfig`): the
metadata prefix (``oai_dc`` or ``lom``), the sets to harvest (all records when none), the overlap and the
provider code to record. Gather asks ``Identify`` first (the provider's granularity and clock), then walks
``ListRecords`` set by set:

* **incremental**: after a clean harvest the next one asks ``from`` the provider's ``responseDate`` of the last
  one's first request, less ``overlap_seconds`` (records committed late on the provider still arrive), in the
  provider's granularity (a day or a second);
* **resumable**: every reference carries a checkpoint (the set and the resumption token of its page); the engine
  keeps the last committed one, and an interrupted job asks for that page again instead of starting over;
* ``badResumptionToken`` (an expired or forgotten token) restarts the set's window — what was loaded already
  comes back unchanged; ``noRecordsMatch`` is an empty set, not a failure;
* a ``status="deleted"`` header is a deletion the engine withdraws at once.

Transform reads one ``<record>`` (stored as its XML) with IEEE LOM or Dublin Core (:mod:`.oai_metadata`) into a
:class:`~content_repo.intake.records.HarvestedRecord`: subject (by the catalog's subject URI or by name — the
intake maps names), grades, curriculum topics by their catalog URIs (the intake makes them alignment
suggestions), licence, access, duration, parts. Requests go through the harvest client: robots.txt, the rate
limit, the size cap, the allow-list and the refusal of internal addresses apply as to any source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from lxml import etree

from content_repo.intake.records import HarvestedRecord
from importers.errors import TransformError
from importers.http import PoliteClient
from importers.sources.base import (
    GatherReport,
    GatherState,
    ItemRef,
    SourceDefinition,
    TransformContext,
    listing_page,
)
from importers.sources.oai_metadata import NS, read_metadata

__all__ = ["METADATA_PREFIXES", "SOURCE", "SOURCE_CODE", "OaiConfig", "gather", "transform"]

SOURCE_CODE = "oai"
METADATA_PREFIXES = ("oai_dc", "lom")
DEFAULT_OVERLAP = 600
MAX_PAGES = 100_000
MAX_RESTARTS = 3
OAI = NS["oai"]
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")


@dataclass(frozen=True)
class OaiConfig:
    """A source's OAI-PMH options (``HarvestSource.options``), checked."""

    metadata_prefix: str = "oai_dc"
    sets: tuple[str, ...] = ()
    overlap_seconds: int = DEFAULT_OVERLAP
    provider: str | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> OaiConfig:
        """The options as a config; ``ValueError`` names the option and the rule it breaks."""
        unknown = sorted(set(options) - {"metadata_prefix", "sets", "overlap_seconds", "provider"})
        if unknown:
            raise ValueError(f"неизвестные параметры OAI-PMH: {', '.join(unknown)}")
        prefix = options.get("metadata_prefix", "oai_dc")
        if prefix not in METADATA_PREFIXES:
            raise ValueError(f"metadata_prefix: {prefix!r} — поддерживаются {', '.join(METADATA_PREFIXES)}")
        sets = options.get("sets") or []
        if not isinstance(sets, list) or not all(isinstance(s, str) and _SET_SPEC.match(s) for s in sets):
            raise ValueError(f"sets: ожидается список имён наборов (например «subject:math»), получено {sets!r}")
        overlap = options.get("overlap_seconds", DEFAULT_OVERLAP)
        if isinstance(overlap, bool) or not isinstance(overlap, int) or overlap < 0:
            raise ValueError(f"overlap_seconds: ожидается целое число секунд ≥ 0, получено {overlap!r}")
        provider = options.get("provider")
        if provider is not None and not (isinstance(provider, str) and provider):
            raise ValueError(f"provider: ожидается код организации, получено {provider!r}")
        return cls(prefix, tuple(dict.fromkeys(sets)), overlap, provider)


# --- requests ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One parsed response: its date, records, resumption token, or the protocol error it carries."""

    url: str
    root: etree._Element
    response_date: str | None
    error: tuple[str, str] | None
    token: str | None


def _request(client: PoliteClient, report: GatherReport, base_url: str, arguments: dict[str, str]) -> Page | None:
    """One OAI-PMH request; a transport, HTTP or XML failure is a listing failure (``None``)."""
    url = f"{base_url}{'&' if '?' in base_url else '?'}{urlencode(arguments)}"
    result = listing_page(client, report, url)
    if result is None:
        return None
    try:
        root = etree.fromstring(result.content, _PARSER)
    except etree.XMLSyntaxError as error:
        report.listing_failed(url, f"ответ не разбирается как XML: {error}")
        return None
    if root.tag != f"{{{OAI}}}OAI-PMH":
        report.listing_failed(url, f"ответ не OAI-PMH: корневой элемент {root.tag[:80]!r}")
        return None
    error_element = root.find("oai:error", NS)
    problem = None
    if error_element is not None:
        problem = (error_element.get("code") or "", (error_element.text or "").strip())
    token_element = root.find(f"oai:{arguments['verb']}/oai:resumptionToken", NS)
    token = (token_element.text or "").strip() if token_element is not None else ""
    return Page(url, root, root.findtext("oai:responseDate", namespaces=NS), problem, token or None)


@dataclass(frozen=True)
class Identity:
    """What ``Identify`` says that a harvest needs: the granularity and the provider's clock."""

    day_granularity: bool
    response_date: str


def _identify(client: PoliteClient, report: GatherReport, base_url: str) -> Identity | None:
    page = _request(client, report, base_url, {"verb": "Identify"})
    if page is None:
        return None
    if page.error is not None or page.response_date is None:
        report.listing_failed(page.url, f"Identify: {page.error or 'нет responseDate'}")
        return None
    granularity = page.root.findtext("oai:Identify/oai:granularity", namespaces=NS) or "YYYY-MM-DD"
    return Identity(day_granularity=granularity.strip() == "YYYY-MM-DD", response_date=page.response_date.strip())


def _moment(value: str | None) -> datetime | None:
    """An OAI datestamp (a day or a UTC second) as an aware datetime."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _from_argument(state: GatherState | None, config: OaiConfig, identity: Identity) -> str | None:
    """``from`` of this harvest: ``--since``, or the last clean harvest's start less the overlap, or none."""
    start = state.since if state is not None else None
    previous = state.previous if state is not None else None
    same = previous is not None and (previous.get("prefix"), tuple(previous.get("sets") or ())) == (
        config.metadata_prefix,
        config.sets,
    )
    if start is None and previous is not None and same:
        last = _moment(previous.get("harvested_until"))
        start = last - timedelta(seconds=config.overlap_seconds) if last else None
    if start is None:
        return None
    start = start.astimezone(UTC)
    return start.strftime("%Y-%m-%d") if identity.day_granularity else start.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- gather --------------------------------------------------------------------------------------------


def gather(
    client: PoliteClient, base_url: str, report: GatherReport, state: GatherState | None = None, **options: Any
) -> Iterator[ItemRef]:
    """Yield every record of the harvest window, set by set, each with its checkpoint."""
    try:
        config = OaiConfig.from_options(state.options if state is not None else {})
    except ValueError as error:
        report.listing_failed(base_url, f"параметры источника: {error}")
        return
    resume = dict(state.resume) if state is not None and state.resume else None
    if resume is not None and (resume.get("prefix"), tuple(resume.get("sets") or ())) != (
        config.metadata_prefix,
        config.sets,
    ):
        resume = None  # the source was reconfigured since the job was interrupted
    identity = _identify(client, report, base_url)
    if identity is None:
        return
    window = {
        "prefix": config.metadata_prefix,
        "sets": list(config.sets),
        "from": resume["from"] if resume else _from_argument(state, config, identity),
        "harvested_until": resume["harvested_until"] if resume else identity.response_date,
    }
    provider = config.provider or (state.source if state is not None else SOURCE_CODE)
    specs: list[str | None] = list(config.sets) or [None]
    first = int(resume["set"]) if resume else 0
    # A record in two sets, or listed again after a restarted window, goes to the engine once.
    seen: set[str] = set()
    for index in range(first, len(specs)):
        token = resume.get("token") if resume and index == first else None
        for ref in _walk_set(client, report, base_url, window, index, specs[index], token, provider):
            if ref is None:
                return
            if ref.external_id not in seen:
                seen.add(ref.external_id)
                report.items += 1
                yield ref
    report.incremental = window["from"] is not None
    report.final_state = {key: window[key] for key in ("prefix", "sets", "harvested_until")}
    report.finish()


def _walk_set(
    client: PoliteClient,
    report: GatherReport,
    base_url: str,
    window: Mapping[str, Any],
    index: int,
    spec: str | None,
    token: str | None,
    provider: str,
) -> Iterator[ItemRef | None]:
    """One set's ``ListRecords`` to its end; ``None`` last when it could not get there."""
    restarts = 0
    seen_tokens: set[str] = set()
    for _ in range(MAX_PAGES):
        arguments = {"verb": "ListRecords", "resumptionToken": token} if token else _list_arguments(window, spec)
        page = _request(client, report, base_url, arguments)
        if page is None:
            yield None
            return
        if page.error is not None:
            code, message = page.error
            if code == "noRecordsMatch":
                return  # an empty set or window
            if code == "badResumptionToken" and token and restarts < MAX_RESTARTS:
                # Expired: the window again (what was listed already is skipped); its tokens are new ones.
                restarts, token = restarts + 1, None
                seen_tokens.clear()
                continue
            report.listing_failed(page.url, f"{code}: {message}")
            yield None
            return
        checkpoint = {**window, "set": index, "token": token}
        for record in page.root.iterfind("oai:ListRecords/oai:record", NS):
            ref = _reference(record, base_url, window["prefix"], provider, checkpoint)
            if ref is None:
                report.reject(page.url, "запись без идентификатора в заголовке")
                continue
            yield ref
        if page.token is None:
            return
        if page.token in seen_tokens:
            report.listing_failed(page.url, f"поставщик повторил маркер {page.token[:60]!r}: список зациклился")
            yield None
            return
        seen_tokens.add(page.token)
        token = page.token
    report.listing_failed(base_url, f"список набора {spec or 'все записи'} не закончился за {MAX_PAGES} страниц")
    yield None


def _list_arguments(window: Mapping[str, Any], spec: str | None) -> dict[str, str]:
    arguments = {"verb": "ListRecords", "metadataPrefix": window["prefix"]}
    if window["from"]:
        arguments["from"] = window["from"]
    if spec:
        arguments["set"] = spec
    return arguments


def _reference(
    record: etree._Element, base_url: str, prefix: str, provider: str, checkpoint: Mapping[str, Any]
) -> ItemRef | None:
    header = record.find("oai:header", NS)
    identifier = (header.findtext("oai:identifier", namespaces=NS) or "").strip() if header is not None else ""
    if not identifier or header is None:
        return None
    query = urlencode({"verb": "GetRecord", "metadataPrefix": prefix, "identifier": identifier})
    return ItemRef(
        external_id=identifier[:300],
        url=f"{base_url}{'&' if '?' in base_url else '?'}{query}",
        context={
            "datestamp": (header.findtext("oai:datestamp", namespaces=NS) or "").strip(),
            "sets": [spec.text for spec in header.iterfind("oai:setSpec", NS) if spec.text],
            "provider": provider,
        },
        payload=etree.tostring(record, encoding="UTF-8"),
        content_type="application/xml; charset=utf-8",
        deleted=header.get("status") == "deleted",
        checkpoint=checkpoint,
    )


def modified_at(ref: ItemRef) -> datetime | None:
    """The header's datestamp (a day or a second), for ``harvest --since``."""
    return _moment(ref.context.get("datestamp"))


# --- transform -----------------------------------------------------------------------------------------


def transform(payload: bytes | str, context: TransformContext) -> HarvestedRecord:
    """One ``<record>`` (LOM or Dublin Core metadata) as a normalised record."""
    try:
        record = etree.fromstring(payload.encode("utf-8") if isinstance(payload, str) else payload, _PARSER)
    except etree.XMLSyntaxError as error:
        raise TransformError(SOURCE_CODE, context.external_id, "record", f"не XML: {error}") from error
    identifier = (record.findtext("oai:header/oai:identifier", namespaces=NS) or "").strip()
    metadata = record.find("oai:metadata", NS)
    content = next(iter(metadata), None) if metadata is not None else None
    if content is None:
        raise TransformError(SOURCE_CODE, identifier or context.external_id, "metadata", "в записи нет метаданных")
    fields = read_metadata(content)
    if fields is None:
        raise TransformError(SOURCE_CODE, identifier, "metadata", f"формат {content.tag[:80]!r} не поддерживается")
    for name in ("title", "url"):
        if not fields.get(name):
            what = "названия" if name == "title" else "адреса ресурса http(s)"
            raise TransformError(SOURCE_CODE, identifier, name, f"в метаданных нет {what}")
    provider = str(context.listing.get("provider") or SOURCE_CODE)
    external_id = identifier or context.external_id
    return HarvestedRecord(source=SOURCE_CODE, external_id=external_id, provider=provider, **fields)


SOURCE = SourceDefinition(
    code=SOURCE_CODE,
    production_origin="",
    allowed_hosts=frozenset(),
    gather=gather,
    transform=transform,
    modified_at=modified_at,
    stateful=True,
)
