"""Environments the suite runs writers and readers in (see environments.toml)."""

from envs.registry import Environment, load_environments, get_environment
from envs.build import EnvUnavailable, ensure_environment, cache_root

__all__ = [
    "Environment",
    "EnvUnavailable",
    "cache_root",
    "ensure_environment",
    "get_environment",
    "load_environments",
]
