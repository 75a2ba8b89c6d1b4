"""Regenerate rules/spec-operations.txt: every operation of SendGrid's current v3 OpenAPI spec.

The list is what the rules must cover (tests/test_rules_coverage.py checks that every line has
a rule). It comes from a checkout of the public twilio/sendgrid-oai repository, whose `spec/`
folder holds the current v3 API, one file per feature, as JSON (`spec/json/*.json`) and as
YAML (`spec/yaml/*.yaml`) with the same content.

Usage:

    git clone https://github.com/twilio/sendgrid-oai /tmp/sendgrid-oai
    python scripts/update_spec_operations.py /tmp/sendgrid-oai/spec \\
        --commit "$(git -C /tmp/sendgrid-oai rev-parse HEAD)"

SPEC_DIR may be the `spec/` folder or one of its `json/` or `yaml/` subfolders; it is searched
recursively. When both a JSON and a YAML copy of a spec exist, the JSON copy is read (same
operations, faster to parse). Output goes to rules/spec-operations.txt next to this script's
repository, or to the file given with --output. Lines are `METHOD /v3/path`, sorted and
unique (plain string order), after one header comment naming the source repository and commit. A spec whose paths
lack the `/v3` prefix gets the base path of its first server URL (or `/v3`) put in front.

Needs only the standard library and PyYAML. Exits 1 with a message when SPEC_DIR holds no
OpenAPI file or a file cannot be parsed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlparse

import yaml

REPOSITORY = "twilio/sendgrid-oai"
METHODS = ("get", "post", "put", "patch", "delete")
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "rules" / "spec-operations.txt"


class SpecError(Exception):
    """A spec folder or file that cannot be read as OpenAPI."""


def spec_files(spec_dir: Path) -> list[Path]:
    """The OpenAPI files under `spec_dir`, one per spec (JSON preferred over its YAML twin)."""
    found: dict[str, Path] = {}
    candidates = sorted(
        p for p in spec_dir.rglob("*") if p.is_file() and p.suffix in {".json", ".yaml", ".yml"}
    )
    for path in candidates:
        current = found.get(path.stem)
        if current is None or (path.suffix == ".json" and current.suffix != ".json"):
            found[path.stem] = path
    return [found[stem] for stem in sorted(found)]


def load_spec(path: Path) -> dict | None:
    """The parsed document, or None when the file is not an OpenAPI/Swagger document."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: cannot parse: {exc}") from exc
    if not isinstance(data, dict) or not ({"openapi", "swagger"} & set(data)):
        return None
    if not isinstance(data.get("paths"), dict):
        raise SpecError(f"{path}: OpenAPI document without a 'paths' mapping")
    return data


def base_path(spec: dict) -> str:
    """The path prefix the spec's operations live under (`/v3` unless the servers say else)."""
    servers = spec.get("servers") or []
    if servers and isinstance(servers[0], dict):
        prefix = urlparse(str(servers[0].get("url", ""))).path.rstrip("/")
        if prefix:
            return prefix
    if spec.get("basePath"):  # Swagger 2
        return str(spec["basePath"]).rstrip("/")
    return "/v3"


def operations(spec: dict) -> Iterable[tuple[str, str]]:
    """(METHOD, /v3/path) for every operation of one spec."""
    prefix = base_path(spec)
    for path, item in spec["paths"].items():
        if not isinstance(item, dict):
            continue
        full = path if path.startswith("/v3/") else prefix + path
        if not full.startswith("/v3/"):
            full = "/v3" + path
        for method in METHODS:
            if method in item:
                yield method.upper(), full


def collect(spec_dir: Path) -> list[str]:
    """Sorted, unique `METHOD /v3/path` lines for every spec under `spec_dir`."""
    lines: set[str] = set()
    read = 0
    for path in spec_files(spec_dir):
        spec = load_spec(path)
        if spec is None:
            continue
        read += 1
        lines.update(f"{method} {op_path}" for method, op_path in operations(spec))
    if not read:
        raise SpecError(f"{spec_dir}: no OpenAPI JSON or YAML file found")
    return sorted(lines)


def render(lines: Sequence[str], commit: str | None) -> str:
    at = f" at commit {commit}" if commit else " (commit not recorded)"
    header = (
        f"# Operations of SendGrid's v3 OpenAPI spec, from {REPOSITORY}{at}; "
        f"regenerate with scripts/update_spec_operations.py"
    )
    return "\n".join([header, *lines]) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec_dir", type=Path, help="the spec/ folder of a sendgrid-oai checkout")
    parser.add_argument("--commit", help="the sendgrid-oai commit the checkout is at")
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"file to write (default: {DEFAULT_OUTPUT})",
    )
    args = parser.parse_args(argv)
    if not args.spec_dir.is_dir():
        print(f"error: {args.spec_dir} is not a directory", file=sys.stderr)
        return 1
    try:
        lines = collect(args.spec_dir)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.output.write_text(render(lines, args.commit), encoding="utf-8")
    print(f"wrote {len(lines)} operations to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
