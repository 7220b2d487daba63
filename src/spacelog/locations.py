"""Where the shipped store and registry live, installed or in a checkout."""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "SPACELOG_DATA"
REGISTRY_ENV = "SPACELOG_REGISTRY"


def shipped_data_dir() -> Path:
    """The data folder: inside the installed package, else the checkout's top-level data/."""
    packaged = Path(__file__).with_name("data")
    if (packaged / "events.jsonl").is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


def default_store_paths() -> list[str]:
    """`SPACELOG_DATA` (paths joined by the OS path separator), else the shipped store."""
    env = os.environ.get(STORE_ENV, "")
    if env.strip():
        return [p for p in env.split(os.pathsep) if p]
    return [str(shipped_data_dir() / "events.jsonl")]


def user_registry_path() -> Path:
    """The user's own registry: `$XDG_CONFIG_HOME/spacelog/entities.toml`, else under `~/.config`."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "spacelog" / "entities.toml"


def registry_paths(extra: list[str] | None = None) -> list[str]:
    """The registry files read, each on top of the ones before: the shipped one, the
    user's file when it exists, `SPACELOG_REGISTRY` (paths joined by the OS path
    separator), then each `--registry`."""
    paths = [str(shipped_data_dir() / "entities.toml")]
    user = user_registry_path()
    if user.is_file():
        paths.append(str(user))
    paths.extend(p for p in os.environ.get(REGISTRY_ENV, "").split(os.pathsep) if p)
    paths.extend(extra or [])
    return paths
