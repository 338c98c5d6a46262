"""The curriculum tree in the admin: frameworks, subjects, the topic plan per subject and grade, codifiers."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from content_repo.admin_display import joined, yes_no
from content_repo.resources.russian import russian_index

from .admin_views import CurriculumTreeView
from .chooser import TopicChooserViewSet
from .models import CodifierElement, Framework, Subject, Topic
from .subject_chooser import SubjectChooserViewSet


class TopicViewSet(SnippetViewSet):
    index_view_class = russian_index(SnippetViewSet.index_view_class)
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
    index_view_class = russian_index(SnippetViewSet.index_view_class)
    model = Subject
    icon = "folder-open-inverse"
    menu_label = "Предметы"
    list_display = ["title", "code", joined("grades", "Классы"), yes_no("has_topics", "Темы загружены")]
    search_fields = ["title", "code"]
    chooser_viewset_class = SubjectChooserViewSet


class FrameworkViewSet(SnippetViewSet):
    index_view_class = russian_index(SnippetViewSet.index_view_class)
    model = Framework
    icon = "doc-full-inverse"
    menu_label = "Нормативные документы"
    list_display = ["title", "code", "legal_act"]


class CodifierViewSet(SnippetViewSet):
    index_view_class = russian_index(SnippetViewSet.index_view_class)
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


@hooks.register("register_admin_urls")
def register_curriculum_tree_url():
    return [path("curriculum/tree/", CurriculumTreeView.as_view(), name="curriculum_tree")]


class _TopicViewerMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("curriculum.view_topic")


@hooks.register("register_admin_menu_item")
def register_curriculum_tree_menu_item():
    return _TopicViewerMenuItem("Дерево программы", reverse("curriculum_tree"), icon_name="list-ol", order=131)
