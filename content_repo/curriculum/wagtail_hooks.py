"""The curriculum tree in the admin: frameworks, subjects, the topic plan per subject and grade, codifiers."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .chooser import TopicChooserViewSet
from .models import CodifierElement, Framework, Subject, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "list-ol"
    menu_label = "Темы программы"
    list_display = ["title", "code", "subject", "grade", "variant", "kind", "hours"]
    list_filter = ["subject", "grade", "variant", "kind"]
    search_fields = ["title", "code"]
    ordering = ["subject__code", "grade", "variant", "order"]
    list_per_page = 100
    # Picking a topic anywhere in the admin: words with Russian morphology, filters, the plan as a tree.
    chooser_viewset_class = TopicChooserViewSet


class SubjectViewSet(SnippetViewSet):
    model = Subject
    icon = "folder-open-inverse"
    menu_label = "Предметы"
    list_display = ["title", "code", "grades", "has_topics"]
    search_fields = ["title", "code"]


class FrameworkViewSet(SnippetViewSet):
    model = Framework
    icon = "doc-full-inverse"
    menu_label = "Нормативные документы"
    list_display = ["title", "code", "legal_act"]


class CodifierViewSet(SnippetViewSet):
    model = CodifierElement
    icon = "tag"
    menu_label = "Кодификаторы ФИПИ"
    list_display = ["element_code", "title", "codifier", "exam", "year"]
    list_filter = ["codifier", "exam", "kind"]
    search_fields = ["title", "element_code"]


class CurriculumGroup(SnippetViewSetGroup):
    menu_label = "Программа"
    menu_icon = "folder-open-1"
    menu_name = "curriculum"
    menu_order = 130
    items = (SubjectViewSet, TopicViewSet, CodifierViewSet, FrameworkViewSet)


register_snippet(CurriculumGroup)
