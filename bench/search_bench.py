"""Search benchmark: indexing throughput and query latency, the project's code next to the raw engine.

    scripts/search-node start --port 9250 --dir /tmp/sn-bench
    .venv/bin/python bench/search_bench.py               # 100,000 resources
    .venv/bin/python bench/search_bench.py --quick       # 5,000 resources, fewer rounds
    .venv/bin/python bench/search_bench.py 20000 --indexing-only   # no query rounds
    .venv/bin/python bench/search_bench.py --relevance   # nDCG@10 and zero-result rate per backend
    scripts/search-node stop --dir /tmp/sn-bench

A throwaway SQLite database (its own VAR_DIR) is filled with a realistic catalog: titles and descriptions
from the curriculum topics (content_repo/curriculum/data/curriculum.json), providers, licences, grades.
Printed side by side:

- indexing: the pipeline (``published_documents()`` from the database into ``backend.rebuild``) vs a raw
  ``_bulk`` load of the same, already built documents into an index with the same mapping;
- queries: ``/api/v1/search/`` (Django test client, OpenSearch backend) vs the same compiled body sent
  straight to the engine; and the database backend through the same endpoint.

With ``--relevance`` it rates ranking instead: the judged teacher queries (tests/search/judged_queries.json)
over the fixture catalog (tests/search/catalog.json), on the database backend (SQLite, or the database of
``--database-url``, e.g. PostgreSQL) and on the engine when one answers at ``--engine-url``: nDCG@10, the
share of queries that found nothing, and the worst queries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES: list[dict[str, Any]] = [
    {"q": "дроби 5 класс"},
    {"q": "сложение дробей"},
    {"q": "теорема виета"},
    {"q": "строение клетки"},
    {"q": "ЕГЭ по русскому языку"},
    {"q": "причастный оборот", "grade": "7"},
    {"q": "уравнения", "subject": "algebra", "type": "test"},
    {"q": "lhj,b"},
    {"q": "видеоурок", "grade": "5,6", "provider": "resh"},
    {"q": "география материки"},
    {"q": "текст"},
    {"q": "урок", "subject": "math"},
    {"subject": "biology", "grade": "8"},
    {"grade": "5", "sort": "newest"},
    {"q": "контрольная работа", "sort": "title"},
    {"q": "окружающий мир", "access": "free"},
]
# The paths added by issue 11, measured apart so the figures of QUERIES stay comparable across versions:
# an exam as intent, a test word, words no resource has together (relaxed pass), a typo (the database
# backend's vocabulary), a school abbreviation.
NEW_PATH_QUERIES: list[dict[str, Any]] = [
    {"q": "впр математика 4 класс"},
    {"q": "контрольная работа 7 класс"},
    {"q": "дроби квазары"},
    {"q": "теорема пифогора"},
    {"q": "биссиктриса угла"},
    {"q": "кпд"},
]
TEMPLATES = [
    ("{topic}", "lesson", "Урок по теме «{topic}» ({section}). {subject}, {grade} класс: объяснение и примеры."),
    ("{topic}: видеоурок", "video_lesson", "Видеоурок: {topic}. Раздел «{section}», {subject}, {grade} класс."),
    ("Тренажёр: {topic}", "simulator", "Интерактивные задания по теме «{topic}» с мгновенной проверкой."),
    ("Контрольная работа. {section}", "test", "Проверочная работа по разделу «{section}», {grade} класс."),
    (
        "{topic}. Конспект",
        "lesson_notes",
        "Конспект урока: {topic}. Основные понятия и определения раздела «{section}».",
    ),
]
PROVIDERS = ["resh", "yaklass", "uchi", "mesh"]
LICENSES = ["cc-by-4.0", "cc-by-sa-4.0", "cc-by-nd-4.0"]
ACCESS = ["free", "registration", "subscription"]


def setup_django(workdir: Path, engine_url: str, prefix: str, database_url: str | None = None) -> None:
    os.environ.update(
        VAR_DIR=str(workdir),
        DATABASE_URL=database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        SEARCH_BACKEND="opensearch",
        SEARCH_URL=engine_url,
        SEARCH_INDEX_PREFIX=prefix,
        SEARCH_AUTO_INDEX="false",
        SEARCH_TIMEOUT="300",
        DJANGO_SETTINGS_MODULE="content_repo.settings",
        LOG_LEVEL="ERROR",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the curriculum, vocabularies and organisations come with it


def generate_catalog(size: int, seed: int = 7) -> None:
    """``size`` published resources over the curriculum topics, written with bulk inserts."""
    from django.db import transaction
    from django.utils import timezone

    from content_repo.curriculum.models import Level, Subject, Topic
    from content_repo.publishers.models import Organization
    from content_repo.resources.models import Alignment, Resource, SourceLayer
    from content_repo.vocabularies.models import Term

    rng = random.Random(seed)
    topics = list(Topic.objects.exclude(kind="content_section").select_related("parent", "subject", "level"))
    terms = {(t.vocabulary, t.code): t.pk for t in Term.objects.all()}
    providers = {o.code: o.pk for o in Organization.objects.filter(code__in=PROVIDERS)}
    levels = dict(Level.objects.values_list("code", "pk"))
    subjects = dict(Subject.objects.values_list("code", "pk"))
    now = timezone.now()
    through = (Resource.subjects.through, Resource.grades.through, Resource.levels.through)
    for start in range(0, size, 5000):
        resources, layers, alignments, m2m = [], [], [], ([], [], [])
        for number in range(start, min(size, start + 5000)):
            topic = rng.choice(topics)
            section = topic.parent.title if topic.parent else topic.title
            title, kind, description = rng.choice(TEMPLATES)
            values = {"topic": topic.title, "section": section, "subject": topic.subject.title, "grade": topic.grade_id}
            provider = rng.choice(PROVIDERS)
            resource = Resource(
                id=uuid.UUID(int=rng.getrandbits(128)),
                title=title.format(**values)[:500],
                description=description.format(**values),
                keywords=[topic.subject.title.lower(), section.split(".")[0].lower()[:60]],
                resource_type_id=terms.get(("resource_type", kind)),
                license_id=terms[("license", rng.choice(LICENSES))],
                access_id=terms[("access", rng.choice(ACCESS))],
                language_id=terms[("language", "ru")],
                provider_id=providers[provider],
                url=f"https://{provider}.example.ru/r/{number}",
                live=True,
                status=Resource.Status.PUBLISHED,
                first_published_at=now - timezone.timedelta(minutes=rng.randrange(2_000_000)),
            )
            resources.append(resource)
            layers.append(SourceLayer(resource=resource, source=provider, external_id=f"{provider}-{number}"))
            alignments.append(Alignment(resource=resource, topic_id=topic.pk, sort_order=0))
            m2m[0].append(through[0](resource_id=resource.id, subject_id=subjects[topic.subject.code]))
            m2m[1].append(through[1](resource_id=resource.id, grade_id=topic.grade_id))
            m2m[2].append(through[2](resource_id=resource.id, level_id=levels[topic.level.code]))
        with transaction.atomic():
            Resource.objects.bulk_create(resources, batch_size=1000)
            SourceLayer.objects.bulk_create(layers, batch_size=1000)
            Alignment.objects.bulk_create(alignments, batch_size=1000)
            for model, rows in zip(through, m2m, strict=True):
                model.objects.bulk_create(rows, batch_size=2000)


def timed(function: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def bench_indexing(size: int, chunk: int) -> dict[str, float]:
    from search.backends import get_search_backend
    from search.backends.engine import index_body
    from search.indexing import published_documents

    engine = get_search_backend()
    database = get_search_backend("database")
    documents = [document.to_source() for document in published_documents(chunk)]
    raw_index = f"{engine.alias}-raw"

    def raw_load() -> None:
        body = index_body()
        body["settings"]["refresh_interval"] = "-1"
        engine._request("PUT", f"/{raw_index}", body=body)  # type: ignore[attr-defined]
        for start in range(0, len(documents), chunk):
            operations: list[dict[str, Any]] = []
            for source in documents[start : start + chunk]:
                operations.append({"index": {"_index": raw_index, "_id": source["id"]}})
                operations.append(source)
            response = engine.client.bulk(body=operations)  # type: ignore[attr-defined]
            assert not response["errors"]
        engine._request("POST", f"/{raw_index}/_refresh")  # type: ignore[attr-defined]
        engine._request("DELETE", f"/{raw_index}")  # type: ignore[attr-defined]

    # Raw, pipeline, raw again: the engine warms up during the first run, the mean of the raw runs is fair.
    _, raw_first_s = timed(raw_load)
    result, pipeline_s = timed(lambda: engine.rebuild(published_documents(chunk), chunk_size=chunk))
    assert result.documents == size, result
    _, raw_second_s = timed(raw_load)
    raw_s = (raw_first_s + raw_second_s) / 2
    db_result, database_s = timed(lambda: database.rebuild(published_documents(chunk), chunk_size=chunk))
    assert db_result.documents == size, db_result
    return {"pipeline": size / pipeline_s, "raw": size / raw_s, "database": size / database_s}


def bench_queries(rounds: int) -> dict[str, tuple[float, float]]:
    from django.test import Client, override_settings

    from search.api import SearchView
    from search.backends import get_search_backend
    from search.backends.engine import EngineQueryCompiler

    # The bench measures search, not the anonymous rate limit of the API edge.
    SearchView.throttle_classes = []
    client = Client()
    engine = get_search_backend()
    engine.refresh()
    samples: dict[str, list[float]] = {
        "api_engine": [],
        "raw_engine": [],
        "api_database": [],
        "new_engine": [],
        "new_database": [],
    }

    def run(params: dict[str, Any]) -> None:
        response = client.get("/api/v1/search/", params)
        assert response.status_code == 200 and not response.json()["fallback"], response.content[:300]

    class _Params:
        def __init__(self, params: dict[str, Any]) -> None:
            self.query_params = _QueryDict(params)

    bodies = [EngineQueryCompiler(SearchView.parse(_Params(p))).body() for p in QUERIES]  # type: ignore[arg-type]
    for _ in range(2):  # warm-up
        for params, body in zip(QUERIES, bodies, strict=True):
            run(params)
            engine._request("POST", f"/{engine.alias}/_search", body=body)  # type: ignore[attr-defined]
    for _ in range(rounds):
        for params, body in zip(QUERIES, bodies, strict=True):
            samples["api_engine"].append(timed(lambda p=params: run(p))[1])
            raw = timed(lambda b=body: engine._request("POST", f"/{engine.alias}/_search", body=b))  # type: ignore[attr-defined]
            samples["raw_engine"].append(raw[1])
        for params in NEW_PATH_QUERIES:
            samples["new_engine"].append(timed(lambda p=params: run(p))[1])
    database = {**engine.params, "BACKEND": "database"}
    with override_settings(SEARCH_BACKENDS={"default": database, "database": {"BACKEND": "database"}}):
        for params in QUERIES + NEW_PATH_QUERIES:
            run(params)
        for _ in range(rounds):
            for params in QUERIES:
                samples["api_database"].append(timed(lambda p=params: run(p))[1])
            for params in NEW_PATH_QUERIES:
                samples["new_database"].append(timed(lambda p=params: run(p))[1])
    return {name: percentiles(values) for name, values in samples.items()}


class _QueryDict(dict):
    """Enough of ``QueryDict`` for ``SearchView.parse`` (str_list reads ``getlist``)."""

    def getlist(self, name: str) -> list[str]:
        return [self[name]] if name in self else []


def bench_relevance(engine_url: str) -> None:
    """nDCG@10 and the zero-result rate of the judged queries, per backend."""
    from django.db import connection

    from search.backends import SearchBackendError
    from search.backends.database import DatabaseSearchBackend
    from search.backends.opensearch import OpenSearchBackend
    from search.query import SearchQuery
    from search.relevance import BM25Baseline, evaluate
    from tests.search.catalog import load_catalog, load_judged

    catalog, judged = load_catalog(), load_judged()
    database = DatabaseSearchBackend({})
    database.rebuild(catalog)
    backends: list[tuple[str, Any]] = [(f"database ({connection.vendor})", database)]
    engine = OpenSearchBackend({"URL": engine_url, "INDEX_PREFIX": f"bench-{uuid.uuid4().hex[:6]}"})
    if engine.ping():
        engine.rebuild(catalog)
        backends.append(("opensearch", engine))
    else:
        print(f"no engine at {engine_url}: only the database backend is rated", flush=True)
    baseline = BM25Baseline(catalog)
    rows = [("BM25 baseline", evaluate(baseline.rank, judged))]
    try:
        for name, backend in backends:
            samples: list[float] = []

            def rank(text: str, backend: Any = backend, samples: list[float] = samples) -> list[str]:
                results, seconds = timed(lambda: backend.search(SearchQuery(text, page_size=10)))
                samples.append(seconds)
                return [hit.id for hit in results.hits]

            rows.append((name, evaluate(rank, judged)))
            p50, p95 = percentiles(samples)
            print(f"{name}: {len(samples)} queries, p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
    finally:
        if engine.ping():
            try:
                engine.drop()
            except SearchBackendError as e:
                print(f"could not drop the bench index: {e}")
    print(f"\n{len(judged)} judged queries over {sum(d.published for d in catalog)} published resources")
    print(f"{'backend':24} nDCG@10  zero results")
    for name, evaluation in rows:
        zero = evaluation.zero_results
        print(f"{name:24} {evaluation.mean_ndcg:7.3f}  {len(zero):3d} ({evaluation.zero_result_rate:.1%}) {zero[:6]}")
    for name, evaluation in rows[1:]:
        worst = [(score.query, round(score.ndcg, 2)) for score in evaluation.worst(8)]
        print(f"worst on {name}: {worst}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", nargs="?", type=int, default=100_000, help="resources (default 100000)")
    parser.add_argument("--quick", action="store_true", help="5,000 resources and 3 rounds of queries")
    parser.add_argument("--engine-url", default="http://127.0.0.1:9250")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--indexing-only", action="store_true", help="skip the query latency rounds")
    parser.add_argument("--relevance", action="store_true", help="nDCG@10 and zero-result rate of the judged set")
    parser.add_argument("--database-url", help="with --relevance: this database instead of a temporary SQLite")
    args = parser.parse_args()
    if args.relevance:
        with tempfile.TemporaryDirectory(prefix="search-relevance-") as workdir:
            setup_django(Path(workdir), args.engine_url, "bench", args.database_url)
            bench_relevance(args.engine_url)
        return
    size, rounds = (5000, 3) if args.quick else (args.size, args.rounds)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as workdir:
        prefix = f"bench-{uuid.uuid4().hex[:6]}"
        _, setup_s = timed(lambda: setup_django(Path(workdir), args.engine_url, prefix))
        _, generate_s = timed(lambda: generate_catalog(size))
        print(f"catalog: {size} resources generated in {generate_s:.1f} s (setup {setup_s:.1f} s)", flush=True)
        try:
            rates = bench_indexing(size, args.chunk)
            print(f"indexing: {rates}", flush=True)
            latency = None if args.indexing_only else bench_queries(rounds)
        finally:
            from search.backends import get_search_backend

            get_search_backend().drop()  # type: ignore[attr-defined]
    ratio = rates["pipeline"] / rates["raw"]
    print(
        f"\nindexing, docs/s      pipeline {rates['pipeline']:8.0f}   raw bulk {rates['raw']:8.0f}   ratio {ratio:.2f}"
    )
    print(f"indexing, docs/s      database backend rebuild {rates['database']:8.0f}")
    if latency is None:
        return
    api, raw, db = latency["api_engine"], latency["raw_engine"], latency["api_database"]
    print(f"queries ({len(QUERIES)}×{rounds}), ms   p50     p95")
    print(f"  /api/v1/search/ on OpenSearch   {api[0]:6.1f}  {api[1]:6.1f}")
    print(f"  same body, raw to OpenSearch    {raw[0]:6.1f}  {raw[1]:6.1f}   API/raw p95 {api[1] / raw[1]:.2f}")
    print(f"  /api/v1/search/ on database     {db[0]:6.1f}  {db[1]:6.1f}")
    new_engine, new_db = latency["new_engine"], latency["new_database"]
    print(f"issue 11 paths ({len(NEW_PATH_QUERIES)}×{rounds}: intent, relaxed, typos), ms")
    print(f"  /api/v1/search/ on OpenSearch   {new_engine[0]:6.1f}  {new_engine[1]:6.1f}")
    print(f"  /api/v1/search/ on database     {new_db[0]:6.1f}  {new_db[1]:6.1f}")


if __name__ == "__main__":
    main()
