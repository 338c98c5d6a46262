"""Concurrent writers against the real server: how many writes a second, how long they wait, and what the
readers feel meanwhile.

A throwaway database (SQLite by default, or a PostgreSQL server given by URL: a new database is created on
it) is migrated and loaded by subprocesses, then `manage.py runserver` serves it. N threads post resources
(`POST /api/v1/resources/`, distinct ids, two vendors) as fast as they are answered, while one keyed reader
lists resources. Printed: answers by status, writes per second, write latency (median, 95th percentile,
maximum) and the reader's latency::

    .venv/bin/python bench/write_concurrency_bench.py                       # 20 writers × 10 resources
    .venv/bin/python bench/write_concurrency_bench.py --writers 50 --each 4
    .venv/bin/python bench/write_concurrency_bench.py --postgres postgres://catalog@127.0.0.1:5432/postgres

The figures are recorded in docs/operations.md («База данных: одновременная запись»).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.live_server import LiveServer, issue_keys, run_django  # noqa: E402

PREPARE = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from content_repo.curriculum.services import load_curriculum
from content_repo.publishers.services import ensure_builtin_organizations
from content_repo.resources.roles import ensure_roles
from content_repo.vocabularies.services import load_vocabularies
load_curriculum(); load_vocabularies(); ensure_roles(); ensure_builtin_organizations()
"""


def lesson(external_id: str) -> dict:
    return {
        "external_id": external_id,
        "title": f"Дроби, урок {external_id}",
        "resource_type": "lesson",
        "subjects": ["math"],
        "grades": [5],
        "license": "cc-by-4.0",
        "url": f"https://vendor.example/lessons/{external_id}",
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def database_url(args: argparse.Namespace, workdir: Path) -> str:
    if not args.postgres:
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.postgres, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return args.postgres.rsplit("/", 1)[0] + "/" + name


def run(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="write-bench-"))
    url = database_url(args, workdir)
    try:
        measure(args, url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.postgres:
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def measure(args: argparse.Namespace, url: str, workdir: Path) -> None:
    print(f"database: {url.split('@')[-1]}; preparing…", flush=True)
    run_django(url, PREPARE)
    keys = issue_keys(url, {"a": ("bench-a", "vendor", "read,publish"), "b": ("bench-b", "vendor", "read,publish")})
    env = {"API_KEY_DEFAULT_QUOTA": "1000000"}
    with LiveServer.start_new(url, workdir / "server", env) as server:
        statuses: Counter[str] = Counter()
        latencies: list[float] = []
        reads: list[float] = []
        done = threading.Event()

        def client(key: str) -> httpx.Client:
            return httpx.Client(base_url=server.url, timeout=120, headers={"Authorization": f"Bearer {key}"})

        def writer(number: int) -> None:
            with client(keys["ab"[number % 2]]) as http:
                for item in range(args.each):
                    started = time.perf_counter()
                    try:
                        response = http.post("/api/v1/resources/", json=lesson(f"b-{number}-{item}"))
                    except httpx.TransportError as e:  # runserver's listen queue is short: a reset, not an answer
                        statuses[type(e).__name__] += 1
                        continue
                    latencies.append(time.perf_counter() - started)
                    statuses[str(response.status_code)] += 1

        def reader() -> None:
            with client(keys["a"]) as http:
                while not done.is_set():
                    started = time.perf_counter()
                    http.get("/api/v1/resources/?page_size=20")
                    reads.append(time.perf_counter() - started)

        watcher = threading.Thread(target=reader)
        watcher.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(args.writers) as pool:
            list(pool.map(writer, range(args.writers)))
        elapsed = time.perf_counter() - started
        done.set()
        watcher.join()
    total = args.writers * args.each
    print(f"{args.writers} writers × {args.each} resources = {total} writes in {elapsed:.1f} s")
    print(f"answers: {dict(sorted(statuses.items()))}")
    if not latencies:
        return
    print(f"writes per second: {total / elapsed:.1f}")
    median, p95, worst = statistics.median(latencies), percentile(latencies, 0.95), max(latencies)
    print(f"write latency: median {median:.2f} s, 95th percentile {p95:.2f} s, max {worst:.2f} s")
    median, p95 = statistics.median(reads), percentile(reads, 0.95)
    print(f"keyed reads meanwhile: {len(reads)} requests, median {median:.3f} s, 95th percentile {p95:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--each", type=int, default=10, help="resources each writer posts")
    parser.add_argument("--postgres", help="URL of a PostgreSQL server's maintenance database (a new one is made)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
