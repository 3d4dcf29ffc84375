"""Typed readers for environment variables, so every setting documents its default in one place."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DATA_DIR = Path(env_str("AJOUR_DATA_DIR", str(PROJECT_DIR / "var")))
