"""A bounded schemathesis run against a real server: `openucs serve --demo` on a fresh SQLite
file, its own document (/schema/openapi.json), once as the demo admin and once as the demo
agent. Checks: no 5xx, every status and every answer as the document says. Exits non-zero on
any failure. `make fuzz` runs it; CI runs it after the tests.

Every phase runs (examples, coverage, fuzzing, stateful sequences along inferred links), at
most MAX_EXAMPLES cases per operation and phase: about 4,000 cases a login, 2-3 minutes on two
cores. The fixed seed makes a failure reproducible with the same command; the last line is
`fuzz: N passed, M failed` (cases passed, logins failed)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).parent
LOGINS = (("admin", "admin-demo"), ("agent", "agent-demo"))
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
MAX_EXAMPLES = int(os.environ.get("OPENUCS_FUZZ_EXAMPLES", "40"))
SEED = os.environ.get("OPENUCS_FUZZ_SEED", "1")
RUN_SECONDS = 600  # a hung run fails instead of eating CI's time


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="openucs-fuzz-") as folder:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        database = f"sqlite:///{folder}/fuzz.db"
        command = [sys.executable, "-m", "openucs", "serve", "--demo", "--database", database]
        log_path = Path(folder) / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [*command, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=_env()
            )
            try:
                _wait_until_up(base + "/schema/openapi.json", server)
                runs = [_run(base, user, password, folder) for user, password in LOGINS]
            finally:
                server.terminate()
                server.wait(timeout=15)
        cases = sum(count for count, _ in runs)
        failed = [user for (user, _), (_, ok) in zip(LOGINS, runs, strict=True) if not ok]
        if failed:
            sys.stderr.write(f"schemathesis failed as {', '.join(failed)}; the server log:\n")
            sys.stderr.write(log_path.read_text()[-20_000:])
        sys.stdout.write(f"fuzz: {cases} passed, {len(failed)} failed\n")
        return 1 if failed else 0


def _run(base: str, user: str, password: str, folder: str) -> tuple[int, bool]:
    """Schemathesis as one login: the number of cases that passed, and whether all did. It
    runs in `folder`, where it leaves its cache (.schemathesis/)."""
    sys.stdout.write(f"--- schemathesis as {user}\n")
    sys.stdout.flush()
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "run",
        f"{base}/schema/openapi.json",
        "--auth",
        f"{user}:{password}",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        SEED,
        "--workers",
        "2",
        "--request-timeout",
        "20",
        "--generation-database",
        "none",
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HERE / "hooks.py")}
    done = subprocess.run(
        command,
        env=env,
        cwd=folder,
        check=False,
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
    )
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    counted = re.search(r"(\d+) generated, (\d+) passed", done.stdout)
    passed = int(counted[2]) if counted else 0
    return passed, done.returncode == 0 and passed > 0


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    env["OPENUCS_LOG_LEVEL"] = "warning"
    return env


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout} s")


if __name__ == "__main__":
    sys.exit(main())
