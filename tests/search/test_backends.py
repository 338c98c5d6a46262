import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from search.backends import get_search_backend, reset_search_backends
from search.backends.base import BaseSearchBackend, chunked
from search.backends.elasticsearch import ElasticsearchBackend
from search.backends.opensearch import OpenSearchBackend
from search.query import SearchQuery, SearchResults


class RecordingBackend(BaseSearchBackend):
    """A backend that only records which texts it was asked for; it finds «дроби» only."""

    name = "recording"

    def __init__(self, params=None):
        super().__init__(params)
        self.texts = []

    def execute(self, query, plan):
        self.texts.append(plan.text)
        total = 3 if plan.text == "дроби" else 0
        return SearchResults(total, (), {}, None, query.text, backend=self.name)

    def index_documents(self, documents):
        return 0

    def delete_documents(self, ids):
        return 0

    def ping(self):
        return True


RECORDING = f"{__name__}.RecordingBackend"


@pytest.fixture(autouse=True)
def fresh_backends():
    reset_search_backends()
    yield
    reset_search_backends()


@override_settings(
    SEARCH_BACKENDS={"default": {"BACKEND": "opensearch", "URL": "http://127.0.0.1:1", "INDEX_PREFIX": "t"}}
)
def test_aliases_build_the_engine_backends_once():
    backend = get_search_backend()
    assert isinstance(backend, OpenSearchBackend)
    assert (backend.alias, backend.url) == ("t-resources", "http://127.0.0.1:1")
    assert get_search_backend() is backend


def test_setting_change_rebuilds_the_backend():
    with override_settings(SEARCH_BACKENDS={"default": {"BACKEND": RECORDING}}):
        first = get_search_backend()
    with override_settings(SEARCH_BACKENDS={"default": {"BACKEND": "elasticsearch", "URL": "http://127.0.0.1:1"}}):
        assert isinstance(get_search_backend(), ElasticsearchBackend)
    assert isinstance(first, RecordingBackend)


@pytest.mark.parametrize(
    ("configured", "name", "message"),
    [
        ({"default": {"BACKEND": RECORDING}}, "other", "No search backend named 'other'"),
        ({"default": {}}, "default", "BACKEND string"),
        ({"default": {"BACKEND": "search.nowhere.Backend"}}, "default", "cannot be imported"),
        ({"default": {"BACKEND": "search.query.SearchQuery"}}, "default", "not a subclass"),
        ({"default": {"BACKEND": "opensearch"}}, "default", "needs a URL"),
        ([], "default", "must be a dict"),
    ],
)
def test_bad_settings_raise_improperly_configured(configured, name, message):
    with override_settings(SEARCH_BACKENDS=configured), pytest.raises(ImproperlyConfigured, match=message):
        get_search_backend(name)


def test_unsupported_operations_say_so():
    backend = RecordingBackend()
    with pytest.raises(NotImplementedError, match="This search backend does not support suggestions"):
        backend.suggest("дро")
    with pytest.raises(NotImplementedError, match="This search backend does not support rebuilding"):
        backend.rebuild([])
    assert backend.status().reachable is True


def test_search_fixes_an_obviously_wrong_layout_before_searching():
    backend = RecordingBackend()
    results = backend.search(SearchQuery("lhj,b"))
    assert backend.texts == ["дроби"]
    assert (results.total, results.query_text, results.corrected_text) == (3, "lhj,b", "дроби")


def test_search_retypes_only_when_nothing_is_found():
    backend = RecordingBackend()
    results = backend.search(SearchQuery("клетки"))
    assert backend.texts == ["клетки", "rktnrb"]
    assert (results.total, results.corrected_text) == (0, None)


def test_chunked():
    assert list(chunked(range(5), 2)) == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError):
        list(chunked([], 0))
