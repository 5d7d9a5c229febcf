"""Which documented options to try on a cell, and in what order.

Each adapter declares, in FALLBACKS, the documented options of its library
that matter for zipped stores (a store path, a group, consolidated metadata,
decoding flags, URL forms), each with the documentation that offers it:

    {"label": "group=<top-level folder>", "options": {...}, "doc": "https://...",
     "family": "location", "when": "store_prefix" | "not_zip_name" | "consolidated" | None,
     "avoids": ["mask", "zarr_fill_mask", "scale", "times"]}   (optional: what of a CF decoding the
                                                                 option turns off; checks.avoiding_option)

Options of one family are alternatives (two ways to name the same folder);
options of different families combine. The plan is every applicable option
alone, then every combination with at most one option per family, smaller
sets first, in declaration order, capped at MAX_ATTEMPTS: small and the same
on every run. Imports nothing but the standard library (repro bundles copy it).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

MAX_ATTEMPTS = 24
# what of a CF decoding an option may turn off (an option's "avoids"; checks.avoiding_option)
DECODING_PARTS = ("mask", "zarr_fill_mask", "scale", "times")
# when an option can change anything, from facts the user can see in the archive
CONDITIONS = {
    "store_prefix": lambda manifest: bool(manifest.get("store_prefix")),   # the store sits under a top-level folder
    "not_zip_name": lambda manifest: not str(manifest.get("archive", ".zip")).lower().endswith(".zip"),  # e.g. .ozx
    "consolidated": lambda manifest: bool((manifest.get("variant") or {}).get("consolidated")),  # written with consolidated metadata
    # names with non-ASCII bytes and no UTF-8 flag (ZIP general purpose bit 11): a reader may take them for CP437
    "names_without_utf8_flag": lambda manifest: (manifest.get("zip") or {}).get("non_ascii_names_without_utf8_flag", 0) > 0,
}


@dataclass(frozen=True)
class OptionSet:
    label: str
    options: dict = field(hash=False)
    docs: tuple[str, ...] = ()


def applies(declared: dict, manifest: dict) -> bool:
    when = declared.get("when")
    if when is None:
        return True
    if when not in CONDITIONS:
        raise ValueError(f"unknown condition {when!r} in option {declared.get('label')!r}; known: {', '.join(CONDITIONS)}")
    return CONDITIONS[when](manifest)


def normalise(declared) -> dict:
    """A declared option as a dict (an old (label, options) pair is one family of its own)."""
    if isinstance(declared, dict):
        return declared
    label, options = declared[0], declared[1]
    return {"label": label, "options": options, "doc": declared[2] if len(declared) > 2 else "", "family": label, "when": None}


def plan(declared: list, manifest: dict, limit: int = MAX_ATTEMPTS) -> list[OptionSet]:
    """The option sets to try after the default call, in order."""
    usable = [d for d in map(normalise, declared) if applies(d, manifest)]
    families: dict[str, list[dict]] = {}
    for d in usable:
        families.setdefault(d.get("family") or d["label"], []).append(d)
    names = list(families)
    out = []
    for size in range(1, len(names) + 1):
        for chosen in itertools.combinations(names, size):
            for combo in itertools.product(*(families[n] for n in chosen)):
                options: dict = {}
                for d in combo:
                    options.update(d["options"])
                label = ", ".join(d["label"] for d in combo)
                out.append(OptionSet(label, options, tuple(d.get("doc", "") for d in combo)))
                if len(out) >= limit:
                    return out
    return out
