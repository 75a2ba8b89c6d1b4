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
