"""The Wagtail edit form of a Resource: records which fields a methodist overlaid over the source."""

from __future__ import annotations

from wagtail.admin.forms import WagtailAdminModelForm

from content_repo.publishers.models import organizations_of

from .overlay import OVERLAY_FIELDS, mark_overlaid, read_fields
from .permissions import is_restricted_to_own_organization
from .services import source_values


class ResourceAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        # What the fields held before this edit: a field is the editor's when its value really changed,
        # whatever the widgets report (JSON and inline formsets often report changes that are none).
        self._values_before = read_fields(self.instance) if self.instance.pk else {}
        if for_user is not None and "provider" in self.fields and is_restricted_to_own_organization(for_user):
            own = organizations_of(for_user)
            self.fields["provider"].queryset = own
            self.fields["provider"].required = True
            if not self.instance.provider_id and own.count() == 1:
                self.initial["provider"] = own.first().pk

    def clean_provider(self):
        provider = self.cleaned_data.get("provider")
        user = self.for_user
        if user is not None and is_restricted_to_own_organization(user):
            if provider is None or not organizations_of(user).filter(pk=provider.pk).exists():
                self.add_error("provider", "Выберите свою организацию")
        return provider

    def save(self, commit=True):
        instance = super().save(commit=False)
        if self._values_before:
            after = read_fields(instance)
            changed = [name for name in OVERLAY_FIELDS if after[name] != self._values_before[name]]
            if changed:
                mark_overlaid(instance, source_values(instance), changed)
        if commit:
            instance.save()
            self.save_m2m()
        return instance
