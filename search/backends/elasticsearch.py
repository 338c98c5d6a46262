"""Elasticsearch 8/9 backend: the shared engine over the elasticsearch-py client.

The Elasticsearch client refuses to talk to OpenSearch; use the ``opensearch`` backend for that.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, ClassVar, cast

import elasticsearch

from .base import IndexNotFound, SearchBackendError, SearchBackendUnavailable
from .bulk import BULK_FILTER_PATH
from .engine import EngineSearchBackend

_JSON_HEADERS = {"accept": "application/json", "content-type": "application/json"}


class ElasticsearchBackend(EngineSearchBackend):
    """``{"BACKEND": "elasticsearch", "URL": "https://es.example:9200", "INDEX_PREFIX": "catalog"}``."""

    name: ClassVar[str] = "elasticsearch"

    @cached_property
    def client(self) -> elasticsearch.Elasticsearch:
        return elasticsearch.Elasticsearch(self.url, request_timeout=self.timeout, max_retries=1)

    def _request(self, method: str, path: str, *, body: Any = None, params: Mapping[str, str] | None = None) -> Any:
        headers = _JSON_HEADERS if body is not None else {"accept": "application/json"}
        try:
            return self.client.perform_request(method, path, params=params, headers=headers, body=body).body
        except elasticsearch.ConnectionError as e:
            raise SearchBackendUnavailable(f"elasticsearch at {self.url} is unreachable: {e}") from e
        except elasticsearch.NotFoundError as e:
            raise IndexNotFound(f"elasticsearch: {method} {path}: {e.message}") from e
        except elasticsearch.ApiError as e:
            raise SearchBackendError(f"elasticsearch: {method} {path} failed ({e.status_code}): {e.body}") from e

    def _bulk(self, body: bytes) -> dict[str, Any]:
        try:
            # elasticsearch-py sends NDJSON bytes as they are (NdjsonSerializer); its hint only names dicts.
            operations = cast(Any, body)
            response: dict[str, Any] = self.client.bulk(operations=operations, filter_path=BULK_FILTER_PATH).body
        except elasticsearch.ConnectionError as e:
            raise SearchBackendUnavailable(f"elasticsearch at {self.url} is unreachable: {e}") from e
        except elasticsearch.ApiError as e:
            raise SearchBackendError(f"elasticsearch: bulk failed ({e.status_code}): {e.body}") from e
        return response
