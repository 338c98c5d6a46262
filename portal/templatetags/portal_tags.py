"""Template filters of the portal: Russian plurals and JSON-LD in a page."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.html import _json_script_escapes  # type: ignore[attr-defined]
from django.utils.safestring import SafeString, mark_safe

from ..presenters import plural

register = template.Library()


@register.filter
def ru_plural(count: int, forms: str) -> str:
    """``{{ 5|ru_plural:"ресурс,ресурса,ресурсов" }}`` → «5 ресурсов»."""
    one, few, many = forms.split(",")
    return f"{count} {plural(int(count), one, few, many)}"


@register.filter
def ld_json(data: Any) -> SafeString:
    """A ``<script type="application/ld+json">`` with ``data``, escaped as ``json_script`` escapes (no ``</script>``
    can end it early)."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return mark_safe(f'<script type="application/ld+json">{text.translate(_json_script_escapes)}</script>')  # noqa: S308
