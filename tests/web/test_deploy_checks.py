"""`ajour check --deploy` with the production settings, as an operator runs it before going live: demo
mode is an error, a trusted forwarded-protocol header without AJOUR_BEHIND_PROXY a warning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.checks import run_checks

SECRET = "deploy-check-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"


def _ajour(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AJOUR_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "ajour.cli", *args],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "ajour.settings.production",
            "DATABASE_URL": "sqlite://:memory:",
            "AJOUR_DATA_DIR": str(tmp_path),
            "SECRET_KEY": SECRET,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return _ajour(tmp_path, "check", "--deploy", **env)


def test_production_settings_pass(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ajour." not in result.stdout + result.stderr


def test_demo_mode_fails_the_deployment_check(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, AJOUR_DEMO="1")
    assert result.returncode == 1
    assert "ajour.E001" in result.stderr and "without authentication" in result.stderr


def test_the_forwarded_protocol_is_believed_only_behind_a_declared_proxy(tmp_path: Path) -> None:
    show = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    alone = _ajour(tmp_path, "shell", "--no-imports", "-c", show).stdout.strip()
    assert alone == "None"
    behind = _ajour(tmp_path, "shell", "--no-imports", "-c", show, AJOUR_BEHIND_PROXY="1").stdout.strip()
    assert behind == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert _check_deploy(tmp_path, AJOUR_BEHIND_PROXY="1").returncode == 0


def test_a_forwarded_protocol_trusted_without_a_declared_proxy_is_warned_about(settings: Any) -> None:
    settings.AJOUR_DEMO = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.AJOUR_BEHIND_PROXY = False
    assert "ajour.W001" in {message.id for message in run_checks(include_deployment_checks=True)}
    settings.AJOUR_BEHIND_PROXY = True
    assert "ajour.W001" not in {message.id for message in run_checks(include_deployment_checks=True)}
