"""Addresses of collections from their Russian titles: «Дроби, 5 класс» → ``drobi-5-klass``.

The admin's slug field transliterates as the methodist types (Wagtail's slug widget); this is the same rule on
the server, for a form sent without a slug and for titles in other scripts.
"""

from __future__ import annotations

from django.utils.text import slugify

from .models import Collection

_LETTERS = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
            "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
        ],
        strict=True,
    )
)  # fmt: skip
MAX_LENGTH = 100


def transliterate(text: str) -> str:
    return "".join(_LETTERS.get(char, char) for char in text.lower())


def collection_slug(title: str, exclude_pk: int | None = None) -> str:
    """A free slug for ``title``: transliterated, then «-2», «-3»… when taken."""
    base = slugify(transliterate(title))[:MAX_LENGTH].strip("-") or "podborka"
    taken = set(Collection.objects.exclude(pk=exclude_pk).filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug
