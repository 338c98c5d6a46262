"""Files and covers of resources, through a port the storage app plugs into.

The ground floor keeps which stored files a resource has (``ResourceFile``) and which Wagtail image is its cover
(``Resource.thumbnail``). Turning a vendor's upload ids into those rows — checking that the uploads are the
organisation's own, completed and of the right use — and describing a stored file with its download URL is
file policy, which lives one floor up in ``storage/``. The storage app registers its implementation of
:class:`AttachmentStore` when it starts (``register``); the intake and the API reach it with ``attachment_store()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

__all__ = ["AttachmentProblem", "AttachmentStore", "attachment_store", "register"]


@dataclass(frozen=True)
class AttachmentProblem:
    """An upload id that cannot be used: the id as sent, a stable code and a Russian sentence saying why."""

    upload_id: str
    code: str
    message: str


class AttachmentStore(Protocol):
    """What the catalog asks of the file policy."""

    def resolve_files(
        self, organization: Any, upload_ids: Sequence[object]
    ) -> tuple[dict[str, int], list[AttachmentProblem]]:
        """Upload ids of attachments → stored file ids, and a problem for every id that cannot be used."""
        ...

    def resolve_thumbnail(
        self, organization: Any, upload_id: object, title: str
    ) -> tuple[int | None, AttachmentProblem | None]:
        """A cover image upload → the id of its Wagtail image (made once per content), or the problem."""
        ...

    def describe_files(self, stored_file_ids: Sequence[int], organization: Any) -> dict[int, dict[str, Any]]:
        """Stored files as the API shows them to everyone (``id``, ``mime_type``, ``size``, ``sha256``,
        ``download_url``…), by stored file id; the ids shown are ``organization``'s uploads."""
        ...

    def describe_image(self, image: Any) -> dict[str, Any]:
        """A Wagtail image as absolute URLs: ``url``, ``thumbnail_url``, ``width``, ``height``."""
        ...

    def media_object(self, description: dict[str, Any]) -> dict[str, Any]:
        """A described file as a schema.org ``MediaObject``."""
        ...


_store: AttachmentStore | None = None


def register(store: AttachmentStore) -> None:
    """Install the file policy (called once, by the storage app's ``ready``)."""
    global _store
    _store = store


def attachment_store() -> AttachmentStore:
    if _store is None:
        raise ImproperlyConfigured("no attachment store: the «storage» app must be in INSTALLED_APPS")
    return _store
