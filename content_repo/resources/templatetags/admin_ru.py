"""Template filters for Russian counts in the admin's own templates: ``{{ n|ru_plural:"ресурс,ресурса,ресурсов" }}``."""

from __future__ import annotations

from django import template

from content_repo.resources.russian import plural

register = template.Library()


@register.filter
def ru_plural(count: int, forms: str) -> str:
    """The form of ``forms`` (one, few, many; comma-separated) for ``count``."""
    one, few, many = forms.split(",")
    return plural(int(count or 0), (one, few, many))
