"""The standalone scripts of a bug report, in the library's own API, assembled from template files.

Templates live under templates/<language>/: a prologue per way the archive
reaches the script (embedded, beside it, downloaded from its project),
declaring the expected values; one body per reader family (the library
called as its users call it, `read(path)`); an epilogue (print expected vs
actual and an `outcome:` line). Each file is a real program of its language;
the generator only replaces the lines marked `set by report-bug` with the
report's values, and drops the header lines (`packages:`: the install line says it;
`expected:`, the form of the expected values; `judges: values`, a script that judges the values alone).
Which templates a reader's report uses is the reader's own declaration
(`reader: bugreport = "python:zarr3"` in its adapter, compat_tests/readers.py).
A reader can have several scripts (a command-line tool: a shell script in the
tool's own terms, and a Python one); the first is the report's own.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from zipstore_compat.bugreport.literals import CONSTANT_FORMS, EXPECTED_FORMS, LiteralError, python_array

TEMPLATES = Path(__file__).resolve().parent / "templates"
MARK = "set by report-bug"
EMBED_LIMIT = 6 * 1024          # archives up to this many bytes are embedded in the script (base64)
LITERAL_CHARS = 6000            # expected values written in up to this many characters go into the script, else beside it


@dataclass(frozen=True)
class Language:
    name: str
    suffix: str                  # of its templates and scripts
    comment: str                 # the line-comment mark
    declare: str                 # a constant's declaration, with {name} and {value}
    program: str                 # what runs a script
    expected: str                # the default form of the expected values (literals.EXPECTED_FORMS)
    side_file: str               # where many expected values go, beside the script
    side_load: str               # the EXPECTED value that loads them

    def declaration(self, name: str, value: str) -> str:
        return self.declare.format(name=name, value=value)

    def marked(self, line: str) -> str | None:
        """The constant's name if `line` is a declaration marked to be set by report-bug."""
        if not line.endswith(f"  {self.comment} {MARK}"):
            return None
        pattern = re.escape(self.declare).replace(r"\{name\}", r"(?P<name>[A-Z_][A-Z0-9_]*)").replace(r"\{value\}", ".*")
        match = re.match(pattern + "  ", line)
        return match.group("name") if match else None


LANGUAGES = {
    "python": Language("python", ".py", "#", "{name} = {value}", "python", "numpy", "expected.npy",
                       'np.load(pathlib.Path(__file__).resolve().with_name("expected.npy"), allow_pickle={pickle})'),
    "node": Language("node", ".mjs", "//", "const {name} = {value};", "node", "zarrita", "expected.mjs",
                     '(await import("./expected.mjs")).default'),
    "shell": Language("shell", ".sh", "#", "{name}={value}", "bash", "", "expected.txt",
                      '"$(cat "$(dirname "$0")/expected.txt")"'),
}


@dataclass(frozen=True)
class ScriptSpec:
    template: str                                # file name under templates/<language>/, without suffix
    language: str = "python"
    constants: dict = field(default_factory=dict)  # extra constants the body reads (besides the common ones)
    expected: str = ""                           # how the body states the expected values (default: the language's)
    values_only: bool = False                    # it judges the values alone (not the attributes, the listing)

    @property
    def lang(self) -> Language:
        return LANGUAGES[self.language]

    @property
    def file_name(self) -> str:
        return "reproduce" + self.lang.suffix


HEADER = ("packages", "expected", "judges")   # a template's header lines, dropped from the script: what it needs and how it judges


class ScriptError(ValueError):
    pass


def specs_for(reader) -> tuple[ScriptSpec, ...]:
    """The reader's scripts, the report's own first, as its declaration names them: `reader: bugreport =
    "<language>:<template>"` (or a list; a command-line tool: a script in the tool's own terms, then a Python
    one), with the constants of `reader: bugreport_constants` (e.g. the netCDF mode)."""
    if not reader.bugreport:
        raise ScriptError(f"the reader {reader.id!r} declares no bug-report script (`reader: bugreport = \"python:<template>\"` "
                          f"in {reader.file or 'its adapter'}, a template under {TEMPLATES.relative_to(TEMPLATES.parents[1])})")
    return tuple(spec_of(entry, dict(reader.bugreport_constants)) for entry in reader.bugreport)


def spec_of(entry: str, constants: dict | None = None) -> ScriptSpec:
    """A declared script ("<language>:<template>"): its template file and what its header says (expected: the form
    of the expected values, literals.EXPECTED_FORMS; judges: values, when it judges the values alone)."""
    language, _, template = entry.partition(":")
    if language not in LANGUAGES or not template:
        raise ScriptError(f"bug-report script {entry!r}: expected <language>:<template> with a language of {', '.join(LANGUAGES)}")
    spec = ScriptSpec(template, language, dict(constants or {}))
    path = template_path(spec)
    if not path.exists():
        raise ScriptError(f"bug-report script {entry!r}: no template {path.relative_to(TEMPLATES.parents[1])}")
    header = template_header(spec)
    if "expected" in header and header["expected"] not in EXPECTED_FORMS:
        raise ScriptError(f"{path.name}: unknown expected form {header['expected']!r} (one of {', '.join(EXPECTED_FORMS)})")
    return ScriptSpec(template, language, dict(constants or {}), expected=header.get("expected", ""), values_only=header.get("judges") == "values")


def spec_for(reader) -> ScriptSpec:
    """The report's own script (the one its issue shows)."""
    return specs_for(reader)[0]


def template_header(spec: ScriptSpec) -> dict[str, str]:
    """The template's header lines (`<comment> packages: ...`, `expected: ...`, `judges: ...`), by name."""
    found = {}
    for line in template_path(spec).read_text(encoding="utf-8").splitlines():
        for name in HEADER:
            mark = f"{spec.lang.comment} {name}:"
            if line.startswith(mark):
                found[name] = line[len(mark):].strip()
    return found


def template_path(spec: ScriptSpec, part: str | None = None) -> Path:
    return TEMPLATES / spec.language / f"{part or spec.template}{spec.lang.suffix}"


def packages(spec: ScriptSpec) -> list[str]:
    """What the script needs installed, from its body's `packages:` line."""
    if "packages" not in template_header(spec):
        raise ScriptError(f"{template_path(spec)} has no '{spec.lang.comment} packages:' line")
    return template_header(spec)["packages"].split()


def array_literal(values: np.ndarray, dtype: str) -> str:
    """Python source that rebuilds `values` with numpy alone."""
    try:
        return python_array(values, dtype)
    except LiteralError as exc:
        raise ScriptError(str(exc)) from None


def expected_source(spec: ScriptSpec, values: np.ndarray, dtype: str) -> tuple[str, dict[str, bytes]]:
    """The EXPECTED value of a script, and the file beside it that holds the values when they are many."""
    lang = spec.lang
    render = EXPECTED_FORMS[spec.expected or lang.expected]
    try:
        source = render(values, dtype)
    except LiteralError as exc:
        raise ScriptError(str(exc)) from None
    if len(source) <= LITERAL_CHARS:
        return (CONSTANT_FORMS["shell"](source) if lang.name == "shell" else source), {}
    if lang.name == "python":
        buffer = io.BytesIO()
        np.save(buffer, values, allow_pickle=dtype == "string")
        return lang.side_load.format(pickle=dtype == "string"), {lang.side_file: buffer.getvalue()}
    text = f"export default {source};\n" if lang.name == "node" else source + "\n"
    return lang.side_load, {lang.side_file: text.encode("utf-8")}


def assemble(spec: ScriptSpec, title: str, install: str, *, archive: Path, embed: bool, array: str, values: np.ndarray, dtype: str,
             attrs: dict, dims, extra: dict, download: tuple[str, str] | None = None) -> tuple[str, dict[str, bytes]]:
    """The script's text (header comment, prologue, the reader's body, epilogue, with the marked constants set),
    and the files to write beside it (the expected values when they are many).

    The prologue says how the archive reaches the script: embedded (base64), read from beside the script, or
    `download` (url, sha256): another project's archive, read from beside the script or downloaded from its
    upstream address, and checked by its sha256.
    """
    lang = spec.lang
    constant = CONSTANT_FORMS[lang.name]
    expected, side = expected_source(spec, values, dtype)
    values_of = {
        "ARCHIVE_B64": constant(base64.b64encode(archive.read_bytes()).decode() if embed else ""),
        "ARCHIVE_FILE": constant(archive.name),
        **({"ARCHIVE_URL": constant(download[0]), "ARCHIVE_SHA256": constant(download[1])} if download else {}),
        "ARRAY": constant(array),
        "EXPECTED": expected,
        "ATTRS": constant(attrs),
        "DIMS": constant(list(dims) if dims else None),
        **{k: constant(v) for k, v in {**extra, **spec.constants}.items()},
    }
    prologue = "_prologue_download" if download else "_prologue_embedded" if embed else "_prologue_beside"
    parts = [template_path(spec, prologue), template_path(spec), template_path(spec, "_epilogue")]
    first = parts[0].read_text(encoding="utf-8").splitlines()
    shebang = [first[0]] if first and first[0].startswith("#!") else []
    lines = [*shebang, f"{lang.comment} {title}", f"{lang.comment} {install}"]
    used, after_constants = set(), len(lines)
    for i, part in enumerate(parts):
        if i:
            lines.append("")  # one blank line between the parts; blank lines inside a part are folded into one
        for line in part.read_text(encoding="utf-8").splitlines():
            if any(line.startswith(f"{lang.comment} {name}:") for name in HEADER) or line.startswith("#!"):
                continue
            name = lang.marked(line)
            if name:
                if name not in values_of:
                    raise ScriptError(f"{part.name}: no value for {name}")
                used.add(name)
                line = lang.declaration(name, values_of[name])
                after_constants = len(lines) + 1 if i == 0 else after_constants
            if line or (lines[-1] and not lines[-1].startswith(f"{lang.comment} ")):
                lines.append(line)
    text = "".join(p.read_text(encoding="utf-8") for p in parts)
    body_constants = [k for k in values_of if k not in used and re.search(rf"\b{k}\b", text)]
    if body_constants:  # constants the body reads but the prologue does not declare: put them after the prologue's
        lines[after_constants:after_constants] = [lang.declaration(k, values_of[k]) for k in body_constants]
    return "\n".join(lines).rstrip() + "\n", side


def code_lines(script: str) -> int:
    """Lines of the script (the embedded archive is one line)."""
    return len(script.splitlines())
