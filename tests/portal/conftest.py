"""The portal's fixtures: the demo catalog (:mod:`tests.portal.seeding`) once per module.

The catalog is written inside one transaction held for the module and rolled back at its end; each test
runs in a savepoint within it (pytest-django's ``db``), so tests see the catalog and undo their own writes.
Search entries are built directly: indexing after commit never runs inside the held transaction.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from .seeding import seed


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)
