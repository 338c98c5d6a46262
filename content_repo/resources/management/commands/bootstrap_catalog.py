"""Everything `make run` needs after migrations: the demo catalog and an administrator.

The reference data (curriculum, vocabularies, roles, organisations, built-in sources) is ensured by `migrate`
itself (post_migrate); it is loaded again here only so the command prints what it loaded.
"""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from content_repo.publishers.services import ensure_builtin_organizations
from content_repo.resources.roles import ADMINS, ensure_roles


class Command(BaseCommand):
    help = "Подготовить каталог: программа, словари, группы, организации, демо-данные и администратор."

    def handle(self, *args, **options):
        call_command("load_curriculum", stdout=self.stdout)
        call_command("load_vocabularies", stdout=self.stdout)
        groups = ensure_roles()
        ensure_builtin_organizations()
        # The demo catalog comes from the real importers over bundled snapshots (no internet needed).
        call_command("load_demo_catalog", stdout=self.stdout)
        # The intake suggests topics for what it loads; this catches up a catalog loaded before (idempotent).
        call_command("suggest_alignments", stdout=self.stdout)
        self._ensure_admin(groups[ADMINS])

    def _ensure_admin(self, admins_group):
        User = get_user_model()
        username = os.environ.get("ADMIN_USERNAME", "admin")
        password = os.environ.get("ADMIN_PASSWORD")
        user = User.objects.filter(username=username).first()
        password_file = settings.VAR_DIR / "admin-password.txt"
        if user is None:
            if not password:
                password = secrets.token_urlsafe(12)
                password_file.parent.mkdir(parents=True, exist_ok=True)
                password_file.write_text(password + "\n", encoding="utf-8")
            user = User.objects.create_superuser(username, os.environ.get("ADMIN_EMAIL", ""), password)
            user.groups.add(admins_group)
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
        if not password and password_file.exists():
            password = password_file.read_text(encoding="utf-8").strip()
        shown = password or "(задан ранее; ADMIN_PASSWORD меняет его)"
        self.stdout.write(
            self.style.SUCCESS(f"Администратор: {username} / {shown} — вход: {settings.CATALOG_BASE_URL}/admin/")
        )
