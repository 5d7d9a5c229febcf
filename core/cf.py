"""CF decoding of raw array values: what a reader that decodes CF by default returns.

The independent decoding the manifest records (fixtures/manifest.py cf_entry)
and the judge compares with (compat_tests/checks.py). The rules, as the CF
conventions (section 2.5.1 "Missing data", 8.1 "Packed data", 4.4 "Time
coordinate") and xarray's documentation define them:

- masking: a value equal to the _FillValue or a missing_value attribute
  becomes missing (NaN; NaT for times). The Zarr fill_value counts as the
  _FillValue where the reader documents it so: xarray's
  `use_zarr_fill_value_as_mask`, "If None, this defaults to True for
  zarr_format=2 and False for zarr_format=3"
  (https://docs.xarray.dev/en/stable/generated/xarray.open_zarr.html); then
  it replaces a _FillValue attribute (xarray/backends/zarr.py,
  open_store_variable). valid_min/valid_max/valid_range are not applied
  (xarray does not; netCDF4-python does: a reader that masks by them differs).
- packing: unpacked = packed * scale_factor + add_offset, after masking, in float64
  (JSON attributes are float64; CF 8.1 has the unpacked type follow the attributes').
- times: a numeric array whose units read "<unit> since <date>" is decoded with
  cftime (num2date) in its calendar attribute ("standard" when there is none).

Imports numpy and the standard library; cftime only when a time is decoded
(CFUnavailable says so when it is not installed). Comparing decoded values
(core.canonical.cf_digest) does not depend on how a reader represents them.
"""

from __future__ import annotations

import base64
import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ZARR_FILL = "Zarr fill_value (format 2: xarray's use_zarr_fill_value_as_mask)"
FILL_ATTRIBUTE = "_FillValue attribute"
MISSING_ATTRIBUTE = "missing_value attribute"
SOURCE_KEYS = {ZARR_FILL: "zarr_fill_value", FILL_ATTRIBUTE: "_FillValue", MISSING_ATTRIBUTE: "missing_value"}
TIME_UNITS = re.compile(r"^\s*(\w+)\s+since\s+(.+)$")
# the attributes a CF decoder consumes (xarray moves them into the variable's encoding)
MASK_ATTRIBUTES = ("_FillValue", "missing_value", "scale_factor", "add_offset")
TIME_ATTRIBUTES = ("units", "calendar")


class CFUnavailable(RuntimeError):
    """Times need cftime, which this environment does not have."""


def fill_as_mask_default(zarr_format: int | None) -> bool:
    """xarray's default for use_zarr_fill_value_as_mask: True for Zarr format 2, False for 3."""
    return zarr_format == 2


def attribute_number(value: Any, dtype: np.dtype) -> Any:
    """The number a _FillValue or missing_value attribute stands for, or None when it names none.

    A string on a float array is xarray's Zarr encoding of a float _FillValue (base64 of the
    little-endian float64; xarray/backends/zarr.py FillValueCoder); "NaN"/"Infinity" as Zarr writes them.
    """
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value.item() if hasattr(value, "item") else value
    if isinstance(value, str):
        named = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
        if value in named:
            return named[value]
        if np.dtype(dtype).kind == "f":
            try:
                raw = base64.b64decode(value, validate=True)
            except ValueError:
                return None
            if len(raw) == 8:
                return struct.unpack("<d", raw)[0]
    return None


@dataclass(frozen=True)
class MaskValue:
    value: Any      # a Python number
    source: str     # ZARR_FILL, FILL_ATTRIBUTE or MISSING_ATTRIBUTE

    def to_json(self) -> dict:
        v = self.value
        return {"value": v if not (isinstance(v, float) and not math.isfinite(v)) else str(v), "source": self.source,
                "from": SOURCE_KEYS[self.source]}


@dataclass(frozen=True)
class Plan:
    """What CF decoding does to one array, decided from its metadata alone (no values)."""

    dtype: np.dtype
    mask: tuple[MaskValue, ...] = ()
    scale_factor: float | None = None
    add_offset: float | None = None
    time_units: str | None = None
    calendar: str | None = None
    consumed: tuple[str, ...] = field(default=())   # attributes the decoding consumes

    @property
    def times(self) -> bool:
        return self.time_units is not None

    @property
    def scaled(self) -> bool:
        return self.scale_factor is not None or self.add_offset is not None

    @property
    def widens(self) -> bool:
        """A masked integer, bool or float16 array comes back as a wider float, whatever it masks."""
        return bool(self.mask) and (self.dtype.kind in "biu" or (self.dtype.kind == "f" and self.dtype.itemsize < 4))

    def kind(self, times: bool = True) -> str:
        """The comparison form the decoded values take (core.canonical.cf_digest)."""
        if times and self.times:
            return "time"
        return "complex" if self.dtype.kind == "c" else "number"

    def masked(self, block: np.ndarray) -> np.ndarray:
        """Where the raw values equal a mask value (NaN equals nothing: a NaN stays NaN either way)."""
        block = np.asarray(block)
        hit = np.zeros(block.shape, dtype=bool)
        for m in self.mask:
            if isinstance(m.value, float) and math.isnan(m.value):
                continue
            hit |= _equal(block, m.value)
        return hit

    def decode(self, block: np.ndarray, times: bool = True) -> np.ndarray:
        """The decoded values of a block of raw values (any shape): float64 (complex128) with NaN where
        masked, or, for times, an object array of cftime datetimes with None where masked."""
        block = np.asarray(block)
        hit = self.masked(block)
        numbers = block.astype(np.complex128 if self.dtype.kind == "c" else np.float64)
        numbers[hit] = np.nan
        if self.scale_factor is not None:
            numbers = numbers * self.scale_factor
        if self.add_offset is not None:
            numbers = numbers + self.add_offset
        if not (times and self.times):
            return numbers
        return _num2date(numbers, self.time_units, self.calendar)


def _equal(block: np.ndarray, value) -> np.ndarray:
    try:
        typed = np.array(value).astype(block.dtype) if block.dtype.kind != "b" else np.array(bool(value))
        if typed.item() == value or block.dtype.kind == "f":  # a float fill is compared in the array's own type
            return block == typed
    except (OverflowError, ValueError, TypeError):
        pass
    return block.astype(np.float64) == float(value)  # a fill the dtype cannot hold: compared as numbers


def _num2date(numbers: np.ndarray, units: str, calendar: str | None) -> np.ndarray:
    try:
        import cftime
    except ImportError:
        raise CFUnavailable("decoding times needs cftime, which is not installed here") from None
    out = np.empty(numbers.shape, dtype=object)
    valid = ~np.isnan(numbers)
    if valid.any():
        out[valid] = cftime.num2date(numbers[valid], units, calendar or "standard", only_use_cftime_datetimes=True)
    out[~valid] = None
    return out


def plan(dtype, attributes: dict | None, zarr_fill_value: Any, zarr_format: int | None,
         fill_as_mask: bool | None = None) -> Plan | None:
    """What CF decoding does to an array of this dtype, attributes and Zarr fill value, or None: nothing.

    Only numeric and bool arrays are decoded (strings, structured and native datetime arrays are not).
    """
    dtype = np.dtype(dtype) if not isinstance(dtype, str) or dtype != "string" else np.dtype(object)
    if dtype.kind not in "biufc":
        return None
    attributes = attributes or {}
    fill_as_mask = fill_as_mask_default(zarr_format) if fill_as_mask is None else fill_as_mask
    mask: list[MaskValue] = []
    consumed: list[str] = []
    fill = attribute_number(zarr_fill_value, dtype) if fill_as_mask else None
    if fill is not None:
        mask.append(MaskValue(fill, ZARR_FILL))   # replaces a _FillValue attribute (xarray's open_store_variable)
    elif "_FillValue" in attributes:
        number = attribute_number(attributes["_FillValue"], dtype)
        if number is not None:
            mask.append(MaskValue(number, FILL_ATTRIBUTE))
    missing = attributes.get("missing_value")
    for value in (missing if isinstance(missing, list) else [missing]):
        number = attribute_number(value, dtype)
        if number is not None and not any(_same(number, m.value) for m in mask):
            mask.append(MaskValue(number, MISSING_ATTRIBUTE))
    scale = _float_attribute(attributes.get("scale_factor"))
    offset = _float_attribute(attributes.get("add_offset"))
    consumed += [k for k in MASK_ATTRIBUTES if k in attributes]
    units, calendar = None, None
    raw_units = attributes.get("units")
    if isinstance(raw_units, str) and TIME_UNITS.match(raw_units) and dtype.kind in "iuf":
        units, calendar = raw_units, str(attributes.get("calendar") or "standard")
        consumed += [k for k in TIME_ATTRIBUTES if k in attributes]
    if not mask and scale is None and offset is None and units is None:
        return None
    return Plan(dtype, tuple(mask), scale, offset, units, calendar, tuple(consumed))


def _same(a, b) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def _float_attribute(value) -> float | None:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return None
