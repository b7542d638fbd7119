"""Every setting is documented, and the README opens with the two commands."""

import itertools
from dataclasses import fields
from pathlib import Path

from openucs.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented_with_its_variable() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    missing = [
        f.name
        for f in fields(Settings)
        if f"`{f.name}`" not in text or f"`{ENV_PREFIX}{f.name.upper()}`" not in text
    ]
    assert missing == []


def test_documented_settings_exist() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    names = {f.name for f in fields(Settings)}
    documented = {
        line.split("|")[1].strip().strip("`")
        for line in text.splitlines()
        if line.startswith("| `")
    }
    assert documented - names == set()


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text()[:1500]
    assert "make run" in head
    assert "make test" in head


def _docs() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_table_ends_with_a_blank_line() -> None:
    """A paragraph glued to a table's last row renders as one more row."""
    glued = []
    for path in _docs():
        rows = path.read_text().splitlines()
        for number, (line, after) in enumerate(itertools.pairwise(rows), start=2):
            if line.startswith("|") and after.strip() and not after.startswith("|"):
                glued.append(f"{path.name}:{number}")
    assert glued == []


def test_the_docs_point_only_at_files_of_the_product() -> None:
    outside = [
        f"{path.name}: {word}"
        for path in _docs()
        for word in ("../", "shared/spec", "/work/")
        if word in path.read_text()
    ]
    assert outside == []


def test_make_run_takes_a_port() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "openucs serve --demo --port $(PORT)" in makefile
    assert "PORT ?= 8080" in makefile
    assert "make run PORT=9000" in (ROOT / "README.md").read_text()
