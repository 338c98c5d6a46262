"""Organisations that provide resources (platforms, vendors, operators) and the users who act for them."""

from django.conf import settings
from django.db import models


class Organization(models.Model):
    """A provider or rights holder: РЭШ, ЯКласс, Учи.ру, МЭШ, a vendor, or a regional operator."""

    class Kind(models.TextChoices):
        PLATFORM = "platform", "государственная платформа"
        VENDOR = "vendor", "поставщик контента"
        OPERATOR = "operator", "оператор (регион, школа)"

    code = models.SlugField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=300)
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.VENDOR)
    site = models.URLField("сайт", blank=True)
    contact_name = models.CharField("контактное лицо", max_length=200, blank=True)
    contact_email = models.EmailField("эл. почта для связи", blank=True)
    description = models.TextField("описание", blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="organizations",
        verbose_name="сотрудники",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    class Meta:
        verbose_name = "организация"
        verbose_name_plural = "организации"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user who publishes or manages resources for an organisation."""

    class Role(models.TextChoices):
        EDITOR = "editor", "редактор"
        MANAGER = "manager", "руководитель"

    organization = models.ForeignKey(Organization, models.CASCADE, verbose_name="организация")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, verbose_name="пользователь")
    role = models.CharField("роль", max_length=16, choices=Role.choices, default=Role.EDITOR)

    class Meta:
        verbose_name = "сотрудник организации"
        verbose_name_plural = "сотрудники организаций"
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} — {self.organization}"


def organizations_of(user) -> models.QuerySet[Organization]:
    """The organisations a user acts for."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(membership__user=user)
