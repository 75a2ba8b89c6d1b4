"""Hypothesis strategies for the engine's fuzz tests (tests/test_fuzz.py, scripts/fuzz.py)."""

from __future__ import annotations

import hypothesmith
from hypothesis import strategies as st

# Real SendGrid idioms, mutated below: chains, _() forms, raw HTTP, settings, annotations.
SNIPPETS = (
    "import sendgrid\nsg = sendgrid.SendGridAPIClient()\n",
    "from sendgrid import SendGridAPIClient as SG\nsg = SG(os.environ['K'])\n",
    "sg.client.templates._(tid).versions.post(request_body={})\n",
    "sg.client._('suppression/bounces?x=1').get()\n",
    "sg.client.asm.suppressions._('global').post()\n",
    "getattr(sg.client, name).get()\n",
    "sg.send(message)\n",
    "t = sg.client.templates\nt._(x).get()\n",
    "class M:\n    def __init__(self):\n        self.sg = sendgrid.SendGridAPIClient()\n"
    "    def go(self):\n        self.sg.client.mail.batch._(b).get()\n",
    "requests.post(f'https://api.sendgrid.com/v3/{path}', json={'scopes': ['mail.send']})\n",
    "EMAIL_BACKEND = 'sendgrid_backend.SendgridBackend'\n",
    "sg.client.api_keys.post(request_body={'name': n, 'scopes': [s for s in x]})\n",
    "def f(c):\n    c.client.suppression.bounces._(e).delete()\n",
    "sg.client.version(v)._('').clients._(kind).stats.get()\n",
)
MUTATIONS = ("", "(", ")", ".", "._(", "\n", "    ", "#", "'", "\\", ":", "=", "sg", "\x00",
             "\ufeff", "+1" * 50)


@st.composite
def mutated_snippets(draw: st.DrawFn) -> bytes:
    """A few idioms joined, then cut and spliced with syntax fragments at random places."""
    text = "".join(draw(st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=6)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 5))
        text = text[:at] + draw(st.sampled_from(MUTATIONS)) + text[at + cut:]
    return text.encode("utf-8", "surrogatepass")


def valid_programs() -> st.SearchStrategy[bytes]:
    """Syntactically valid Python from hypothesmith, made to pass the SendGrid prefilter."""
    return hypothesmith.from_grammar().map(
        lambda source: ("import sendgrid\n" + source).encode("utf-8", "surrogatepass"))


# ------------------------------------------------------- hostile configs, baselines and caches

_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
            | st.sampled_from(["mail.send", "templates.read", "__type__", "__tuple__",
                               "ModuleAnalysis", "RawCall", "StepKind", "\ud800"]))
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=12) | st.sampled_from(
                         ["scopes", "keys", "version", "findings", "__type__", "__tuple__",
                          "__dict__", "__frozenset__", "__enum__", "calls", "count", "file"]),
                         inner, max_size=4), max_leaves=30)
# Shapes the tool's own files have, so that the values reach the checks behind the parser.
_SHAPES = (
    lambda v: {"scopes": v}, lambda v: {"keys": {"main": {"scopes": v}}},
    lambda v: {"version": 1, "findings": [{"code": "SGS101", "file": "a.py", "chain": v,
                                           "count": v}]},
    lambda v: {"scopes": {"mail.send": v}, "unresolved": v},
    lambda v: {"__type__": "ModuleAnalysis", "calls": v, "exports": v, "arguments": v,
               "imports": v, "stars": v},
    lambda v: {"rules": v, "catalogue": v},
    lambda v: {"roots": v, "exclude": [], "inputs": [], "state": "", "stdout": v, "stderr": "",
               "code": 0},
)


@st.composite
def hostile_json(draw: st.DrawFn) -> str:
    """JSON text a hostile or broken file could hold: random values in the shapes of the tool's
    own files, nesting past the recursion limit, numbers past int()'s 4,300 digits, cut text."""
    import json

    value = draw(_JSON)
    if draw(st.booleans()):
        value = draw(st.sampled_from(_SHAPES))(value)
    text = json.dumps(value)
    kind = draw(st.sampled_from(["plain", "deep", "huge", "cut"]))
    if kind == "deep":
        depth = draw(st.sampled_from([1_000, 100_000]))
        text = "[" * depth + text + "]" * depth
    elif kind == "huge":
        text = text.replace("1", "1" + "7" * 5000, 1) if "1" in text else "9" * 5000
    elif kind == "cut":
        text = text[:draw(st.integers(0, len(text)))]
    return text


@st.composite
def hostile_yaml(draw: st.DrawFn) -> str:
    """Key configs as YAML, mutated: anchors, tags, duplicate keys, deep flow nesting."""
    base = draw(st.sampled_from([
        "scopes:\n  - mail.send\n", "keys:\n  main:\n    scopes: [mail.send]\n    env: K\n",
        "keys:\n  a: &x {scopes: [mail.send]}\n  b: *x\n", "scopes: !!python/object {}\n",
        "scopes: [mail.send]\nscopes: [templates.read]\n", "version: 1\nscopes: []\n",
        "api_key: SG.x\nscopes: [a]\n", 'resource "sendgrid_api_key" "k" {\n scopes = []\n}\n',
    ]))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(base)))
        piece = draw(st.sampled_from(["[", "]", "{", ":", "\n", "  ", "- ", "&a ", "*a", "!!",
                                      "9" * 5000, "[" * 5000, "\t", "\x00", "\ud800", "'"]))
        base = base[:at] + piece + base[at:]
    return base
