"""Repro bundles: one cell reproduced outside the suite, to attach to an upstream issue.

    python -m repro CELL-ID [--out DIR] [--run] [--archive PATH]   (also: python -m compat_tests repro ...)

A product of its own on the harness's public seams (docs/reference/products.md); the harness never imports it.

bundle           writes reports/repro/<cell>/: the archive and manifest, the reader's adapter and the
                 judging modules under lib/, requirements.txt, README.md, bundle.json
program          the bundle's repro.py (a Python reader): judged by compat_tests.outcomes.judge_cell
foreign_program  the bundle's repro.py for a reader in another language (Node.js, ...)
commands_sh      commands.sh, the command lines a command-line reader ran
run              --run (a fresh environment from the bundle's files) and --verify
cli              the command line
"""

if not __name__.startswith("zipstore_compat."):   # imported by its short name from a checkout: the one module is zipstore_compat's
    import zipstore_compat

    zipstore_compat.one_name(__name__)

