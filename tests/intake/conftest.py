"""The intake's tests use the API's callers and the built-in harvest sources."""

from tests.api.conftest import _fast_and_isolated, callers  # noqa: F401
from tests.importers.conftest import harvest_sources  # noqa: F401
