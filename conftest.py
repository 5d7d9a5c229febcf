"""`pytest` at the project root runs the reader matrix: this loads its plugin (compat_tests/plugin.py).

The suite's own tests live in tests/ and run with `pytest tests` (./run test); the
plugin stays inert there.
"""

pytest_plugins = ["zipstore_compat.compat_tests.plugin"]
