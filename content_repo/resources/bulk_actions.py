"""Bulk actions a methodist needs on many resources at once."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from content_repo.curriculum.chooser import context_inputs, topic_chooser_widget
from content_repo.curriculum.models import Grade, Subject, Topic
from content_repo.vocabularies.models import Term

from .models import Resource
from .overlay import OVERLAY_FIELDS
from .services import approve, edit_fields, submit_for_review


class ResourceBulkAction(SnippetBulkAction):
    models = [Resource]
    template_name = "resources/admin/bulk_action_form.html"
    action_priority = 50

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
    )


class SetSubjectsForm(_ReplaceOrAddForm):
    subjects = forms.ModelMultipleChoiceField(Subject.objects.all(), label="Предметы")


class SetGradesForm(_ReplaceOrAddForm):
    grades = forms.ModelMultipleChoiceField(Grade.objects.all(), label="Классы")


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
    display_name = "Предметы"
    action_type = "set_subjects"
    aria_label = "Указать предметы выбранных ресурсов"
    form_class = SetSubjectsForm
    field, code_attribute = "subjects", "code"


class SetGradesBulkAction(_AddOrReplaceCodesBulkAction):
    display_name = "Классы"
    action_type = "set_grades"
    aria_label = "Указать классы выбранных ресурсов"
    form_class = SetGradesForm
    field, code_attribute = "grades", "number"


class SetTopicsBulkAction(ResourceBulkAction):
    """Align the chosen resources to one or two topics: confirmed by a methodist, a suggestion by a vendor."""

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
    display_name = "На проверку"
    action_type = "submit_for_review"
    aria_label = "Отправить выбранные ресурсы на проверку"
    template_name = "resources/admin/bulk_action_form.html"

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        for resource in objects:
            submit_for_review(resource, user)
        return len(objects), 0


class ApproveBulkAction(ResourceBulkAction):
    display_name = "Утвердить"
    action_type = "approve"
    aria_label = "Утвердить выбранные ресурсы, находящиеся на проверке"

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


BULK_ACTIONS = [
    SetSubjectsBulkAction,
    SetGradesBulkAction,
    SetTopicsBulkAction,
    SetLicenseBulkAction,
    SubmitBulkAction,
    ApproveBulkAction,
]
