"""Read-only panels of the resource form: where each field's value comes from, and the topic chooser's context."""

from __future__ import annotations

from wagtail.admin.panels import Panel

from content_repo.curriculum.models import Subject

from .overlay import field_origins
from .services import source_values


class FieldOriginPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "resources/admin/field_origin_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            resource = self.instance
            layer = resource.source_layer_or_none if resource.pk else None
            context["layer"] = layer
            context["rows"] = field_origins(resource, source_values(resource)) if resource.pk else []
            context["resource"] = resource
            return context


class TopicChooserContextPanel(Panel):
    """The inputs the topic chooser takes its default filters from: the resource's subjects and grades, kept in
    step with the form's fields while the methodist edits them (``content_repo/curriculum/chooser.py``)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "resources/admin/topic_chooser_context.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            resource = self.instance
            context["subject_codes"] = dict(Subject.objects.values_list("pk", "code"))
            context["subjects"] = ",".join(s.code for s in resource.subjects.all()) if resource.pk else ""
            context["grades"] = ",".join(str(g.number) for g in resource.grades.all()) if resource.pk else ""
            return context


class AlignmentNotePanel(Panel):
    """Inside an alignment row: the engine's score and reasons, or who confirmed it and when (read-only)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "resources/admin/alignment_note_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["alignment"] = self.instance
            return context

        def is_shown(self):
            alignment = self.instance
            return bool(alignment is not None and (alignment.score is not None or alignment.confirmed_by_id))
