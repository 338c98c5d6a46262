"""Russian counts for the admin: «1 ресурс», «3 ресурса», «267 ресурсов» (Wagtail knows two forms only).

``RussianCountPaginator`` is the listings' paginator (``russian_index`` gives an index view class using it);
the template filters are in ``templatetags/admin_ru.py``.
"""

from __future__ import annotations

from django.utils.functional import cached_property
from wagtail.admin.paginator import WagtailPaginator

# verbose_name_plural → (one, few, many); models not listed are counted as «всего: N».
FORMS: dict[str, tuple[str, str, str]] = {
    "ресурсы": ("ресурс", "ресурса", "ресурсов"),
    "подборки": ("подборка", "подборки", "подборок"),
    "темы программы": ("тема", "темы", "тем"),
    "предметы": ("предмет", "предмета", "предметов"),
    "организации": ("организация", "организации", "организаций"),
    "сотрудники организаций": ("сотрудник", "сотрудника", "сотрудников"),
    "словари": ("термин", "термина", "терминов"),
    "элементы кодификаторов": ("элемент", "элемента", "элементов"),
    "нормативные документы": ("документ", "документа", "документов"),
    "задания сбора": ("задание", "задания", "заданий"),
    "источники": ("источник", "источника", "источников"),
    "ошибки сбора": ("ошибка", "ошибки", "ошибок"),
    "файлы": ("файл", "файла", "файлов"),
}


def plural(count: int, forms: tuple[str, str, str]) -> str:
    """The Russian form for ``count``: 1, 21 → one; 2–4, 22–24 → few; 0, 5–20, 25… → many."""
    if count % 10 == 1 and count % 100 != 11:
        return forms[0]
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return forms[1]
    return forms[2]


class RussianCountPaginator(WagtailPaginator):
    """Wagtail's paginator whose «N objects» under a listing takes the Russian form for N."""

    @cached_property
    def items_count_label(self) -> str:
        count = self.count
        forms = FORMS.get(str(self.verbose_name_plural).lower())
        if forms is None:
            return f"всего: {count}"
        return f"{count} {plural(count, forms)}"


def russian_index(view_class: type) -> type:
    """``view_class`` (an admin index view) with Russian counts under the listing."""
    return type(view_class.__name__, (view_class,), {"paginator_class": RussianCountPaginator})
