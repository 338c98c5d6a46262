"""Human values in the admin's lists and object pages: «да»/«нет», «—», lists and mappings as text.

Wagtail shows a boolean as ``True``, an empty relation as ``None`` and a JSON field as a Python repr; every
admin app builds its columns and inspect views from these instead (``yes_no``, ``joined``, ``HumanInspectView``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.db import models
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.models import InspectView

EMPTY = "—"
# Words of JSON keys the harvest writes into options and notes, in Russian.
KEY_LABELS = {
    "rate": "запросов в секунду",
    "full": "полный сбор",
    "since": "изменения с",
    "limit": "предел записей",
    "listing_pages": "страниц списка",
    "out_of_scope": "вне каталога",
    "listing_failures": "ошибок страниц списка",
    "not_modified": "не изменились (304)",
    "set": "набор",
    "metadata_prefix": "формат метаданных",
}


def human(value: Any) -> str:
    """A value as a methodist reads it."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime.datetime):
        return date_filter(timezone.localtime(value) if timezone.is_aware(value) else value, "d.m.Y H:i")
    if isinstance(value, Mapping):
        # Known keys in the order of KEY_LABELS, then the others by name: PostgreSQL's jsonb keeps no order.
        order = {key: position for position, key in enumerate(KEY_LABELS)}
        keys = sorted(value, key=lambda key: (order.get(str(key), len(order)), str(key)))
        return "; ".join(f"{KEY_LABELS.get(str(key), str(key))}: {human(value[key])}" for key in keys)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(human(item) for item in value)
    return str(value)


def yes_no(name: str, label: str) -> Column:
    return Column(name, label=label, accessor=lambda obj: human(bool(getattr(obj, name))))


def joined(name: str, label: str, fmt: Callable[[Any], str] = human) -> Column:
    """A list (JSON) field as comma-separated text."""
    return Column(name, label=label, accessor=lambda obj: fmt(getattr(obj, name)))


class HumanInspectView(InspectView):
    """An object page whose booleans, empty values, datetimes (Moscow time) and JSON read as text."""

    value_labels: dict[str, dict[str, str]] = {}

    def get_field_display_value(self, field_name: str, field: Any) -> Any:
        labels = self.value_labels.get(field_name)
        if labels is not None:
            raw = getattr(self.object, field_name)
            return labels.get(raw, raw) or EMPTY
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, models.Model):
            return str(value)
        if value is None or isinstance(value, bool | datetime.datetime | list | tuple | Mapping) or value == "":
            return human(value)
        return value


def without_autosave(view_class: type) -> type:
    """A create view that does not autosave: an add form opened and abandoned leaves no draft in the list."""

    class CreateWithoutAutosave(view_class):  # type: ignore[valid-type, misc]
        def setup(self, request: Any, *args: Any, **kwargs: Any) -> None:
            super().setup(request, *args, **kwargs)
            self.autosave_enabled = False

    CreateWithoutAutosave.__name__ = view_class.__name__
    return CreateWithoutAutosave
