from django import forms
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList, Panel, TitleFieldPanel
from wagtail.admin.widgets.slug import SlugInput
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content_repo.admin_display import without_autosave, yes_no
from content_repo.alignment.services import aligned_resources
from content_repo.curriculum.chooser import context_inputs, topic_chooser_widget
from content_repo.curriculum.models import Topic
from content_repo.resources.russian import russian_index

from .models import Collection, CollectionItem
from .slugs import collection_slug

# Resources a topic adds to a collection at once, at most.
TOPIC_BATCH = 30


class CollectionForm(WagtailAdminModelForm):
    """The collection form, with a topic whose published resources are added to the items on save."""

    add_topic = forms.ModelChoiceField(
        Topic.objects.select_related("subject"),
        required=False,
        label="Добавить ресурсы темы",
        widget=topic_chooser_widget(with_context=True),
        help_text=f"При сохранении в подборку добавятся опубликованные ресурсы темы (раздела — и его тем): сначала "
        f"с подтверждённой привязкой, затем предложенные по оценке; не больше {TOPIC_BATCH}, без повторов.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Составляется из названия; можно изменить. Латиница, цифры и дефисы."

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug:
            return slug
        return collection_slug(self.data.get("title") or "", exclude_pk=self.instance.pk)

    def save(self, commit=True):
        instance = super().save(commit=False)
        topic = self.cleaned_data.get("add_topic")
        if topic is not None:
            items = list(instance.items.all())
            present = {item.resource_id for item in items}
            order = max((item.sort_order or 0 for item in items), default=-1) + 1
            for resource in aligned_resources(topic, TOPIC_BATCH + len(present)):
                if resource.pk not in present and len(items) - len(present) < TOPIC_BATCH:
                    items.append(CollectionItem(resource=resource, sort_order=order))
                    order += 1
            instance.items = items
        if commit:
            instance.save()
            self.save_m2m()
        return instance


class NewTitlePanel(TitleFieldPanel):
    """The title, whose words fill the address (transliterated) while the collection is new; a saved one keeps
    its address (its page may be linked from elsewhere) unless the methodist edits it."""

    class BoundPanel(TitleFieldPanel.BoundPanel):
        def get_should_apply(self):
            return not self.instance.pk


class TopicContextPanel(Panel):
    """The collection's subject and grades, for the topic chooser's default filters."""

    class BoundPanel(Panel.BoundPanel):
        def render_html(self, parent_context=None):
            collection = self.instance
            subjects = [collection.subject.code] if collection.subject_id else []
            grades = [grade.number for grade in collection.grades.all()] if collection.pk else []
            return context_inputs(subjects, grades)


class CollectionViewSet(SnippetViewSet):
    index_view_class = russian_index(SnippetViewSet.index_view_class)
    add_view_class = without_autosave(SnippetViewSet.add_view_class)
    model = Collection
    icon = "list-ul"
    menu_label = "Подборки"
    menu_name = "catalog_collections"
    menu_order = 110
    add_to_admin_menu = True
    list_display = ["title", "subject", yes_no("live", "Опубликована"), "updated_at"]
    list_filter = ["subject", "live"]
    search_fields = ["title", "description"]
    edit_handler = ObjectList(
        [
            NewTitlePanel("title", placeholder=False),
            FieldPanel("slug", widget=SlugInput(attrs={"data-w-slug-allow-unicode-value": "false"})),
            FieldPanel("description"),
            FieldPanel("subject"),
            FieldPanel("grades", widget=forms.CheckboxSelectMultiple),
            FieldPanel("cover"),
            TopicContextPanel(),
            FieldPanel("add_topic"),
            InlinePanel("items", heading="Ресурсы подборки", label="ресурс"),
        ],
        base_form_class=CollectionForm,
    )


register_snippet(CollectionViewSet)
