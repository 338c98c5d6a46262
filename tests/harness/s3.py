"""A real S3-API server on loopback for tests: s3proxy (Java, from Maven Central) or moto's standalone server.

s3proxy is preferred: it checks SigV4 signatures (a presigned PUT with another Content-Type is refused,
as on AWS), which moto's server does not. moto is the fallback when Java or the jar is missing, unless
``S3_TEST_SERVER`` names one server explicitly. ``start_s3_server()`` raises ``S3ServerUnavailable``;
fixtures turn that into a failure when ``CI=true`` and a skip elsewhere (see ``require_s3_server``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

S3PROXY_VERSION = os.environ.get("S3PROXY_VERSION", "2.6.0")
S3PROXY_ARTIFACT = f"org.gaul:s3proxy:{S3PROXY_VERSION}:jar:jar-with-dependencies"
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"  # noqa: S105 - a throwaway credential for a loopback server
REGION = "us-east-1"
START_TIMEOUT = 60.0


class S3ServerUnavailable(RuntimeError):
    """The S3-API server could not be started here."""


@dataclass
class S3Server:
    """A running server with one empty bucket."""

    kind: str
    endpoint_url: str
    bucket: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    workdir: Path | None = field(default=None, repr=False)

    def client(self) -> object:
        """A boto3 S3 client for this server (path-style, checksums only when required)."""
        return _client(self.endpoint_url)

    def storage_options(self) -> dict[str, object]:
        """``OPTIONS`` for django-storages' ``S3Storage`` pointing at this server."""
        return {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint_url,
            "region_name": self.region,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": True,
            "addressing_style": "path",
            "client_config": _config(),
        }

    def stop(self) -> None:
        """Stop the process and remove its working directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def start_s3_server(kind: str | None = None) -> S3Server:
    """Start an S3-API server on a free 127.0.0.1 port, wait until it answers, and create a bucket."""
    requested = kind or os.environ.get("S3_TEST_SERVER")
    kinds = [requested] if requested else ["s3proxy", "moto"]
    errors: list[str] = []
    for candidate in kinds:
        try:
            return _start(candidate)
        except S3ServerUnavailable as e:
            errors.append(f"{candidate}: {e}")
    raise S3ServerUnavailable("; ".join(errors))


def _start(kind: str) -> S3Server:
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix=f"s3-{kind}-"))
    log = (workdir / "server.log").open("wb")
    command = _command(kind, port, workdir)
    try:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    except OSError as e:
        shutil.rmtree(workdir, ignore_errors=True)
        raise S3ServerUnavailable(f"cannot run {command[0]}: {e}") from e
    finally:
        log.close()
    server = S3Server(kind, endpoint, f"test-{uuid.uuid4().hex[:12]}", process=process, workdir=workdir)
    try:
        _wait_and_create_bucket(server, workdir / "server.log")
    except S3ServerUnavailable:
        server.stop()
        raise
    return server


def _command(kind: str, port: int, workdir: Path) -> list[str]:
    if kind == "moto":
        moto = Path(sys.executable).with_name("moto_server")
        if not moto.exists():
            raise S3ServerUnavailable("moto_server is not installed")
        return [str(moto), "-H", "127.0.0.1", "-p", str(port)]
    if kind == "s3proxy":
        java = shutil.which("java")
        if java is None:
            raise S3ServerUnavailable("java is not installed")
        properties = workdir / "s3proxy.conf"
        properties.write_text(
            f"s3proxy.endpoint=http://127.0.0.1:{port}\n"
            "s3proxy.authorization=aws-v2-or-v4\n"
            f"s3proxy.identity={ACCESS_KEY}\ns3proxy.credential={SECRET_KEY}\n"
            "jclouds.provider=filesystem\n"
            f"jclouds.filesystem.basedir={workdir / 'data'}\n"
        )
        return [java, "-jar", str(_s3proxy_jar()), "--properties", str(properties)]
    raise S3ServerUnavailable(f"unknown S3 test server {kind!r} (s3proxy or moto)")


def _s3proxy_jar() -> Path:
    """The s3proxy jar: ``S3PROXY_JAR``, the local Maven repository, or fetched there by ``mvn``."""
    if os.environ.get("S3PROXY_JAR"):
        return Path(os.environ["S3PROXY_JAR"])
    name = f"s3proxy-{S3PROXY_VERSION}-jar-with-dependencies.jar"
    jar = Path.home() / ".m2" / "repository" / "org" / "gaul" / "s3proxy" / S3PROXY_VERSION / name
    if jar.exists():
        return jar
    mvn = shutil.which("mvn")
    if mvn is None:
        raise S3ServerUnavailable(f"{jar} is missing and mvn is not installed to fetch it")
    try:
        subprocess.run(
            [mvn, "-q", "dependency:get", f"-Dartifact={S3PROXY_ARTIFACT}", "-Dtransitive=false"],
            check=True,
            timeout=600,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        raise S3ServerUnavailable(f"cannot fetch {S3PROXY_ARTIFACT}: {e}") from e
    if not jar.exists():
        raise S3ServerUnavailable(f"mvn did not produce {jar}")
    return jar


def _wait_and_create_bucket(server: S3Server, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    client = _client(server.endpoint_url)
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise S3ServerUnavailable(f"{server.kind} exited with {server.process.returncode}: {tail}")
        try:
            client.create_bucket(Bucket=server.bucket)
            return
        except (BotoCoreError, ClientError) as e:
            last_error = e
            time.sleep(0.2)
    raise S3ServerUnavailable(f"{server.kind} did not answer within {START_TIMEOUT:.0f}s: {last_error}")


def _config() -> Config:
    # Checksum headers only when an operation requires them: s3proxy (like some S3-compatible services)
    # answers NotImplemented to the x-amz-checksum-mode header that boto3 sends by default.
    return Config(
        s3={"addressing_style": "path"},
        signature_version="s3v4",
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 1},
        connect_timeout=2,
        read_timeout=30,
    )


def _client(endpoint_url: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
        config=_config(),
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def running_in_ci() -> bool:
    """True when ``CI=true``: a service that cannot start is then an error, not a skip."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}
