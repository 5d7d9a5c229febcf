"""Readers for the suite's own tests: discovered only when ZIPCOMPAT_READER_DIRS names this folder."""
