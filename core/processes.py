"""How a command is run in one of the suite's environments: the variables every child process gets.

Workers, fixture writers, repro bundles, bug-report checks and benchmarks
start processes in other environments; each takes its variables from here
so that they agree: zipstore_compat on PYTHONPATH (core.locations.import_root) (or, for what must run standalone,
not), and no leaked VIRTUAL_ENV (the project's venv would shadow the
environment's interpreter).
"""

from __future__ import annotations

import os

from zipstore_compat.core.locations import CODE as ROOT, import_root  # noqa: F401  (ROOT: the code root, re-exported)


def child_environ(extra: dict[str, str] | None = None, *, project_path: bool = True, base: dict | None = None) -> dict[str, str]:
    """The environment variables of a child process run in an environment of ours.

    `extra`: the environment's own variables (envs.build.runtime_environ) and the caller's.
    `project_path`: put the project on PYTHONPATH (workers and writers import our modules;
    a standalone bundle or a bug-report script must not).
    """
    env = dict(os.environ if base is None else base)
    env.pop("VIRTUAL_ENV", None)  # the project's venv must not leak into another environment's interpreter
    if project_path:
        env["PYTHONPATH"] = str(import_root())
    else:
        env.pop("PYTHONPATH", None)
    env.update(extra or {})
    return env
