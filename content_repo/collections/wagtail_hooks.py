from django import forms
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList, Panel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content_repo.alignment.services import aligned_resources
from content_repo.curriculum.chooser import context_inputs, topic_chooser_widget
from content_repo.curriculum.models import Topic

from .models import Collection, CollectionItem

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


class TopicContextPanel(Panel):
    """The collection's subject and grades, for the topic chooser's default filters."""

    class BoundPanel(Panel.BoundPanel):
        def render_html(self, parent_context=None):
            collection = self.instance
            subjects = [collection.subject.code] if collection.subject_id else []
            grades = [grade.number for grade in collection.grades.all()] if collection.pk else []
            return context_inputs(subjects, grades)


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
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("slug"),
            FieldPanel("description"),
            FieldPanel("subject"),
            FieldPanel("grades"),
            FieldPanel("cover"),
            TopicContextPanel(),
            FieldPanel("add_topic"),
            InlinePanel("items", heading="Ресурсы подборки", label="ресурс"),
        ],
        base_form_class=CollectionForm,
    )


register_snippet(CollectionViewSet)
