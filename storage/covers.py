"""Covers: a Wagtail image made from an uploaded (already validated and re-encoded) cover image.

Resources (``thumbnail``) and collections (``cover``) point at Wagtail images, which keep their originals and
renditions in the same default storage. An API client uploads the picture with ``use=cover_image`` and the
resources API turns the returned file id into an image with ``cover_image_from_upload``.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage

from storage.exceptions import FileRejected, RejectionCode
from storage.filetypes import FileKind, FileType
from storage.forms import cover_file_name
from storage.models import StoredFile
from storage.services import open_stored
from storage.uploads import attachable_by

if TYPE_CHECKING:
    from content_repo.publishers.models import Organization

IMAGE_TYPES = {t.spec.mime_type for t in FileType if t.spec.kind is FileKind.IMAGE}


class NotAttachable(Exception):
    """The organisation neither uploaded the file nor has it attached to its resources."""


def cover_image_from_upload(
    stored: StoredFile, *, title: str, organization: Organization | None = None
) -> AbstractImage:
    """The Wagtail image for a stored cover image (an existing one with the same bytes is reused).

    With ``organization``, only a file that organisation may attach is accepted (``NotAttachable``).
    """
    if organization is not None and not attachable_by(organization, stored):
        raise NotAttachable(f"{organization} may not use file {stored.pk}")
    if stored.mime_type not in IMAGE_TYPES:
        raise FileRejected(
            RejectionCode.TYPE_NOT_ALLOWED, f"Файл {stored.mime_type} не изображение и не может быть обложкой."
        )
    with open_stored(stored) as opened:
        content = opened.read()
    image_model = get_image_model()
    existing = image_model.objects.filter(file_hash=hashlib.sha1(content).hexdigest()).first()
    if existing is not None:
        return existing
    image = image_model(title=title[:255] or str(stored))
    image.file = SimpleUploadedFile(cover_file_name(stored.original_name, stored.extension), content)
    image._set_image_file_metadata()
    image.save()
    return image
