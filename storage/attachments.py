"""Files attached to resources through the API: upload ids in, descriptions of files out.

A vendor refers to a file by the id of its own upload (``POST /api/v1/uploads/`` answers with it).
``resolve_uploads`` turns the ids an organisation sent into stored files, with a reason in Russian for every
id it cannot use; ``describe_stored_file`` and ``describe_image`` say what the API and JSON-LD show of a
file or a Wagtail image, with absolute URLs on ``settings.CATALOG_BASE_URL``.

The id shown for a file is an upload id chosen for the organisation the output is about (the resource's
provider), so the same bytes uploaded by two organisations show two unrelated ids: see
``storage.uploads.uploads_usable_by``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.urls import reverse
from wagtail.images.models import AbstractImage
from wagtail.images.utils import generate_signature

from storage.filetypes import FileUse
from storage.models import StoredFile, Upload
from storage.serving import absolute_url, download_url, upload_download_url
from storage.uploads import uploads_usable_by

if TYPE_CHECKING:
    from content_repo.publishers.models import Organization

FILE_USES = frozenset({FileUse.ATTACHMENT, FileUse.PACKAGE})
THUMBNAIL_USES = frozenset({FileUse.COVER_IMAGE})
THUMBNAIL_SPEC = "fill-320x180"
IMAGE_SPEC = "max-1200x1200"
USE_LABELS = {
    FileUse.ATTACHMENT: "attachment (вложение)",
    FileUse.PACKAGE: "package (пакет)",
    FileUse.COVER_IMAGE: "cover_image (обложка)",
}


class UploadProblemCode(StrEnum):
    """Why an upload id cannot be used (stable codes beside the Russian message)."""

    INVALID = "upload_id_invalid"
    NOT_FOUND = "upload_not_found"
    NOT_COMPLETED = "upload_not_completed"
    REJECTED = "upload_rejected"
    WRONG_USE = "upload_wrong_use"


@dataclass(frozen=True)
class UploadProblem:
    """One id that cannot be used: the id as sent, a stable code and a Russian sentence saying why."""

    upload_id: str
    code: UploadProblemCode
    message: str


@dataclass(frozen=True)
class ResolvedUpload:
    """One usable id: the upload (completed, the organisation's to use) and its stored file."""

    upload_id: str
    upload: Upload
    stored_file: StoredFile


@dataclass(frozen=True)
class UploadResolution:
    """The outcome for every id sent, in the order sent: ``resolved`` and ``problems`` together."""

    resolved: list[ResolvedUpload]
    problems: list[UploadProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


class UploadNotUsable(Exception):
    """``resolve_upload`` could not use the id; ``problem`` says why."""

    def __init__(self, problem: UploadProblem) -> None:
        super().__init__(f"{problem.code}: {problem.message}")
        self.problem = problem


@dataclass(frozen=True)
class FileDescription:
    """What the API and JSON-LD show of a stored file. ``id`` is an upload id (``None`` when the
    organisation has no upload it may use for this file); ``download_url`` is absolute."""

    id: str | None
    mime_type: str
    size: int
    sha256: str
    download_url: str
    width: int | None = None
    height: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The API's field names (``width``/``height`` only for images)."""
        body: dict[str, Any] = {
            "id": self.id,
            "mime_type": self.mime_type,
            "size": self.size,
            "sha256": self.sha256,
            "download_url": self.download_url,
        }
        if self.width is not None and self.height is not None:
            body |= {"width": self.width, "height": self.height}
        return body

    def as_media_object(self) -> dict[str, Any]:
        """A schema.org ``MediaObject`` (``contentSize`` in bytes, as text, as schema.org types it)."""
        media: dict[str, Any] = {
            "@type": "MediaObject",
            "contentUrl": self.download_url,
            "encodingFormat": self.mime_type,
            "contentSize": str(self.size),
            "sha256": self.sha256,
        }
        if self.id is not None:
            media["identifier"] = self.id
        return media


@dataclass(frozen=True)
class ImageDescription:
    """A Wagtail image (a resource's thumbnail, a collection's cover) as signed rendition URLs, absolute."""

    id: int
    url: str
    thumbnail_url: str
    width: int
    height: int


def resolve_uploads(
    organization: Organization, upload_ids: Sequence[object], *, uses: Collection[FileUse]
) -> UploadResolution:
    """The stored files behind the upload ids ``organization`` sent, for a slot accepting ``uses``.

    An id is usable when it is a UUID of a completed upload that the organisation may use
    (``uploads_usable_by``: its own, or an editor's upload of a file attached to its resources) and was made
    for one of ``uses`` (``FILE_USES`` for ``files``, ``THUMBNAIL_USES`` for ``thumbnail``). Another
    organisation's id is "not found", like an unknown one. One query for all ids.
    """
    parsed = {str(raw): _parse_id(raw) for raw in upload_ids}
    wanted = {value for value in parsed.values() if value is not None}
    rows = {row.pk: row for row in uploads_usable_by(organization).filter(pk__in=wanted).select_related("stored_file")}
    resolved: list[ResolvedUpload] = []
    problems: list[UploadProblem] = []
    for raw in upload_ids:
        sent = str(raw)
        outcome = _judge(sent, parsed[sent], rows, uses)
        if isinstance(outcome, UploadProblem):
            problems.append(outcome)
        else:
            resolved.append(outcome)
    return UploadResolution(resolved, problems)


def resolve_upload(organization: Organization, upload_id: object, *, uses: Collection[FileUse]) -> ResolvedUpload:
    """One id (a ``thumbnail``): the resolved upload, or ``UploadNotUsable`` with the reason."""
    resolution = resolve_uploads(organization, [upload_id], uses=uses)
    if resolution.problems:
        raise UploadNotUsable(resolution.problems[0])
    return resolution.resolved[0]


def _parse_id(raw: object) -> uuid.UUID | None:
    if isinstance(raw, uuid.UUID):
        return raw
    if not isinstance(raw, str):
        return None
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        return None


def _judge(
    sent: str, value: uuid.UUID | None, rows: dict[uuid.UUID, Upload], uses: Collection[FileUse]
) -> ResolvedUpload | UploadProblem:
    if value is None:
        return UploadProblem(
            sent,
            UploadProblemCode.INVALID,
            f"«{sent[:80]}» — не идентификатор загрузки: нужен id из ответа POST /api/v1/uploads/.",
        )
    upload = rows.get(value)
    if upload is None:
        return UploadProblem(
            sent, UploadProblemCode.NOT_FOUND, f"Загрузка {value} не найдена среди загрузок вашей организации."
        )
    if upload.status == Upload.Status.REJECTED:
        return UploadProblem(
            sent,
            UploadProblemCode.REJECTED,
            f"Загрузка {value} отклонена (правило {upload.rejection_code}); загрузите исправленный файл.",
        )
    if upload.status != Upload.Status.COMPLETED or upload.stored_file is None:
        return UploadProblem(
            sent,
            UploadProblemCode.NOT_COMPLETED,
            f"Загрузка {value} не завершена: сначала вызовите её complete_url.",
        )
    if upload.file_use not in uses:
        expected = " или ".join(USE_LABELS[use] for use in sorted(uses, key=lambda use: use.value))
        return UploadProblem(
            sent,
            UploadProblemCode.WRONG_USE,
            f"Загрузка {value} сделана с назначением {USE_LABELS[upload.file_use]}, а здесь нужно {expected}.",
        )
    return ResolvedUpload(str(value), upload, upload.stored_file)


def describe_upload(upload: Upload) -> FileDescription:
    """A completed upload as its organisation sees it (the answer of the upload endpoints)."""
    assert upload.stored_file is not None, "only a completed upload has a file"
    return _describe(upload.stored_file, upload)


def describe_stored_file(stored: StoredFile, *, organization: Organization | None = None) -> FileDescription:
    """A stored file as shown in output about ``organization`` (a resource's provider; None: no provider)."""
    return describe_stored_files([stored], organization=organization)[0]


def describe_stored_files(
    files: Iterable[StoredFile], *, organization: Organization | None = None
) -> list[FileDescription]:
    """``describe_stored_file`` for many files with one query for the uploads shown.

    The upload shown is the earliest one ``organization`` may use (its own; else an editor's); without one the
    id is ``None`` and the URL is the row-id address (``/files/<id>/…``), public once the resource is published.
    """
    stored_files = list(files)
    chosen = _uploads_shown({stored.pk for stored in stored_files}, organization)
    return [_describe(stored, chosen.get(stored.pk)) for stored in stored_files]


def _uploads_shown(file_ids: set[int], organization: Organization | None) -> dict[int, Upload]:
    completed = Upload.objects.filter(stored_file_id__in=file_ids, status=Upload.Status.COMPLETED)
    if organization is not None:
        completed = completed.filter(pk__in=uploads_usable_by(organization).values("pk"))
    else:
        completed = completed.filter(Q(organization__isnull=True))
    chosen: dict[int, Upload] = {}
    # Own uploads first (an editor's only when the organisation has none), the earliest of each kind.
    for upload in completed.order_by("created_at", "pk"):
        assert upload.stored_file_id is not None
        current = chosen.get(upload.stored_file_id)
        if current is None or (current.organization_id is None and upload.organization_id is not None):
            chosen[upload.stored_file_id] = upload
    return chosen


def _describe(stored: StoredFile, upload: Upload | None) -> FileDescription:
    if upload is not None:
        upload.stored_file = stored
        path = upload_download_url(upload)
    else:
        path = download_url(stored)
    return FileDescription(
        id=str(upload.pk) if upload is not None else None,
        mime_type=stored.mime_type,
        size=stored.size,
        sha256=stored.sha256,
        download_url=absolute_url(path),
        width=stored.width,
        height=stored.height,
    )


def describe_image(
    image: AbstractImage, *, thumbnail_spec: str = THUMBNAIL_SPEC, image_spec: str = IMAGE_SPEC
) -> ImageDescription:
    """Absolute, signed URLs of renditions of a Wagtail image, made on first request and served by the
    catalog (``/images/…``) from whichever storage holds them. Nothing is rendered here."""
    return ImageDescription(
        id=image.pk,
        url=rendition_url(image, image_spec),
        thumbnail_url=rendition_url(image, thumbnail_spec),
        width=image.width,
        height=image.height,
    )


def rendition_url(image: AbstractImage, filter_spec: str) -> str:
    """The absolute, signed URL of one rendition of ``image`` (Wagtail's serve view checks the signature)."""
    name = PurePosixPath(image.file.name).name or "image"
    path = reverse(
        "storage:image",
        kwargs={
            "signature": generate_signature(image.pk, filter_spec),
            "image_id": image.pk,
            "filter_spec": filter_spec,
            "filename": name,
        },
    )
    return absolute_url(path)
