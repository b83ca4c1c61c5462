"""Configuration from the environment; read when asked for, never at import time."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path


def instance_dir() -> Path:
    """Where the embedded database and local files live.

    ``AKTFLOW_INSTANCE`` wins; in a source checkout it is ``<checkout>/instance`` (as Flask does);
    otherwise ``<prefix>/var/aktflow-instance``.
    """
    env = os.environ.get("AKTFLOW_INSTANCE")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").exists():
        return checkout / "instance"
    return Path(sys.prefix) / "var" / "aktflow-instance"


def default_database_url() -> str:
    return f"sqlite:///{instance_dir() / 'aktflow.db'}"


@dataclass(frozen=True)
class Config:
    database_url: str
    archive: str = "local"

    @classmethod
    def from_env(cls) -> Config:
        return cls(
            database_url=os.environ.get("AKTFLOW_DATABASE_URL") or default_database_url(),
            archive=os.environ.get("AKTFLOW_ARCHIVE", "local"),
        )
