from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Collection


class CollectionViewSet(SnippetViewSet):
    model = Collection
    icon = "list-ul"
    menu_label = "Подборки"
    menu_name = "catalog_collections"
    menu_order = 110
    add_to_admin_menu = True
    list_display = ["title", "subject", "live", "updated_at"]
    list_filter = ["subject", "live"]
    search_fields = ["title", "description"]
    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("subject"),
        FieldPanel("grades"),
        FieldPanel("cover"),
        InlinePanel("items", heading="Ресурсы подборки", label="ресурс"),
    ]


register_snippet(CollectionViewSet)
