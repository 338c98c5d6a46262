"""Root fixtures. Services (PostgreSQL, OpenSearch, S3, recorded sites) are started by fixtures in the
directory-level conftest files of each area, never at import time."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference data every test relies on, loaded once per test database: curriculum, vocabularies,
    roles and the moderation workflow, the built-in organisations."""
    from content_repo.curriculum.services import load_curriculum
    from content_repo.publishers.services import ensure_builtin_organizations
    from content_repo.resources.roles import ensure_roles
    from content_repo.vocabularies.services import load_vocabularies

    with django_db_blocker.unblock():
        load_curriculum()
        load_vocabularies()
        ensure_roles()
        ensure_builtin_organizations()


@pytest.fixture
def users(db):
    from tests.factories import make_users

    return make_users()
