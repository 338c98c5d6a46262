"""The demo catalog as the portal tests see it: the real importers over the bundled snapshots (as `make run`
loads it), two collections (one published) and three curriculum alignments, then the search index rebuilt.
The engine's suggestions on intake are off here: the page tests count exactly the alignments they make (the
suggestions themselves are tested in tests/alignment).
Used inside the page tests' module transaction and, for the browser tests, in the live server's database."""

from __future__ import annotations

from dataclasses import dataclass

# Demo resources (by title, provider) the tests point at, and the topics methodists aligned them to.
FRACTIONS = ("Обыкновенные дроби", "resh")
DECIMALS = ("Десятичные дроби", "resh")
VIETA = ("Теорема Виета", "yaklass")
PYTHAGORAS = ("Теорема Пифагора", "yaklass")
MULTIPLICATION = ("Умножение и деление", "uchi")
ALIGNED = {FRACTIONS: "math.5.3", DECIMALS: "math.5.5", VIETA: "algebra.8.5"}


@dataclass
class Demo:
    """What the tests need to know about the loaded demo catalog."""

    ids: dict[tuple[str, str], str]
    published: int
    collection_slug: str
    hidden_collection_slug: str
    draft_id: str


def _resource(key: tuple[str, str]):
    from content_repo.resources.models import Resource

    return Resource.objects.get(title=key[0], provider__code=key[1], live=True)


def seed() -> Demo:
    """Load and arrange the demo catalog in the current database (and transaction)."""
    from django.test import override_settings

    from content_repo.collections.models import Collection, CollectionItem
    from content_repo.curriculum.models import Grade, Subject, Topic
    from content_repo.resources.models import Alignment, Resource
    from importers.demo import load_demo_catalog
    from search.backends.database import DatabaseSearchBackend
    from search.indexing import published_documents
    from tests.factories import make_resource

    with override_settings(ALIGNMENT_SUGGEST_ON_INTAKE=False):
        load_demo_catalog()
    for key, code in ALIGNED.items():
        Alignment.objects.create(
            resource=_resource(key), topic=Topic.objects.get(code=code), status=Alignment.Status.CONFIRMED
        )
    draft = make_resource(title="Черновик урока о квазарах", publish=False)
    collection = Collection.objects.create(
        title="Дроби, 5 класс",
        slug="drobi-5",
        description="Уроки РЭШ по обыкновенным и десятичным дробям для 5 класса.",
        subject=Subject.objects.get(code="math"),
        live=True,
    )
    collection.grades.set([Grade.objects.get(number=5)])
    for order, (key, note) in enumerate([(FRACTIONS, "Начать с этого урока"), (DECIMALS, "")]):
        CollectionItem.objects.create(collection=collection, resource=_resource(key), note=note, sort_order=order)
    CollectionItem.objects.create(collection=collection, resource=draft, sort_order=5)
    hidden = Collection.objects.create(title="Черновик подборки", slug="chernovik", live=False)
    CollectionItem.objects.create(collection=hidden, resource=_resource(VIETA), sort_order=0)
    DatabaseSearchBackend({}).rebuild(published_documents(read_ahead=0))
    return Demo(
        ids={key: str(_resource(key).pk) for key in (FRACTIONS, DECIMALS, VIETA, PYTHAGORAS, MULTIPLICATION)},
        published=Resource.objects.filter(live=True).count(),
        collection_slug=collection.slug,
        hidden_collection_slug=hidden.slug,
        draft_id=str(draft.pk),
    )
