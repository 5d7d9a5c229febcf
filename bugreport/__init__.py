"""From a failing cell to a bug report: a minimal archive, a script in the library's own API, the issue text.

    python -m bugreport CELL [--out DIR] [--check]        (also: python -m compat_tests report-bug ...)

A product of its own on the harness's public seams (docs/reference/products.md): it runs cells with
compat_tests.cells, builds its tiny archives with fixtures.build.write_archives and writes
install lines with envs.install_script; the harness never imports it.

tiny     builds small archives with our own writers from a mini-dataset
shrink   the shrinking loop: fewer arrays, chunks, smaller shapes, fewer properties, same failure
script   the standalone script, assembled from the template files under templates/<language>/,
         as the reader's declaration names them (`reader: bugreport = "python:zarr3"`)
issue    the issue text (GitHub Markdown)
check    runs the script in a fresh environment made from its install line
command  the command itself: ties them together and writes the report folder
cli      the command line
"""

if not __name__.startswith("zipstore_compat."):   # imported by its short name from a checkout: the one module is zipstore_compat's
    import zipstore_compat

    zipstore_compat.one_name(__name__)

