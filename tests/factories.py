"""Small factories for tests: users in each role, organisations, resources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, User

from content_repo.intake.items import IntakeItem, Outcome, Policy
from content_repo.intake.loading import load_items
from content_repo.publishers.models import Membership, Organization
from content_repo.resources.codes import CatalogCodes
from content_repo.resources.models import Resource
from content_repo.resources.overlay import OVERLAY_FIELDS
from content_repo.resources.roles import METHODISTS, READERS, VENDORS


@dataclass
class Users:
    admin: User
    methodist: User
    vendor_a: User
    vendor_b: User
    reader: User
    org_a: Organization
    org_b: Organization


def make_user(username: str, group: str | None = None, *, superuser: bool = False) -> User:
    if superuser:
        user = User.objects.create_superuser(username, f"{username}@example.org", "pass-" + username)
    else:
        user = User.objects.create_user(username, f"{username}@example.org", "pass-" + username)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_users() -> Users:
    org_a = Organization.objects.create(code="vendor-a", name="Издательство А", kind="vendor")
    org_b = Organization.objects.create(code="vendor-b", name="Издательство Б", kind="vendor")
    vendor_a = make_user("vendor_a", VENDORS)
    vendor_b = make_user("vendor_b", VENDORS)
    Membership.objects.create(organization=org_a, user=vendor_a)
    Membership.objects.create(organization=org_b, user=vendor_b)
    return Users(
        admin=make_user("admin", superuser=True),
        methodist=make_user("methodist", METHODISTS),
        vendor_a=vendor_a,
        vendor_b=vendor_b,
        reader=make_user("reader", READERS),
        org_a=org_a,
        org_b=org_b,
    )


def make_resource(*, provider: Organization | None = None, publish: bool = False, **values: Any) -> Resource:
    """A resource with overlay-field values given as plain data (codes), saved as a draft or published."""
    fields = {"title": "Сложение обыкновенных дробей"} | values
    resource = Resource(provider=provider, live=False)
    for name, value in fields.items():
        OVERLAY_FIELDS[name].set(resource, value)
    resource.save()
    revision = resource.save_revision()
    if publish:
        revision.publish()
        resource.refresh_from_db()
    return resource


def load_item(item: IntakeItem, *, publish: bool = True, user: Any = None) -> tuple[Resource, Outcome]:
    """Load one item through the intake path, as a harvest source that publishes (or reviews) would."""
    policy = Policy.PUBLISH if publish else Policy.REVIEW
    [result] = load_items([item], policy=policy, codes=CatalogCodes(), user=user)
    assert result.outcome is not Outcome.REJECTED, result.problems
    return Resource.objects.get(pk=result.resource_id), result.outcome
