"""Shared by the two xarray readers: a Dataset per group, values as xarray gives them."""

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import box, groups_of, option, store_path
from zipstore_compat.core.errors import exception_text

NOT_XARRAY = ("path_from_prefix", "url_folder", "zarr_config")  # options the adapter turns into a group, a URL, a setting


def documented_options(doc: str) -> list[dict]:
    """xarray's keywords that matter for a zipped store, as `doc` documents them: CF decoding, the group, consolidated.

    xarray decodes CF by default (mask_and_scale=True, decode_times=True; the readers declare decodes_cf):
    the decoding options are the documented ways back to the stored values, named in a cell's cf_effects."""
    return [
        option("use_zarr_fill_value_as_mask=False", doc, "decoding", avoids=("zarr_fill_mask",), use_zarr_fill_value_as_mask=False),
        option("mask_and_scale=False", doc, "decoding", avoids=("mask", "scale"), mask_and_scale=False),
        option("decode_times=False", doc, "decoding", avoids=("times",), decode_times=False),
        option("mask_and_scale=False, decode_times=False", doc, "decoding", avoids=("mask", "scale", "times"),
               mask_and_scale=False, decode_times=False),
        option("decode_cf=False", doc, "decoding", avoids=("mask", "scale", "times"), decode_cf=False),
        option("group=<top-level folder>", doc, "location", "store_prefix", path_from_prefix=True),
        option("consolidated=False", doc, "consolidated", consolidated=False),
    ]


def versions() -> dict:
    import xarray  # noqa: F401  (importable: the worker is ready, and the first cell does not pay for the import)
    import zarr  # noqa: F401

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"xarray": installed_version("xarray"), "zarr": installed_version("zarr"), "numpy": installed_version("numpy")}


def read_with(open_group, manifest: dict, options: dict) -> dict:
    """open_group(group_path, xarray_kwargs) -> xarray.Dataset"""
    kwargs = {k: v for k, v in options.items() if k not in NOT_XARRAY}
    prefix = store_path(manifest, options)
    arrays, errors, listed = {}, {}, []
    for group, expected_arrays in groups_of(manifest).items():
        full_group = "/".join(p for p in (prefix, group) if p) or None
        try:
            ds = open_group(full_group, kwargs)
        except Exception as exc:
            for expected in expected_arrays:
                errors[expected["path"]] = exception_text(exc)[:500]
            continue
        with ds:
            listed += [f"{group}/{name}" if group else str(name) for name in ds.variables]
            for expected in expected_arrays:
                name = expected["path"].rpartition("/")[2]
                if name not in ds.variables:  # xarray returned a Dataset without it, and raised nothing
                    arrays[expected["path"]] = {"missing": f"the Dataset of group {full_group!r} has no variable {name!r} "
                                                           f"({len(ds.variables)} variables: {', '.join(map(str, list(ds.variables)[:5]))})"}
                    continue
                try:
                    variable = ds.variables[name]
                    arrays[expected["path"]] = {
                        "values": variable.values,
                        "slice": variable[box(expected)].values if variable.ndim else variable.values,
                        "attrs": dict(variable.attrs),
                        "dims": list(variable.dims) or None,
                    }
                except Exception as exc:
                    errors[expected["path"]] = exception_text(exc)[:500]
    return {"listed": sorted(listed), "arrays": arrays, "errors": errors}
