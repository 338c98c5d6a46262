"""Golden tests: each source harvested from its recorded snapshots by the real local server.

The expected records are in tests/fixtures/golden/*.jsonl, checked by hand against the site READMEs
(tests/fixtures/sources/*/README.md). Counts and the three snapshot-2 changes are asserted exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from importers.http import PoliteClient
from importers.sources import SOURCES
from importers.sources.base import GatherStatus, ItemStatus
from importers.testing.recorded_site import RecordedSite
from tests.importers.harvesting import changes, check_golden, load_golden, records_of, run, statuses

ServeSite = Callable[[str, int], RecordedSite]
MakeClient = Callable[..., PoliteClient]

EXPECTED_COUNTS = {"resh": 107, "yaklass": 85, "uchi": 40, "mesh": 35}
EXPECTED_CHANGES = {
    "resh": {"updated": {"7434"}, "created": {"7738"}, "withdrawn": {"2623"}},
    "yaklass": {"updated": {"44226"}, "created": {"220198"}, "withdrawn": {"6641162"}},
    "uchi": {
        "updated": {"uchi-modern-geo-8-126"},
        "created": {"uchi-modern-biology-8-141"},
        "withdrawn": {"uchi-modern-obshestvo-7-138"},
    },
    "mesh": {
        "updated": {"lesson_template-1819732"},
        "created": {"test_specification-548800"},
        "withdrawn": {"lesson_template-1851839"},
    },
}
UPDATED_TITLES = {
    "resh": ("7434", "Одномерные массивы целых чисел. Описание, заполнение и вывод массива"),
    "yaklass": ("44226", "Ядерные реакции. Ядерная энергетика"),
    "uchi": ("uchi-modern-geo-8-126", "Климат и климатические ресурсы России"),
    "mesh": ("lesson_template-1819732", "Человек и его социальное окружение. Обобщающий урок"),
}


@pytest.mark.parametrize("snapshot", [1, 2])
@pytest.mark.parametrize("code", sorted(EXPECTED_COUNTS))
def test_snapshot_matches_golden_records(
    serve_site: ServeSite, make_client: MakeClient, code: str, snapshot: int
) -> None:
    site = serve_site(code, snapshot)

    outcomes, report = run(SOURCES[code], site, make_client)

    assert report.status is GatherStatus.COMPLETE
    assert report.listing_failures == []
    assert statuses(outcomes) == {ItemStatus.HARVESTED: EXPECTED_COUNTS[code]}
    check_golden(f"{code}-snapshot-{snapshot}", records_of(outcomes))


@pytest.mark.parametrize("code", sorted(EXPECTED_CHANGES))
def test_snapshot_2_differs_in_exactly_three_items(code: str) -> None:
    before, after = load_golden(f"{code}-snapshot-1"), load_golden(f"{code}-snapshot-2")

    assert changes(before, after) == EXPECTED_CHANGES[code]
    external_id, title = UPDATED_TITLES[code]
    assert next(record.title for record in after if record.external_id == external_id) == title


@pytest.mark.parametrize("code", sorted(EXPECTED_COUNTS))
def test_records_use_the_production_origin_and_unique_ids(code: str) -> None:
    records = load_golden(f"{code}-snapshot-1")
    origin = {
        "resh": "https://resh.edu.ru/",
        "yaklass": "https://www.yaklass.ru/",
        "uchi": "https://uchi.ru/",
    }
    origin["mesh"] = "https://uchebnik.mos.ru/"

    assert all(record.url.startswith(origin[code]) for record in records)
    assert len({record.external_id for record in records}) == len(records)
    assert all(record.source == code and record.provider == code for record in records)
    assert all(record.grades and record.subject_name and record.title for record in records)
    assert all(record.subject_code is None for record in records)
