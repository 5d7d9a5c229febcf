"""The structure, checked by the imports' names: parts, the arrows they may not have, no private name taken across packages.

The parts and their never-arrows are the team's drawing of the house (the
harness, the readers, the products, core, envs, datasets), as docs/reference/products.md
tells them. An arrow A -> B is an import, at any depth of a module's code, by a
file of A of a module of B, straight or through files that are on no part
(fixtures/, tests/): what a file imports by a name given at run time (a
worker's adapter, a product's command forwarded by the hub) is no arrow.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "zipstore_compat"   # the one import package: zipstore_compat.<folder>.<module> is <folder>/<module>.py
OURS = tuple(sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != PACKAGE))   # the repository's packages
PRODUCTS = ("bench", "bugreport", "doctor", "repofiles", "repro")          # packages of their own on the harness's seams
# a part: its folders (a file is on the part of the longest folder that holds it; None: on no part)
PARTS = {
    "Harness": ("compat_tests/",),
    "Readers": ("compat_tests/adapters/",),
    "Products": tuple(f"{p}/" for p in PRODUCTS),
    "Core": ("core/",),
    "Envs": ("envs/",),
    "Datasets": ("datasets/",),
}
NEVER = [
    ("Harness", "Readers", "workers load adapters by name; never imported here"),
    ("Readers", "Harness", "an adapter sees a path and a manifest only"),
    ("Envs", "Harness", "environments know nothing of cells"),
    ("Harness", "Products", "the harness never imports a product"),
    ("Core", "Harness", "core imports nothing of ours"),
    ("Products", "Readers", "products run readers via the harness, never adapters"),
]
# what the harness may import of ours: a new top-level package is a product (or a part named here) until said otherwise
HARNESS_MAY_IMPORT = ("compat_tests", "core", "datasets", "envs", "fixtures")


def sources() -> list[Path]:
    """Every Python file of ours (not the environments, caches or build outputs)."""
    return sorted(p for package in (*OURS, PACKAGE) for p in (ROOT / package).rglob("*.py")) + [ROOT / "conftest.py"]


def unqualified(module: str, names: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """An import in the repository's terms: zipstore_compat.compat_tests.cells is compat_tests.cells, `from zipstore_compat
    import core` imports core; the package itself (the short-name shim in each package's __init__) is on no part."""
    if module == PACKAGE:
        return [(name, ()) for name in names]
    return [(module.removeprefix(PACKAGE + "."), names)]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def part_of(path: Path) -> str | None:
    rel = relative(path)
    best = max(((len(folder), name) for name, folders in PARTS.items() for folder in folders if rel.startswith(folder)), default=None)
    return best[1] if best else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def imports(path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(module, names taken from it) of every import in the file, at any depth; relative imports resolved."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found += unqualified(alias.name, ())
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found += unqualified(module, tuple(alias.name for alias in node.names))
    return tuple(found)


@cache
def module_file(name: str) -> Path | None:
    """The file of a module of ours (a package: its __init__.py), or None."""
    if name.split(".")[0] not in OURS:
        return None
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def targets(path: Path) -> set[Path]:
    """The files of ours that a file imports (a `from package import module` names the module's file too)."""
    out = set()
    for module, names in imports(path):
        for name in (module, *(f"{module}.{n}" for n in names)):
            found = module_file(name)
            if found is not None and found != path:
                out.add(found)
    return out


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_module_takes_a_private_name_from_another_package():
    taken = []
    for path in sources():
        home = module_name(path).split(".")[0]
        for module, names in imports(path):
            top = module.split(".")[0]
            if top not in OURS or top == home:
                continue
            hidden = [part for part in module.split(".")[1:] if private(part)] + [n for n in names if private(n)]
            if hidden:
                taken.append(f"{relative(path)}: from {module} import {', '.join(hidden)}")
    assert not taken, "private names taken across packages (give them a public name in their own package):\n" + "\n".join(taken)


def test_the_harness_imports_none_of_the_products():
    found = [f"{relative(path)} imports {module}" for path in sources() if part_of(path) == "Harness"
             for module, _ in imports(path) if module.split(".")[0] in OURS and module.split(".")[0] not in HARNESS_MAY_IMPORT]
    assert not found, "the harness imports a product (forward a command by name instead: compat_tests/__main__.py PRODUCTS):\n" + "\n".join(found)


def test_core_imports_nothing_of_ours():
    found = [f"{relative(path)} imports {module}" for path in (ROOT / "core").rglob("*.py")
             for module, _ in imports(path) if module.split(".")[0] in OURS and module.split(".")[0] != "core"]
    assert not found, "\n".join(found)


def reached(start: Path) -> dict[Path, list[Path]]:
    """The files a file reaches: straight, or through files on no part; each with the way there."""
    ways: dict[Path, list[Path]] = {}
    todo = [(start, [start])]
    while todo:
        current, way = todo.pop()
        for target in targets(current):
            if target in ways or target == start:
                continue
            ways[target] = way + [target]
            if part_of(target) is None:
                todo.append((target, way + [target]))
    return ways


def test_the_never_arrows_are_kept():
    broken = []
    for first, second, why in NEVER:
        for path in sources():
            if part_of(path) != first:
                continue
            for target, way in reached(path).items():
                if part_of(target) == second:
                    broken.append(f"{first} -> {second} ({why}): " + " -> ".join(relative(p) for p in way))
    assert not broken, "\n".join(broken)


def test_every_import_of_ours_is_qualified():
    """Every module of ours is imported under its one name, zipstore_compat.<package>.<module> (tools/rewrite_imports.py
    makes it so): a bare `from compat_tests...` would load the same file a second time, under another name."""
    bare = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            bare += [f"{relative(path)}:{node.lineno}: {name}" for name in names if name.split(".")[0] in OURS and name.split(".")[0] != "tests"]
    assert not bare, "imports of our packages by their short name (run python tools/rewrite_imports.py):\n" + "\n".join(bare)


def test_the_parts_cover_the_packages():
    """Every package of ours is on a part, or is one the drawing leaves on no part on purpose: a new one is named."""
    on_no_part = {"fixtures", "tests"}
    named = {folder.split("/")[0] for folders in PARTS.values() for folder in folders}
    assert set(OURS) == named | on_no_part, set(OURS) ^ (named | on_no_part)


ZIP_SIGNATURES = (b"PK\x01\x02", b"PK\x03\x04", b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07", b"PK\x07\x08")


def test_the_zip_record_layout_and_the_serve_loop_are_written_once():
    """One module reads the ZIP record layout (core/ziprecords.py: every signature, APPNOTE's field lists) and one
    serves the JSON-lines protocol (core/serve.py: the only reader of sys.stdin); every other module uses them.
    The suite's own tests may write a bare end record to make a tiny archive."""
    layout, loops = [], []
    for path in sources():
        if relative(path).startswith("tests/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, bytes) and node.value.startswith(ZIP_SIGNATURES):
                layout.append(f"{relative(path)}:{node.lineno}: {node.value[:4]!r}")
            if isinstance(node, ast.Attribute) and node.attr == "stdin" and isinstance(node.value, ast.Name) and node.value.id == "sys":
                loops.append(f"{relative(path)}:{node.lineno}")
    assert all(entry.startswith("core/ziprecords.py:") for entry in layout), "a ZIP record read outside core/ziprecords.py:\n" + "\n".join(layout)
    assert layout, "core/ziprecords.py names the signatures"
    assert {entry.split(":")[0] for entry in loops} == {"core/serve.py"}, "sys.stdin read outside core/serve.py:\n" + "\n".join(loops)
