"""Environments the suite runs writers and readers in (see environments.toml)."""

from zipstore_compat.envs.registry import Environment, load_environments, get_environment
from zipstore_compat.envs.build import EnvUnavailable, ensure_environment, cache_root
from zipstore_compat.envs.install import InstallFailed, InstallScript, fresh_environment, install_script

__all__ = [
    "Environment",
    "EnvUnavailable",
    "InstallFailed",
    "InstallScript",
    "cache_root",
    "ensure_environment",
    "fresh_environment",
    "get_environment",
    "install_script",
    "load_environments",
]
