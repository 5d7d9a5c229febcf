"""The CI workflow, written from the reader declarations and the environments (never kept by hand).

    python -m repofiles.ci_workflow [--check]   (also: python -m compat_tests ci-workflow)

One job per reader environment (the readers that run in it, the Debian
packages it declares), one versions-lane job per reader family that has
older releases, and the `latest` job with every environment's packages.
Everything else comes from ci/matrix.template.yml; `--check` fails when
.github/workflows/matrix.yml is not what the declarations give.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zipstore_compat.core.commands import program_name

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "ci" / "matrix.template.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "matrix.yml"
INDENT = " " * 10


def _row(name: str, readers: list[str], apt: list[str]) -> str:
    return f'{INDENT}- {{name: {name}, readers: "{",".join(readers)}", apt: "{" ".join(apt)}"}}'


def render() -> str:
    from zipstore_compat.compat_tests.readers import lane_readers, matrix_readers
    from zipstore_compat.envs.registry import get_environment

    from zipstore_compat.fixtures.writer_registry import writers

    # every job builds the default fixtures first: the writers' Debian packages (7-Zip, bsdtar) come with each
    writer_apt = {p for w in writers().values() for p in get_environment(w.env).apt}
    by_env: dict[str, list[str]] = {}
    for reader in matrix_readers().values():
        by_env.setdefault(reader.env, []).append(reader.id)
    groups = [_row(env, ids, sorted(set(get_environment(env).apt) | writer_apt)) for env, ids in sorted(by_env.items())]
    families: dict[str, list] = {}
    for reader in lane_readers().values():
        families.setdefault(reader.family, []).append(reader)
    lanes = [_row(family, [family], sorted({p for r in members for p in get_environment(r.env).apt} | writer_apt))
             for family, members in sorted(families.items())]
    every_apt = sorted({p for env in by_env for p in get_environment(env).apt} | writer_apt)
    text = TEMPLATE.read_text(encoding="utf-8")
    return (text.replace("@reader_groups@", "\n".join(groups)).replace("@lane_groups@", "\n".join(lanes))
            .replace("@all_apt@", " ".join(every_apt)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=program_name("repofiles.ci_workflow"), description="write (or check) the CI workflow from the reader declarations")
    parser.add_argument("--check", action="store_true", help="fail when the file is not what the declarations give; write nothing")
    check = parser.parse_args(argv).check
    wanted = render()
    if check:
        if WORKFLOW.read_text(encoding="utf-8") != wanted:
            print(f"{WORKFLOW.relative_to(ROOT)} is not what the reader declarations and environments give: "
                  "run ./run python -m compat_tests ci-workflow", file=sys.stderr)
            return 1
        print(f"{WORKFLOW.relative_to(ROOT)} agrees with the declarations", file=sys.stderr)
        return 0
    WORKFLOW.write_text(wanted, encoding="utf-8")
    print(f"wrote {WORKFLOW.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
