"""pytest -p tests.no_worker_plugin: starting a worker process (a reader's, the reference's) raises.

tests/test_result_cache.py runs the matrix with it to show that a run from the cache starts none."""

from zipstore_compat.compat_tests import workers


def _refuse(self):
    raise RuntimeError(f"a worker was started (environment {self.env!r}, module {self.module!r})")


workers.Worker._start = _refuse
