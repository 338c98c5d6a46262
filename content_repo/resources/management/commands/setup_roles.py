from django.core.management.base import BaseCommand

from content_repo.resources.roles import ensure_roles


class Command(BaseCommand):
    help = "Создать группы (Администраторы, Методисты, Поставщики, Только чтение) и процесс проверки ресурсов."

    def handle(self, *args, **options):
        groups = ensure_roles()
        self.stdout.write(self.style.SUCCESS("Группы и процесс проверки готовы: " + ", ".join(groups)))
