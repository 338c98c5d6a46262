"""The Wagtail edit form of a Resource: records which fields a methodist overlaid over the source, and what
happened to the curriculum alignments — who confirmed one and when, which engine suggestions were removed
(rejected: never suggested again) — with vendors never confirming."""

from __future__ import annotations

from django.utils import timezone
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
        self._alignments_before = {a.pk: a for a in self.instance.alignments.all() if a.pk} if self.instance.pk else {}
        self._alignment_state = {
            pk: (a.status, a.target_key, a.alignment_type) for pk, a in self._alignments_before.items()
        }
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
        if "alignments" in self.formsets:
            self._settle_alignments(instance)
        if self._values_before:
            after = read_fields(instance)
            changed = [name for name in OVERLAY_FIELDS if after[name] != self._values_before[name]]
            if changed:
                mark_overlaid(instance, source_values(instance), changed)
        if commit:
            instance.save()
            self.save_m2m()
        return instance

    def _settle_alignments(self, instance) -> None:
        """Confirmations carry who and when (vendors' become suggestions); an engine suggestion edited by hand
        is the editor's row; one removed is remembered as rejected."""
        from content_repo.alignment.decisions import can_decide
        from content_repo.alignment.models import RejectedSuggestion

        user = self.for_user
        may_confirm = can_decide(user)
        now = timezone.now()
        kept = set()
        for alignment in instance.alignments.all():
            before = self._alignment_state.get(alignment.pk)
            kept.add(alignment.pk)
            if (
                before is not None
                and before[0] == "suggested"
                and before[1:]
                != (
                    alignment.target_key,
                    alignment.alignment_type,
                )
            ):
                alignment.score, alignment.explanation = None, ""
            newly_confirmed = alignment.status == "confirmed" and (before is None or before[0] != "confirmed")
            if newly_confirmed and not may_confirm:
                alignment.status = "suggested"
            elif newly_confirmed:
                alignment.confirmed_by = user if getattr(user, "pk", None) else None
                alignment.confirmed_at = now
        removed = [a for pk, a in self._alignments_before.items() if pk not in kept and a.is_engine_suggestion]
        for alignment in removed:
            RejectedSuggestion.objects.update_or_create(
                resource_id=instance.pk,
                code=alignment.target.code,
                defaults={"rejected_by": user if getattr(user, "pk", None) else None, "rejected_at": now},
            )
