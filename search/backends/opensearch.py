"""OpenSearch backend: the shared engine over the opensearch-py client."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, ClassVar

import opensearchpy

from .base import IndexNotFound, SearchBackendError, SearchBackendUnavailable
from .bulk import BULK_FILTER_PATH
from .engine import EngineSearchBackend


class OpenSearchBackend(EngineSearchBackend):
    """``{"BACKEND": "opensearch", "URL": "http://127.0.0.1:9200", "INDEX_PREFIX": "catalog"}``."""

    name: ClassVar[str] = "opensearch"

    @cached_property
    def client(self) -> opensearchpy.OpenSearch:
        return opensearchpy.OpenSearch(hosts=[self.url], timeout=self.timeout, max_retries=1)

    def _request(self, method: str, path: str, *, body: Any = None, params: Mapping[str, str] | None = None) -> Any:
        try:
            return self.client.transport.perform_request(method, path, params=params, body=body)
        except opensearchpy.ConnectionError as e:
            raise SearchBackendUnavailable(f"opensearch at {self.url} is unreachable: {e}") from e
        except opensearchpy.NotFoundError as e:
            raise IndexNotFound(f"opensearch: {method} {path}: {e.error}") from e
        except opensearchpy.TransportError as e:
            raise SearchBackendError(f"opensearch: {method} {path} failed ({e.status_code}): {e.info}") from e

    def _bulk(self, body: bytes) -> dict[str, Any]:
        try:
            response: dict[str, Any] = self.client.bulk(body=body, params={"filter_path": BULK_FILTER_PATH})
        except opensearchpy.ConnectionError as e:
            raise SearchBackendUnavailable(f"opensearch at {self.url} is unreachable: {e}") from e
        except opensearchpy.TransportError as e:
            raise SearchBackendError(f"opensearch: bulk failed ({e.status_code}): {e.info}") from e
        return response
