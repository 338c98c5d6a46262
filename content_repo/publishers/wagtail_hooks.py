from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from content_repo.resources.russian import russian_index

from .models import Membership, Organization


class OrganizationViewSet(SnippetViewSet):
    index_view_class = russian_index(SnippetViewSet.index_view_class)
    model = Organization
    icon = "group"
    menu_label = "Организации"
    list_display = ["name", "code", "kind", "site"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code"), FieldPanel("kind")]),
        FieldPanel("site"),
        FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_email")]),
        FieldPanel("description"),
    ]


class MembershipViewSet(SnippetViewSet):
    index_view_class = russian_index(SnippetViewSet.index_view_class)
    model = Membership
    icon = "user"
    menu_label = "Сотрудники"
    list_display = ["user", "organization", "role"]
    list_filter = ["organization", "role"]
    panels = [FieldPanel("organization"), FieldPanel("user"), FieldPanel("role")]


class PublishersGroup(SnippetViewSetGroup):
    menu_label = "Организации"
    menu_icon = "group"
    menu_name = "publishers"
    menu_order = 120
    items = (OrganizationViewSet, MembershipViewSet)


register_snippet(PublishersGroup)
