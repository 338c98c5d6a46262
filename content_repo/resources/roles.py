"""Groups, their permissions and the moderation workflow (idempotent; run by `manage.py setup_roles`)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, Workflow, WorkflowContentType, WorkflowTask

from .models import MethodistApprovalTask, Resource

ADMINS = "Администраторы"
METHODISTS = "Методисты"
VENDORS = "Поставщики"
READERS = "Только чтение"
WORKFLOW_NAME = "Проверка методистом"
WAGTAIL_DEFAULT_GROUPS = ("Moderators", "Editors")

_VIEW_ALL = [
    "resources.view_resource",
    "collections.view_collection",
    "publishers.view_organization",
    "curriculum.view_topic",
    "curriculum.view_subject",
    "curriculum.view_codifierelement",
    "vocabularies.view_term",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    METHODISTS: [
        "wagtailadmin.access_admin",
        *_VIEW_ALL,
        "resources.add_resource",
        "resources.change_resource",
        "resources.delete_resource",
        "resources.publish_resource",
        "resources.lock_resource",
        "resources.unlock_resource",
        "resources.review_resource",
        "collections.add_collection",
        "collections.change_collection",
        "collections.delete_collection",
        "collections.publish_collection",
        "publishers.change_organization",
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "wagtailimages.change_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
    ],
    # Vendors edit their organisation's resources and submit them; they never publish (no publish_resource).
    VENDORS: [
        "wagtailadmin.access_admin",
        "resources.view_resource",
        "resources.add_resource",
        "resources.change_resource",
        "curriculum.view_topic",
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
    ],
    READERS: ["wagtailadmin.access_admin", *_VIEW_ALL],
}


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".", 1)
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


@transaction.atomic
def ensure_roles() -> dict[str, Group]:
    """Create or refresh the groups and the methodists' workflow; safe to run at any time."""
    groups = {}
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(perms))
        groups[name] = group
    admins, _ = Group.objects.get_or_create(name=ADMINS)
    admins.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=[
                "resources",
                "api",
                "collections",
                "publishers",
                "curriculum",
                "vocabularies",
                "importers",
                "storage",
                "wagtailimages",
                "wagtaildocs",
                "wagtailcore",
                "wagtailadmin",
                "wagtailusers",
                "auth",
            ]
        )
    )
    groups[ADMINS] = admins
    # Wagtail's migrations create «Moderators» and «Editors» for a page site; the roles above replace them, and
    # English group names in the users' forms only confuse (one with members is left alone).
    Group.objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS, user__isnull=True).delete()
    _ensure_image_permissions(groups)
    _ensure_workflow(groups[METHODISTS])
    return groups


# Wagtail checks image and document rights per collection, not only per model: grant them on the root.
_COLLECTION_PERMISSIONS = {
    METHODISTS: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
    ],
    VENDORS: ["wagtailimages.add_image", "wagtailimages.choose_image"],
}


def _ensure_image_permissions(groups: dict[str, Group]) -> None:
    root = Collection.get_first_root_node()
    if root is None:
        return
    for name, perms in _COLLECTION_PERMISSIONS.items():
        for permission in _permissions(perms):
            GroupCollectionPermission.objects.get_or_create(group=groups[name], collection=root, permission=permission)


def _ensure_workflow(methodists: Group) -> Workflow:
    task = MethodistApprovalTask.objects.filter(name=WORKFLOW_NAME).first()
    if task is None:
        task = MethodistApprovalTask.objects.create(name=WORKFLOW_NAME)
    task.groups.set([methodists])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    content_type = ContentType.objects.get_for_model(Resource)
    WorkflowContentType.objects.update_or_create(content_type=content_type, defaults={"workflow": workflow})
    return workflow
