"""Organisations: the built-in platforms and vendors created by operators."""

from __future__ import annotations

import json
from pathlib import Path

from .models import Organization

BUILTIN_ORGANIZATIONS = Path(__file__).resolve().parent / "data" / "organizations.json"


def ensure_builtin_organizations() -> list[Organization]:
    """The platforms the built-in importers harvest (РЭШ, ЯКласс, Учи.ру, МЭШ); idempotent."""
    organizations = []
    for entry in json.loads(BUILTIN_ORGANIZATIONS.read_text(encoding="utf-8")):
        code = entry.pop("code")
        organization, _ = Organization.objects.update_or_create(code=code, defaults=entry)
        organizations.append(organization)
    return organizations


def create_organization(code: str, name: str, kind: str = Organization.Kind.VENDOR) -> Organization:
    if kind not in Organization.Kind.values:
        raise ValueError(f"вид организации должен быть одним из: {', '.join(Organization.Kind.values)}")
    organization, _ = Organization.objects.update_or_create(code=code, defaults={"name": name, "kind": kind})
    return organization
