"""A throwaway local PostgreSQL + PostGIS server in a folder: for tests, the benchmark and trying team mode.

`python -m geodata.db.local start FOLDER` initialises a cluster in FOLDER (once),
starts it on a free port on 127.0.0.1 and prints the GEODATA_DATABASE_URL to set;
`stop FOLDER` stops it. PostgreSQL refuses to run as root, so as root the server
runs as the `postgres` system user (or `nobody`) and FOLDER is handed to it.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN_DIRS = [Path(p) for p in ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")]
DB_NAME = "geodata"
USER = "geodata"


def pg_bin() -> Path | None:
    """The folder with initdb/pg_ctl, or None when PostgreSQL (with PostGIS) is not installed."""
    for d in PG_BIN_DIRS:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            share = Path("/usr/share/postgresql") / d.parent.name / "extension"
            if (share / "postgis.control").exists():
                return d
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def missing_reason() -> str | None:
    """Why a local server cannot start here, or None."""
    if pg_bin() is None:
        return "PostgreSQL 15 with PostGIS 3 is not installed (Debian: apt-get install postgresql-15-postgis-3)"
    if os.geteuid() == 0 and _run_as() is None:
        return "running as root and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL"
    return None


def _run_as() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalServer:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DB_NAME}"

    @property
    def data(self) -> Path:
        return self.folder / "pgdata"


def _cmd(args: list[str]) -> list[str]:
    user = _run_as()
    return ["runuser", "-u", user.pw_name, "--", *args] if user else args


def _chown(path: Path) -> None:
    user = _run_as()
    if user:
        for p in [path, *path.rglob("*")]:
            os.chown(p, user.pw_uid, user.pw_gid)


def start(folder: str | Path, port: int | None = None) -> LocalServer:
    """Initialise (once) and start a server in `folder`; returns where it listens."""
    reason = missing_reason()
    if reason:
        raise RuntimeError(reason)
    bindir = pg_bin()
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    _chown(folder)
    user = _run_as()
    if user and subprocess.run(["runuser", "-u", user.pw_name, "--", "test", "-w", str(folder)]).returncode:
        raise RuntimeError(
            f"PostgreSQL refuses to run as root, so it runs as {user.pw_name!r}, which cannot reach {folder} "
            "(a parent folder is private); choose a folder under /tmp or /srv"
        )
    running = _running(folder)
    if running:
        return running
    server = LocalServer(folder, port or _free_port())
    fresh = not (server.data / "PG_VERSION").exists()
    if fresh:
        subprocess.run(
            _cmd(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(server.data),
                    "-U",
                    USER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            ),
            check=True,
            capture_output=True,
        )
    opts = f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _cmd(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(server.data),
                "-l",
                str(folder / "server.log"),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    (folder / "port").write_text(str(server.port))
    if fresh:
        _psql(server, "postgres", f"CREATE DATABASE {DB_NAME}")
        _psql(server, DB_NAME, "CREATE EXTENSION IF NOT EXISTS postgis")
    return server


def _running(folder: Path) -> LocalServer | None:
    """The server already running in `folder`, if any."""
    bindir = pg_bin()
    port_file = folder / "port"
    if bindir is None or not port_file.exists() or not (folder / "pgdata" / "postmaster.pid").exists():
        return None
    status = subprocess.run(_cmd([str(bindir / "pg_ctl"), "-D", str(folder / "pgdata"), "status"]), capture_output=True)
    return LocalServer(folder, int(port_file.read_text())) if status.returncode == 0 else None


def _psql(server: LocalServer, db: str, sql: str) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(host="127.0.0.1", port=server.port, user=USER, dbname=db, autocommit=True) as con:
                con.execute(sql)
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop(folder: str | Path) -> None:
    folder = Path(folder).resolve()
    bindir = pg_bin()
    if bindir and (folder / "pgdata" / "postmaster.pid").exists():
        subprocess.run(
            _cmd([str(bindir / "pg_ctl"), "-D", str(folder / "pgdata"), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata.db.local", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "url"], help="url: print the running server's URL")
    parser.add_argument("folder", help="folder holding the server's files (created if missing)")
    args = parser.parse_args(argv)
    if args.action == "url":
        server = _running(Path(args.folder).resolve())
        if server is None:
            print(f"error: no server is running in {args.folder}; start it first", file=sys.stderr)
            return 1
        print(server.url)
        return 0
    if args.action == "stop":
        stop(args.folder)
        print(f"stopped the server in {args.folder}")
        return 0
    try:
        server = start(args.folder)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        detail = exc.stderr.decode(errors="replace").strip() if isinstance(exc, subprocess.CalledProcessError) else exc
        print(f"error: cannot start PostgreSQL in {args.folder}: {detail}", file=sys.stderr)
        return 1
    from geodata.db import schema
    from geodata.problems import UserError

    try:
        applied = schema.init(server.url)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"PostgreSQL with PostGIS is running in {server.folder}, atlas schema version {schema.VERSION}"
        f"{' (just created)' if applied else ''}; stop it with: python -m geodata.db.local stop {args.folder}"
    )
    print(f"export GEODATA_DATABASE_URL={server.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
