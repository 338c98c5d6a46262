"""Backup and restore of one catalog: the database, the files in storage and the configuration.

A backup is a folder::

    manifest.json        what is inside: database vendor and file, migrations, counts, sizes
    database.sqlite3     SQLite: an online copy (sqlite3's backup API: consistent while the catalog writes)
    database.pgdump      PostgreSQL: pg_dump in its custom format (one snapshot, consistent while it writes)
    files/…              every object of the default storage (local folder or any S3 bucket), by its key
    files.sha256         "hash  key" per file (sha256sum's format), checked when restoring
    config.env           the catalog's environment variables; secrets masked unless --with-secrets

Restore writes the database back (into an empty database or, with ``force``, over one), applies migrations
newer than the backup, writes every file back checking its hash, and rebuilds the search indexes from the
database — the index is derived data and is never backed up. Storage is read and written through Django's
storage API only, so a backup from a local folder restores into S3 and back.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
CHUNK = 1024 * 1024
# Environment variables the settings read (docs/configuration.md), by prefix or name; and which are secret.
CONFIG_PREFIXES = (
    "DATABASE_",
    "STORAGE_",
    "S3_",
    "MEDIA_",
    "STATIC_",
    "SEARCH_",
    "API_",
    "WEBHOOKS_",
    "IMPORTERS_",
    "INTAKE_",
    "UPLOAD_",
    "DOWNLOAD_",
    "IMAGE_",
    "OAI_",
    "DUMPS_",
    "CACHE_",
    "LOG_",
    "WEB_",
    "READYZ_",
    "METRICS_",
)
CONFIG_NAMES = {
    "DEPLOYMENT",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "CATALOG_BASE_URL",
    "VAR_DIR",
    "CORS_ALLOWED_ORIGINS",
    "TRUSTED_PROXIES",
    "REQUEST_MAX_BODY_BYTES",
    "TASKS_BACKEND",
    "SECURE_COOKIES",
    "SERVE_BIND",
    "PORT",
}
# Masked whole: these names, and any name with one of SECRET_WORDS in it except NOT_SECRET.
SECRETS = {"SECRET_KEY", "S3_SECRET_ACCESS_KEY", "S3_ACCESS_KEY_ID", "METRICS_TOKEN"}
SECRET_WORDS = ("PASSWORD", "PASSWD", "TOKEN", "SECRET", "KEY", "CREDENTIAL")
NOT_SECRET = {"API_KEY_DEFAULT_QUOTA", "OAI_TOKEN_TTL"}  # numbers, not keys
MASK = "<скрыто>"
# The user:password@ part of any URL in a value (DATABASE_URL, SEARCH_URL, CACHE_LOCATION, lists of them).
URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/\s,;]*@")


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, in Russian, for the operator."""


@dataclass(frozen=True)
class Summary:
    database: str
    files: int
    bytes: int
    resources: int


# --- Backup


def backup(target: Path, with_secrets: bool = False) -> Summary:
    """Write a backup of this catalog into the new folder ``target``."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"папка {target} уже существует и не пуста")
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)  # the database holds password and key hashes, webhook secrets: the operator's eyes only
    database_file = _backup_database(target)
    files, size = _backup_files(target)
    _write_config(target / "config.env", with_secrets)
    resources = _count_resources()
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": connection.vendor, "file": database_file, "migrations": _migrations()},
        "files": {"count": files, "bytes": size},
        "resources": resources,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return Summary(connection.vendor, files, size, resources)


def _backup_database(target: Path) -> str:
    if connection.in_atomic_block:
        # Another process (pg_dump) would not see this transaction's writes, and SQLite's backup would wait on
        # its own write lock for ever: a backup is taken between transactions.
        raise BackupError("резервная копия делается вне транзакции: её записи копия не увидит")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target / "database.sqlite3") as copy:
            connection.connection.backup(copy)  # type: ignore[union-attr]
        copy.close()
        return "database.sqlite3"
    if connection.vendor == "postgresql":
        dump = target / "database.pgdump"
        _run_postgres("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(dump)])
        return "database.pgdump"
    raise BackupError(f"резервное копирование базы {connection.vendor} не поддерживается")


def _backup_files(target: Path) -> tuple[int, int]:
    count = size = 0
    with (target / "files.sha256").open("w", encoding="utf-8") as sums:
        for name in stored_names():
            destination = target / "files" / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with default_storage.open(name, "rb") as source, destination.open("wb") as copy:
                size += _copy(source, copy, digest)
            sums.write(f"{digest.hexdigest()}  {name}\n")
            count += 1
    return count, size


def stored_names(directory: str = "") -> Iterator[str]:
    """Every file in the default storage, by key, in a stable order (local folder or S3 alike)."""
    try:
        folders, files = default_storage.listdir(directory)
    except FileNotFoundError:  # a local storage nothing was ever written to has no folder yet
        if directory:
            raise
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for folder in sorted(folders):
        yield from stored_names(f"{directory}/{folder}" if directory else folder)


def _write_config(path: Path, with_secrets: bool) -> None:
    lines = ["# Переменные окружения каталога на момент копии (docs/configuration.md)."]
    if not with_secrets:
        lines.append("# Секреты скрыты; копия с ними: manage.py backup --with-secrets (храните её зашифрованной).")
    for name in sorted(os.environ):
        if name in CONFIG_NAMES or name.startswith(CONFIG_PREFIXES):
            value = os.environ[name] if with_secrets else redact(name, os.environ[name])
            lines.append(f"{name}={json.dumps(value, ensure_ascii=False)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)


def redact(name: str, value: str) -> str:
    """``value`` as config.env shows it without secrets: masked whole when ``name`` is a secret's, otherwise with
    the credentials of every URL in it replaced (``redis://:pass@host`` → ``redis://<скрыто>@host``)."""
    if name in SECRETS or (name not in NOT_SECRET and any(word in name for word in SECRET_WORDS)):
        return MASK if value else ""
    return URL_USERINFO.sub(lambda match: f"{match['scheme']}{MASK}@", value)


# --- Restore


def restore(source: Path, force: bool = False) -> Summary:
    """Put the backup in ``source`` back into this catalog's database and storage (the index is rebuilt after)."""
    manifest = read_manifest(source)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"копия сделана с базы {vendor}, а эта база — {connection.vendor}; восстановите в базу того же вида"
        )
    if not force and _count_resources() > 0:
        raise BackupError("в этой базе уже есть ресурсы: восстановление заменит их; если так и нужно — с --force")
    _check_files(source, manifest)
    _restore_database(source / manifest["database"]["file"])
    files, size = _restore_files(source)
    return Summary(vendor, files, size, _count_resources())


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise BackupError(f"в {source} нет manifest.json: это не копия каталога") from e
    except ValueError as e:
        raise BackupError(f"manifest.json в {source} повреждён: {e}") from e
    if manifest.get("format") != FORMAT:
        raise BackupError(f"формат копии {manifest.get('format')!r} не поддерживается (нужен {FORMAT})")
    return manifest


def _check_files(source: Path, manifest: dict[str, Any]) -> None:
    """The database dump and every file the backup lists are there, whole, before anything is overwritten."""
    dump = source / manifest["database"]["file"]
    if not dump.is_file():
        raise BackupError(f"в копии нет файла базы {dump.name}: восстановление не начато, каталог не изменён")
    if not (source / "files.sha256").is_file():
        raise BackupError("в копии нет files.sha256: восстановление не начато, каталог не изменён")
    listed = 0
    for expected, name in _sums(source):
        path = source / "files" / name
        if not path.is_file():
            raise BackupError(f"в копии нет файла {name}, указанного в files.sha256")
        digest = hashlib.sha256()
        with path.open("rb") as data:
            _copy(data, None, digest)
        if digest.hexdigest() != expected:
            raise BackupError(
                f"файл копии {name} повреждён: его sha256 не совпадает с files.sha256; "
                "восстановление не начато, каталог не изменён"
            )
        listed += 1
    if listed != manifest["files"]["count"]:
        raise BackupError(
            f"в files.sha256 файлов {listed}, а в manifest.json — {manifest['files']['count']}: копия неполная; "
            "восстановление не начато, каталог не изменён"
        )


def _restore_database(dump: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(dump) as copy:
            copy.backup(connection.connection)  # type: ignore[arg-type]
        copy.close()
    else:
        _replace_postgres_schema(dump)
    connections.close_all()


def _replace_postgres_schema(dump: Path) -> None:
    """The schema ``public`` replaced by the dump's, in one transaction.

    ``pg_restore --clean`` drops only what the dump has: tables that newer migrations added to this database
    would stay and block the restore. So psql drops the schema, creates it anew and loads the dump (as SQL from
    pg_restore) in one transaction; psql sees the end of its input only once pg_restore has finished well, and is
    killed otherwise, so a dump that fails to load leaves the catalog as it was.
    """
    connections.close_all()
    restore_sql = [_postgres_program("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", str(dump)]
    load = _postgres_command(
        "psql",
        ["--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1"]
        + ["--command", "DROP SCHEMA public CASCADE; CREATE SCHEMA public", "--file", "-"],
    )
    environment = _postgres_environment() | {"PGOPTIONS": "-c client_min_messages=warning"}
    with tempfile.TemporaryFile() as read_errors, tempfile.TemporaryFile() as load_errors:
        psql = subprocess.Popen(
            load, env=environment, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=load_errors
        )
        assert psql.stdin is not None  # stdin=PIPE
        read = subprocess.run(restore_sql, env=environment, stdout=psql.stdin, stderr=read_errors)
        if read.returncode != 0 and psql.poll():  # psql stopped on an error first; pg_restore lost its reader
            raise BackupError(f"psql завершился с кодом {psql.returncode}, база осталась прежней: {_tail(load_errors)}")
        if read.returncode != 0:
            psql.kill()  # before its input ends: the server rolls the transaction back
            psql.wait()
            raise BackupError(
                f"pg_restore завершился с кодом {read.returncode}, база осталась прежней: {_tail(read_errors)}"
            )
        psql.stdin.close()
        if psql.wait() != 0:
            raise BackupError(f"psql завершился с кодом {psql.returncode}, база осталась прежней: {_tail(load_errors)}")


def _tail(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode(errors="replace").strip()[-2000:]


def _restore_files(source: Path) -> tuple[int, int]:
    count = size = 0
    for expected, name in _sums(source):
        path = source / "files" / name
        if default_storage.exists(name):
            default_storage.delete(name)
        with path.open("rb") as data:
            saved = default_storage.save(name, File(data, name=name))
        if saved != name:
            raise BackupError(f"хранилище сохранило {name} под другим именем ({saved})")
        with default_storage.open(name, "rb") as written:
            digest = hashlib.sha256()
            size += _copy(written, None, digest)
        if digest.hexdigest() != expected:
            raise BackupError(f"файл {name} записан с другим содержимым (хеш не совпал с копией)")
        count += 1
    return count, size


def _sums(source: Path) -> Iterator[tuple[str, str]]:
    for line in (source / "files.sha256").read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split("  ", 1)
            yield digest, name


# --- Helpers


def _copy(source: IO[bytes], target: IO[bytes] | None, digest: Any) -> int:
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        if target is not None:
            target.write(chunk)
        size += len(chunk)
    return size


def _count_resources() -> int:
    from content_repo.resources.models import Resource

    try:
        return Resource.objects.count()
    except DatabaseError:
        connections.close_all()  # an empty database: no tables yet
        return 0


def _migrations() -> dict[str, str]:
    applied: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied[app] = max(applied.get(app, ""), name)
    return dict(sorted(applied.items()))


def _run_postgres(program: str, arguments: list[str]) -> None:
    command = _postgres_command(program, arguments)
    result = subprocess.run(command, env=_postgres_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{program} завершился с кодом {result.returncode}: {result.stderr.strip()[-2000:]}")


def _postgres_command(program: str, arguments: list[str]) -> list[str]:
    """``program`` with ``arguments`` and the connection to this catalog's database."""
    database: dict[str, Any] = dict(settings.DATABASES["default"])
    command = [_postgres_program(program), *arguments, "--dbname", str(database["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            command += [option, str(database[key])]
    return command


def _postgres_environment() -> dict[str, str]:
    password = str(settings.DATABASES["default"].get("PASSWORD") or "")
    return {**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"}


def _postgres_program(program: str) -> str:
    """``pg_dump``/``pg_restore``/``psql``: ``PG_BIN_DIR``, then PATH, then the newest Debian server's bin folder."""
    if os.environ.get("PG_BIN_DIR"):
        return str(Path(os.environ["PG_BIN_DIR"]) / program)
    found = shutil.which(program)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), key=lambda p: int(p.split("/")[-3]))
    if not candidates:
        raise BackupError(f"{program} не найден: установите postgresql-client или задайте PG_BIN_DIR")
    return candidates[-1]
