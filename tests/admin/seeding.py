"""The admin as the browser tests see it: the portal's demo catalog (:mod:`tests.portal.seeding`), the users
of every role (:func:`tests.factories.make_users`, password ``pass-<name>``) and a vendor's three drafts, two of
them sent to review, so that the methodist has something to approve and to reject."""

from __future__ import annotations

VENDOR_TITLES = ("Дроби на координатном луче", "Сравнение дробей: тренажёр", "Смешанные числа: видеоурок")


def seed() -> None:
    from content_repo.resources.services import submit_for_review
    from tests.factories import make_resource, make_users
    from tests.portal.seeding import seed as seed_demo

    seed_demo()
    users = make_users()
    for number, title in enumerate(VENDOR_TITLES):
        url = f"https://vendor-a.example/{number}"
        resource = make_resource(title=title, provider=users.org_a, url=url, subjects=["math"], grades=[5])
        if number < 2:
            submit_for_review(resource, users.vendor_a)
