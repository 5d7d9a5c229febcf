"""The repository's generated files, written from the reader declarations and the environments (never kept by hand).

    python -m repofiles [--check]                 every file below (also one by one:)
    python -m repofiles.ci_workflow [--check]     .github/workflows/matrix.yml   (python -m compat_tests ci-workflow)
    python -m repofiles.reader_table [--check]    the README's table of readers  (python -m compat_tests reader-table)

A product of its own (docs/reference/products.md); the harness never imports it.
"""

if not __name__.startswith("zipstore_compat."):   # imported by its short name from a checkout: the one module is zipstore_compat's
    import zipstore_compat

    zipstore_compat.one_name(__name__)

