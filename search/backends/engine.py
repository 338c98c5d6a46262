"""What OpenSearch and Elasticsearch share: the index (analysis, mapping), the query body and the results.

Everything is built once with ``elasticsearch.dsl``; the two backends differ only in the client that sends
the JSON (``opensearch.py``, ``elasticsearch.py``). Only features both engines have are used: no
point-in-time, runtime fields or vectors. Paging is keyset (``search_after``), so it stays correct past
``index.max_result_window``.
"""

from __future__ import annotations

import logging
import uuid
from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from elasticsearch.dsl import (
    Boolean,
    Date,
    Index,
    Integer,
    Keyword,
    Q,
    Search,
    Text,
    analyzer,
    char_filter,
    token_filter,
)
from elasticsearch.dsl import Mapping as IndexMapping
from elasticsearch.dsl.query import Query

from content_repo.text.analysis import stop_words
from content_repo.text.synonyms import synonym_rules

from ..documents import FILTER_FIELDS, TEXT_FIELDS, SearchDocument
from ..query import FacetValue, SearchHit, SearchQuery, SearchResults, SortOrder, encode_cursor
from ..relaxation import COORDINATION, FUZZINESS, OPTIONAL_WEIGHT, Condition, QueryPlan, plan_query
from ..understanding import ParsedQuery
from ..vocabulary import facet_label
from .base import (
    DEFAULT_CHUNK_SIZE,
    BackendStatus,
    BaseSearchBackend,
    IndexNotFound,
    ProgressCallback,
    RebuildResult,
    SearchBackendError,
)
from .bulk import bulk_delete_body, send_in_chunks

logger = logging.getLogger(__name__)

INDEX_ANALYZER = "ru_index"
SEARCH_ANALYZER = "ru_search"
# Query-side only: words as typed (no stemming), for the fuzzy clause that catches typos Snowball cuts short.
PLAIN_ANALYZER = "ru_plain"
SUGGEST_FIELD = "suggest"
PHRASE_BOOST = 2.0
FUZZY_BOOST = 0.5
FACET_SIZES = {"grade": 11, "topic": 100, "confirmed_topic": 100}
DEFAULT_FACET_SIZE = 50
HIGHLIGHT_FRAGMENT_SIZE = 200
SUGGEST_MAX_GRAM = 20


# Analysis and mapping


def _analysis() -> dict[str, Any]:
    """The analyzers: one for indexing, the same plus school synonyms for queries, and one for completions."""
    yo = char_filter("ru_yo", type="mapping", mappings=["ё => е", "Ё => Е"])
    stop = token_filter("ru_stop", type="stop", stopwords=sorted(stop_words()))
    russian = token_filter("ru_stemmer", type="stemmer", language="russian")
    english = token_filter("en_stemmer", type="stemmer", language="porter2")
    synonyms = token_filter("ru_synonyms", type="synonym_graph", synonyms=list(synonym_rules()))
    edge = token_filter("ru_edge", type="edge_ngram", min_gram=1, max_gram=SUGGEST_MAX_GRAM)
    chain = ["lowercase", stop, russian, english]
    return {
        "index": analyzer(INDEX_ANALYZER, tokenizer="standard", char_filter=[yo], filter=chain),
        "search": analyzer(SEARCH_ANALYZER, tokenizer="standard", char_filter=[yo], filter=[*chain, synonyms]),
        "suggest": analyzer("ru_suggest", tokenizer="standard", char_filter=[yo], filter=["lowercase", edge]),
        "suggest_search": analyzer("ru_suggest_search", tokenizer="standard", char_filter=[yo], filter=["lowercase"]),
        "plain": analyzer(PLAIN_ANALYZER, tokenizer="standard", char_filter=[yo], filter=["lowercase", stop]),
    }


def build_mapping() -> IndexMapping:
    """Field types of :class:`~search.documents.SearchDocument` in the engine."""
    analyzers = _analysis()
    mapping = IndexMapping()
    for name in TEXT_FIELDS:
        mapping.field(name, Text(analyzer=analyzers["index"], search_analyzer=analyzers["search"]))
    for name in (*FILTER_FIELDS.values(), "id", "external_id", "title_sort"):
        if name != "grades":
            mapping.field(name, Keyword())
    mapping.field("grades", Integer())
    mapping.field("published", Boolean())
    mapping.field("published_at", Date())
    mapping.field("url", Keyword(index=False))
    mapping.field(SUGGEST_FIELD, Text(analyzer=analyzers["suggest"], search_analyzer=analyzers["suggest_search"]))
    return mapping


def build_index(name: str) -> Index:
    """A versioned index with the catalog's analysis and mapping; one shard, no replicas."""
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0)
    index.mapping(build_mapping())
    index.analyzer(_analysis()["plain"])
    return index


def index_body() -> dict[str, Any]:
    """The JSON to create an index with (``PUT /<name>``)."""
    body: dict[str, Any] = build_index("catalog").to_dict()
    return body


# Query


class EngineQueryCompiler:
    """Compiles a :class:`SearchQuery` (as planned: :class:`~search.relaxation.QueryPlan`) into an engine
    search body."""

    def __init__(self, query: SearchQuery, plan: QueryPlan | str | None = None) -> None:
        self.query = query
        if not isinstance(plan, QueryPlan):
            plan = plan_query(query.text if plan is None else plan)
        self.plan = plan
        self.parsed: ParsedQuery = plan.parsed

    def body(self) -> dict[str, Any]:
        """The ``_search`` body: scored query, post filter, facet aggregations, sort, page, highlight."""
        search = Search().query(self.scored_query()).extra(size=self.query.page_size + 1, track_total_hits=True)
        filters = self.filter_clauses()
        if filters:
            search = search.post_filter(Q("bool", filter=list(filters.values())))
        for facet in self.query.facets:
            others = [clause for name, clause in filters.items() if name != facet]
            scope = Q("bool", filter=others) if others else Q("match_all")
            size = FACET_SIZES.get(facet, DEFAULT_FACET_SIZE)
            search.aggs.bucket(facet, "filter", filter=scope).bucket(
                "values", "terms", field=FILTER_FIELDS[facet], size=size
            )
        search = search.sort(*self.sort())
        after = self.query.decoded_cursor()
        if after is not None:
            search = search.extra(search_after=list(after))
        if self.query.highlight:
            search = self._highlight(search)
        body: dict[str, Any] = search.to_dict()
        return body

    def scored_query(self) -> Query:
        """Text relevance, multiplied for what the query was understood to ask for; only published documents.

        The boosts multiply rather than add, so they weigh the same whatever the scale of text scores.
        The exam and test words (``optional``) add to the score of documents that have them. Without
        required words left after understanding («математика 5 класс»), a document must meet one of the
        plan's scope conditions or have the optional words.
        """
        published = [Q("term", published=True)]
        optional = self.optional_query()
        should = [optional] if optional is not None else []
        if self.parsed.text:
            required = self.relaxed_query() if self.plan.relaxed else self.text_query(self.parsed.text)
            base = Q("bool", must=[required], should=should, filter=published)
        elif self.plan.scope() or should:
            ways_in = [self.conditions_query(conditions) for conditions in self.plan.scope()]
            base = Q("bool", should=[*ways_in, *should], minimum_should_match=1, filter=published)
        else:
            return Q("bool", must=[Q("match_all")], filter=published)
        functions = self.boosts()
        if not functions:
            return base
        return Q("function_score", query=base, functions=functions, score_mode="multiply", boost_mode="multiply")

    def text_query(self, text: str) -> Query:
        """Every word, with synonyms, a phrase bonus, and a fuzzy variant for typos.

        ``synonym_graph`` and ``fuzziness`` cannot be combined in one query, so the fuzzy variant uses the
        index analyzer (no synonyms) and counts less. Both need every word: a query with words no document
        has together finds nothing here, and the relaxed pass (:meth:`relaxed_query`) answers.
        """
        fields = self.fields()
        exact = Q("multi_match", query=text, fields=fields, type="cross_fields", operator="and")
        phrase = Q("multi_match", query=text, fields=fields[:3], type="phrase", slop=2, boost=PHRASE_BOOST)
        fuzzy = [
            Q(
                "multi_match",
                query=text,
                fields=fields,
                type="best_fields",
                analyzer=name,
                fuzziness=FUZZINESS,
                prefix_length=1,
                max_expansions=50,
                minimum_should_match="100%",
                boost=FUZZY_BOOST,
            )
            # Stemmed, and as typed: Snowball may cut a misspelt word short («паралелограм» → «паралелогр»).
            for name in (INDEX_ANALYZER, PLAIN_ANALYZER)
        ]
        return Q("bool", should=[exact, phrase, *fuzzy], minimum_should_match=1)

    def relaxed_query(self) -> Query:
        """Any of the words; each matched word adds ``COORDINATION``, so documents with more words come first,
        then the text score of all the words ranks documents with as many."""
        fields = self.fields()
        words = [
            Q(
                "constant_score",
                filter=Q("multi_match", query=word.text, fields=fields, type="cross_fields", operator="and"),
                boost=COORDINATION,
            )
            for word in self.plan.words
        ]
        ranking = Q("multi_match", query=self.parsed.text, fields=fields, type="cross_fields", operator="or")
        return Q("bool", should=[*words, ranking], minimum_should_match=1)

    def optional_query(self) -> Query | None:
        """The exam and test words («ЕГЭ», «контрольная работа»): any of them ranks, none is required."""
        if not self.plan.optional_words:
            return None
        fields = self.fields()
        optional = self.parsed.optional
        return Q(
            "multi_match", query=optional, fields=fields, type="cross_fields", operator="or", boost=OPTIONAL_WEIGHT
        )

    @staticmethod
    def fields() -> list[str]:
        return [f"{name}^{boost:g}" for name, boost in TEXT_FIELDS.items()]

    def conditions_query(self, conditions: Sequence[Condition]) -> Query:
        """A conjunction of conditions scoring 1 (as one ``terms`` clause does)."""
        clauses = [self.terms(condition) for condition in conditions]
        if len(clauses) == 1:
            return clauses[0]
        return Q("constant_score", filter=Q("bool", filter=clauses), boost=1.0)

    def boosts(self) -> list[dict[str, Any]]:
        """``function_score`` functions: the plan's boosts (grades, subjects, the intent's kinds and grades)."""
        return [{"filter": self.terms(boost.condition), "weight": boost.weight} for boost in self.plan.boosts()]

    @staticmethod
    def terms(condition: Condition) -> Query:
        values: list[Any] = list(condition.values)
        if condition.facet == "grade":
            values = [int(value) for value in values]
        return Q("terms", **{FILTER_FIELDS[condition.facet]: values})

    def filter_clauses(self) -> dict[str, Query]:
        """One ``terms`` clause per filter (values of one filter OR-ed, filters AND-ed)."""
        clauses = {}
        for name, values in self.query.filters.items():
            field = FILTER_FIELDS[name]
            terms = [int(value) for value in values] if name == "grade" else list(values)
            clauses[name] = Q("terms", **{field: terms})
        return clauses

    def sort(self) -> list[Any]:
        """The sort of :attr:`SearchQuery.sort`, with the id as a tiebreaker so paging is stable."""
        tiebreaker = {"id": {"order": "asc"}}
        if self.query.sort is SortOrder.NEWEST:
            return [{"published_at": {"order": "desc", "missing": "_last"}}, tiebreaker]
        if self.query.sort is SortOrder.TITLE:
            return [{"title_sort": {"order": "asc"}}, tiebreaker]
        return [{"_score": {"order": "desc"}}, tiebreaker]

    @staticmethod
    def _highlight(search: Search) -> Search:
        search = search.highlight_options(encoder="html", pre_tags=["<mark>"], post_tags=["</mark>"])
        search = search.highlight("title", number_of_fragments=0)
        return search.highlight("description", fragment_size=HIGHLIGHT_FRAGMENT_SIZE, number_of_fragments=1)


def suggest_body(prefix: str, limit: int) -> dict[str, Any]:
    """Documents whose title or keywords have words starting with every word typed."""
    search = (
        Search()
        .query(
            Q(
                "bool",
                must=[Q("match", **{SUGGEST_FIELD: {"query": prefix, "operator": "and"}})],
                filter=[Q("term", published=True)],
            )
        )
        .source(["title"])
        .extra(size=limit * 3)
    )
    body: dict[str, Any] = search.to_dict()
    return body


# Results


class EngineResults:
    """Turns an engine ``_search`` response into :class:`SearchResults`."""

    def __init__(self, query: SearchQuery, backend: str) -> None:
        self.query = query
        self.backend = backend

    def build(self, response: Mapping[str, Any]) -> SearchResults:
        raw_hits = response["hits"]["hits"]
        page = raw_hits[: self.query.page_size]
        more = len(raw_hits) > self.query.page_size
        return SearchResults(
            total=int(response["hits"]["total"]["value"]),
            hits=tuple(self.hit(raw) for raw in page),
            facets=self.facets(response.get("aggregations", {})),
            next_cursor=encode_cursor(self.query, page[-1]["sort"]) if more and page else None,
            query_text=self.query.text,
            backend=self.backend,
        )

    def empty(self) -> SearchResults:
        return SearchResults(
            0, (), {name: [] for name in self.query.facets}, None, self.query.text, backend=self.backend
        )

    def hit(self, raw: Mapping[str, Any]) -> SearchHit:
        highlight = {field: " … ".join(raw["highlight"][field]) for field in raw.get("highlight", {})}
        return SearchHit(id=raw["_id"], score=raw.get("_score"), document=raw["_source"], highlight=highlight)

    def facets(self, aggregations: Mapping[str, Any]) -> dict[str, list[FacetValue]]:
        facets = {}
        for name in self.query.facets:
            buckets = aggregations.get(name, {}).get("values", {}).get("buckets", [])
            facets[name] = [
                FacetValue(str(b["key"]), self.label(name, str(b["key"])), int(b["doc_count"])) for b in buckets
            ]
        return facets

    def label(self, facet: str, value: str) -> str:
        """Override to label facet values from the database (topics, providers, licences)."""
        return facet_label(facet, value)


# Backend


class EngineSearchBackend(BaseSearchBackend):
    """OpenSearch/Elasticsearch backend over an alias ``<INDEX_PREFIX>-resources``.

    Subclasses provide the transport: :meth:`_request` (one REST call) and :meth:`_bulk`.
    """

    query_compiler_class: ClassVar[type[Any]] = EngineQueryCompiler
    results_class: ClassVar[type[Any]] = EngineResults
    default_timeout: ClassVar[float] = 10.0

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(params)
        self.url = str(self.params.get("URL") or "")
        if not self.url:
            raise ImproperlyConfigured(f"The {self.name} search backend needs a URL in SEARCH_BACKENDS")
        self.timeout = float(self.params.get("TIMEOUT", self.default_timeout))
        self.alias = f"{self.index_prefix}-resources"

    @abstractmethod
    def _request(self, method: str, path: str, *, body: Any = None, params: Mapping[str, str] | None = None) -> Any:
        """One REST call; raises IndexNotFound (404), SearchBackendUnavailable or SearchBackendError."""

    @abstractmethod
    def _bulk(self, body: bytes) -> dict[str, Any]:
        """A ``_bulk`` call with an NDJSON body (:func:`bulk_index_body`, :func:`bulk_delete_body`).

        The answer is filtered by ``bulk.BULK_FILTER_PATH``: the engine writes, and the client reads, only
        what :meth:`_raise_for_bulk` looks at.
        """

    # Searching

    def execute(self, query: SearchQuery, plan: QueryPlan) -> SearchResults:
        results = self.results_class(query, self.name)
        body = self.query_compiler_class(query, plan).body()
        try:
            response = self._request("POST", f"/{self.alias}/_search", body=body)
        except IndexNotFound:
            return results.empty()
        built: SearchResults = results.build(response)
        return built

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        if not prefix.strip() or limit < 1:
            return []
        try:
            response = self._request("POST", f"/{self.alias}/_search", body=suggest_body(prefix, limit))
        except IndexNotFound:
            return []
        titles = (hit["_source"]["title"] for hit in response["hits"]["hits"])
        return list(dict.fromkeys(titles))[:limit]

    # Indexing

    def index_documents(self, documents: Iterable[SearchDocument]) -> int:
        self.ensure_index()
        return send_in_chunks(self.alias, documents, DEFAULT_CHUNK_SIZE, self._send_bulk)

    def delete_documents(self, ids: Sequence[str]) -> int:
        if not ids:
            return 0
        response = self._bulk(bulk_delete_body(self.alias, ids))
        self._raise_for_bulk(response, allowed_statuses={404})
        return len(ids)

    def ensure_index(self) -> str:
        """The index behind the alias, creating a first version if there is none."""
        current = self._indices_behind_alias()
        if current:
            return current[0]
        name = self._new_index_name()
        self._request("PUT", f"/{name}", body={**index_body(), "aliases": {self.alias: {}}})
        return name

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        progress: ProgressCallback | None = None,
    ) -> RebuildResult:
        name = self._new_index_name()
        body = index_body()
        body["settings"]["refresh_interval"] = "-1"
        self._request("PUT", f"/{name}", body=body)
        try:
            written = send_in_chunks(name, documents, chunk_size, self._send_bulk, progress)
            self._request("PUT", f"/{name}/_settings", body={"index": {"refresh_interval": "1s"}})
            self._request("POST", f"/{name}/_refresh")
            previous = self._indices_behind_alias()
            actions: list[dict[str, Any]] = [{"remove": {"index": old, "alias": self.alias}} for old in previous]
            actions.append({"add": {"index": name, "alias": self.alias}})
            self._request("POST", "/_aliases", body={"actions": actions})
        except SearchBackendError:
            logger.exception("rebuilding %s failed; deleting the half-built index %s", self.alias, name)
            self._request("DELETE", f"/{name}")
            raise
        for old in previous:
            self._request("DELETE", f"/{old}")
        return RebuildResult(index=name, documents=written, replaced=tuple(previous))

    def refresh(self) -> None:
        try:
            self._request("POST", f"/{self.alias}/_refresh")
        except IndexNotFound:
            return

    def drop(self) -> None:
        """Delete the alias and every index behind it (tests and `rebuild --from-scratch`)."""
        for name in self._indices_behind_alias():
            self._request("DELETE", f"/{name}")

    # Operations

    def ping(self) -> bool:
        try:
            self._request("GET", "/")
        except SearchBackendError:
            return False
        return True

    def status(self) -> BackendStatus:
        try:
            indices = self._indices_behind_alias()
            count = self._request("GET", f"/{self.alias}/_count")["count"] if indices else 0
        except SearchBackendError as e:
            return BackendStatus(self.name, reachable=False, alias=self.alias, detail=str(e))
        return BackendStatus(
            self.name,
            reachable=True,
            alias=self.alias,
            index=indices[0] if indices else None,
            documents=count,
        )

    def indexed_ids(self, page_size: int = 5000) -> list[str]:
        """Every document id in the index (paged by ``search_after``), for ``manage.py search_status``."""
        ids: list[str] = []
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"size": page_size, "_source": False, "sort": [{"id": "asc"}]}
            if after is not None:
                body["search_after"] = after
            try:
                hits = self._request("POST", f"/{self.alias}/_search", body=body)["hits"]["hits"]
            except IndexNotFound:
                return ids
            ids.extend(hit["_id"] for hit in hits)
            if len(hits) < page_size:
                return ids
            after = hits[-1]["sort"]

    def _send_bulk(self, body: bytes) -> None:
        self._raise_for_bulk(self._bulk(body), allowed_statuses=set())

    def _indices_behind_alias(self) -> list[str]:
        try:
            response = self._request("GET", f"/_alias/{self.alias}")
        except IndexNotFound:
            return []
        return sorted(response, reverse=True)

    def _new_index_name(self) -> str:
        return f"{self.alias}-{timezone.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"

    def _raise_for_bulk(self, response: Mapping[str, Any], allowed_statuses: set[int]) -> None:
        if not response.get("errors"):
            return
        failures = [
            (item_id, result.get("status"), result.get("error"))
            for item in response["items"]
            for item_id, result in ((r.get("_id"), r) for r in item.values())
            if result.get("status", 200) >= 300 and result.get("status") not in allowed_statuses
        ]
        if failures:
            raise SearchBackendError(f"{self.name}: {len(failures)} bulk operations failed, first: {failures[0]}")
