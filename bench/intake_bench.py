"""Intake benchmark: a generated JSON-LD feed loaded through the intake path, beside a raw bulk insert.

In one run, on two copies of one freshly migrated SQLite database (each load in its own process, so each
starts clean):

* **raw** — the same rows (resources, their subjects/grades/levels, source layers, alignments) written with the
  ORM's ``bulk_create``: no mapping, no checks, no revisions, no change feed, no search index;
* **intake** — the feed read line by line with the JSON-LD reader and loaded in batches through
  ``content_repo.intake`` (``Intake.load_records``: mapped, checked, written) under the publish policy
  (revisions, log entries, change feed and the ``database`` search index included, as ``make run`` does;
  the curriculum engine's suggestions are off — ``ALIGNMENT_SUGGEST_ON_INTAKE=false`` — because a deployment
  runs them in the task worker, after the batch, and ``bench/alignment_service_bench.py`` measures them);
* **reload** — the same feed through the intake again: every item unchanged (its hash compared, nothing else).

Prints records per second, the intake/raw ratio, the reload time as a share of the first load, and the peak
memory (resident set size) up to 2,000 and up to N items::

    .venv/bin/python bench/intake_bench.py                 # 20,000 items
    .venv/bin/python bench/intake_bench.py --items 2000 --keep

The figures are recorded in docs/performance.md («Приём ресурсов»).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBJECTS = [
    ("Математика", 1, 6),
    ("Русский язык", 1, 11),
    ("Английский язык", 2, 11),
    ("Информатика", 7, 11),
    ("Биология", 5, 11),
    ("История", 5, 11),
    ("Физика", 7, 11),
    ("Химия", 8, 11),
    ("География", 5, 11),
    ("Окружающий мир", 1, 4),
]
KINDS = ["Урок", "Тренажёр", "Проверочная работа", "Видеоурок", "Интерактивное задание"]
_SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from content_repo.curriculum.services import load_curriculum
from content_repo.publishers.services import ensure_builtin_organizations
from content_repo.resources.roles import ensure_roles
from content_repo.vocabularies.services import load_vocabularies
load_curriculum(); load_vocabularies(); ensure_roles(); ensure_builtin_organizations()
"""


def generate_feed(path: Path, items: int) -> None:
    """``items`` lines of schema.org LearningResource, as a partner's feed would send them."""
    with path.open("w", encoding="utf-8") as feed:
        for number in range(items):
            subject, low, high = SUBJECTS[number % len(SUBJECTS)]
            grade = low + (number // len(SUBJECTS)) % (high - low + 1)
            item = {
                "@context": "https://schema.org",
                "@type": "LearningResource",
                "identifier": f"bench-{number}",
                "name": f"Урок {number % 34 + 1}. Тема {number}: {subject.lower()}, {grade} класс",
                "description": f"Материал {number} для {grade} класса: объяснение, примеры и задания для самопроверки.",
                "url": f"https://vendor.example/catalog/{number}",
                "inLanguage": "ru",
                "learningResourceType": KINDS[number % len(KINDS)],
                "keywords": f"{subject.lower()}, {grade} класс, тема {number % 50}",
                "educationalAlignment": [
                    {"@type": "AlignmentObject", "alignmentType": "educationalSubject", "targetName": subject},
                    {"@type": "AlignmentObject", "alignmentType": "educationalLevel", "targetName": f"{grade} класс"},
                ],
                "isAccessibleForFree": number % 7 != 0,
                "license": "https://creativecommons.org/licenses/by/4.0/",
                "timeRequired": "PT30M",
                "author": [{"@type": "Person", "name": f"Автор {number % 97}"}],
            }
            feed.write(json.dumps(item, ensure_ascii=False) + "\n")


def _peak_rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def run_intake(feed: Path, checkpoint: int) -> dict[str, float]:
    """Read, map and load the feed through the intake path; seconds, items and the memory peaks."""
    _django()
    from content_repo.intake.items import Outcome, Policy
    from content_repo.intake.jsonld import parse_json, read_learning_resource, read_lines
    from content_repo.intake.services import Intake, batch_size

    started = time.monotonic()
    intake = Intake(policy=Policy.PUBLISH)
    counts: dict[str, int] = {}
    batch, done, peak_at_checkpoint = [], 0, 0.0

    def load() -> None:
        for loaded in intake.load_records(batch):
            counts[loaded.result.outcome.value] = counts.get(loaded.result.outcome.value, 0) + 1

    with feed.open("rb") as lines:
        for line in read_lines(lines):
            record, problems = read_learning_resource(parse_json(line.raw), source="bench", provider="uchi")
            assert record is not None, problems
            batch.append(record)
            if len(batch) >= batch_size():
                load()
                done += len(batch)
                batch = []
                if done <= checkpoint:
                    peak_at_checkpoint = _peak_rss_mib()
    if batch:
        load()
    seconds = time.monotonic() - started
    assert counts.get(Outcome.REJECTED.value, 0) == 0, counts
    return {"seconds": seconds, "peak_checkpoint": peak_at_checkpoint, "peak_end": _peak_rss_mib(), **counts}


def run_raw(feed: Path) -> dict[str, float]:
    """The same rows with ``bulk_create`` alone, in batches of the same size."""
    _django()
    from content_repo.curriculum.models import Grade, Level, Subject
    from content_repo.intake.jsonld import parse_json, read_learning_resource, read_lines
    from content_repo.intake.services import batch_size
    from content_repo.resources.models import Resource, SourceLayer, resource_uuid
    from content_repo.vocabularies.models import Term

    subjects = {s.title.lower(): s.pk for s in Subject.objects.all()}
    subjects["английский язык"] = Subject.objects.get(code="english").pk
    grades = {g.number: g.pk for g in Grade.objects.all()}
    levels = {level.code: level.pk for level in Level.objects.all()}
    terms = {(t.vocabulary, t.code): t.pk for t in Term.objects.all()}
    through = {name: getattr(Resource, name).through for name in ("subjects", "grades", "levels")}
    started = time.monotonic()
    rows: list[tuple] = []

    def write() -> None:
        resources = [
            Resource(
                id=resource_uuid("bench", r.external_id),
                title=r.title,
                description=r.description or "",
                keywords=list(r.keywords),
                url=r.url,
                authors=list(r.authors),
                resource_type_id=terms[("resource_type", r.resource_type)],
                license_id=terms[("license", r.license)],
                access_id=terms[("access", r.access)],
                language_id=terms[("language", r.language)],
                live=True,
            )
            for r in rows
        ]
        Resource.objects.bulk_create(resources)
        pairs = list(zip(resources, rows, strict=True))
        through["subjects"].objects.bulk_create(
            through["subjects"](resource_id=res.pk, subject_id=subjects[r.subject_name.lower()]) for res, r in pairs
        )
        through["grades"].objects.bulk_create(
            through["grades"](resource_id=res.pk, grade_id=grades[g]) for res, r in pairs for g in r.grades
        )
        through["levels"].objects.bulk_create(
            through["levels"](resource_id=res.pk, level_id=levels["NOO" if r.grades[0] <= 4 else "OOO"])
            for res, r in pairs
        )
        SourceLayer.objects.bulk_create(
            SourceLayer(resource_id=res.pk, source="bench", external_id=r.external_id, data={}, content_hash="x")
            for res, r in pairs
        )

    with feed.open("rb") as lines:
        for line in read_lines(lines):
            record, _ = read_learning_resource(parse_json(line.raw), source="bench", provider="uchi")
            rows.append(record)
            if len(rows) >= batch_size():
                write()
                rows = []
    if rows:
        write()
    return {"seconds": time.monotonic() - started}


def _in_process(function: str, feed: Path, database: Path, checkpoint: int) -> dict[str, float]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT)}
    arguments = f"Path({str(feed)!r})" + (f", {checkpoint}" if function == "run_intake" else "")
    code = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, 'bench'); import intake_bench as b; "
        f"print(json.dumps(b.{function}({arguments})))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--checkpoint", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    os.environ.update(
        {
            "VAR_DIR": str(workdir),
            "DJANGO_SETTINGS_MODULE": "content_repo.settings",
            "LOG_LEVEL": "WARNING",
            "SEARCH_BACKEND": "database",
            "ALIGNMENT_SUGGEST_ON_INTAKE": "false",
            # As deployed: with DEBUG on Django would keep every statement of the run in memory.
            "DEBUG": "false",
            "SECRET_KEY": "intake-bench-only",
        }
    )
    try:
        feed = workdir / "feed.jsonl"
        generate_feed(feed, args.items)
        template = workdir / "template.sqlite3"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{template}", "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-c", _SETUP], env=env, cwd=ROOT, check=True)
        raw_db, intake_db = workdir / "raw.sqlite3", workdir / "intake.sqlite3"
        shutil.copy(template, raw_db)
        shutil.copy(template, intake_db)
        n = args.items
        raw = _in_process("run_raw", feed, raw_db, args.checkpoint)
        first = _in_process("run_intake", feed, intake_db, args.checkpoint)
        again = _in_process("run_intake", feed, intake_db, args.checkpoint)
        raw_rate, first_rate = n / raw["seconds"], n / first["seconds"]
        print(f"items: {n}; batch: {os.environ.get('INTAKE_BATCH_SIZE', 'default')}")
        print(f"raw bulk_create:      {raw['seconds']:7.1f} s = {raw_rate:7.0f} records/s")
        created = first.get("created")
        print(f"intake, first load:   {first['seconds']:7.1f} s = {first_rate:7.0f} records/s (created {created})")
        print(f"intake / raw:         {first_rate / raw_rate:.2f}")
        print(
            f"intake, reload:       {again['seconds']:7.1f} s = {again['seconds'] / first['seconds']:.3f} of the first "
            f"(unchanged {again.get('unchanged')})"
        )
        print(
            f"peak RSS of the first load: {first['peak_checkpoint']:.0f} MiB up to {args.checkpoint} items, "
            f"{first['peak_end']:.0f} MiB up to {n}"
        )
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
