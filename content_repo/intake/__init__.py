"""The one path into the catalog: values from outside → resources.

- :mod:`.records` — the normalised record every source's transform returns (:class:`HarvestedRecord`);
- :mod:`.jsonld` — the reader of schema.org ``LearningResource`` documents (feeds, vendors);
- :mod:`.documents` — a vendor's document in either format (JSON-LD or the catalog's field names);
- :mod:`.subjects` — one subject mapping for every door;
- :mod:`.mapping`, :mod:`.validation` — field values, checked against vocabularies, curriculum and limits;
- :mod:`.loading` — the batched load with the source layer, editorial overlay and publish-or-review policy;
- :mod:`.services` — :class:`~.services.Intake`, what harvest, dry run, vendor API and spreadsheet call.

Nothing here knows about remote sites (that is ``importers/``); nothing here imports from above the ground floor.
"""
