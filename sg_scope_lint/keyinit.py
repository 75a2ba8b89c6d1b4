"""The first key config of a project (`sg-scope-lint init`): the minimal scopes per key.

Calls are grouped by the key they use (the variable their client reads, an `Authorization`
header, a `# sg-scope-key:` comment); calls whose key cannot be told go to the key of
`SENDGRID_API_KEY` (what `SendGridAPIClient()` reads), else to a key named `default`. One key
gives a `scopes:` file, several a `keys:` file with each key's `env`. What each key needs is
worked out by the check itself (`keycheck.compare` against keys that grant nothing yet), so
`init` and `check` cannot disagree; each scope carries a comment naming the first call that
needs it. For Terraform the same keys are printed as `sendgrid_api_key` resources to paste.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .keycheck import compare
from .keywrite import first_call, yaml_scalar
from .rules import ScopeCatalogue
from .types import ConfigFormat, ConfiguredKey, KeyConfig, ScanResult

DEFAULT_ENV = "SENDGRID_API_KEY"
HEADER = "# The SendGrid API keys of this project and the scopes its code needs.\n" \
         "# Written by `sg-scope-lint init`; `sg-scope-lint check` compares the code with it.\n"


@dataclass(frozen=True, slots=True)
class InitialKey:
    """One key to write: its name, the variable it is read from, and each scope with the
    first call that needs it."""

    name: str
    env: str
    default: bool
    scopes: tuple[tuple[str, str], ...]


def initial_keys(result: ScanResult, catalogue: ScopeCatalogue
                 ) -> tuple[tuple[InitialKey, ...], int]:
    """The keys the code uses with the scopes each needs, and how many calls are uncertain
    (they may need more)."""
    envs = sorted({key for key in _call_keys(result) if _is_variable(key)})
    if DEFAULT_ENV not in envs and (len(envs) != 1 or any(
            not _is_variable(key) for key in _call_keys(result))):
        envs.append("")  # a key for the calls whose key cannot be told
    names = _names(envs)
    default_env = DEFAULT_ENV if DEFAULT_ENV in envs else envs[-1] if envs else ""
    config = KeyConfig("(init)", ConfigFormat.KEYS, tuple(
        ConfiguredKey(names[env], (), env, env == default_env) for env in envs))
    check = compare(result, config, catalogue)
    keys = tuple(
        InitialKey(v.key.name, v.key.env, v.key.default,
                   tuple((scope, first_call(v.needs, scope)) for scope in v.required))
        for v in check.keys if v.required)
    return keys, len(check.doubts)


def render_yaml(keys: tuple[InitialKey, ...], uncertain: int) -> str:
    out = [HEADER + _uncertain(uncertain)]
    if len(keys) == 1:
        out.append("scopes:\n" + _items(keys[0], "  "))
        return "".join(out)
    out.append("keys:\n")
    for key in keys:
        out.append(f"  {yaml_scalar(key.name, False)}:\n")
        if key.env:
            out.append(f"    env: {yaml_scalar(key.env, False)}\n")
        if key.default:
            out.append("    default: true\n")
        out.append("    scopes:\n" + _items(key, "      "))
    return "".join(out)


def render_terraform(keys: tuple[InitialKey, ...], uncertain: int) -> str:
    """`sendgrid_api_key` resources to paste into the Terraform that manages the keys."""
    out = [HEADER.replace("this project", "this project (Terraform)") + _uncertain(uncertain)]
    for key in keys:
        label = "".join(c if c.isalnum() or c in "_-" else "_" for c in key.name)
        comment = (f"# env: {key.env}\n" if key.env else "") + (
            "# default: true\n" if key.default and len(keys) > 1 else "")
        scopes = "".join(f"    {json.dumps(scope)},{_note(why)}\n" for scope, why in key.scopes)
        out.append(f'\n{comment}resource "sendgrid_api_key" {json.dumps(label)} {{\n'
                   f"  name   = {json.dumps(key.name)}\n  scopes = [\n{scopes}  ]\n}}\n")
    return "".join(out)


def _call_keys(result: ScanResult) -> list[str]:
    return [m.call.key for m in result.matches] + [a.key for a in result.annotated]


def _is_variable(key: str) -> bool:
    """A key read from a variable or setting (not unknown, hard-coded or an SMTP password)."""
    return bool(key) and not key.startswith("(")


def _names(envs: list[str]) -> dict[str, str]:
    """A short name per key: `SENDGRID_MARKETING_KEY` → `marketing`; the default variable and
    the key of unattributed calls → `default`."""
    names: dict[str, str] = {}
    for env in sorted(envs, key=lambda e: e not in ("", DEFAULT_ENV)):
        short = "" if env == DEFAULT_ENV else env.lower().removeprefix("sendgrid_")
        for suffix in ("_api_key", "_key"):
            short = short.removesuffix(suffix)
        short = short.strip("_") or "default"
        names[env] = short if short not in names.values() else env.lower()
    return names


def _items(key: InitialKey, indent: str) -> str:
    return "".join(f"{indent}- {yaml_scalar(scope, False)}{_note(why)}\n"
                   for scope, why in key.scopes)


def _note(why: str) -> str:
    return f"  # needed by {why}" if why else ""


def _uncertain(count: int) -> str:
    if not count:
        return ""
    return (f"# {count} call(s) could not be resolved and may need more scopes: "
            "`sg-scope-lint check` lists them.\n")
