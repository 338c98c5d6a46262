"""SQL of the database backend: the vendor dialects (SQLite FTS5, PostgreSQL) and the query compiler.

:class:`DatabaseQueryCompiler` turns a :class:`~search.query.SearchQuery` into the SQL that
:class:`~search.backends.database.DatabaseSearchBackend` runs: the full-text match (words AND-ed in the
strict pass, OR-ed and counted in the relaxed one; each word's alternatives OR-ed), the optional exam and
test words, the filters, the multipliers of what the query was understood to ask for, the order and the
keyset condition.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ..models import FACET_COLUMNS, SearchEntry, SearchEntryValue
from ..query import CursorValue, SearchQuery, SortOrder
from ..relaxation import COORDINATION, OPTIONAL_WEIGHT, Condition, QueryPlan, QueryWord, plan_query
from ..understanding import ParsedQuery

ENTRY_TABLE = SearchEntry._meta.db_table
VALUE_TABLE = SearchEntryValue._meta.db_table

SqlParams = list[Any]


class Dialect:
    """What differs between SQLite FTS5 and PostgreSQL full-text search."""

    vendor: ClassVar[str]
    collate: ClassVar[str] = ""
    # The entry table as ``e`` in the queries that filter and sort.
    entries: ClassVar[str] = f"{ENTRY_TABLE} e"

    def match_predicate(self) -> str:
        """SQL true when entry ``e`` matches the full-text query given as one parameter."""
        raise NotImplementedError

    def match_ids(self) -> str:
        """``SELECT`` of the ids of the entries matching the full-text query given as one parameter."""
        raise NotImplementedError

    def scored_match(self) -> str:
        """``SELECT entry_id, text_score`` of the entries matching the query (parameters: the query, twice)."""
        raise NotImplementedError

    def suggest_match(self) -> str:
        """``SELECT entry_id, text_score`` of entries whose title or keywords complete the prefix query."""
        raise NotImplementedError

    def match_params(self, expression: str) -> SqlParams:
        """The parameters of :meth:`scored_match` and :meth:`suggest_match` for ``expression``."""
        return [expression]

    def suggest_expression(self, terms: Sequence[str], prefix: str | None) -> str:
        """All typed words in the title or keywords, the last one as a prefix."""
        raise NotImplementedError

    def phrase(self, terms: Sequence[str]) -> str:
        raise NotImplementedError

    def any_of(self, phrases: Sequence[str]) -> str:
        return phrases[0] if len(phrases) == 1 else "(" + self.or_joiner.join(phrases) + ")"

    def all_of(self, parts: Sequence[str]) -> str:
        return self.and_joiner.join(parts)

    or_joiner: ClassVar[str]
    and_joiner: ClassVar[str]


class SqliteDialect(Dialect):
    vendor = "sqlite"
    # The covering index of migration 0003: looking entries up by id then skips their wide columns.
    entries = f"{ENTRY_TABLE} e INDEXED BY search_entry_filters"
    or_joiner = " OR "
    and_joiner = " AND "

    def match_predicate(self) -> str:
        return "e.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"

    def match_ids(self) -> str:
        return "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"

    def scored_match(self) -> str:
        # bm25() is negative, lower is better; weights follow the title_terms, keyword_terms, body_terms columns.
        return (
            "SELECT rowid AS entry_id, -bm25(search_fts, 4.0, 2.0, 1.0) AS text_score "
            "FROM search_fts WHERE search_fts MATCH %s"
        )

    def suggest_match(self) -> str:
        return (
            "SELECT rowid AS entry_id, -bm25(search_fts, 2.0, 1.0, 0.0) AS text_score "
            "FROM search_fts WHERE search_fts MATCH %s"
        )

    def phrase(self, terms: Sequence[str]) -> str:
        return '"' + " ".join(term.replace('"', '""') for term in terms) + '"'

    def suggest_expression(self, terms: Sequence[str], prefix: str | None) -> str:
        parts = [self.phrase([term]) for term in terms]
        if prefix:
            parts.append(self.phrase([prefix]) + "*")
        return "{title_terms keyword_terms} : (" + self.all_of(parts) + ")"


class PostgresDialect(Dialect):
    vendor = "postgresql"
    collate = ' COLLATE "C"'
    or_joiner = " | "
    and_joiner = " & "

    def match_predicate(self) -> str:
        return "e.search_vector @@ to_tsquery('simple', %s)"

    def match_ids(self) -> str:
        return "SELECT id FROM search_searchentry WHERE search_vector @@ to_tsquery('simple', %s)"

    def scored_match(self) -> str:
        # Weights {D, C, B, A}: body 1, keywords and topics 2, title 4 (as TEXT_FIELDS); 1 = length-normalised.
        return (
            "SELECT id AS entry_id, "
            "ts_rank('{0.1, 0.25, 0.5, 1.0}', search_vector, to_tsquery('simple', %s), 1)::float8 "
            "AS text_score FROM search_searchentry WHERE search_vector @@ to_tsquery('simple', %s)"
        )

    def suggest_match(self) -> str:
        return (
            "SELECT id AS entry_id, ts_rank('{0, 0, 0.5, 1.0}', search_vector, to_tsquery('simple', %s))::float8 "
            "AS text_score FROM search_searchentry WHERE search_vector @@ to_tsquery('simple', %s)"
        )

    def phrase(self, terms: Sequence[str]) -> str:
        quoted = ["'" + term.replace("'", "''").replace("\\", "") + "'" for term in terms]
        return quoted[0] if len(quoted) == 1 else "(" + " <-> ".join(quoted) + ")"

    def match_params(self, expression: str) -> SqlParams:
        return [expression, expression]

    def suggest_expression(self, terms: Sequence[str], prefix: str | None) -> str:
        # Title (weight A) and keywords/topics (B) only.
        parts = [self.phrase([term]) + ":AB" for term in terms]
        if prefix:
            parts.append(self.phrase([prefix]) + ":*AB")
        return self.all_of(parts)


DIALECTS: dict[str, type[Dialect]] = {"sqlite": SqliteDialect, "postgresql": PostgresDialect}


class DatabaseQueryCompiler:
    """Compiles a :class:`SearchQuery` (as planned: :class:`~search.relaxation.QueryPlan`) into SQL for one
    database vendor."""

    def __init__(self, query: SearchQuery, plan: QueryPlan | str | None, dialect: Dialect) -> None:
        self.query = query
        self.dialect = dialect
        if not isinstance(plan, QueryPlan):
            plan = plan_query(query.text if plan is None else plan)
        self.plan = plan
        self.parsed: ParsedQuery = plan.parsed

    @property
    def scored(self) -> bool:
        """Only the relevance order needs text scores; ranking every match is costly for common words."""
        return self.query.sort is SortOrder.RELEVANCE

    def match_predicate(self, expression: str) -> tuple[str, SqlParams]:
        return self.dialect.match_predicate(), [expression]

    def scored_source(self, expression: str) -> tuple[str, SqlParams]:
        return self.dialect.scored_match(), self.dialect.match_params(expression)

    @property
    def matches_nothing(self) -> bool:
        """Text made only of stop words matches nothing, as in the engine."""
        return self.plan.matches_nothing

    def word_expression(self, word: QueryWord) -> str:
        """One position of the query: any of its phrases (the word, its synonyms, its spellings)."""
        return self.dialect.any_of([self.dialect.phrase(alt) for alt in word.alternatives])

    def match_expression(self) -> str | None:
        """Every required word (strict pass) or any of them (relaxed pass)."""
        if not self.plan.words:
            return None
        parts = [self.word_expression(word) for word in self.plan.words]
        return self.dialect.any_of(parts) if self.plan.relaxed else self.dialect.all_of(parts)

    def optional_expression(self) -> str | None:
        """The exam and assessment words: any of them raises the score of documents that have it."""
        if not self.plan.optional_words:
            return None
        return self.dialect.any_of([self.word_expression(word) for word in self.plan.optional_words])

    def highlight_terms(self) -> frozenset[str]:
        """What was typed and one-word alternatives: the words of a phrase synonym («всероссийская
        проверочная работа» for «впр») are not marked one by one («работа» alone is not a match)."""
        words = (*self.plan.words, *self.plan.optional_words)
        return frozenset(
            term for word in words for alt in word.alternatives if alt == word.stems or len(alt) == 1 for term in alt
        )

    # Filters

    def filter_sql(self, exclude: str | None = None) -> tuple[str, SqlParams]:
        """AND of the filters (values of one filter OR-ed), leaving out the filter ``exclude``."""
        clauses, params = ["e.published = %s"], [True]
        for name, values in self.query.filters.items():
            if name == exclude:
                continue
            clause, clause_params = self.facet_membership(name, values)
            clauses.append(clause)
            params.extend(clause_params)
        return " AND ".join(clauses), params

    @staticmethod
    def facet_membership(name: str, values: Sequence[str]) -> tuple[str, SqlParams]:
        marks = ", ".join(["%s"] * len(values))
        if name in FACET_COLUMNS:
            return f"e.{FACET_COLUMNS[name]} IN ({marks})", list(values)
        sql = f"e.id IN (SELECT entry_id FROM {VALUE_TABLE} WHERE facet = %s AND value IN ({marks}))"
        return sql, [name, *values]

    def conditions_sql(self, conditions: Sequence[Condition]) -> tuple[str, SqlParams]:
        """A conjunction of :class:`Condition` as SQL on entry ``e``."""
        parts = [self.facet_membership(condition.facet, condition.values) for condition in conditions]
        return " AND ".join(sql for sql, _ in parts), [param for _, params in parts for param in params]

    def boost_clauses(self) -> list[tuple[str, SqlParams, float]]:
        """The plan's boosts as SQL conditions with their score multipliers."""
        return [(*self.conditions_sql([boost.condition]), boost.weight) for boost in self.plan.boosts()]

    def scope_clauses(self) -> list[tuple[str, SqlParams]]:
        """Without required words: the plan's scope as SQL conditions (a hit meets one of them)."""
        return [self.conditions_sql(conditions) for conditions in self.plan.scope()]

    # The set of matching entries (facet counts are computed from it in Python: database_facets)

    def match_ids_sql(self) -> tuple[str, SqlParams] | None:
        """``SELECT`` of the ids of the entries matching the text (any, published or not), if there is text."""
        expression = self.match_expression()
        if expression is None:
            return None
        return self.dialect.match_ids(), [expression]

    def optional_ids_sql(self) -> tuple[str, SqlParams] | None:
        """``SELECT`` of the ids of the entries having the optional words, if there are any."""
        expression = self.optional_expression()
        if expression is None:
            return None
        return self.dialect.match_ids(), [expression]

    def hits_sql(self) -> tuple[str, SqlParams]:
        """``SELECT id, doc_id, score, published_ms, title_sort`` of every hit."""
        where, params = self.filter_sql()
        boosts = self.boost_clauses()
        multiplier = " * ".join(f"(CASE WHEN {sql} THEN {weight} ELSE 1.0 END)" for sql, _, weight in boosts)
        multiplier_params = [p for _, boost_params, _ in boosts for p in boost_params]
        multiplier = multiplier or "1.0"
        columns = "e.id, e.doc_id, e.published_ms, e.title_sort"
        expression = self.match_expression()
        if expression is not None and not self.scored:
            predicate, match_params = self.match_predicate(expression)
            sql = f"SELECT {columns}, 0.0 AS score FROM {self.dialect.entries} WHERE {predicate} AND {where}"
            return sql, [*match_params, *params]
        optional_join, optional_score, optional_params = self._optional_join()
        if expression is not None:
            coordination, coordination_params = self._coordination()
            source, match_params = self.scored_source(expression)
            sql = (
                f"SELECT {columns}, (m.text_score{coordination}{optional_score}) * {multiplier} AS score "
                f"FROM ({source}) m JOIN {self.dialect.entries} ON e.id = m.entry_id{optional_join} WHERE {where}"
            )
            return sql, [*coordination_params, *multiplier_params, *match_params, *optional_params, *params]
        scope = self.scope_clauses()
        ways_in = [sql for sql, _ in scope]
        ways_in_params = [p for _, scope_params in scope for p in scope_params]
        optional = self.optional_expression()
        if optional is not None:
            predicate, predicate_params = self.match_predicate(optional)
            ways_in.append(predicate)
            ways_in_params.extend(predicate_params)
        if not ways_in:
            return f"SELECT {columns}, 1.0 AS score FROM {self.dialect.entries} WHERE {where}", params
        matched = " + ".join(f"(CASE WHEN {sql} THEN 1.0 ELSE 0.0 END)" for sql, _ in scope) or "0.0"
        matched_params = [p for _, scope_params in scope for p in scope_params]
        any_way = " OR ".join(f"({sql})" for sql in ways_in)
        sql = (
            f"SELECT {columns}, ({matched}{optional_score}) * {multiplier} AS score "
            f"FROM {self.dialect.entries}{optional_join} WHERE ({any_way}) AND {where}"
        )
        return sql, [*matched_params, *multiplier_params, *optional_params, *ways_in_params, *params]

    def _optional_join(self) -> tuple[str, str, SqlParams]:
        """``LEFT JOIN`` of the optional words' scores as ``o``, the score term and its parameters."""
        expression = self.optional_expression()
        if expression is None or not self.scored:
            return "", "", []
        source, params = self.scored_source(expression)
        score = f" + {OPTIONAL_WEIGHT} * COALESCE(o.text_score, 0.0)"
        return f" LEFT JOIN ({source}) o ON o.entry_id = e.id", score, params

    def _coordination(self) -> tuple[str, SqlParams]:
        """Relaxed pass: ``COORDINATION`` per required word the entry matches, so more words rank first."""
        if not self.plan.relaxed:
            return "", []
        predicate = self.dialect.match_predicate()
        terms = " + ".join(f"(CASE WHEN {predicate} THEN 1.0 ELSE 0.0 END)" for _ in self.plan.words)
        return f" + {COORDINATION} * ({terms})", [self.word_expression(word) for word in self.plan.words]

    # Order and keyset

    def sort_keys(self) -> list[tuple[str, str]]:
        """The sort columns with directions; ``doc_id`` breaks ties (as the engine's ``id``)."""
        if self.query.sort is SortOrder.NEWEST:
            return [("published_ms", "DESC"), ("doc_id", "ASC")]
        if self.query.sort is SortOrder.TITLE:
            return [("title_sort", "ASC"), ("doc_id", "ASC")]
        return [("score", "DESC"), ("doc_id", "ASC")]

    def order_by(self, alias: str) -> str:
        return ", ".join(f"{self._column(alias, name)} {way}" for name, way in self.sort_keys())

    def after_sql(self, alias: str, after: Sequence[CursorValue]) -> tuple[str, SqlParams]:
        """Keyset condition: rows strictly after ``after`` in the sort order."""
        (first, way), (tiebreak, _) = self.sort_keys()
        op = "<" if way == "DESC" else ">"
        column, plain = self._column(alias, first), f"{alias}.{first}"
        sql = f"({column} {op} %s OR ({plain} = %s AND {self._column(alias, tiebreak)} > %s))"
        return sql, [after[0], after[0], after[1]]

    def _column(self, alias: str, name: str) -> str:
        # Codes and titles compare by code point, as the engines' keyword fields do.
        return f"{alias}.{name}{self.dialect.collate if name in ('title_sort', 'doc_id') else ''}"
