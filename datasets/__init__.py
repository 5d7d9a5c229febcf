"""Datasets: real MNIST, real geophysical grids and synthetic edge cases, offline after one fetch."""

if not __name__.startswith("zipstore_compat."):   # imported by its short name from a checkout: the one module is zipstore_compat's
    import zipstore_compat

    zipstore_compat.one_name(__name__)

