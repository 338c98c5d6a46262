"""Root fixtures. Services (PostgreSQL, OpenSearch, S3, recorded sites) are started by fixtures in the
directory-level conftest files of each area, never at import time.

The reference data every test relies on (curriculum, vocabularies, roles and the moderation workflow, built-in
organisations and sources) is written by `post_migrate` when the test database is created, and again after
each flush of a transactional test — as in a deployment that only runs `migrate`.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def users(db):
    from tests.factories import make_users

    return make_users()
