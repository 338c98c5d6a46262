"""Bulk actions a methodist needs on many resources at once."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from content_repo.curriculum.chooser import context_inputs, topic_chooser_widget
from content_repo.curriculum.models import Grade, Subject, Topic
from content_repo.vocabularies.models import Term

from .models import Resource
from .overlay import OVERLAY_FIELDS
from .services import approve, edit_fields, submit_for_review

LIST_URL_NAME = "wagtailsnippets_resources_resource:list"


class ResourceBulkAction(SnippetBulkAction):
    """A bulk action on resources whose confirmation page names its buttons and whose «Отмена» (and the
    redirect after the action) returns to the list the resources were chosen in, with its filters."""

    models = [Resource]
    template_name = "resources/admin/bulk_action_form.html"
    action_priority = 50
    action_button_text = "Применить"

    def __init__(self, request, model):
        super().__init__(request, model)
        if not get_valid_next_url_from_request(request):
            self.next_url = self._list_url(request)

    @staticmethod
    def _list_url(request) -> str:
        """The listing the action was started from (its filters kept), or the plain resource list."""
        referer = request.META.get("HTTP_REFERER", "")
        listing = reverse(LIST_URL_NAME)
        allowed = url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
        if referer and allowed and listing in referer:
            return referer
        return listing

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_button_text"] = self.action_button_text
        context["no_action_button_text"] = "Отмена"
        if "next" not in self.request.GET:
            # The form posts back to this address: carry the list to return to after the action.
            context["submit_url"] += "&" + urlencode({"next": self.next_url})
        return context

    def check_perm(self, obj):
        return self.permission_policy.user_has_permission_for_instance(self.request.user, "change", obj)

    def get_execution_context(self):
        return {"user": self.request.user, "data": self.cleaned_form.cleaned_data}

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"{self.display_name}: обработано ресурсов — {num_parent_objects}"


class _ReplaceOrAddForm(forms.Form):
    mode = forms.ChoiceField(
        label="Как применить",
        choices=[("add", "добавить к имеющимся"), ("replace", "заменить")],
        initial="add",
        widget=forms.RadioSelect,
    )


class SetSubjectsForm(_ReplaceOrAddForm):
    subjects = forms.ModelMultipleChoiceField(
        Subject.objects.order_by("title"), label="Предметы", widget=forms.CheckboxSelectMultiple
    )


class SetGradesForm(_ReplaceOrAddForm):
    grades = forms.ModelMultipleChoiceField(Grade.objects.all(), label="Классы", widget=forms.CheckboxSelectMultiple)


class SetTopicsForm(_ReplaceOrAddForm):
    topic = forms.ModelChoiceField(
        Topic.objects.select_related("subject"),
        label="Тема программы",
        widget=topic_chooser_widget(with_context=True),
        help_text="Окно выбора открывается с фильтром по предметам и классам выбранных ресурсов.",
    )
    another_topic = forms.ModelChoiceField(
        Topic.objects.select_related("subject"),
        label="Ещё одна тема",
        required=False,
        widget=topic_chooser_widget(with_context=True),
    )


class SetLicenseForm(forms.Form):
    license = forms.ModelChoiceField(Term.objects.filter(vocabulary="license"), label="Лицензия")


def _merge(current: list, new: list, mode: str) -> list:
    return sorted(set(new)) if mode == "replace" else sorted(set(current) | set(new))


class _AddOrReplaceCodesBulkAction(ResourceBulkAction):
    """Adds the chosen codes to a multi-valued field of each resource, or replaces its values with them."""

    field: str
    code_attribute: str

    @classmethod
    def execute_action(cls, objects, user=None, data=None, **kwargs):
        codes = [getattr(obj, cls.code_attribute) for obj in data[cls.field]]
        for resource in objects:
            current = OVERLAY_FIELDS[cls.field].get(resource)
            edit_fields(resource, {cls.field: _merge(current, codes, data["mode"])}, user)
        return len(objects), 0


class SetSubjectsBulkAction(_AddOrReplaceCodesBulkAction):
    action_priority = 30
    display_name = "Предметы"
    action_type = "set_subjects"
    aria_label = "Указать предметы выбранных ресурсов"
    form_class = SetSubjectsForm
    field, code_attribute = "subjects", "code"


class SetGradesBulkAction(_AddOrReplaceCodesBulkAction):
    action_priority = 20
    display_name = "Классы"
    action_type = "set_grades"
    aria_label = "Указать классы выбранных ресурсов"
    form_class = SetGradesForm
    field, code_attribute = "grades", "number"


class SetTopicsBulkAction(ResourceBulkAction):
    """Align the chosen resources to one or two topics: confirmed by a methodist, a suggestion by a vendor."""

    action_priority = 25
    display_name = "Темы программы"
    action_type = "set_topics"
    aria_label = "Привязать выбранные ресурсы к темам программы"
    form_class = SetTopicsForm
    template_name = "resources/admin/topics_bulk_action_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resources = [entry["item"] for entry in context.get("items", [])]
        subjects = sorted({s.code for r in resources for s in r.subjects.all()})
        grades = sorted({g.number for r in resources for g in r.grades.all()})
        context["topic_context"] = context_inputs(subjects, grades)
        return context

    @classmethod
    def execute_action(cls, objects, user=None, data=None, **kwargs):
        from content_repo.alignment.decisions import can_decide, confirm_topics

        topics = [topic for topic in (data["topic"], data.get("another_topic")) if topic is not None]
        if can_decide(user):
            for resource in objects:
                confirm_topics(resource.pk, topics, user, replace=data["mode"] == "replace")
            return len(objects), 0
        # A vendor proposes: its topics are suggestions for a methodist to confirm; confirmed ones stay.
        chosen = [{"target": t.code, "type": "teaches", "status": "suggested"} for t in topics]
        for resource in objects:
            current = OVERLAY_FIELDS["alignments"].get(resource)
            kept = [a for a in current if a["status"] == "confirmed" or data["mode"] != "replace"]
            targets = {a["target"] for a in kept if a["status"] == "confirmed"}
            chosen_here = [a for a in chosen if a["target"] not in targets]
            targets |= {a["target"] for a in chosen_here}
            merged = [a for a in kept if a["target"] not in targets or a["status"] == "confirmed"] + chosen_here
            edit_fields(resource, {"alignments": merged}, user)
        return len(objects), 0


class SetLicenseBulkAction(ResourceBulkAction):
    action_priority = 50
    display_name = "Лицензия"
    action_type = "set_license"
    aria_label = "Указать лицензию выбранных ресурсов"
    form_class = SetLicenseForm

    @classmethod
    def execute_action(cls, objects, user=None, data=None, **kwargs):
        for resource in objects:
            edit_fields(resource, {"license": data["license"].code}, user)
        return len(objects), 0


class SubmitBulkAction(ResourceBulkAction):
    action_priority = 15
    display_name = "На проверку"
    action_type = "submit_for_review"
    aria_label = "Отправить выбранные ресурсы на проверку"
    action_button_text = "Отправить на проверку"
    template_name = "resources/admin/bulk_action_form.html"

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        for resource in objects:
            submit_for_review(resource, user)
        return len(objects), 0


class ApproveBulkAction(ResourceBulkAction):
    action_priority = 10
    display_name = "Утвердить"
    action_type = "approve"
    aria_label = "Утвердить выбранные ресурсы, находящиеся на проверке"
    action_button_text = "Утвердить"

    def check_perm(self, obj):
        user = self.request.user
        return user.has_perm("resources.review_resource") and obj.status == Resource.Status.IN_REVIEW

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        done = 0
        for resource in objects:
            try:
                approve(resource, user)
            except (ValidationError, PermissionDenied):
                continue
            done += 1
        return done, 0


def _collections():
    from content_repo.collections.models import Collection

    return Collection.objects.order_by("title")


class AddToCollectionForm(forms.Form):
    collection = forms.ModelChoiceField(_collections(), label="Подборка", empty_label="выберите подборку")


class AddToCollectionBulkAction(ResourceBulkAction):
    """Appends the chosen resources to the end of a collection (those already in it are skipped).

    Changing a collection and publishing it are separate rights: without ``collections.publish_collection``
    the appended resources wait in a draft of a live collection for someone who may publish it."""

    action_priority = 40
    display_name = "В подборку"
    action_type = "add_to_collection"
    aria_label = "Добавить выбранные ресурсы в подборку"
    action_button_text = "Добавить в подборку"
    form_class = AddToCollectionForm
    PUBLISH_PERMISSION = "collections.publish_collection"

    def check_perm(self, obj):
        return self.request.user.has_perm("collections.change_collection")

    def get_execution_context(self):
        stored = self.cleaned_form.cleaned_data["collection"]
        # Decided before the action runs: saving a revision changes the collection's state.
        self.was_live = stored.live and not stored.has_unpublished_changes
        self.may_publish = self.request.user.has_perm(self.PUBLISH_PERMISSION)
        return {**super().get_execution_context(), "publish": self.was_live and self.may_publish}

    @classmethod
    def execute_action(cls, objects, user=None, data=None, publish=False, **kwargs):
        """A new revision of the collection with the resources appended: published at once when ``publish``
        (a live collection with nothing pending, and a user who may publish), otherwise a draft over its latest
        draft (a methodist's work is kept)."""
        from content_repo.collections.models import CollectionItem

        stored = data["collection"]
        collection = stored.get_latest_revision_as_object() if stored.has_unpublished_changes else stored
        items = list(collection.items.all())
        present = {item.resource_id for item in items}
        order = max((item.sort_order for item in items if item.sort_order is not None), default=-1)
        added = 0
        for resource in objects:
            if resource.pk not in present:
                order += 1
                items.append(CollectionItem(resource=resource, sort_order=order))
                present.add(resource.pk)
                added += 1
        if added:
            collection.items = items
            revision = collection.save_revision(user=user, log_action=True)
            if publish:
                revision.publish(user=user)
        return added, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        collection = self.cleaned_form.cleaned_data["collection"]
        message = f"В подборку «{collection}» добавлено ресурсов: {num_parent_objects}"
        if not num_parent_objects:
            return message
        if self.was_live and not self.may_publish:
            return (
                f"{message}. Изменения сохранены черновиком подборки: публиковать подборки вам не разрешено, "
                "опубликовать их может методист"
            )
        if not self.was_live:
            return f"{message}. Изменения сохранены в черновике подборки"
        return message


BULK_ACTIONS = [
    SetSubjectsBulkAction,
    SetGradesBulkAction,
    SetTopicsBulkAction,
    SetLicenseBulkAction,
    SubmitBulkAction,
    ApproveBulkAction,
    AddToCollectionBulkAction,
]
