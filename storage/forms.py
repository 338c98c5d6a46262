"""Admin forms that send files through ``validate_upload``: Wagtail images (covers), Wagtail documents and
stored files.

``CoverImageForm`` is ``WAGTAILIMAGES_IMAGE_FORM_BASE``: every image uploaded in the admin (one by one or
several at once) is validated as a cover image before Wagtail sees it, and Wagtail stores the re-encoded
bytes (metadata stripped). ``AttachmentDocumentForm`` is ``WAGTAILDOCS_DOCUMENT_FORM_BASE``: every Wagtail
document is validated as an attachment (a PDF with scripts, a DOCX with macros… are refused).
``StoredFileUploadForm`` adds a file to «Файлы» (and to the chooser of the resource's «Файлы» inline).
A rejection is a field error carrying the rule's Russian message and code.
"""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.documents.fields import WagtailDocumentField
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from storage.exceptions import FileRejected
from storage.filetypes import FileUse
from storage.models import StoredFile, Upload
from storage.services import save_validated
from storage.uploads import record_upload
from storage.validation import ValidatedFile, validate_upload

USE_LABELS = [
    (FileUse.ATTACHMENT.value, "вложение (документ, презентация, аудио, видео)"),
    (FileUse.PACKAGE.value, "пакет SCORM / IMS Common Cartridge"),
    (FileUse.COVER_IMAGE.value, "обложка (JPEG, PNG, WebP)"),
]


def _validate(uploaded: Any, use: FileUse) -> ValidatedFile:
    try:
        return validate_upload(
            uploaded,
            declared_name=uploaded.name or "",
            declared_type=getattr(uploaded, "content_type", None),
            use=use,
        )
    except FileRejected as e:
        raise ValidationError(e.message, code=e.code) from e


def cover_file_name(original: str, extension: str) -> str:
    """``<stem>-<random>.<ext>``: S3 overwrites same-named objects, and Wagtail names originals by file name."""
    stem = PurePosixPath(original.replace("\\", "/")).stem[:60] or "cover"
    return f"{stem}-{secrets.token_hex(4)}.{extension}"


class CoverImageField(WagtailImageField):
    """Wagtail's image field, fed with the re-encoded image that passed ``validate_upload(use=COVER_IMAGE)``."""

    def to_python(self, data: Any) -> Any:
        if data in self.empty_values:
            return super().to_python(data)
        validated = _validate(data, FileUse.COVER_IMAGE)
        try:
            content = validated.content.read()
        finally:
            validated.close()
        name = cover_file_name(data.name or "", validated.extension)
        return super().to_python(SimpleUploadedFile(name, content, validated.mime_type))


class CoverImageForm(BaseImageForm):
    """``WAGTAILIMAGES_IMAGE_FORM_BASE``: admin image uploads go through the cover image rules."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and not isinstance(field, CoverImageField):
            self.fields["file"] = CoverImageField(
                label=field.label, required=field.required, widget=field.widget, help_text=field.help_text
            )


class AttachmentDocumentField(WagtailDocumentField):
    """Wagtail's document field, refusing what ``validate_upload(use=ATTACHMENT)`` refuses; the bytes are
    kept as uploaded (only images are re-encoded)."""

    def to_python(self, data: Any) -> Any:
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        _validate(uploaded, FileUse.ATTACHMENT).close()
        uploaded.seek(0)
        return uploaded


class AttachmentDocumentForm(BaseDocumentForm):
    """``WAGTAILDOCS_DOCUMENT_FORM_BASE``: admin document uploads go through the attachment rules."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and not isinstance(field, AttachmentDocumentField):
            self.fields["file"] = AttachmentDocumentField(
                label=field.label, required=field.required, widget=field.widget, help_text=field.help_text
            )


class StoredFileUploadForm(WagtailAdminModelForm):
    """Upload a file to «Файлы»; the same content uploaded again gives the same row."""

    upload = forms.FileField(label="Файл", allow_empty_file=True)
    use = forms.ChoiceField(label="Назначение", choices=USE_LABELS, initial=FileUse.ATTACHMENT.value)

    class Meta:
        model = StoredFile
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        uploaded = cleaned.get("upload")
        if uploaded is not None and "use" in cleaned:
            try:
                self.validated = _validate(uploaded, FileUse(cleaned["use"]))
            except ValidationError as e:
                self.add_error("upload", e)
        return cleaned

    def save(self, commit: bool = True) -> StoredFile:
        name = self.cleaned_data["upload"].name or ""
        try:
            with transaction.atomic():
                stored = save_validated(self.validated, original_name=name).stored_file
                for organization in _organizations(self.for_user) or [None]:
                    record_upload(
                        stored,
                        organization=organization,
                        user=self.for_user,
                        channel=Upload.Channel.ADMIN,
                        use=FileUse(self.cleaned_data["use"]),
                        name=name,
                    )
        finally:
            self.validated.close()
        self.instance = stored
        return stored


def _organizations(user: Any) -> list[Any]:
    """The organisations an admin user acts for (a vendor's staff; none for methodists)."""
    from content_repo.publishers.models import organizations_of

    return list(organizations_of(user)) if user is not None else []
