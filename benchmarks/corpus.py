"""Build the pinned benchmark corpus: five sdists' package sources plus injected SendGrid modules.

    python benchmarks/corpus.py [DIR] [--no-sendgrid | --monorepo] [--force]

DIR (default `~/.cache/sg-scope-lint-bench`) receives:

    sdists/                 the pinned source distributions, checked against PINS' sha256
    corpus/                 their package `.py` files plus ~1% new modules that use SendGrid
    expected-calls.json     every SendGrid call in corpus/: file, line, method, path
    corpus-no-sendgrid/     (--no-sendgrid) the same files without the injected modules
    corpus-monorepo/        (--monorepo) the same files, ~1% of them with SendGrid code
                            appended, and expected-calls-monorepo.json

Everything is decided by this file: the pins, the seed and the templates. The same script gives
byte-identical trees on any machine; a tree is rebuilt when this file changes (or with --force).
Only the standard library and pip (through `python -m pip`, so whatever index pip is configured
with) are used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

DEFAULT_DIR = Path.home() / ".cache" / "sg-scope-lint-bench"
SEED = 20240607
INJECT_FRACTION = 0.01  # of the corpus's files, as new modules


@dataclass(frozen=True, slots=True)
class Pin:
    """One source distribution and the folder inside it whose `.py` files we take."""

    name: str
    version: str
    sha256: str
    package_dir: str  # relative to the sdist's top folder


# Only the importable package of each sdist is taken (not its tests or docs): that is the ~1M-line
# corpus the figures were measured on; the whole sdists hold 6.7k files and 1.9M lines.
PINS = (
    Pin("ansible-core", "2.19.14",
        "1e7612788eaa6b3c87a3670ce86c64b830eba0ae2b3fcb25a772f276704163b4", "lib/ansible"),
    Pin("botocore", "1.44.5",
        "a988f39e3a4484def0b8010f41128f71157da0515a4804fccce4739aa8f216da", "botocore"),
    Pin("django", "5.2.19",
        "ad03d8abc51dbff95ebf34b27123cf0c26a3b62db7ba0cd520783686362533d1", "django"),
    Pin("sqlalchemy", "2.1.9",
        "d700a8b2edfb26282a470333d6bc4a454c4acda4d201a3bea7b72fa76c217d28", "lib/sqlalchemy"),
    Pin("twisted", "26.10.0",
        "5f0355403e507fc23ceea85e9dbb4bc59335aabde41dd324e8b8cea180dd38de", "src/twisted"),
)

# The corpus root holds this pyproject.toml so that sg-scope-lint treats the root as the project
# (its cache lands in corpus/.sg-scope-lint-cache) wherever DIR is. Ruff ignores a pyproject.toml
# without a [tool.ruff] table, and no other tool reads it.
PYPROJECT = "# The sg-scope-lint benchmark corpus (benchmarks/corpus.py).\n[tool.sg-scope-lint]\n"


class CorpusError(Exception):
    """The corpus cannot be built: a download failed or a file does not match its pinned hash."""


@dataclass(frozen=True, slots=True)
class Corpus:
    root: Path
    files: int
    lines: int
    expected: Path | None  # expected-calls.json, for the variant with SendGrid


# ------------------------------------------------------------------------------------ downloads


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def sdist_path(folder: Path, pin: Pin) -> Path | None:
    """The downloaded sdist of `pin` in `folder` (pip spells the file name its own way)."""
    for candidate in sorted(folder.glob("*")):
        for suffix in (f"-{pin.version}.tar.gz", f"-{pin.version}.zip"):
            if candidate.name.endswith(suffix) and \
                    _normalised(candidate.name[:-len(suffix)]) == _normalised(pin.name):
                return candidate
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(folder: Path, pins: Sequence[Pin] = PINS) -> dict[Pin, Path]:
    """Fetch the sdists not yet in `folder` with pip, which checks the pinned hashes first."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [pin for pin in pins if sdist_path(folder, pin) is None]
    if missing:
        names = ", ".join(f"{p.name}=={p.version}" for p in missing)
        print(f"corpus: downloading {names} into {folder} (once; pip builds each sdist's "
              "metadata, which can take a few minutes)", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            # Hash-checking mode makes pip refuse a file that differs from the pin *before* it
            # runs the sdist's build backend to read its metadata.
            requirements = Path(scratch) / "requirements.txt"
            requirements.write_text("".join(f"{p.name}=={p.version} --hash=sha256:{p.sha256}\n"
                                            for p in missing), encoding="utf-8")
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary",
                       ":all:", "--require-hashes", "--dest", str(folder), "-r",
                       str(requirements)]
            if subprocess.run(command, check=False).returncode != 0:
                raise CorpusError(f"pip could not download {names}; its output is above")
    found: dict[Pin, Path] = {}
    for pin in pins:
        path = sdist_path(folder, pin)
        if path is None:
            raise CorpusError(f"{pin.name}=={pin.version}: pip reported success but no sdist "
                              f"is in {folder}")
        actual = _sha256(path)
        if actual != pin.sha256:
            raise CorpusError(f"{path}: sha256 {actual}, pinned {pin.sha256}; delete the file "
                              "and run again (or update the pin if the version changed on "
                              "purpose)")
        found[pin] = path
    return found


def extract_sources(sdist: Path, pin: Pin, destination: Path) -> None:
    """Copy the `.py` files under the pin's package folder, keeping the sdist's layout."""
    with tarfile.open(sdist, "r:*") as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.endswith(".py"):
                continue
            parts = PurePosixPath(member.name).parts
            if len(parts) < 2 or any(p in ("", ".", "..") for p in parts) or \
                    member.name.startswith("/"):
                continue  # never write outside the destination
            inside = PurePosixPath(*parts[1:]).as_posix()
            if not inside.startswith(pin.package_dir.rstrip("/") + "/"):
                continue
            source = archive.extractfile(member)
            if source is None:
                continue
            target = destination.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())


# ------------------------------------------------------------------------------------ injection
#
# Each template is the SendGrid part of one new module: its imports, `# ---`, then the code that
# goes among the filler. `#@ METHOD PATH` at the end of a line
# marks a call the tool must report on that line (the marker is removed from the written file);
# the paths are the rules' path templates. `{n}` is the module's number, `{other}` the module a
# pair's first half imports from.

_MAIL = '''
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Mail
# ---


def send_welcome_{n}(to_email, subject, html):
    sg = SendGridAPIClient(os.environ["SENDGRID_API_KEY"])
    message = Mail(from_email="noreply@example.com", to_emails=to_email, subject=subject,
                   html_content=html)
    response = sg.send(message)  #@ POST /v3/mail/send
    return response.status_code
'''

_TEMPLATES = '''
from sendgrid import SendGridAPIClient as SG
# ---

_client = SG(api_key=os.getenv("SENDGRID_API_KEY"))


def fetch_template_{n}(template_id):
    response = _client.client.templates._(template_id).get()  #@ GET /v3/templates/{{template_id}}
    return response.body
'''

_BOUNCES = '''
import sendgrid
# ---


class BounceReport{n}:
    def __init__(self, api_key):
        self.sg = sendgrid.SendGridAPIClient(api_key=api_key)

    def bounces(self):
        return self.sg.client.suppression.bounces.get()  #@ GET /v3/suppression/bounces
'''

_RAW_HTTP = '''
import requests
# ---

SENDGRID_HEADERS = {{"Authorization": "Bearer " + os.environ.get("SENDGRID_API_KEY", "")}}


def post_mail_{n}(payload):
    response = requests.post(  #@ POST /v3/mail/send
        "https://api.sendgrid.com/v3/mail/send",
        json=payload,
        headers=SENDGRID_HEADERS,
        timeout=10,
    )
    response.raise_for_status()
    return response
'''

_COMBINED = '''
from sendgrid import SendGridAPIClient
# ---


class MailService{n}:
    def __init__(self):
        self.sg = SendGridAPIClient(os.environ["SENDGRID_API_KEY"])

    def deliver(self, message):
        return self.sg.send(message)  #@ POST /v3/mail/send

    def template(self, template_id):
        return self.sg.client.templates._(template_id).get()  #@ GET /v3/templates/{{template_id}}

    def bounced(self):
        return self.sg.client.suppression.bounces.get()  #@ GET /v3/suppression/bounces
'''

# A pair: the first half builds the client and passes it to a function of the second half, which
# never mentions SendGrid (the prefilter alone cannot find it; the project analysis must).
_PAIR_CALLER = '''
from sendgrid import SendGridAPIClient

from {other} import deliver_{n}
# ---


def run_{n}(message, template_id):
    client = SendGridAPIClient(os.environ["SENDGRID_API_KEY"])
    return deliver_{n}(client, message, template_id)
'''

_PAIR_CALLEE = '''
# ---
def deliver_{n}(client, message, template_id):
    template = client.client.templates._(template_id).get()  #@ GET /v3/templates/{{template_id}}
    response = client.send(message)  #@ POST /v3/mail/send
    return template, response
'''

# Ordinary code around the SendGrid part, so that injected modules have the size and shape of
# real ones (the analysis is measured per line). It must stay free of anything the tool could
# take for SendGrid: no `send`, no HTTP, no key-like strings.
_FILLER = (
    '''
@dataclass(frozen=True)
class Recipient{k}:
    address: str
    name: str = ""
    tags: tuple = ()

    @property
    def domain(self):
        return self.address.rpartition("@")[2].lower()

    def display(self):
        if self.name:
            return f"{{self.name}} <{{self.address}}>"
        return self.address
''',
    '''
_ADDRESS_{k} = re.compile(r"^[^@\\s]+@[^@\\s]+\\.[a-z]{{2,}}$", re.IGNORECASE)


def normalise_addresses_{k}(values):
    seen = set()
    result = []
    for value in values:
        address = value.strip().lower()
        if not address or address in seen:
            continue
        if not _ADDRESS_{k}.match(address):
            logger.warning("skipping malformed address %r", value)
            continue
        seen.add(address)
        result.append(address)
    return result
''',
    '''
class RetryPolicy{k}:
    """Exponential backoff with a ceiling, for calls that may be rate limited."""

    def __init__(self, attempts=5, base=0.5, ceiling=30.0):
        self.attempts = attempts
        self.base = base
        self.ceiling = ceiling

    def delays(self):
        delay = self.base
        for _ in range(self.attempts):
            yield min(delay, self.ceiling)
            delay *= 2

    def __repr__(self):
        return f"RetryPolicy{k}(attempts={{self.attempts}}, base={{self.base}})"
''',
    '''
def render_subject_{k}(template, context):
    try:
        subject = template.format(**context)
    except KeyError as missing:
        logger.error("subject template needs %s", missing)
        subject = template
    subject = " ".join(subject.split())
    if len(subject) > 78:
        subject = subject[:75].rstrip() + "..."
    return subject
''',
    '''
DEFAULTS_{k} = {{
    "sender": "noreply@example.com",
    "reply_to": None,
    "track_opens": True,
    "track_clicks": False,
    "categories": ["transactional"],
    "batch_size": 500,
}}


def merged_settings_{k}(overrides=None):
    settings = dict(DEFAULTS_{k})
    for key, value in (overrides or {{}}).items():
        if key not in settings:
            raise ValueError(f"unknown setting {{key!r}}")
        settings[key] = value
    return settings
''',
    '''
def chunked_{k}(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def summarise_{k}(results):
    by_status = {{}}
    for status, address in results:
        by_status.setdefault(status, []).append(address)
    return {{status: sorted(addresses) for status, addresses in sorted(by_status.items())}}
''',
    '''
@dataclass
class MessageLog{k}:
    entries: list = field(default_factory=list)

    def add(self, address, status, detail=""):
        self.entries.append((address, status, detail))

    def failed(self):
        return [entry for entry in self.entries if entry[1] >= 400]

    def __len__(self):
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)
''',
)

_HEADER = '''"""{title} (generated by sg-scope-lint's benchmarks/corpus.py)."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)
'''

_MARK = re.compile(r"\s*#@ (?P<method>[A-Z]+) (?P<path>\S+)$")


@dataclass(frozen=True, slots=True)
class Call:
    file: str
    line: int
    method: str
    path: str


@dataclass(frozen=True, slots=True)
class Injected:
    file: str  # relative to the corpus root, POSIX
    lines: int
    mentions_sendgrid: bool


def _module_text(rng: random.Random, title: str, template: str) -> str:
    """Header and imports, some filler, the SendGrid code, more filler: about 90-260 lines."""
    imports, body = template.split("\n# ---\n")
    blocks = [rng.choice(_FILLER).format(k=k) for k in range(rng.randint(5, 12))]
    before = rng.randint(1, len(blocks) - 1)
    header = _HEADER.format(title=title).replace("\nlogger", imports.rstrip() + "\n\nlogger")
    return "\n".join([header, *blocks[:before], body, *blocks[before:]])


def _write_module(root: Path, relative: PurePosixPath, text: str) -> tuple[Injected, list[Call]]:
    lines: list[str] = []
    calls: list[Call] = []
    for number, line in enumerate(text.strip("\n").split("\n"), start=1):
        mark = _MARK.search(line)
        if mark:
            calls.append(Call(relative.as_posix(), number, mark["method"], mark["path"]))
            line = line[:mark.start()]
        lines.append(line.rstrip())
    content = "\n".join(lines) + "\n"
    target = root / relative
    if target.exists():
        raise CorpusError(f"{target}: an injected module would replace an existing file")
    target.write_text(content, encoding="utf-8")
    return Injected(relative.as_posix(), len(lines), "sendgrid" in content.lower()), calls


def _dotted(root: Path, folder: Path) -> str:
    """The module path of a package folder: its parents up to the first without `__init__.py`."""
    parts: list[str] = []
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


_SINGLE: tuple[tuple[str, str], ...] = (
    ("mailer", _MAIL), ("template_store", _TEMPLATES), ("bounce_report", _BOUNCES),
    ("mail_webhook", _RAW_HTTP), ("mail_service", _COMBINED),
)


def inject(root: Path, seed: int = SEED) -> tuple[list[Injected], list[Call]]:
    """Add new modules using SendGrid in ~INJECT_FRACTION of the files; return them and the calls.

    The kinds go round in a fixed order (the five single-module templates, then a pair); the
    folders, filler and numbers come from `random.Random(seed)` over sorted lists, so the result
    depends only on the seed and the tree.
    """
    rng = random.Random(seed)
    existing = sorted(p for p in root.rglob("*.py"))
    packages = sorted({p.parent for p in existing if p.name == "__init__.py"})
    target = max(2, round(len(existing) * INJECT_FRACTION))
    injected: list[Injected] = []
    calls: list[Call] = []

    def add(folder: Path, stem: str, title: str, body: str) -> None:
        relative = PurePosixPath(folder.relative_to(root).as_posix()) / f"{stem}.py"
        module, found = _write_module(root, relative, _module_text(rng, title, body))
        injected.append(module)
        calls.extend(found)

    number = 0
    while len(injected) < target:
        number += 1
        kind = number % (len(_SINGLE) + 1)
        folder = rng.choice(packages)
        if kind < len(_SINGLE):
            word, template = _SINGLE[kind]
            add(folder, f"_bench_{word}_{number:03d}", f"SendGrid usage: {word}",
                template.format(n=number))
            continue
        # A pair: odd pairs import relatively from the same folder, even pairs absolutely
        # from another folder of the same distribution.
        if (number // (len(_SINGLE) + 1)) % 2:
            callee_folder, other = folder, f"._bench_delivery_{number:03d}"
        else:
            top = folder.relative_to(root).parts[0]
            callee_folder = rng.choice([p for p in packages
                                        if p.relative_to(root).parts[0] == top])
            other = f"{_dotted(root, callee_folder)}._bench_delivery_{number:03d}"
        add(callee_folder, f"_bench_delivery_{number:03d}", "Delivery helpers",
            _PAIR_CALLEE.format(n=number))
        add(folder, f"_bench_signup_{number:03d}", "SendGrid usage: signup flow",
            _PAIR_CALLER.format(n=number, other=other))
    return injected, calls


# ------------------------------------------------------------------------------------ monorepo
#
# The monorepo variant does not add modules: it appends SendGrid code to ~1% of the *existing*
# modules, chosen with the seed, so each keeps its own classes and functions and every module of
# the tree that imported it still does. That is how real projects look (the mailer lives in
# `utils.py` next to everything else) and what makes a project analysis expensive: the modules
# that mention SendGrid are imported all over the tree.

_APPENDED_CHAINS = '''

# SendGrid usage appended by sg-scope-lint's benchmarks/corpus.py (monorepo variant).
import os as _sendgrid_os  # noqa: E402
from sendgrid import SendGridAPIClient as _SendGridAPIClient  # noqa: E402
from sendgrid.helpers.mail import Mail as _SendGridMail  # noqa: E402

sendgrid_client = _SendGridAPIClient(_sendgrid_os.environ.get("SENDGRID_API_KEY"))


def sendgrid_template_version_{n}(template_id, version_id):
    templates = sendgrid_client.client.templates
    version = templates._(template_id).versions._(version_id)
    return version.get()  #@ GET /v3/templates/{{template_id}}/versions/{{version_id}}


def sendgrid_list_{n}(list_id):
    lists = sendgrid_client.client.marketing.lists
    response = lists._(list_id).get()  #@ GET /v3/marketing/lists/{{id}}
    return response.body


def sendgrid_notify_{n}(to_email, subject, text):
    message = _SendGridMail(from_email="ops@example.com", to_emails=to_email, subject=subject,
                            plain_text_content=text)
    return sendgrid_client.send(message)  #@ POST /v3/mail/send
'''

_APPENDED_CLASS = '''

# SendGrid usage appended by sg-scope-lint's benchmarks/corpus.py (monorepo variant).
import sendgrid as _sendgrid  # noqa: E402


class SendGridSuppressions{n}:
    def __init__(self, api_key):
        self.sg = _sendgrid.SendGridAPIClient(api_key=api_key)

    def bounce(self, email):
        bounces = self.sg.client.suppression.bounces
        return bounces._(email).get()  #@ GET /v3/suppression/bounces/{{email}}

    def forget_bounce(self, email):
        return self.sg.client.suppression.bounces._(email).delete()  #@ DELETE /v3/suppression/bounces/{{email}}
'''

# A pair across modules: the caller builds the client and passes it to a function appended to
# another chosen module, whose appended code never mentions SendGrid.
_APPENDED_CALLER = '''

# SendGrid usage appended by sg-scope-lint's benchmarks/corpus.py (monorepo variant).
import os as _sendgrid_os  # noqa: E402
from sendgrid import SendGridAPIClient as _SendGridAPIClient  # noqa: E402
from {other} import search_contacts_{n} as _search_contacts_{n}  # noqa: E402


def sendgrid_search_{n}(query):
    client = _SendGridAPIClient(_sendgrid_os.environ["SENDGRID_API_KEY"])
    return _search_contacts_{n}(client, query)
'''

_APPENDED_CALLEE = '''


def search_contacts_{n}(client, query):
    contacts = client.client.marketing.contacts
    return contacts.search.post(request_body={{"query": query}})  #@ POST /v3/marketing/contacts/search
'''


def _append(root: Path, relative: PurePosixPath, text: str) -> tuple[Injected, list[Call]]:
    """Append `text` to an existing module; its `#@` marks become calls at the file's lines."""
    target = root / relative
    original = target.read_text(encoding="utf-8")
    if not original.endswith("\n"):
        original += "\n"
    offset = original.count("\n")
    lines: list[str] = []
    calls: list[Call] = []
    for number, line in enumerate(text.split("\n"), start=offset + 1):
        mark = _MARK.search(line)
        if mark:
            calls.append(Call(relative.as_posix(), number, mark["method"], mark["path"]))
            line = line[:mark.start()]
        lines.append(line.rstrip())
    content = original + "\n".join(lines).rstrip("\n") + "\n"
    target.write_text(content, encoding="utf-8")
    return Injected(relative.as_posix(), content.count("\n"),
                    "sendgrid" in content.lower()), calls


def _module_of(root: Path, path: Path) -> str | None:
    """The dotted name `path` is imported by, None when a folder on the way is no package."""
    stem = [] if path.name == "__init__.py" else [path.stem]
    package = _dotted(root, path.parent)
    if not package:
        return None
    return ".".join([package, *stem])


def append_sendgrid(root: Path, seed: int = SEED) -> tuple[list[Injected], list[Call]]:
    """Append SendGrid code to ~INJECT_FRACTION of the existing modules; return them and calls.

    Only modules that parse as Python 3 and are inside packages are chosen (the pair's callee
    must be importable by name). The kinds go round: chains on a module-level client, a class
    holding a client on `self`, and a pair where a client crosses into another module.
    """
    import ast
    import warnings

    rng = random.Random(seed)
    candidates = []
    for path in sorted(root.rglob("*.py")):
        if _module_of(root, path) is None:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        candidates.append(path)
    target = max(3, round(len(candidates) * INJECT_FRACTION))
    chosen = rng.sample(candidates, target + target // 3 + 1)
    injected: list[Injected] = []
    calls: list[Call] = []
    kinds = (_APPENDED_CHAINS, _APPENDED_CLASS, None)
    number = 0
    while len(injected) < target and chosen:
        number += 1
        path = chosen.pop()
        relative = PurePosixPath(path.relative_to(root).as_posix())
        template = kinds[number % len(kinds)]
        if template is not None:
            text = template.format(n=number)
        else:
            callee = chosen.pop()
            other = _module_of(root, callee)
            module, found = _append(root, PurePosixPath(callee.relative_to(root).as_posix()),
                                    _APPENDED_CALLEE.format(n=number))
            injected.append(module)
            calls.extend(found)
            text = _APPENDED_CALLER.format(n=number, other=other)
        module, found = _append(root, relative, text)
        injected.append(module)
        calls.extend(found)
    return injected, calls


# ------------------------------------------------------------------------------------ the build


def _fingerprint(variant: str) -> str:
    """Changes whenever this script does: pins, seed, templates and layout all live here."""
    return hashlib.sha256(Path(__file__).read_bytes() + variant.encode()).hexdigest()


def _count_lines(root: Path) -> tuple[int, int]:
    files = lines = 0
    for path in root.rglob("*.py"):
        files += 1
        lines += path.read_bytes().count(b"\n")
    return files, lines


def build(directory: Path = DEFAULT_DIR, sendgrid: bool = True, force: bool = False,
          log: Callable[[str], None] | None = None, monorepo: bool = False) -> Corpus:
    """Build (or reuse, when up to date) `corpus/`, `corpus-no-sendgrid/` or, with `monorepo`,
    `corpus-monorepo/` (SendGrid code appended to existing modules) in `directory`."""
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    directory = directory.expanduser().absolute()
    name = "corpus-monorepo" if monorepo else "corpus" if sendgrid else "corpus-no-sendgrid"
    root = directory / name
    stamp = directory / f"{name}.stamp"
    expected = None
    if sendgrid or monorepo:
        expected = directory / ("expected-calls-monorepo.json" if monorepo
                                else "expected-calls.json")
    fingerprint = _fingerprint(name)
    up_to_date = (root.is_dir() and stamp.is_file() and (expected is None or expected.is_file())
                  and stamp.read_text(encoding="utf-8").strip() == fingerprint)
    if up_to_date and not force:
        return Corpus(root, *_count_lines(root), expected)

    sdists = download(directory / "sdists")
    log(f"corpus: building {root}")
    document: dict[str, Any] | None = None
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=directory))
    scratch.chmod(0o755)  # mkdtemp makes it private; the corpus is ordinary source
    try:
        for pin in PINS:
            extract_sources(sdists[pin], pin, scratch)
        (scratch / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
        if sendgrid or monorepo:
            injected, calls = append_sendgrid(scratch) if monorepo else inject(scratch)
            document = {
                "corpus": name,
                "seed": SEED,
                "pins": [f"{p.name}=={p.version}" for p in PINS],
                "calls": [{"file": c.file, "line": c.line, "method": c.method, "path": c.path}
                          for c in sorted(calls, key=lambda c: (c.file, c.line, c.method))],
                "injected": [{"file": m.file, "lines": m.lines,
                              "mentions_sendgrid": m.mentions_sendgrid}
                             for m in sorted(injected, key=lambda m: m.file)],
            }
        stamp.unlink(missing_ok=True)
        if root.exists():
            shutil.rmtree(root)
        os.replace(scratch, root)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    if expected is not None and document is not None:
        expected.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    stamp.write_text(fingerprint + "\n", encoding="utf-8")
    return Corpus(root, *_count_lines(root), expected)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR,
                        help=f"where to build (default: {DEFAULT_DIR})")
    parser.add_argument("--no-sendgrid", action="store_true",
                        help="build corpus-no-sendgrid/: the same files, no injected modules")
    parser.add_argument("--monorepo", action="store_true",
                        help="build corpus-monorepo/: SendGrid code appended to ~1%% of the "
                             "existing modules instead of new ones")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = parser.parse_args(argv)
    try:
        corpus = build(args.directory, sendgrid=not args.no_sendgrid, force=args.force,
                       monorepo=args.monorepo)
    except CorpusError as error:
        print(f"corpus: error: {error}", file=sys.stderr)
        return 1
    print(f"{corpus.root}: {corpus.files} files, {corpus.lines} lines")
    if corpus.expected is not None:
        document = json.loads(corpus.expected.read_text(encoding="utf-8"))
        print(f"{corpus.expected}: {len(document['calls'])} expected calls in "
              f"{len(document['injected'])} injected modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
