"""Operations: what a deployment needs around the catalog itself.

- ``context`` and ``logs``: the request id of the work in hand, JSON log lines in production and Russian ones
  in development;
- ``middleware``: one log line and the metrics of every request, and the probes ``/healthz``, ``/readyz`` and
  ``/metrics`` (``health``, ``metrics``);
- ``tasks``: one log line per background task, carrying the request id of the request that enqueued it;
- ``backup``: backup and restore of the database, the files in storage and the configuration;
- ``supervisor`` and ``manage.py serve``: the production stack on one machine (``make serve``).

docs/operations.md is the operator's guide to all of it.
"""
