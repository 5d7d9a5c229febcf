"""Tools on top of the harness: repro bundles, bug reports, the benchmarks, the CI workflow writer."""
