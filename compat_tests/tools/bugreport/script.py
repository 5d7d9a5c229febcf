"""The standalone scripts of a bug report, in the library's own API, assembled from template files.

Templates live under templates/<language>/: a prologue per way the archive
reaches the script (embedded, beside it, downloaded from its project),
declaring the expected values; one body per reader family (the library
called as its users call it, `read(path)`); an epilogue (print expected vs
actual and an `outcome:` line). Each file is a real program of its language;
the generator only replaces the lines marked `set by report-bug` with the
report's values, and drops the `packages:` line (the install line says it).
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

from compat_tests.tools.bugreport.literals import CONSTANT_FORMS, EXPECTED_FORMS, LiteralError, python_array

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


NCDUMP_MODES = {"ncdump-nczarr": "nczarr,zip", "ncdump-zarr": "zarr,zip"}
# reader id -> its scripts, the report's own first (the netCDF4 readers share one body, with their mode)
SCRIPTS = {
    "zarr3": (ScriptSpec("zarr3"),),
    "zarr2": (ScriptSpec("zarr2"),),
    "xarray-open_zarr": (ScriptSpec("xarray_open_zarr"),),
    "xarray-open_dataset-zip": (ScriptSpec("xarray_open_dataset_zip"),),
    "fsspec-zip": (ScriptSpec("fsspec_zip"),),
    "dask": (ScriptSpec("dask_from_zarr"),),
    "h5py": (ScriptSpec("h5py_control"),),
    "tensorstore-zarr": (ScriptSpec("tensorstore_zip"),),
    "netcdf4-nczarr": (ScriptSpec("netcdf4", constants={"MODE": "nczarr,zip"}),),
    "netcdf4-zarr": (ScriptSpec("netcdf4", constants={"MODE": "zarr,zip"}),),
    "netcdf4-libzip-nczarr": (ScriptSpec("netcdf4", constants={"MODE": "nczarr,zip"}),),
    "netcdf4-libzip-zarr": (ScriptSpec("netcdf4", constants={"MODE": "zarr,zip"}),),
    "gdal-multidim": (ScriptSpec("gdal_multidim"),),
    "gdal-classic": (ScriptSpec("gdal_classic"),),
    "rasterio-gdal": (ScriptSpec("rasterio_classic"),),
    "tensorflow": (ScriptSpec("tensorflow_pipeline"),),
    "zarrista": (ScriptSpec("zarrista"),),
    "zarrs-pipeline": (ScriptSpec("zarrs_pipeline"),),
    "zarrita-js": (ScriptSpec("zarrita", "node"),),
    "gdal-cli-mdim": (ScriptSpec("gdalmdiminfo", "shell", expected="gdal-json", values_only=True), ScriptSpec("gdal_cli_mdim")),
    **{reader: (ScriptSpec("ncdump", "shell", constants={"MODE": mode}, expected="cdl", values_only=True), ScriptSpec("ncdump", constants={"MODE": mode}))
       for reader, mode in NCDUMP_MODES.items()},
}


class ScriptError(ValueError):
    pass


def has_script(reader_id: str) -> bool:
    return reader_id.split("@")[0] in SCRIPTS


def specs_for(reader_id: str) -> tuple[ScriptSpec, ...]:
    if reader_id not in SCRIPTS:
        raise ScriptError(f"no script template for the reader {reader_id!r} (add one under {TEMPLATES.relative_to(TEMPLATES.parents[3])})")
    return SCRIPTS[reader_id]


def spec_for(reader_id: str) -> ScriptSpec:
    """The report's own script (the one its issue shows)."""
    return specs_for(reader_id)[0]


def template_path(spec: ScriptSpec, part: str | None = None) -> Path:
    return TEMPLATES / spec.language / f"{part or spec.template}{spec.lang.suffix}"


def packages(spec: ScriptSpec) -> list[str]:
    """What the script needs installed, from its body's `packages:` line."""
    mark = f"{spec.lang.comment} packages:"
    for line in template_path(spec).read_text(encoding="utf-8").splitlines():
        if line.startswith(mark):
            return line.split(":", 1)[1].split()
    raise ScriptError(f"{template_path(spec)} has no '{mark}' line")


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
            if line.startswith(f"{lang.comment} packages:") or line.startswith("#!"):
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
