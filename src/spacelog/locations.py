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


def default_registry_path() -> str:
    """`SPACELOG_REGISTRY`, else the shipped registry."""
    return os.environ.get(REGISTRY_ENV) or str(shipped_data_dir() / "entities.toml")
