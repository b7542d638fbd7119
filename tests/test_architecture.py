"""Dependencies point inward: api, web, cli -> services -> store and domain -> errors."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "openucs"

OUTER = ("openucs.api", "openucs.web", "openucs.cli")

# room -> the openucs modules it must never import. Every top-level module and package of
# openucs is a room here (see test_every_room_has_a_rule).
FORBIDDEN = {
    "domain": (
        *OUTER,
        "openucs.store",
        "openucs.services",
        "openucs.config",
        "openucs.gws",
        "openucs.events",
        "openucs.demo",
    ),
    "store": (*OUTER, "openucs.services", "openucs.gws", "openucs.events", "openucs.demo"),
    # Use cases take typed commands and return domain objects: no wire shapes, no transports.
    "services": (*OUTER, "openucs.gws", "openucs.events"),
    # The GWS dialect is a codec: it never reads the store or calls a use case.
    "gws": (*OUTER, "openucs.store", "openucs.services", "openucs.events", "openucs.demo"),
    # Importers of other platforms' files are codecs too (they may use the GWS one for CSV).
    "importers": (*OUTER, "openucs.store", "openucs.services", "openucs.events", "openucs.demo"),
    # The CometD server and the hub know nothing of the store, the use cases or HTTP routes.
    "events": (*OUTER, "openucs.store", "openucs.services", "openucs.gws", "openucs.demo"),
    "demo": (*OUTER, "openucs.store", "openucs.services", "openucs.gws", "openucs.events"),
    "config": (*OUTER, "openucs.store", "openucs.services", "openucs.gws", "openucs.events"),
    "web": ("openucs.api", "openucs.cli"),
    "api": ("openucs.cli",),
    "cli": ("openucs.web",),
    "incidents": ("openucs.",),
    "errors": ("openucs.",),
}
# Entry points and package metadata: they may import anything.
UNRULED = {"__init__", "__main__"}


def module_name(path: Path) -> str:
    """`openucs.store.sql` for src/openucs/store/sql.py, `openucs.store` for its __init__."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    return imported_modules_of(path.read_text(), path)


def imported_modules_of(source: str, path: Path) -> set[str]:
    """Every module the source at `path` imports, anywhere in it, by its absolute name:
    relative imports are resolved, and `from openucs import api` counts as `openucs.api`."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def layer_files(layer: str) -> list[Path]:
    target = PACKAGE / layer
    return sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import_outer_layers(layer: str) -> None:
    files = layer_files(layer)
    assert files, f"layer {layer} has no modules"
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in files
        for name in imported_modules(path)
        if name.startswith(FORBIDDEN[layer])
    ]
    assert offenders == []


def test_only_entry_points_import_the_api() -> None:
    allowed = {"api", "cli", "cli.py", "__main__.py"}
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in allowed
        and any(name.startswith("openucs.api") for name in imported_modules(path))
    ]
    assert offenders == []


def test_domain_imports_only_stdlib_and_errors() -> None:
    allowed = ("openucs.domain", "openucs.errors")
    offenders = [
        f"{path.name}: {name}"
        for path in layer_files("domain")
        for name in imported_modules(path)
        if name.split(".")[0] not in sys.stdlib_module_names and not name.startswith(allowed)
    ]
    assert offenders == []


def test_every_room_has_a_rule() -> None:
    rooms = {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if (path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()))
    }
    assert rooms - UNRULED == set(FORBIDDEN)


def test_imports_are_seen_however_they_are_written() -> None:
    """A rule cannot be sidestepped by a relative import or by importing a room by name."""
    source = (
        "from openucs import api\n"
        "from .. import cli\n"
        "from ..web.views import page\n"
        "import openucs.gws.wire as wire\n"
        "def later():\n"
        "    import openucs.events.hub\n"
    )
    path = PACKAGE / "services" / "_probe.py"
    names = imported_modules_of(source, path)
    assert {"openucs.api", "openucs.cli", "openucs.web.views", "openucs.events.hub"} <= names
    assert all(any(name.startswith(room) for name in names) for room in FORBIDDEN["services"])
