"""Source behaviour beyond the golden files: spot checks from the site READMEs, politeness,
conditional re-harvests, hostile pages (tests/fixtures/sources/resh-edge) and bad feed lines."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from content_repo.intake.records import PartKind
from importers.errors import TransformError
from importers.http import PoliteClient, Validators
from importers.sources import SOURCES, mesh, resh, uchi, yaklass
from importers.sources.base import GatherReport, GatherStatus, ItemStatus, TransformContext
from importers.testing.recorded_site import RecordedSite
from tests.importers.conftest import SOURCES_DIR, snapshot_dir
from tests.importers.harvesting import by_id, check_golden, load_golden, records_of, run, statuses

ServeSite = Callable[[str, int], RecordedSite]
MakeClient = Callable[..., PoliteClient]


def test_resh_old_layout_lessons() -> None:
    records = by_id(load_golden("resh-snapshot-1"))
    old = {key: record for key, record in records.items() if record.extra["layout"] == "old"}

    assert sorted(old) == ["1574", "1575", "1576", "1577"]
    lesson = old["1577"]
    assert (lesson.title, lesson.subject_name, lesson.grades, lesson.lesson_number) == (
        "Отечественная война 1812 года",
        "История",
        (8,),
        13,
    )
    assert lesson.authors == ("Смирнова Ольга Николаевна",)
    assert [part.kind for part in lesson.parts] == [PartKind.SUMMARY, PartKind.TRAINING]
    assert [part.url for part in lesson.parts] == [
        "https://resh.edu.ru/subject/lesson/1577/conspectus/",
        "https://resh.edu.ru/subject/lesson/1577/training/",
    ]


def test_resh_new_layout_lesson_7316_is_the_real_one() -> None:
    lesson = by_id(load_golden("resh-snapshot-1"))["7316"]

    assert lesson.title == "Информация, ее свойства и классификация"
    assert (lesson.subject_name, lesson.grades, lesson.lesson_number) == ("Информатика", (7,), 2)
    assert lesson.url == "https://resh.edu.ru/subject/lesson/7316/"
    # The page lists конспект before the main part; parts come in the README's order.
    assert [part.kind.value for part in lesson.parts] == [
        "start",
        "main",
        "summary",
        "training",
        "control",
        "control",
    ]
    assert lesson.extra["image_url"] == (
        "https://resh.edu.ru/uploads/lesson_extract/7316/20200113122314/OEBPS/objects/m_info_7_2_1/"
        "5df618b1e2002477581035db.jpg"
    )
    assert (lesson.license, lesson.access, lesson.resource_type) == (
        "all-rights-reserved-free-view",
        "free",
        "lesson",
    )


@pytest.mark.parametrize("lesson_id", ["2606", "7913"])
def test_resh_docx_konspekt_counts_as_summary(lesson_id: str) -> None:
    lesson = by_id(load_golden("resh-snapshot-1"))[lesson_id]
    summaries = [part.url for part in lesson.parts if part.kind is PartKind.SUMMARY]

    assert summaries == [f"https://resh.edu.ru/uploads/conspects/{lesson_id}/konspekt-{lesson_id}.docx"]


def test_resh_crawl_requests_only_what_it_needs(serve_site: ServeSite, make_client: MakeClient) -> None:
    site = serve_site("resh", 1)

    run(resh.SOURCE, site, make_client)

    paths = site.requested_paths()
    assert paths[0] == "/robots.txt"
    assert paths.count("/robots.txt") == 1
    assert not [path for path in paths if path.startswith(("/about/", "/faq/", "/tests/", "/login_check"))]
    ajax = [entry for entry in site.requests if entry.path.endswith("/ajax")]
    # 9 lists: 25 pages with lessons plus the empty page that ends each list.
    assert len(ajax) == 25
    assert {entry.method for entry in ajax} == {"POST"}
    assert {entry.headers["x-requested-with"] for entry in ajax} == {"XMLHttpRequest"}
    assert len([path for path in paths if path.startswith("/subject/lesson/")]) == 107


def test_yaklass_titles_come_from_pages_and_grade_buckets_expand() -> None:
    records = by_id(load_golden("yaklass-snapshot-1"))

    truncated = records["16994"]
    assert truncated.title == "Умножение на однозначное число. Распределительный закон умножения относительно сложения"
    assert truncated.url.endswith("/umnozhenie-na-odnoznachnoe-chislo-raspredelitelnyi-zakon-umnozheniia-otno_-16994")
    assert len(truncated.extra["theory"]) == 2
    chemistry = [record for record in records.values() if record.extra["grade_segment"] == "89"]
    assert len(chemistry) == 4
    assert {record.grades for record in chemistry} == {(8, 9)}
    assert (records["9116"].title, records["9116"].extra["section"]) == (
        "Теорема Виета",
        "Квадратные уравнения",
    )


def test_yaklass_record_urls_equal_the_canonical_links() -> None:
    canonical = set()
    for page in (snapshot_dir("yaklass") / "pages").glob("topic-*.html"):
        found = re.search(r'<link rel="canonical" href="([^"]+)"', page.read_text(encoding="utf-8"))
        assert found is not None
        canonical.add(found.group(1))

    assert {record.url for record in load_golden("yaklass-snapshot-1")} == canonical


def test_yaklass_never_requests_disallowed_or_collapsed_pages(serve_site: ServeSite, make_client: MakeClient) -> None:
    site = serve_site("yaklass", 1)

    run(yaklass.SOURCE, site, make_client)

    paths = site.requested_paths()
    assert not [path for path in paths if path.startswith(("/Account/", "/TestWork", "/Top"))]
    grade_pages = [entry for entry in site.requests if entry.path.endswith("-klass")]
    assert len(grade_pages) == 18
    assert all(entry.query == {"YklShowAll": ["1"]} for entry in grade_pages)


@pytest.mark.parametrize(
    ("code", "not_modified", "harvested"),
    [("resh", 105, {"7434", "7738"}), ("yaklass", 83, {"44226", "220198"})],
)
def test_reharvest_with_validators_fetches_only_changed_pages(
    serve_site: ServeSite, make_client: MakeClient, code: str, not_modified: int, harvested: set[str]
) -> None:
    site = serve_site(code, 1)
    first, _ = run(SOURCES[code], site, make_client)
    validators = {o.ref.external_id: o.fetched.validators for o in first if o.fetched is not None}
    site.load_snapshot(snapshot_dir(code, 2))
    site.clear_log()

    second, report = run(SOURCES[code], site, make_client, validators)

    assert report.status is GatherStatus.COMPLETE
    assert statuses(second) == {ItemStatus.NOT_MODIFIED: not_modified, ItemStatus.HARVESTED: 2}
    assert {o.ref.external_id for o in second if o.status is ItemStatus.HARVESTED} == harvested
    assert len([entry for entry in site.requests if entry.status == 304]) == not_modified
    conditional = [entry for entry in site.requests if "if-none-match" in entry.headers]
    assert len(conditional) == not_modified + 1  # the changed page sent its old ETag too


def test_resh_edge_site_hostile_pages(serve_site: ServeSite, make_client: MakeClient) -> None:
    site = serve_site("resh-edge", 1)

    outcomes, report = run(resh.SOURCE, site, make_client)

    assert report.status is GatherStatus.COMPLETE
    assert [(o.ref.external_id, o.status) for o in outcomes] == [
        ("9001", ItemStatus.HARVESTED),
        ("9002", ItemStatus.HARVESTED),
        ("9003", ItemStatus.HARVESTED),
        ("9004", ItemStatus.GONE),
        ("9005", ItemStatus.HARVESTED),
        ("9006", ItemStatus.HARVESTED),
        ("9007", ItemStatus.SKIPPED),
        ("9008", ItemStatus.HARVESTED),
    ]
    check_golden("resh-edge", records_of(outcomes))
    assert "/subject/lesson/9007/" not in site.requested_paths()
    assert [entry.status for entry in site.requests if entry.query == {"page": ["1"]}] == [503, 200]
    assert site.requested_paths().count("/subject/lesson/9003/") == 1


def test_resh_edge_spot_checks() -> None:
    records = by_id(load_golden("resh-edge"))

    assert records["9001"].title == "Кодирование текста: «Windows-1251» и ёлочки"
    assert records["9001"].subject_name == "Информатика"  # breadcrumbs with unclosed <li>
    assert records["9005"].title == "Старый формат урока: конспект и тренировка"
    assert records["9005"].authors == ("Иванова Мария Петровна",)
    assert records["9016"].url == "https://resh.edu.ru/subject/lesson/9016/"  # id and URL of the final URL
    assert records["9008"].title == "Сущности «HTML» & переносы строк"
    assert records["9002"].url == "https://resh.edu.ru/subject/lesson/9002/"


def test_uchi_bad_feed_rejects_lines_with_numbers_and_keeps_valid_ones() -> None:
    report = GatherReport()

    refs = list(uchi.gather(None, str(SOURCES_DIR / "uchi" / "feed-bad.jsonl"), report))

    assert [ref.context["line"] for ref in refs] == [11, 12]
    assert [(problem.line, problem.reason.split(":")[0]) for problem in report.rejected] == [
        (1, "line"),
        (2, "name"),
        (3, "educationalAlignment[1].targetName"),
        (4, "educationalAlignment"),
        (5, "isAccessibleForFree"),
        (6, "url"),
        (7, "description"),
        (8, "identifier"),
        (9, "@type"),
        (10, "line"),
    ]
    assert "'13 класс'" in report.rejected[2].reason
    assert "18199 символов" in report.rejected[6].reason
    # A feed with lines we could not read is no complete listing: nothing may be withdrawn on its word.
    assert report.status is GatherStatus.INCOMPLETE


def test_uchi_feed_from_a_file_equals_the_feed_over_http() -> None:
    report = GatherReport()
    refs = list(uchi.gather(None, str(SOURCES_DIR / "uchi" / "feed.jsonl"), report))
    records = [uchi.transform(ref.payload or b"", TransformContext(ref.external_id, ref.url, ref.url)) for ref in refs]

    assert records == load_golden("uchi-snapshot-1")


def test_uchi_unchanged_feed_is_a_304_and_an_unchanged_gather(serve_site: ServeSite, make_client: MakeClient) -> None:
    site = serve_site("uchi", 1)
    client = make_client()
    first = GatherReport()
    assert len(list(uchi.gather(client, site.base_url, first))) == 40

    second = GatherReport()
    refs = list(uchi.gather(client, site.base_url, second, validators=first.feed_validators))

    assert refs == []
    assert second.status is GatherStatus.UNCHANGED
    assert site.requests[-1].status == 304


def test_uchi_changed_feed_is_downloaded_again(serve_site: ServeSite, make_client: MakeClient) -> None:
    site = serve_site("uchi", 1)
    client = make_client()
    first = GatherReport()
    list(uchi.gather(client, site.base_url, first))
    site.load_snapshot(snapshot_dir("uchi", 2))

    second = GatherReport()
    refs = list(uchi.gather(client, site.base_url, second, validators=first.feed_validators))

    assert len(refs) == 40
    assert second.status is GatherStatus.COMPLETE


def test_mesh_imports_only_open_licences(serve_site: ServeSite, make_client: MakeClient) -> None:
    site = serve_site("mesh", 1)

    outcomes, report = run(mesh.SOURCE, site, make_client)

    assert report.out_of_scope == 15
    assert {record.license for record in records_of(outcomes)} == {"cc-by-4.0", "cc-by-sa-4.0"}
    pages = [entry for entry in site.requests if entry.path == "/cms/api/materials"]
    assert [entry.query for entry in pages] == [{"page": [str(n)], "per_page": ["20"]} for n in (1, 2, 3, 4)]
    assert {entry.headers["cookie"] for entry in pages} == {"profile_type=demo"}


def test_gather_with_a_failing_listing_is_incomplete(serve_site: ServeSite, make_client: MakeClient) -> None:
    site = serve_site("mesh", 1)

    outcomes, report = run(mesh.SOURCE, site, make_client, per_page=50)

    assert outcomes == []
    assert report.status is GatherStatus.INCOMPLETE
    assert len(report.listing_failures) == 1


def _context(url: str, external_id: str = "1") -> TransformContext:
    return TransformContext(external_id=external_id, url=url, final_url=url, content_type="text/html")


def test_resh_transform_names_the_bad_field() -> None:
    with pytest.raises(TransformError) as not_a_lesson:
        resh.transform(b"<html><h1>x</h1></html>", _context("https://resh.edu.ru/subject/19/"))
    with pytest.raises(TransformError) as no_title:
        resh.transform(b"<html><body><p>empty</p></body></html>", _context("https://resh.edu.ru/subject/lesson/5/"))
    with pytest.raises(TransformError) as empty:
        resh.transform(b"  ", _context("https://resh.edu.ru/subject/lesson/5/"))

    assert (not_a_lesson.value.field, no_title.value.field, empty.value.field) == ("url", "title", "payload")
    assert str(no_title.value) == "resh record '5': field 'title': no lesson title in the new layout"


def test_yaklass_transform_rejects_a_bad_grade_segment() -> None:
    url = "https://www.yaklass.ru/p/algebra/70-klass/razdel-1/tema-2"
    with pytest.raises(TransformError) as raised:
        yaklass.transform(b"<html><h1>x</h1></html>", _context(url))

    assert raised.value.field == "payload"
    assert raised.value.record == "2"


def test_mesh_transform_refuses_a_closed_licence() -> None:
    material = {"material_type": "book", "material_id": 7, "license_type_id": 4, "title": "Атлас"}

    with pytest.raises(TransformError) as raised:
        mesh.transform(json.dumps(material), _context("https://uchebnik.mos.ru/material/book-7"))

    assert (raised.value.record, raised.value.field) == ("book-7", "license_type_id")


def test_uchi_transform_reports_the_feed_line() -> None:
    context = TransformContext("uchi-x", "u", "u", listing={"line": 7})

    with pytest.raises(TransformError) as raised:
        uchi.transform(b'{"@type": "LearningResource"}', context)

    assert str(raised.value) == (
        "uchi record 'uchi-x (line 7)': field 'identifier': обязательное поле отсутствует; "
        "name: обязательное поле отсутствует; url: обязательное поле отсутствует; "
        "educationalAlignment: ожидается массив объектов AlignmentObject"
    )


def test_feed_validators_round_trip() -> None:
    assert Validators(etag='"a"').as_headers() == {"If-None-Match": '"a"'}
