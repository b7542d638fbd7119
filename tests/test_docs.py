"""Every setting is documented, and the README opens with the two commands."""

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
