"""A read-only panel that shows, per field, whether its value comes from the source or a methodist."""

from __future__ import annotations

from wagtail.admin.panels import Panel

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
