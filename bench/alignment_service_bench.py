"""Alignment service benchmark: ``manage.py suggest_alignments`` over the demo catalog and a generated one.

In a fresh SQLite database (its own ``VAR_DIR``, each step in its own process so each starts clean):

1. **load** — migrate, then the demo catalog (the real importers over the bundled snapshots) and ``--items``
   generated resources through the intake (publish policy: revisions, change feed, search index), with the
   intake's alignment hook switched off, so the catalog has no suggestion yet;
2. **cold** — ``suggest_alignments`` over the whole catalog: every suggestion written, the change feed and the
   ``database`` search index told (what a first run on an existing catalog does);
3. **warm** — the same command again: nothing changes (the idempotent case, a nightly run);
4. **intake** — ``--items`` more generated resources loaded with the hook on, beside the same load with it
   off: what suggesting costs the intake per resource.

Generated resources are the judged records of ``tests/alignment/judged/`` (real catalog phrasing: РЭШ lessons,
ЯКласс sub-topics, МЭШ scenarios and tests, vendor trainers) repeated with other sources, lesson numbers and
part numbers, their subjects mapped as the intake maps them. Prints resources per second for each step::

    .venv/bin/python bench/alignment_service_bench.py               # 10,000 generated resources
    .venv/bin/python bench/alignment_service_bench.py --items 2000 --keep

The figures are recorded in docs/performance.md («Подбор тем программы»).
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

_LOAD = """
import django, json, sys, time
django.setup()
from django.conf import settings
from django.core.management import call_command
call_command("migrate", verbosity=0)
settings.ALIGNMENT_SUGGEST_ON_INTAKE = {hook}
from bench.alignment_service_bench import generated_records
from content_repo.intake.items import Policy
from content_repo.intake.services import Intake, batch_size
{demo}
intake = Intake(policy=Policy.PUBLISH)
records = generated_records({items}, {offset})
started = time.perf_counter()
size = batch_size()
for start in range(0, len(records), size):
    mapped = [intake.map(record) for record in records[start:start + size]]
    intake.load([m.item for m in mapped if m.item is not None])
print(json.dumps({{"seconds": time.perf_counter() - started, "items": len(records)}}))
"""
_DEMO = """
from importers.demo import load_demo_catalog
load_demo_catalog()
"""


def generated_records(count: int, offset: int = 0) -> list:
    """``count`` harvested records built from the judged sets (varied so each is a resource of its own)."""
    from content_repo.intake.records import HarvestedRecord
    from tests.alignment.judged_set import load

    judged = load("dev") + load("holdout")
    sources = ["resh", "yaklass", "uchi", "mesh"]
    records = []
    for n in range(offset, offset + count):
        item = judged[n % len(judged)]
        round_ = n // len(judged)
        title = item["title"] if round_ == 0 else f"{item['title']} (часть {round_ + 1})"
        records.append(
            HarvestedRecord(
                source=sources[round_ % len(sources)],
                external_id=f"bench-{n}",
                url=f"https://example.org/bench/{n}",
                title=title,
                resource_type=item.get("resource_type") or "lesson",
                license="all-rights-reserved-free-view",
                access="free",
                provider=sources[round_ % len(sources)],
                description=item.get("description") or None,
                keywords=tuple(item.get("keywords") or ()),
                subject_name=item.get("subject_name"),
                grades=tuple(item.get("grades") or ()),
            )
        )
    return records


def run(env: dict[str, str], code: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"step failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def command(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "suggest_alignments", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"suggest_alignments failed:\n{result.stderr[-4000:]}")
    return time.perf_counter() - started, result.stdout.strip().splitlines()[-1]


def count(env: dict[str, str]) -> int:
    code = "import django, json; django.setup()\nfrom content_repo.resources.models import Resource\n"
    code += "print(json.dumps({'n': Resource.objects.count()}))"
    return int(run(env, code)["n"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000, help="generated resources (besides the demo)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="alignment-bench-"))
    env = dict(os.environ)
    env |= {
        "VAR_DIR": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "content_repo.settings",
        "PYTHONPATH": str(ROOT),
    }
    try:
        loaded = run(env, _LOAD.format(hook=False, demo=_DEMO, items=args.items, offset=0))
        total = count(env)
        print(f"catalog: {total} resources (demo + {loaded['items']} generated, intake hook off)")

        seconds, summary = command(env)
        print(f"cold  suggest_alignments: {seconds:6.1f} s, {total / seconds:6.0f} resources/s (process included)")
        print(f"      {summary}")
        seconds, summary = command(env)
        print(f"warm  suggest_alignments: {seconds:6.1f} s, {total / seconds:6.0f} resources/s (process included)")
        print(f"      {summary}")

        batch = min(args.items, 2000)
        off = run(env, _LOAD.format(hook=False, demo="", items=batch, offset=args.items))
        on = run(env, _LOAD.format(hook=True, demo="", items=batch, offset=args.items + batch))
        print(
            f"intake of {batch} more: hook off {batch / off['seconds']:5.0f} items/s, "
            f"hook on {batch / on['seconds']:5.0f} items/s "
            f"(+{(on['seconds'] - off['seconds']) / batch * 1000:.1f} ms per item, engine build included)"
        )
    finally:
        if args.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
