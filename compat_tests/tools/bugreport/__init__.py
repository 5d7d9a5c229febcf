"""From a failing cell to a bug report: a minimal archive, a script in the library's own API, the issue text.

    python -m compat_tests report-bug CELL [--out DIR] [--check]

tiny     builds small archives with our own writers from a mini-dataset
shrink   the shrinking loop: fewer arrays, chunks, smaller shapes, fewer properties, same failure
script   the standalone script, assembled from the template files under templates/<language>/
issue    the issue text (GitHub Markdown) and the install line
check    runs the script in a fresh environment made from its install line
command  the command itself: ties them together and writes the report folder
"""
