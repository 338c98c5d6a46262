"""Open exchange: the catalog over published protocols.

- :mod:`.oai` — the OAI-PMH 2.0 provider at ``/oai/`` (``oai_dc`` and IEEE LOM), fed by the change feed;
- :mod:`.case` — the curriculum as an IMS CASE 1.1 package, and the import of a CFPackage;
- :mod:`.dumps` — bulk dumps of the published catalog (JSON Lines and JSON-LD) with a manifest.

The harvester that reads other OAI-PMH providers is a harvest source: ``importers/sources/oai.py``.
"""
