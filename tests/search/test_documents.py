import json
from datetime import UTC, datetime

import pytest
from opensearchpy.serializer import JSONSerializer

from search.documents import SearchDocument, build_document, suggest_inputs, with_ancestors


def test_build_document_widens_topics_with_their_sections():
    document = build_document(
        id=7,
        title="Урок 9. Обыкновенные «дроби»",
        topic_codes=["math.5.3.1", "math.5.3.2"],
        topic_parents={"math.5.3.1": "math.5.3", "math.5.3.2": "math.5.3", "math.5.3": None},
        grades=["5", 5, 6],
        keywords=["дробь", "дробь", "Числитель"],
    )
    assert document.id == "7"
    assert document.topics == ("math.5.3.1", "math.5.3", "math.5.3.2")
    assert document.grades == (5, 6)
    assert document.keywords == ("дробь", "Числитель")
    assert document.title_sort == "урок 000009 обыкновенные дроби"
    assert document.suggest == ("урок 9. обыкновенные «дроби»", "дробь", "числитель")
    assert document.published is True


def test_with_ancestors_survives_cycles():
    assert with_ancestors(["a"], {"a": "b", "b": "a"}) == ("a", "b")


def test_source_round_trip():
    document = build_document(
        id="r1", title="Ёмкость", published_at=datetime(2025, 9, 1, tzinfo=UTC), subjects=["physics"]
    )
    source = document.to_source()
    assert source["published_at"] == "2025-09-01T00:00:00+00:00"
    assert source["subjects"] == ["physics"]
    assert SearchDocument.from_source(source) == document


def test_json_is_the_source_as_the_engine_clients_write_it():
    document = build_document(
        id="r1",
        title='Ёмкость «конденсатора» \\ "кавычки"',
        keywords=["ёмкость", "Ёмкость"],
        grades=[8],
        published_at=datetime(2025, 9, 1, 12, 30, tzinfo=UTC),
    )
    assert document.to_json() == JSONSerializer().dumps(document.to_source())
    assert json.loads(document.to_json()) == document.to_source()
    assert '"title":"Ёмкость «конденсатора» \\\\ \\"кавычки\\""' in document.to_json()


def test_a_document_needs_an_id():
    with pytest.raises(ValueError, match="id"):
        SearchDocument(id="", title="x")


def test_suggest_inputs_skip_blanks():
    assert suggest_inputs("  Теорема  Виета ", ["", "Виет"]) == ("теорема виета", "виет")
