"""Load benchmark: the production stack (``manage.py serve``) on PostgreSQL and a real OpenSearch node.

    scripts/with_postgres.py .venv/bin/python bench/load_bench.py                 # 100,000 resources
    scripts/with_postgres.py .venv/bin/python bench/load_bench.py --size 20000 --duration 20

The catalog of bench/search_bench.py (curriculum topics, providers, licences, grades) is generated into the
PostgreSQL database of ``DATABASE_URL`` (refused if it is not PostgreSQL: ``scripts/with_postgres.py`` gives a
throwaway one), indexed into an OpenSearch node started for the run (tests/harness/opensearch.py; or
``--engine-url``), and served by ``manage.py serve`` with ``DEPLOYMENT=production``: gunicorn workers, the task
worker, the search sweep. Then, for each number of concurrent clients (10, 50, 200 by default), for
``--duration`` seconds each:

- the mix: API search with facets, portal search pages, resource pages, the home and curriculum pages, list and
  detail API calls, suggestions — throughput, p50/p95/p99, error rate (any answer but 2xx, or no answer);
- the search mix alone through ``/api/v1/search/``, and the same compiled bodies sent straight to the engine by
  the same clients: the application's search throughput as a share of the raw engine's.

Before serving, the memory of the database backend's facet copy (search/backends/database_facets.py) is
measured in this process at the catalog's size: what one web worker holds when it answers from the database.
The clients run in this process (asyncio, httpx) on the same machine as the server: they take CPU from it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_bench import QUERIES, generate_catalog, setup_django  # noqa: E402

SUGGEST_PREFIXES = ["дро", "теорем", "клет", "урав", "причаст", "геогр", "матер", "окруж", "видео", "конт"]
PORTAL_QUERIES = ["дроби 5 класс", "строение клетки", "ЕГЭ по русскому языку", "теорема виета", "текст"]
# The share of each kind of request in the mix (a teacher's visit: searches, pages, suggestions as they type;
# partners' API reads).
MIX = {
    "api_search": 25,
    "portal_search": 12,
    "portal_resource": 10,
    "portal_home": 4,
    "portal_curriculum": 4,
    "api_list": 10,
    "api_detail": 15,
    "suggest": 20,
}
SEARCH_KINDS = {"api_search", "portal_search"}


@dataclass
class Sample:
    """The outcomes of one run: latencies per kind of request, errors, wall time."""

    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_examples: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + sum(self.errors.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def all_latencies(self, kinds: set[str] | None = None) -> list[float]:
        return [x for kind, values in self.latencies.items() if kinds is None or kind in kinds for x in values]


def quantiles_ms(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0] * 1000,) * 3 if values else (float("nan"),) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


# --- The catalog


def build_indexes(*arguments: str) -> float:
    """``rebuild_search_index`` (every backend, or ``--backend NAME``); seconds taken."""
    from django.core.management import call_command

    started = time.perf_counter()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):  # no progress bars in the figures
        call_command("rebuild_search_index", *arguments, stdout=quiet)
    return time.perf_counter() - started


def parse_query(params: dict[str, Any]) -> Any:
    from search.api import SearchView

    class Params:
        query_params = _QueryDict(params)

    return SearchView.parse(Params())  # type: ignore[arg-type]


class _QueryDict(dict):  # type: ignore[type-arg]
    def getlist(self, name: str) -> list[str]:
        return [self[name]] if name in self else []


def measure_facet_copy(size: int) -> dict[str, float]:
    """Bytes the database backend's facet copy takes in one process at this catalog size: the copy loaded
    alone, then steady state after the search mix has filled its memo of masks (Python's own allocations,
    tracemalloc)."""
    from search.backends import get_search_backend
    from search.backends.database_facets import MASK_MEMO, FacetIndex, current_token

    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    index = FacetIndex(current_token("default"))
    index.load_all("default")
    load_s = time.perf_counter() - started
    loaded, load_peak = tracemalloc.get_traced_memory()
    entries = index.size
    del index
    gc.collect()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    database = get_search_backend("database")
    queries = [parse_query(p) for p in QUERIES]
    for _ in range(2):
        for query in queries:
            database.search(query)
    steady, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "entries": entries,
        "size": size,
        "loaded_mb": loaded / 2**20,
        "load_peak_mb": load_peak / 2**20,
        "load_s": load_s,
        "steady_mb": (steady - base) / 2**20,
        "search_peak_mb": (peak - base) / 2**20,
        "per_entry_bytes": loaded / max(entries, 1),
        "memo_mb": MASK_MEMO * entries / 2**20,
    }


def targets(rng: random.Random) -> dict[str, list[Any]]:
    from content_repo.curriculum.models import Topic
    from content_repo.resources.models import Resource

    ids = list(Resource.objects.filter(live=True).values_list("id", flat=True)[:20000])
    topics = list(Topic.objects.exclude(kind="content_section").values_list("code", flat=True))
    return {"ids": [str(pk) for pk in rng.sample(ids, min(len(ids), 2000))], "topics": rng.sample(topics, 200)}


def engine_bodies() -> tuple[str, list[dict[str, Any]]]:
    from search.backends import get_search_backend
    from search.backends.engine import EngineQueryCompiler

    engine = get_search_backend()
    return engine.alias, [EngineQueryCompiler(parse_query(p)).body() for p in QUERIES]  # type: ignore[attr-defined]


# --- The stack


def start_stack(workdir: Path, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DEPLOYMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "API_ANONYMOUS_RATE": "100000000/hour",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "SEARCH_AUTO_INDEX": "true",
        "SEARCH_TIMEOUT": "10",
        "PORT": str(port),
        "WEB_WORKERS": str(workers),
        "WEB_THREADS": str(threads),
    }
    out = (workdir / "serve.out").open("ab")
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--without", "harvests"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(1)
    raise SystemExit("serve did not become ready")


def stop_stack(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=150)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def web_worker_rss_mb() -> list[float]:
    """Resident memory of each gunicorn worker (proc_name catalog-web; the master excluded)."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" not in cmdline or b"ops.gunicorn_conf" not in cmdline:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        parent = int(fields["PPid"])
        try:
            parent_cmdline = (Path("/proc") / str(parent) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in parent_cmdline:  # a worker, whose parent is the master
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


# --- The clients


Request = Callable[[httpx.AsyncClient, random.Random], Any]


def mixed_requests(url: str, picks: dict[str, list[Any]]) -> dict[str, Request]:
    def api_search(client: httpx.AsyncClient, rng: random.Random) -> Any:
        return client.get(f"{url}/api/v1/search/", params=rng.choice(QUERIES))

    return {
        "api_search": api_search,
        "portal_search": lambda c, r: c.get(f"{url}/search/", params={"q": r.choice(PORTAL_QUERIES)}),
        "portal_resource": lambda c, r: c.get(f"{url}/resources/{r.choice(picks['ids'])}/"),
        "portal_home": lambda c, r: c.get(f"{url}/"),
        "portal_curriculum": lambda c, r: c.get(f"{url}/curriculum/topics/{r.choice(picks['topics'])}/"),
        "api_list": lambda c, r: c.get(f"{url}/api/v1/resources/", params={"page_size": 20}),
        "api_detail": lambda c, r: c.get(f"{url}/api/v1/resources/{r.choice(picks['ids'])}/"),
        "suggest": lambda c, r: c.get(f"{url}/api/v1/search/suggest/", params={"q": r.choice(SUGGEST_PREFIXES)}),
    }


async def drive(clients: int, seconds: float, choose: Callable[[random.Random], tuple[str, Request]]) -> Sample:
    sample = Sample()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        deadline = time.perf_counter() + seconds

        async def one_client(number: int) -> None:
            rng = random.Random(number)
            while time.perf_counter() < deadline:
                kind, request = choose(rng)
                started = time.perf_counter()
                try:
                    response = await request(client, rng)
                except httpx.HTTPError as e:
                    sample.errors[kind] += 1
                    if len(sample.error_examples) < 5:
                        sample.error_examples.append(f"{kind}: {type(e).__name__} {e}")
                    continue
                if 200 <= response.status_code < 300:
                    sample.latencies[kind].append(time.perf_counter() - started)
                else:
                    sample.errors[kind] += 1
                    if len(sample.error_examples) < 5:
                        sample.error_examples.append(f"{kind}: {response.status_code} {response.text[:120]}")

        started = time.perf_counter()
        await asyncio.gather(*(one_client(n) for n in range(clients)))
        sample.seconds = time.perf_counter() - started
    return sample


def weighted(requests: dict[str, Request]) -> Callable[[random.Random], tuple[str, Request]]:
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    return lambda rng: (kind := rng.choices(kinds, weights)[0], requests[kind])


def report(name: str, clients: int, sample: Sample, kinds: set[str] | None = None) -> dict[str, float]:
    p50, p95, p99 = quantiles_ms(sample.all_latencies())
    search = quantiles_ms(sample.all_latencies(kinds)) if kinds else (p50, p95, p99)
    rate = sample.requests / sample.seconds
    errors = sample.error_count / max(sample.requests, 1)
    print(
        f"  {name:14} N={clients:<4} {rate:7.1f} req/s  p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f} ms  "
        f"errors {sample.error_count} ({errors:.2%})" + (f"  search p95 {search[1]:.1f} ms" if kinds else ""),
        flush=True,
    )
    for example in sample.error_examples:
        print(f"      {example}")
    return {"rate": rate, "p50": p50, "p95": p95, "p99": p99, "errors": errors, "search_p95": search[1]}


def run_levels(url: str, engine_url: str, levels: list[int], seconds: float, warmup: float) -> None:
    alias, bodies = engine_bodies()
    picks = targets(random.Random(11))
    requests = mixed_requests(url, picks)
    api_search = requests["api_search"]

    def raw(client: httpx.AsyncClient, rng: random.Random) -> Any:
        return client.post(f"{engine_url}/{alias}/_search", json=rng.choice(bodies))

    print(f"warm-up {warmup:.0f} s (10 clients, the mix)", flush=True)
    asyncio.run(drive(10, warmup, weighted(requests)))
    summary = []
    for clients in levels:
        print(f"\nN = {clients} clients, {seconds:.0f} s each", flush=True)
        mixed = report("mix", clients, asyncio.run(drive(clients, seconds, weighted(requests))), SEARCH_KINDS)
        app = report("search via API", clients, asyncio.run(drive(clients, seconds, lambda r: ("s", api_search))))
        engine = report("search raw", clients, asyncio.run(drive(clients, seconds, lambda r: ("raw", raw))))
        print(f"  API search / raw engine throughput: {app['rate'] / engine['rate']:.2f}", flush=True)
        print(f"  web workers' RSS, MB: {', '.join(f'{x:.0f}' for x in web_worker_rss_mb())}", flush=True)
        summary.append((clients, mixed, app, engine))
    print("\nN     mix req/s  p50     p95     p99    err    search p95 | API search req/s  raw req/s  share")
    for clients, mixed, app, engine in summary:
        print(
            f"{clients:<5} {mixed['rate']:8.1f} {mixed['p50']:7.1f} {mixed['p95']:7.1f} {mixed['p99']:7.1f} "
            f"{mixed['errors']:6.2%} {mixed['search_p95']:9.1f}  | {app['rate']:14.1f} {engine['rate']:10.1f} "
            f"{app['rate'] / engine['rate']:6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="resources (default 100000)")
    parser.add_argument("--clients", default="10,50,200", help="concurrent clients per level (default 10,50,200)")
    parser.add_argument("--duration", type=float, default=30, help="seconds per run (default 30)")
    parser.add_argument("--warmup", type=float, default=15, help="seconds of warm-up (default 15)")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1, help="WEB_WORKERS")
    parser.add_argument("--threads", type=int, default=4, help="WEB_THREADS")
    parser.add_argument("--engine-url", help="an OpenSearch node already running (default: start one)")
    parser.add_argument("--facets-only", action="store_true", help="measure the facet copy's memory and stop")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("load_bench: DATABASE_URL must be PostgreSQL (run under scripts/with_postgres.py)")
    levels = [int(n) for n in args.clients.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="load-bench-"))
    node = None
    process = None
    try:
        engine_url = args.engine_url
        if engine_url is None and not args.facets_only:
            from tests.harness.opensearch import start_node

            node = start_node(workdir / "node")
            engine_url = node.url
        os.environ["LOG_FORMAT"] = "text"
        setup_django(
            workdir, engine_url or "http://127.0.0.1:9", f"load-{uuid.uuid4().hex[:6]}", os.environ["DATABASE_URL"]
        )
        started = time.perf_counter()
        generate_catalog(args.size)
        print(f"catalog: {args.size} resources in {time.perf_counter() - started:.0f} s", flush=True)
        if args.facets_only:
            print(f"database index rebuilt in {build_indexes('--backend', 'database'):.0f} s", flush=True)
        else:
            print(f"indexes (database and OpenSearch) rebuilt in {build_indexes():.0f} s", flush=True)
        facets = measure_facet_copy(args.size)
        print(
            f"facet copy at {facets['entries']:.0f} entries: {facets['loaded_mb']:.1f} MB loaded "
            f"({facets['per_entry_bytes']:.0f} B/entry, load {facets['load_s']:.1f} s, "
            f"peak {facets['load_peak_mb']:.1f} MB);"
            f" with the search mix's masks {facets['steady_mb']:.1f} MB (peak {facets['search_peak_mb']:.1f} MB); "
            f"mask memo bound {facets['memo_mb']:.1f} MB",
            flush=True,
        )
        if args.facets_only:
            return
        from django.db import connections

        connections.close_all()
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        process = start_stack(workdir, port, args.workers, args.threads)
        wait_ready(url, process)
        print(f"serve: {args.workers} web workers × {args.threads} threads on {url}; engine {engine_url}", flush=True)
        assert engine_url is not None
        run_levels(url, engine_url, levels, args.duration, args.warmup)
    finally:
        if process is not None:
            stop_stack(process)
        if node is not None:
            node.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    main()
