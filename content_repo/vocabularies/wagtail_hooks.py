from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content_repo.resources.russian import russian_index

from .models import Term


class TermViewSet(SnippetViewSet):
    index_view_class = russian_index(SnippetViewSet.index_view_class)
    model = Term
    icon = "tag"
    menu_label = "Словари"
    menu_name = "vocabularies"
    menu_order = 140
    add_to_admin_menu = True
    list_display = ["label", "code", "vocabulary", "term", "uri"]
    list_filter = ["vocabulary"]
    search_fields = ["label", "code"]


register_snippet(TermViewSet)
