"""The examples of README.md and docs/api.md, run as written against `make run`'s demo.

One real `openucs serve --demo` process on a fresh database in a scratch directory (as `make run`
does in the checkout, with `.venv` beside it), on a free port written in place of 8080. Each
```sh block of a document runs with bash, in document order (later blocks reuse the cookie jar
of earlier ones), under `set -euo pipefail`. A `curl` on the PATH in front of the real one
notes the status of every answer: each must be 2xx, or the status that the block announces in
a comment (`# answers HTTP 400: ...`). The Python CometD session of docs/api.md runs too.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.events.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "docs/api.md")
# Blocks that are not examples to run against a server: the ones that start it.
NOT_RUN = "make run"
_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
_PYTHON = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
_ANNOUNCED = re.compile(r"# answers HTTP (\d{3})")

CURL = """#!/bin/bash
# Runs the real curl, then notes its HTTP status and arguments in $CURL_LOG.
body=$(mktemp)
code=$({real} "$@" -o "$body" -w '%{{http_code}}') && rc=0 || rc=$?
cat "$body"
rm -f "$body"
args="$*"
echo "$code ${{args//$'\n'/ }}" >> "$CURL_LOG"
exit $rc
"""


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    text: str

    @property
    def expected(self) -> str:
        announced = _ANNOUNCED.search(self.text)
        return announced.group(1) if announced else "2xx"


def blocks(doc: str) -> list[Block]:
    text = (ROOT / doc).read_text()
    found = [
        Block(doc, text.count("\n", 0, match.start()) + 1, match.group(1))
        for match in _BLOCK.finditer(text)
    ]
    return [b for b in found if not b.text.startswith(NOT_RUN)]


@dataclass(frozen=True)
class Demo:
    port: int
    directory: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`make run` in a scratch checkout: .venv, ./openucs.db with the demo, the server."""
    directory = tmp_path_factory.mktemp("checkout")
    venv = Path(sys.prefix)
    (directory / ".venv").symlink_to(venv)
    tools = directory / "tools"
    tools.mkdir()
    curl = tools / "curl"
    curl.write_text(CURL.format(real=shutil.which("curl")))
    curl.chmod(0o755)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    env["PATH"] = f"{tools}:{env['PATH']}"
    log = (directory / "server.log").open("wb")
    server = subprocess.Popen(
        [str(venv / "bin" / "openucs"), "serve", "--demo", "--port", str(port)],
        cwd=directory,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(server, port, directory / "server.log")
        yield Demo(port, directory, env)
    finally:
        server.terminate()
        server.wait(45)  # several workers stop one after the other
        log.close()


def _wait_ready(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    for _ in range(1200):  # the demo loads in a few seconds; a loaded machine may take a minute
        if server.poll() is not None:
            raise AssertionError(f"the demo server exited:\n{log.read_text()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v2/diagnostics/version", timeout=1)
            return
        except httpx.TransportError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(0.1)
    raise AssertionError(f"the demo server did not answer:\n{log.read_text()}")


def run_block(block: Block, demo: Demo) -> list[str]:
    """Run one block; the problems found (none when it works as documented)."""
    calls = demo.directory / "curl.log"
    calls.write_text("")
    script = "set -euo pipefail\n" + block.text.replace("8080", str(demo.port))
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=demo.directory,
        env={**demo.env, "CURL_LOG": str(calls)},
        capture_output=True,
        timeout=120,
        check=False,
    )
    where = f"{block.doc}:{block.line}"
    problems = []
    if done.returncode != 0:
        problems.append(f"{where}: exit {done.returncode}: {done.stderr.decode()[-500:]}")
    statuses = [line.split(" ", 1) for line in calls.read_text().splitlines()]
    if not statuses and "curl" in block.text:
        problems.append(f"{where}: no curl ran")
    for status, args in statuses:
        wanted = status.startswith("2") if block.expected == "2xx" else status == block.expected
        if not wanted:
            problems.append(f"{where}: HTTP {status}, documented {block.expected}: curl {args}")
    return problems


@pytest.mark.parametrize("doc", DOCS)
def test_the_shell_examples_work_against_the_demo(doc: str, demo: Demo) -> None:
    found = blocks(doc)
    assert len(found) >= 3, "the examples were not found: has the fence changed?"
    problems = [problem for block in found for problem in run_block(block, demo)]
    assert problems == []


def test_an_example_that_fails_is_reported(demo: Demo) -> None:
    broken = Block(
        "inline",
        1,
        "curl -s -u supervisor:supervisor-demo http://127.0.0.1:8080/api/v2/ucs/interactions/NOPE\n",
    )
    (problem,) = run_block(broken, demo)
    assert "HTTP 404, documented 2xx" in problem
    wrong_code = Block("inline", 1, "# answers HTTP 400\n" + broken.text)
    assert "HTTP 404, documented 400" in run_block(wrong_code, demo)[0]
    failing_pipe = Block("inline", 1, "curl -s http://127.0.0.1:8080/api/v2/me | false\n")
    assert "exit 1" in run_block(failing_pipe, demo)[0]


def test_the_cometd_session_of_the_api_docs_works_against_the_demo(demo: Demo) -> None:
    (example,) = _PYTHON.findall((ROOT / "docs" / "api.md").read_text())
    done = subprocess.run(
        [sys.executable, "-c", example.replace("8080", str(demo.port))],
        cwd=demo.directory,
        env=demo.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    reply, result = done.stdout.splitlines()
    assert reply == "{'statusCode': 0, 'referenceId': 1}"
    assert result.startswith("1 [{'uri': ")  # the referenceId and the contact's history
