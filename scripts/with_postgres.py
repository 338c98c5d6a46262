#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL server started from the Debian package.

Usage: scripts/with_postgres.py COMMAND [ARGS...]

If DATABASE_URL already points at PostgreSQL, the command runs against it unchanged. Otherwise a private
cluster is created in a temporary folder (as the `postgres` system user when running as root, since the server
refuses to run as root), started on a free loopback port, and stopped and removed afterwards. With CI=true a
server that cannot start fails the run; elsewhere the command is skipped with a clear message.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def find_bindir() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for candidate in reversed(candidates):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    return shutil.which("initdb") and os.path.dirname(shutil.which("initdb") or "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_user(cmd: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


def fail_or_skip(message: str) -> int:
    if os.environ.get("CI", "").lower() == "true":
        print(f"with_postgres: {message} (CI=true: this is a failure)", file=sys.stderr)
        return 1
    print(f"with_postgres: SKIPPED the PostgreSQL run: {message}", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return subprocess.call(argv)
    bindir = find_bindir()
    if not bindir:
        return fail_or_skip("PostgreSQL is not installed (apt-get install postgresql)")
    user = None
    if os.geteuid() == 0:
        user = "postgres"
        try:
            pwd.getpwnam(user)
        except KeyError:
            return fail_or_skip("running as root and there is no 'postgres' system user")
    workdir = tempfile.mkdtemp(prefix="catalog-pg-")
    datadir = os.path.join(workdir, "data")
    if user:
        shutil.chown(workdir, user=user)
    port = free_port()
    log = os.path.join(workdir, "server.log")
    try:
        subprocess.run(
            as_user(
                [
                    f"{bindir}/initdb",
                    "-D",
                    datadir,
                    "-U",
                    "catalog",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                user,
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # A throwaway test cluster: durability settings off for speed.
        options = f"-k {workdir} -h 127.0.0.1 -p {port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            as_user([f"{bindir}/pg_ctl", "-D", datadir, "-l", log, "-o", options, "-w", "-t", "60", "start"], user),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    except (subprocess.CalledProcessError, OSError) as e:
        tail = open(log, encoding="utf-8", errors="replace").read()[-2000:] if os.path.exists(log) else ""
        shutil.rmtree(workdir, ignore_errors=True)
        return fail_or_skip(f"PostgreSQL did not start: {e}\n{tail}")
    try:
        for _ in range(50):
            if (
                subprocess.call([f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL)
                == 0
            ):
                break
            time.sleep(0.2)
        subprocess.run(
            [f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "catalog", "catalog"], check=True
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://catalog@127.0.0.1:{port}/catalog")
        print(f"with_postgres: PostgreSQL ({bindir}) on 127.0.0.1:{port}", file=sys.stderr)
        return subprocess.call(argv, env=env)
    finally:
        subprocess.call(
            as_user([f"{bindir}/pg_ctl", "-D", datadir, "-m", "fast", "-w", "stop"], user),
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
