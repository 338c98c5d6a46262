"""The reference data a catalog cannot work without, ensured after every ``migrate``.

The curriculum, the vocabularies, the roles with the moderation workflow and the built-in organisations are
written by idempotent loaders. Running them on ``post_migrate`` means a deployment that only ever runs
``manage.py migrate`` (never ``bootstrap_catalog``) still takes harvests and vendor submissions: no record
is rejected for a licence code nobody loaded, no submission answered «run setup_roles». Loaders that find
nothing to change cost a fraction of a second.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections

logger = logging.getLogger(__name__)


def is_last_post_migrate(sender: Any) -> bool:
    """Whether ``sender`` is the last app ``post_migrate`` is sent for (the last one that has models)."""
    from django.apps import apps

    return sender is [config for config in apps.get_app_configs() if config.models_module is not None][-1]


def ensure_reference_data(sender: Any = None, using: str = "default", verbosity: int = 1, **kwargs: Any) -> None:
    """Load (or bring up to date) the curriculum, vocabularies, roles, workflow and built-in organisations.

    Connected to ``post_migrate`` of every app, it acts on the last one only: Django creates each app's
    permissions on that app's own signal, and the roles need the permissions of all of them (Wagtail's too).
    """
    from content_repo.curriculum.models import Topic
    from content_repo.curriculum.services import load_curriculum
    from content_repo.publishers.services import ensure_builtin_organizations
    from content_repo.vocabularies.services import load_vocabularies

    from .roles import ensure_roles

    if not is_last_post_migrate(sender):
        return
    if using != "default" or Topic._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated only part of the way (or another database): nothing to load into yet
    curriculum = load_curriculum()
    vocabularies = load_vocabularies()
    ensure_roles()
    ensure_builtin_organizations()
    if verbosity >= 1 and (curriculum.changed or vocabularies.changed):
        logger.info("reference data: %s; %s", curriculum.summary(), vocabularies.summary())
