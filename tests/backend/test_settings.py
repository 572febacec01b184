"""Production settings: `check --deploy` is clean, and a missing SECRET_KEY refuses to start."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x9$kq2!vZ7rLm4@pT8wN1cY6eH3uJ5bG0fD-sA_zQ+oI*lK&" + "yX",
    "ALLOWED_HOSTS": "portal.example.ru",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.ru",
    "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
    "CACHE_URL": "redis://127.0.0.1:6379/4",  # not connected to by the checks
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_in_production_mode():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_of_a_cache_each_process_keeps_alone():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "CACHE_URL"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "users.W001" in result.stdout + result.stderr


def test_missing_secret_key_refuses_to_start_when_debug_is_off():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def proxy_ssl_header(**extra: str) -> str:
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = run_manage("shell", "-c", code, env={**PRODUCTION_ENV, **extra})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's own lines


def test_the_https_header_is_trusted_only_behind_a_declared_proxy():
    # With nothing in front, a client's X-Forwarded-Proto would pass plain HTTP off as HTTPS.
    assert proxy_ssl_header(NUM_PROXIES="0") == "None"
    assert proxy_ssl_header(NUM_PROXIES="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert (
        proxy_ssl_header(NUM_PROXIES="0", SECURE_PROXY_SSL_HEADER="X-Scheme") == "('HTTP_X_SCHEME', 'https')"
    )
