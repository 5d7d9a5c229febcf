"""Every import of the project's own packages through the one import package `zipstore_compat`.

    python tools/rewrite_imports.py [CHECKOUT]            rewrite the tracked files of CHECKOUT (default: this one)
    python tools/rewrite_imports.py --check [CHECKOUT]    rewrite nothing; list what is left to qualify (exit 1 if any)

A mechanical rewrite, idempotent (a second run changes nothing), run over the files git tracks (or, outside a git
checkout, every .py file but the caches, environments and build outputs):

- Python import statements: `from compat_tests.cells import x` -> `from zipstore_compat.compat_tests.cells import x`;
  `import core` -> `from zipstore_compat import core`; `import doctor.lint` (used as `doctor.lint.x`) ->
  `import zipstore_compat.doctor.lint` plus `from zipstore_compat import doctor`; `import fixtures.build as b` ->
  `import zipstore_compat.fixtures.build as b`. At any depth (imports inside functions too).
- module names in strings: "compat_tests.worker", "-m compat_tests.worker", f"compat_tests.remote.{name}", pytest_plugins = ["compat_tests.plugin"],
  has_plugin('compat_tests.plugin'), and a bare package right after "-m" in an argument list (`"-m", "doctor"`).
  Left alone: a bare word elsewhere ("core", "fixtures": tags, folder names, JSON keys), the argument of
  program_name(...) and a command line that starts with ./run (the commands a user types, which keep working in a
  checkout).
- the ./run script: `-m compat_tests run` -> `-m zipstore_compat.compat_tests run` (`./run fixtures list` stays the
  user's command; the module it runs is the qualified one).

Not touched: the bug-report templates (standalone scripts for users: they import nothing of ours), Markdown and YAML
(the commands users type keep working in a checkout), the `zipstore_compat/` folder itself and this tool.

--check parses every Python file (ast) and prints each import of a bare package of ours that is left, and each
string that looks like one of our module names: what the rewrite could not decide, for a hand edit.

Replaying it on another branch (one made before the rewrite), from that branch's checkout:

    git merge -X ours --no-edit c0076e6        # the rewrite of the base (and this tool); where the branch changed the
                                               # same lines, the branch's lines win, unqualified for now
    python tools/rewrite_imports.py            # qualifies every import of ours, the branch's new ones included
    python tools/rewrite_imports.py --check    # exit 0: nothing left for a hand edit
    git commit -am "every import of our packages through zipstore_compat (tools/rewrite_imports.py, replayed)"

then merge the branch as usual: its merge base with the package branch is the rewrite, so only lines both changed
after it conflict. CHECKOUT defaults to the current folder.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = "zipstore_compat"
# the top-level packages of the repository that live under zipstore_compat (tests/ is the repository's, not the package's)
PACKAGES = ("compat_tests", "fixtures", "datasets", "envs", "core", "bugreport", "repro", "bench", "repofiles", "doctor")
SKIPPED_FOLDERS = {".venv", ".cache", "build", "reports", "site", ".git", PACKAGE, "tools"}
SHELL_FILES = ("run", ".ci/run")
FILE_SUFFIXES = {"json", "html", "png", "md", "txt", "yaml", "toml", "zip", "log", "csv"}   # "bench.json" names a file


def patterns(packages: tuple[str, ...]) -> dict[str, re.Pattern]:
    names = "|".join(packages)
    return {
        # `from pkg import` / `from pkg.sub import` (the head only: a parenthesised list may follow)
        "from": re.compile(rf"^(?P<indent>[ \t]*)from (?P<module>(?:{names})(?:\.\w+)*) import ", re.M),
        # `import pkg.sub as name`
        "import_as": re.compile(rf"^(?P<indent>[ \t]*)import (?P<module>(?:{names})(?:\.\w+)*) as (?P<name>\w+)(?P<tail>[ \t]*(?:#.*)?)$", re.M),
        # `import pkg` / `import pkg.sub` (one module: a comma list is left for --check)
        "import": re.compile(rf"^(?P<indent>[ \t]*)import (?P<top>{names})(?P<rest>(?:\.\w+)*)(?P<tail>[ \t]*(?:#.*)?)$", re.M),
        # a module name in a string: 'pkg.sub', "-m pkg.sub"; a bare 'pkg' only with -m
        "string": re.compile(rf"""(?P<q>["'])(?P<flag>-m )?(?P<top>{names})(?P<rest>(?:\.\w+)*)(?P=q)"""),
        # f"pkg.sub.{name}": a module name made at run time
        "fstring": re.compile(rf"""(?P<f>\bf)(?P<q>["'])(?P<top>{names})(?P<rest>(?:\.\w+)*\.)\{{"""),
        # "-m", "pkg": a bare package as the module of a command line
        "dash_m_item": re.compile(rf"""(?P<head>["']-m["']\s*,\s*)(?P<q>["'])(?P<top>{names})(?P<rest>(?:\.\w+)*)(?P=q)"""),
        # shell: `-m pkg` (./run)
        "shell": re.compile(rf"(?P<flag>-m )(?P<top>{names})(?P<rest>(?:\.\w+)*)\b"),
    }


def rewrite_python(text: str, found: dict[str, re.Pattern]) -> str:
    text = found["from"].sub(lambda m: f"{m['indent']}from {PACKAGE}.{m['module']} import ", text)
    text = found["import_as"].sub(lambda m: f"{m['indent']}import {PACKAGE}.{m['module']} as {m['name']}{m['tail']}", text)

    def plain(m: re.Match) -> str:
        if not m["rest"]:   # `import core`: the same name, bound to the qualified package
            return f"{m['indent']}from {PACKAGE} import {m['top']}{m['tail']}"
        # `import doctor.lint`, used as doctor.lint.x: the module imported, the package bound under its own name
        return f"{m['indent']}import {PACKAGE}.{m['top']}{m['rest']}{m['tail']}\n{m['indent']}from {PACKAGE} import {m['top']}"
    text = found["import"].sub(plain, text)
    text = found["fstring"].sub(lambda m: f"{m['f']}{m['q']}{PACKAGE}.{m['top']}{m['rest']}{{", text)

    def dash_m(m: re.Match) -> str:
        line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        if "./run" in line:
            return m[0]   # ["./run", "python", "-m", "compat_tests", ...]: the command a user types, as it is printed
        return f"{m['head']}{m['q']}{PACKAGE}.{m['top']}{m['rest']}{m['q']}"
    text = found["dash_m_item"].sub(dash_m, text)

    def string(m: re.Match) -> str:
        if not m["rest"] and not m["flag"]:
            return m[0]   # a bare word ("core", "envs"): a tag, a folder, a key; never rewritten
        if m["rest"].rsplit(".", 1)[-1] in FILE_SUFFIXES:
            return m[0]   # a file name ("bench.json", "bench.html"), not a module
        if text[max(0, m.start() - len("program_name(")):m.start()].endswith("program_name("):
            return m[0]   # the command a user types (core/commands.py): it keeps working in a checkout
        return f"{m['q']}{m['flag'] or ''}{PACKAGE}.{m['top']}{m['rest']}{m['q']}"
    return found["string"].sub(string, text)


def rewrite_shell(text: str, found: dict[str, re.Pattern]) -> str:
    return found["shell"].sub(lambda m: f"{m['flag']}{PACKAGE}.{m['top']}{m['rest']}", text)


def tracked(root: Path) -> list[Path]:
    try:
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=True).stdout.decode()
        files = [root / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = [p for p in root.rglob("*") if p.is_file()]
    return [p for p in files if p.is_file()]


def python_files(root: Path) -> list[Path]:
    out = []
    for path in tracked(root):
        rel = path.relative_to(root)
        if path.suffix != ".py" or rel.parts[0] in SKIPPED_FOLDERS or "templates" in rel.parts:
            continue
        out.append(path)
    return sorted(out)


def leftovers(path: Path, text: str, packages: tuple[str, ...]) -> list[str]:
    """Imports of a bare package of ours, and strings that name one of our modules, still in the file."""
    out = []
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        return [f"{path}: not Python ({exc})"]
    typed = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "program_name"
             for arg in node.args}   # the command a user types: left as it is on purpose
    for node in ast.walk(tree):
        if id(node) in typed:
            continue
        if isinstance(node, ast.Import):
            out += [f"{path}:{node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] in packages]
        elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] in packages:
            out.append(f"{path}:{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value.removeprefix("-m ")
            top, dot, rest = value.partition(".")
            if top in packages and dot and re.fullmatch(r"[\w.]+", rest) and rest.rsplit(".", 1)[-1] not in FILE_SUFFIXES:
                out.append(f"{path}:{node.lineno}: the string {node.value!r}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/rewrite_imports.py", description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path.cwd(), help="the checkout (default: the current folder)")
    parser.add_argument("--check", action="store_true", help="rewrite nothing; list what is left to qualify (exit 1 if any)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    present = tuple(p for p in PACKAGES if (root / p / "__init__.py").is_file())
    if not present:
        print(f"{root}: none of {', '.join(PACKAGES)} is there: not a zipstore-compat checkout", file=sys.stderr)
        return 2
    found = patterns(present)
    changed, left = [], []
    for path in python_files(root):
        old = path.read_text(encoding="utf-8")
        new = old if args.check else rewrite_python(old, found)
        if new != old:
            path.write_text(new, encoding="utf-8")
            changed.append(str(path.relative_to(root)))
        left += leftovers(path.relative_to(root), new, present)
    for rel in SHELL_FILES:
        path = root / rel
        if path.is_file() and not args.check:
            old = path.read_text(encoding="utf-8")
            new = rewrite_shell(old, found)
            if new != old:
                path.write_text(new, encoding="utf-8")
                changed.append(rel)
    if not args.check:
        print(f"{len(changed)} files rewritten" + (": " + ", ".join(changed) if changed else ""), file=sys.stderr)
    for line in left:
        print(f"left to qualify by hand: {line}", file=sys.stderr)
    return 1 if args.check and left else 0


if __name__ == "__main__":
    sys.exit(main())
