"""The app under test: a throw-away instance (SQLite in a temp dir) served by gunicorn on loopback.

Nothing here touches ``./instance``: ``INSTANCE_PATH`` and ``DATABASE_URL`` point into a
temporary directory that is removed afterwards. gunicorn runs in its own session so that a
Ctrl-C in the terminal reaches only the runner, which then stops gunicorn itself (SIGTERM,
then SIGKILL to gunicorn's process group if it does not exit in time).
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CLI_TIMEOUT_S = 180
STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


class HarnessError(RuntimeError):
    """Setting up the instance or starting gunicorn failed."""


@dataclass(frozen=True)
class ServerOptions:
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1
    # gunicorn --timeout (seconds a sync worker may spend on one request); None: gunicorn's 30 s
    timeout: int | None = None


@dataclass
class Server:
    """A running gunicorn serving the app on ``HOST:port``."""

    port: int
    process: subprocess.Popen[bytes]
    instance: Path
    log_path: Path
    options: ServerOptions
    host: str = HOST

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes (Linux /proc), empty if unknown."""
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children")
        with contextlib.suppress(OSError, ValueError):
            return [int(pid) for pid in children.read_text().split()]
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == master:
                    pids.append(int(stat.parent.name))
        return pids

    def cpu_seconds(self) -> float | None:
        """User + system CPU time used so far by gunicorn's master and workers, if readable."""
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        total = 0
        try:
            for pid in [self.process.pid, *self.worker_pids()]:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            return None
        return total / ticks

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_environment(
    instance: Path, base_url: str = "", extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment for the flask CLI and gunicorn: a throw-away development instance.

    ``extra`` overrides or adds variables (e.g. ``DATABASE_URL``, ``MAX_BID_FILE_BYTES``)."""
    env = dict(os.environ)
    for name in ("SMTP_URL", "FLASK_APP", "FLASK_DEBUG"):
        env.pop(name, None)
    env.update(
        {
            "APP_ENV": "development",
            "SECRET_KEY": secrets.token_hex(32),
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'vergabe.sqlite'}",
            "MAIL_SEND_AFTER_REQUEST": "0",
            "RATELIMIT_STORAGE_URI": "memory://",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if base_url:
        env["PUBLIC_BASE_URL"] = base_url
    env.update(extra or {})
    return env


def _flask(env: dict[str, str], *args: str) -> None:
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    try:
        done = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise HarnessError(f"`flask {' '.join(args)}` did not finish in {CLI_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise HarnessError(f"`flask {' '.join(args)}` failed:\n{done.stdout}{done.stderr}")


def prepare_instance(instance: Path, extra_env: Mapping[str, str] | None = None) -> None:
    """Migrate a fresh database (SQLite in ``instance`` unless ``extra_env`` names another
    ``DATABASE_URL``) and load the demo data."""
    env = app_environment(instance, extra=extra_env)
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")


@functools.lru_cache(maxsize=8)
def _gunicorn_supports(flag: str) -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return flag in done.stdout


def wait_until_healthy(server: Server) -> None:
    """Wait (at most 30 s) until gunicorn answers /healthz; HarnessError if it exits or does not."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise HarnessError(f"gunicorn exited with code {server.process.returncode}:\n{server.log_tail()}")
        conn = http.client.HTTPConnection(server.host, server.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            body = response.read()
            if response.status == 200 and body == b"ok":
                return
            last_error = f"HTTP {response.status}"
        except OSError as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        finally:
            conn.close()
        time.sleep(0.1)
    raise HarnessError(
        f"/healthz did not answer within {STARTUP_TIMEOUT_S:.0f} s ({last_error}):\n{server.log_tail()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # gunicorn leads its own process group (start_new_session): master and workers.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)


@contextlib.contextmanager
def serve(
    instance: Path, options: ServerOptions, extra_env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """Serve the prepared ``instance`` with gunicorn on a free loopback port until the block ends.

    ``extra_env`` is added to gunicorn's environment (e.g. another ``DATABASE_URL``); the log
    goes to ``instance/gunicorn.log``; the directory itself is left as it is.
    """
    process: subprocess.Popen[bytes] | None = None
    try:
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(options.workers),
            "--worker-class",
            options.worker_class,
            "--threads",
            str(options.threads),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ]
        if options.timeout is not None:
            cmd += ["--timeout", str(options.timeout)]
        if _gunicorn_supports("--no-control-socket"):
            cmd.append("--no-control-socket")  # gunicorn >= 25 would otherwise use ~/.gunicorn
        cmd.append("wsgi:app")
        log_path = instance / "gunicorn.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=app_environment(instance, base_url, extra_env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(port=port, process=process, instance=instance, log_path=log_path, options=options)
        wait_until_healthy(server)
        yield server
    finally:
        if process is not None:
            _stop(process)


@contextlib.contextmanager
def running_app(
    options: ServerOptions,
    keep_instance: bool = False,
    extra_env: Mapping[str, str] | None = None,
    prepare: Callable[[Path, dict[str, str]], None] | None = None,
) -> Iterator[Server]:
    """Create a fresh instance, serve it with gunicorn, yield the server, always clean up.

    ``extra_env`` is added to the environment of the flask CLI and of gunicorn; ``prepare``
    (instance directory, environment) runs after the demo data is loaded, before gunicorn starts.
    """
    instance = Path(tempfile.mkdtemp(prefix="vergabe-bench-"))
    try:
        prepare_instance(instance, extra_env)
        if prepare is not None:
            prepare(instance, app_environment(instance, extra=extra_env))
        with serve(instance, options, extra_env) as server:
            yield server
    finally:
        if keep_instance:
            print(f"instance kept in {instance}", file=sys.stderr)
        else:
            shutil.rmtree(instance, ignore_errors=True)
