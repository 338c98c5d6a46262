"""OAI-PMH provider benchmark: ListRecords over 100,000 resources, page time at the start, middle and end.

A provider that pages by offset gets slower the deeper a harvester goes (DSpace's Solr-backed provider:
89 ms at the start, 12,988 ms deep). This one resumes by position (content_repo/exchange/oai/tokens.py), so
the last page should cost what the first does (target: last ≤ 1.5 × first).

In a fresh database (a temporary SQLite file, or ``--database-url``), the script writes N change-feed entries
whose documents have the shape ``GET /api/v1/resources/{id}/`` gives (10 subjects, 11 grades, 3 sources, a topic
alignment, parts), lets the provider take them in (timed: entries per second), then walks the whole list
through the Django test client (the provider's code and the database, without a network in between):

* a full ``ListRecords`` walk in ``lom`` (and one in ``oai_dc``): records per second;
* the first, middle and last page of that walk, each requested again ``--repeat`` times with its own token
  (median), side by side — also for a set (``subject:math``, a tenth of the records) and ``ListIdentifiers``.

    .venv/bin/python bench/oai_bench.py                   # 100,000 resources
    .venv/bin/python bench/oai_bench.py --resources 20000 --keep

The figures are recorded in docs/performance.md («OAI-PMH»).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBJECTS = [
    ("math", "Математика"),
    ("russian", "Русский язык"),
    ("english", "Английский язык"),
    ("informatics", "Информатика"),
    ("biology", "Биология"),
    ("history", "История"),
    ("physics", "Физика"),
    ("chemistry", "Химия"),
    ("geography", "География"),
    ("world_around", "Окружающий мир"),
]
SOURCES = [("resh", "Российская электронная школа"), ("yaklass", "ЯКласс"), ("uchi", "Учи.ру")]
NAMESPACE = uuid.UUID("0b1a3c5e-7d9f-4b2d-8e6f-0a1b2c3d4e5f")


def document(number: int) -> dict:
    """A public document of the shape the change feed keeps (ResourceSerializer)."""
    code, title = SUBJECTS[number % len(SUBJECTS)]
    grade = 1 + (number // len(SUBJECTS)) % 11
    source, provider = SOURCES[number % len(SOURCES)]
    level = "NOO" if grade <= 4 else "OOO" if grade <= 9 else "SOO"
    url = f"https://{source}.example/lesson/{number}"
    return {
        "id": str(uuid.uuid5(NAMESPACE, str(number))),
        "title": f"Урок {number % 34 + 1}. Тема {number}: {title.lower()}, {grade} класс",
        "description": f"Материал {number} для {grade} класса: объяснение, примеры и задания для самопроверки.",
        "keywords": [title.lower(), f"{grade} класс", f"тема {number % 50}"],
        "resource_type": {"code": "lesson", "label": "Урок", "uri": None},
        "educational_use": [],
        "interactivity": None,
        "subjects": [{"code": code, "title": title}],
        "grades": [grade],
        "levels": [level],
        "lesson_number": number % 34 + 1,
        "language": "ru",
        "license": {
            "code": "cc-by-4.0",
            "label": "CC BY 4.0 (с указанием авторства)",
            "uri": "https://creativecommons.org/licenses/by/4.0/",
        },
        "license_terms_url": "",
        "access": {"code": "free", "label": "Свободный", "uri": None},
        "rights_holder": "",
        "provider": {"code": source, "name": provider},
        "authors": [f"Автор {number % 97}"],
        "url": url,
        "embed_url": "",
        "duration": "PT40M",
        "typical_age_min": grade + 6,
        "typical_age_max": grade + 7,
        "accessibility_features": [],
        "parts": [{"kind": "main", "title": "Основная часть", "url": f"{url}/main"}],
        "alignments": [
            {
                "target_type": "topic",
                "code": f"{code}.{grade}.1",
                "uri": f"https://catalog.example/api/v1/curriculum/topics/{code}.{grade}.1",
                "title": "Раздел 1",
                "alignment_type": "teaches",
                "status": "confirmed",
            }
        ],
        "files": [],
        "thumbnail": None,
        "source": {"code": source, "external_id": str(number), "url": url},
        "status": "published",
        "published_at": "2026-12-01T10:00:00+03:00",
        "updated_at": "2026-12-01T10:00:00+03:00",
    }


def write_feed(resources: int) -> float:
    from content_repo.api.models import Change

    started = time.perf_counter()
    batch = []
    for number in range(resources):
        doc = document(number)
        batch.append(Change(resource_id=doc["id"], provider_id=None, action="published", document=doc))
        if len(batch) == 5000:
            Change.objects.bulk_create(batch)
            batch = []
    Change.objects.bulk_create(batch)
    return time.perf_counter() - started


def request(client, **arguments: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get("/oai/", arguments)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed, response.content


def walk(client, verb: str, **arguments: str) -> tuple[float, int, list[dict[str, str]]]:
    """A whole list: seconds, records, and the arguments of every page (to ask for any page again)."""
    from lxml import etree

    ns = {"oai": "http://www.openarchives.org/OAI/2.0/"}
    pages, total, records = [dict(verb=verb, **arguments)], 0.0, 0
    while True:
        elapsed, body = request(client, **pages[-1])
        total += elapsed
        root = etree.fromstring(body)
        error = root.find("oai:error", ns)
        assert error is None, etree.tostring(error)
        records += len(root.findall(f"oai:{verb}/oai:{'record' if verb == 'ListRecords' else 'header'}", ns))
        token = root.find(f"oai:{verb}/oai:resumptionToken", ns)
        if token is None or not token.text:
            return total, records, pages
        pages.append({"verb": verb, "resumptionToken": token.text})


def page_times(client, pages: list[dict[str, str]], repeat: int) -> tuple[float, float, float]:
    """Median milliseconds of the first, middle and last page, asked in turn ``repeat`` times (so a load on the
    machine that comes and goes falls on all three alike)."""
    chosen = [pages[0], pages[len(pages) // 2], pages[-1]]
    times: list[list[float]] = [[], [], []]
    for _ in range(repeat):
        for position, arguments in enumerate(chosen):
            times[position].append(request(client, **arguments)[0] * 1000)
    first, middle, last = (statistics.median(samples) for samples in times)
    return first, middle, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--database-url", help="another database (PostgreSQL); by default a temporary SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="oai-bench-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "content_repo.settings")
    os.environ["VAR_DIR"] = str(workdir)
    os.environ["OAI_PAGE_SIZE"] = str(args.page_size)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from content_repo.exchange.oai.sync import follow_feed

    call_command("migrate", verbosity=0)
    print(f"{args.resources} resources, page size {args.page_size}, {connection.vendor}, {workdir}")
    seconds = write_feed(args.resources)
    print(f"change feed written: {args.resources / seconds:,.0f} entries/s")
    started = time.perf_counter()
    follow_feed()
    seconds = time.perf_counter() - started
    print(f"provider took the feed in: {seconds:.1f} s = {args.resources / seconds:,.0f} entries/s")

    client = Client()
    rows = []
    for label, verb, arguments in (
        ("ListRecords lom", "ListRecords", {"metadataPrefix": "lom"}),
        ("ListRecords oai_dc", "ListRecords", {"metadataPrefix": "oai_dc"}),
        ("ListRecords lom, set subject:math", "ListRecords", {"metadataPrefix": "lom", "set": "subject:math"}),
        ("ListIdentifiers lom", "ListIdentifiers", {"metadataPrefix": "lom"}),
    ):
        total, records, pages = walk(client, verb, **arguments)
        first, middle, last = page_times(client, pages, args.repeat)
        rows.append((label, len(pages), records, records / total, first, middle, last, last / first))
    print()
    print("| list | pages | records | records/s (walk) | first, ms | middle, ms | last, ms | last / first |")
    print("|---|---|---|---|---|---|---|---|")
    for label, pages_count, records, rate, first, middle, last, ratio in rows:
        print(
            f"| {label} | {pages_count} | {records} | {rate:,.0f} | {first:.1f} | {middle:.1f} | {last:.1f} "
            f"| {ratio:.2f} |"
        )
    if not args.keep and not args.database_url:
        connection.close()
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
