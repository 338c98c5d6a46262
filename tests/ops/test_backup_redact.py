"""What config.env of a backup shows without --with-secrets (ops.backup.redact)."""

from __future__ import annotations

import pytest

from ops.backup import redact


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("SEARCH_URL", "https://admin:s3cr%40t@os.example.ru:9200", "https://<скрыто>@os.example.ru:9200"),
        ("CACHE_LOCATION", "redis://:pa55@10.0.0.5:6379/0", "redis://<скрыто>@10.0.0.5:6379/0"),
        (
            "DATABASE_URL",
            "postgres://catalog:пароль@127.0.0.1:5432/catalog",
            "postgres://<скрыто>@127.0.0.1:5432/catalog",
        ),
        (
            "SEARCH_URL",
            "https://u:p@node1:9200,https://u:p@node2:9200",
            "https://<скрыто>@node1:9200,https://<скрыто>@node2:9200",
        ),
        ("SEARCH_URL", "http://127.0.0.1:9200", "http://127.0.0.1:9200"),
        ("DATABASE_URL", "sqlite:////var/lib/catalog/db.sqlite3", "sqlite:////var/lib/catalog/db.sqlite3"),
        ("SECRET_KEY", "abc", "<скрыто>"),
        ("METRICS_TOKEN", "t", "<скрыто>"),
        ("METRICS_TOKEN", "", ""),
        ("S3_SECRET_ACCESS_KEY", "x", "<скрыто>"),
        ("WEBHOOKS_SIGNING_SECRET", "x", "<скрыто>"),
        ("DATABASE_PASSWORD", "x", "<скрыто>"),
        ("SEARCH_API_KEY", "x", "<скрыто>"),
        ("API_KEY_DEFAULT_QUOTA", "1000", "1000"),
        ("OAI_TOKEN_TTL", "3600", "3600"),
        ("ALLOWED_HOSTS", "catalog.example.ru", "catalog.example.ru"),
    ],
)
def test_redact_hides_credentials_and_keeps_the_rest(name, value, shown):
    assert redact(name, value) == shown
