"""The storage app's side of ``content_repo.resources.attachments``: upload ids in, described files out.

Registered in ``StorageConfig.ready``; the intake resolves the ``files`` and ``thumbnail`` a vendor sends through
it, and the read API describes a resource's files with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from content_repo.resources.attachments import AttachmentProblem
from storage.attachments import (
    FILE_USES,
    THUMBNAIL_USES,
    FileDescription,
    UploadProblem,
    describe_image,
    describe_stored_files,
    resolve_uploads,
)
from storage.covers import NotAttachable, cover_image_from_upload
from storage.exceptions import FileRejected
from storage.models import StoredFile

if TYPE_CHECKING:
    from content_repo.publishers.models import Organization

__all__ = ["StorageAttachments"]


def _problem(problem: UploadProblem) -> AttachmentProblem:
    return AttachmentProblem(problem.upload_id, str(problem.code), problem.message)


class StorageAttachments:
    """Upload ids resolved by the storage rules (own, completed, right use); files described with their URLs."""

    def resolve_files(
        self, organization: Organization, upload_ids: Sequence[object]
    ) -> tuple[dict[str, int], list[AttachmentProblem]]:
        resolution = resolve_uploads(organization, upload_ids, uses=FILE_USES)
        resolved = {item.upload_id: item.stored_file.pk for item in resolution.resolved}
        return resolved, [_problem(problem) for problem in resolution.problems]

    def resolve_thumbnail(
        self, organization: Organization, upload_id: object, title: str
    ) -> tuple[int | None, AttachmentProblem | None]:
        resolution = resolve_uploads(organization, [upload_id], uses=THUMBNAIL_USES)
        if resolution.problems:
            return None, _problem(resolution.problems[0])
        stored = resolution.resolved[0].stored_file
        try:
            image = cover_image_from_upload(stored, title=title, organization=organization)
        except (NotAttachable, FileRejected) as error:
            return None, AttachmentProblem(str(upload_id), "upload_not_usable", str(error))
        return image.pk, None

    def describe_files(self, stored_file_ids: Sequence[int], organization: Organization | None) -> dict[int, Any]:
        stored = list(StoredFile.objects.filter(pk__in=list(stored_file_ids)))
        descriptions = describe_stored_files(stored, organization=organization)
        return {file.pk: description.as_json() for file, description in zip(stored, descriptions, strict=True)}

    def describe_image(self, image: Any) -> dict[str, Any]:
        return dataclasses.asdict(describe_image(image))

    def media_object(self, description: dict[str, Any]) -> dict[str, Any]:
        fields = {field.name for field in dataclasses.fields(FileDescription)}
        return FileDescription(**{key: value for key, value in description.items() if key in fields}).as_media_object()
