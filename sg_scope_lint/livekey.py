"""The deployed key as a key config (`check --live`): ask SendGrid which scopes it holds.

`GET /v3/scopes` "returns all the scopes assigned to the key you use to authenticate with it",
on `https://api.sendgrid.com`, or `https://api.eu.sendgrid.com` for EU regional subusers
(https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions/retrieve-a-list-of-scopes-for-which-this-user-has-access).
The key is read from the environment and sent in the `Authorization: Bearer` header only: it is
never printed, written or kept. Network errors, 401 and 403 are one line each (a
`KeyConfigError`, exit 2), so a CI job with the real key as a secret fails clearly.
"""

from __future__ import annotations

import json
import os

from .errors import KeyConfigError
from .types import ConfigFormat, ConfiguredKey, GrantedScope, KeyConfig

DEFAULT_ENV = "SENDGRID_API_KEY"
DEFAULT_HOST = "https://api.sendgrid.com"
TIMEOUT_SECONDS = 20


def live_key_config(env: str, host: str = DEFAULT_HOST) -> KeyConfig:
    """The scopes the key in environment variable `env` holds, as a one-key config."""
    import urllib.error
    import urllib.request

    shown = f"{env} (live, {host})"
    secret = os.environ.get(env, "").strip()
    if not secret:
        raise KeyConfigError(f"environment variable {env} is not set; --live reads the deployed "
                             "key from it", file=shown)
    request = urllib.request.Request(
        host.rstrip("/") + "/v3/scopes",
        headers={"Authorization": f"Bearer {secret}", "Accept": "application/json",
                 "User-Agent": "sg-scope-lint"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        raise KeyConfigError(_refusal(error.code, env), file=shown) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise KeyConfigError(f"cannot reach SendGrid: {reason}", file=shown) from None
    try:
        scopes = json.loads(body.decode("utf-8"))["scopes"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise KeyConfigError("GET /v3/scopes did not answer with a `scopes` list",
                             file=shown) from None
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise KeyConfigError("GET /v3/scopes did not answer with a `scopes` list", file=shown)
    key = ConfiguredKey(env, tuple(GrantedScope(s) for s in sorted(set(scopes))), env, True)
    return KeyConfig(shown, ConfigFormat.SENDGRID, (key,))


def _refusal(status: int, env: str) -> str:
    if status == 401:
        return (f"SendGrid refused the key in {env} (401 Unauthorized): it is not a valid, "
                "active API key for this host (an EU key needs --live-host "
                "https://api.eu.sendgrid.com)")
    if status == 403:
        return f"SendGrid refused GET /v3/scopes for the key in {env} (403 Forbidden)"
    return f"GET /v3/scopes answered HTTP {status}"
