"""Restore the evaluation files listed in labels.yaml into benchmarks/eval/files/.

The copies of third-party code are not committed; each entry of ``labels.yaml`` names its
repository, path and commit, and the SHA-256 of the copy the labels were written against. This
script downloads every missing (or, with ``--force``, every) file from GitHub's raw-content host
at that commit, checks the hash and writes it under its label name.

Usage::

    python benchmarks/eval/fetch_files.py            # fetch the missing files
    python benchmarks/eval/fetch_files.py --force    # fetch all of them again
    python benchmarks/eval/fetch_files.py --check    # only verify the copies on disk

Exit status: 0 when every file is present with the labelled hash, 1 otherwise.
Needs the standard library and PyYAML.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=HERE / "labels.yaml")
    parser.add_argument("--files", type=Path, default=HERE / "files")
    parser.add_argument(
        "--force", action="store_true", help="download files that are already present too"
    )
    parser.add_argument(
        "--check", action="store_true", help="download nothing, only verify the copies"
    )
    args = parser.parse_args(argv)

    entries = yaml.safe_load(args.labels.read_text(encoding="utf-8"))["files"]
    args.files.mkdir(parents=True, exist_ok=True)
    bad = 0
    for entry in entries:
        target = args.files / entry["file"]
        want = entry.get("sha256")
        if target.is_file() and not args.force:
            if want and hashlib.sha256(target.read_bytes()).hexdigest() != want:
                print(f"differs from the labelled copy: {entry['file']}")
                bad += 1
            continue
        if args.check:
            print(f"missing: {entry['file']}")
            bad += 1
            continue
        url = RAW.format(
            repo=entry["repository"], commit=entry["commit"], path=urllib.parse.quote(entry["path"])
        )
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read()
        except (urllib.error.URLError, OSError) as exc:
            print(f"failed: {entry['file']}: {url}: {exc}")
            bad += 1
            continue
        if want and hashlib.sha256(data).hexdigest() != want:
            print(f"hash mismatch, kept anyway: {entry['file']} ({url})")
            bad += 1
        target.write_bytes(data)
        print(f"fetched: {entry['file']}")
    print(f"{len(entries) - bad}/{len(entries)} files present with the labelled content")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
