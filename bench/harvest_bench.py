"""Harvest benchmark: a generated РЭШ-like site of N lessons, served locally without a rate limit.

Prints the records per second of a full harvest, the peak memory (resident set size) seen up to 2,000
and up to N records, and the time of an unchanged re-harvest as a fraction of the first. It uses a
throwaway SQLite database in a temporary folder (migrated and loaded by subprocesses, so the harvest's
own process starts clean). The curriculum engine's suggestions are off (``ALIGNMENT_SUGGEST_ON_INTAKE=false``):
a deployment runs them in the task worker after each batch, and ``bench/alignment_service_bench.py`` measures
them::

    .venv/bin/python bench/harvest_bench.py               # 20,000 lessons
    .venv/bin/python bench/harvest_bench.py --lessons 2000 --keep

The figures are recorded in docs/performance.md («Сбор данных»).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBJECTS = [
    (19, "Информатика"),
    (12, "Математика"),
    (28, "Физика"),
    (3, "История"),
    (11, "Английский язык"),
    (13, "Русский язык"),
    (16, "Биология"),
    (4, "География"),
    (29, "Химия"),
    (14, "Литература"),
]
GRADES = range(2, 12)
PAGE_SIZE = 10
_SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from content_repo.curriculum.services import load_curriculum
from content_repo.publishers.services import ensure_builtin_organizations
from content_repo.resources.roles import ensure_roles
from content_repo.vocabularies.services import load_vocabularies
from importers.builtin import ensure_builtin_sources
load_curriculum(); load_vocabularies(); ensure_roles(); ensure_builtin_organizations(); ensure_builtin_sources()
"""


def _lesson_page(lesson_id: int, number: int, title: str, subject_id: int, subject: str, grade: int) -> str:
    parts = "".join(
        f'<a href="/subject/lesson/{lesson_id}/{kind}/">{label}</a>'
        for kind, label in (("start", "Начнём урок"), ("main", "Основная часть"), ("train", "Тренировочные задания"))
    )
    return (
        f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Урок {number}. {title} - {subject} - '
        f"{grade} класс - Российская электронная школа</title></head><body>"
        f'<div class="main-header__content-nav-list">{parts}</div>'
        f'<ul class="breadcrumbs"><li><a href="/">Главная</a></li><li><a href="/subject/">Предметы</a></li>'
        f'<li><a href="/subject/{subject_id}/">{subject}</a></li><li><a href="/subject/{subject_id}/{grade}/">'
        f'{grade} класс</a></li></ul><div class="lesson-title"><div class="lesson-title__item">'
        f'<div class="lesson-title__number">Урок {number}</div><h1>{title}</h1></div></div></body></html>'
    )


def generate_site(root: Path, lessons: int) -> int:
    """Write a recorded site (routes.json + pages) with ``lessons`` lessons; returns the listing count."""
    pages = root / "pages"
    pages.mkdir(parents=True)
    routes: list[dict[str, object]] = []
    html = {"Content-Type": "text/html; charset=utf-8"}

    def add(path: str, body: str, headers: dict[str, str], method: str = "GET", query: dict | None = None) -> None:
        name = f"pages/{len(routes)}.body"
        (root / name).write_text(body, encoding="utf-8")
        route: dict[str, object] = {"method": method, "path": path, "status": 200, "headers": headers, "body": name}
        if query:
            route["query"] = query
        routes.append(route)

    add("/robots.txt", "User-agent: *\nDisallow: /tests/\n", {"Content-Type": "text/plain; charset=utf-8"})
    lists = [(subject_id, subject, grade) for subject_id, subject in SUBJECTS for grade in GRADES]
    per_list = -(-lessons // len(lists))
    links = "".join(f'<a href="/subject/{subject_id}/">{subject}</a>' for subject_id, subject in SUBJECTS)
    add("/", f"<html><body>{links}</body></html>", html)
    for subject_id, subject in SUBJECTS:
        grades = "".join(f'<a href="/subject/{subject_id}/{grade}/">{grade} класс</a>' for grade in GRADES)
        add(
            f"/subject/{subject_id}/",
            f'<html><body><h1 class="content-title">{subject}</h1>{grades}</body></html>',
            html,
        )
    lesson_id, made = 100000, 0
    for subject_id, subject, grade in lists:
        count = min(per_list, lessons - made)
        ids = list(range(lesson_id, lesson_id + count))
        lesson_id += count
        made += count
        for page in range(0, -(-count // PAGE_SIZE) + 1):
            chunk = ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
            blocks = "".join(
                f'<a class="lesson-block" href="/subject/lesson/{i}/">Урок {i - ids[0] + 1}. Тема {i}</a>'
                for i in chunk
            )
            add(
                f"/subject/{subject_id}/{grade}/ajax",
                json.dumps({"html": blocks}, ensure_ascii=False),
                {"Content-Type": "application/json"},
                method="POST",
                query={"page": str(page + 1)},
            )
        for number, i in enumerate(ids, start=1):
            page_html = _lesson_page(i, number, f"Тема урока {i}: {subject}, {grade} класс", subject_id, subject, grade)
            add(f"/subject/lesson/{i}/", page_html, {**html, "ETag": f'"{i:x}-1"'})
    (root / "routes.json").write_text(json.dumps(routes, ensure_ascii=False), encoding="utf-8")
    return len(lists)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the recorded site did not start on port {port}")


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=20_000)
    parser.add_argument("--checkpoint", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="harvest-bench-"))
    env = {
        **os.environ,
        "VAR_DIR": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "content_repo.settings",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "ALIGNMENT_SUGGEST_ON_INTAKE": "false",
        "DEBUG": "false",
        "SECRET_KEY": "harvest-bench-only",
    }
    os.environ.update(env)
    server = None
    try:
        started = time.monotonic()
        lists = generate_site(workdir / "site", args.lessons)
        subprocess.run([sys.executable, "-c", _SETUP], env=env, cwd=ROOT, check=True)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "importers.testing.recorded_site", str(workdir / "site"), "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        _wait_for(port)
        print(f"site: {args.lessons} lessons in {lists} lists; setup {time.monotonic() - started:.0f} s", flush=True)
        _bench(f"http://127.0.0.1:{port}", args.lessons, args.checkpoint)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}")


def _bench(base_url: str, lessons: int, checkpoint: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from importers.engine import HarvestOptions, StageResult, run_harvest

    peaks = {"start": _rss_mib(), "checkpoint": 0.0, "end": 0.0}
    seen = 0

    def progress(result: StageResult) -> None:
        nonlocal seen
        seen += 1
        if seen % 50 == 0 or seen in (checkpoint, lessons):
            rss = _rss_mib()
            if seen <= checkpoint:
                peaks["checkpoint"] = max(peaks["checkpoint"], rss)
            peaks["end"] = max(peaks["end"], rss)
            if seen % 1000 == 0:
                print(f"  {seen} records, RSS {rss:.0f} MiB", flush=True)

    options = HarvestOptions(base_url=base_url, rate=1_000_000.0)
    first_started = time.monotonic()
    first = run_harvest("resh", options, progress)
    first_time = time.monotonic() - first_started
    print(first.summary())
    seen = 0
    second_started = time.monotonic()
    second = run_harvest("resh", options)
    second_time = time.monotonic() - second_started
    print(second.summary())
    print(f"full harvest: {first.gathered} records in {first_time:.1f} s = {first.gathered / first_time:.1f} records/s")
    print(
        f"peak RSS: {peaks['start']:.0f} MiB before, {peaks['checkpoint']:.0f} MiB up to {checkpoint} records, "
        f"{peaks['end']:.0f} MiB up to {first.gathered} records"
    )
    print(f"unchanged re-harvest: {second_time:.1f} s = {second_time / first_time:.3f} of the first")


if __name__ == "__main__":
    main()
