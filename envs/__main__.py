"""python -m envs list | build NAME... | outdated : inspect, build and check the pins of declared environments."""

import argparse
import sys

from zipstore_compat.envs import EnvUnavailable, ensure_environment, load_environments
from zipstore_compat.envs.build import MARKER, env_dir


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m envs")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="declared environments and whether they are built")
    build = sub.add_parser("build", help="build environments (all when none named)")
    build.add_argument("names", nargs="*")
    sub.add_parser("outdated", help="which pins are behind the newest release on the package registry (Markdown)")
    args = parser.parse_args(argv)
    envs = load_environments()
    if args.command == "outdated":
        from zipstore_compat.envs.outdated import check, report

        print(report(check(envs)), end="")
        return 0
    if args.command == "list":
        for env in envs.values():
            state = "built" if (env_dir(env) / MARKER).exists() else "not built"
            print(f"{env.name:14} {env.key}  python {env.python}  {state}")
        return 0
    unknown = [n for n in args.names if n not in envs]
    if unknown:
        print(f"unknown environment(s): {', '.join(unknown)}; declared: {', '.join(envs)}", file=sys.stderr)
        return 2
    status = 0
    for name in args.names or list(envs):
        try:
            print(f"{name}: {ensure_environment(name, log=print)}")
        except EnvUnavailable as exc:
            print(f"{name}: NOT AVAILABLE: {exc.reason}" + (f"\n  fix: {exc.fix}" if exc.fix else ""), file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
