"""Strings known in pieces: base URLs, stripping, the v2 host, helper parameters."""

from __future__ import annotations

import pytest

from sg_scope_lint.analysis.strings import (
    api_path,
    fill_parameters,
    has_parameter,
    join_base,
    parameter,
    strip_pieces,
)
from sg_scope_lint.types import VALUE

V = VALUE


@pytest.mark.parametrize(
    ("base", "url", "like_urljoin", "joined"),
    [
        (("https://h/v3",), ("/mail/send",), False, ("https://h/v3/mail/send",)),
        (("https://h/v3/",), ("mail/send",), False, ("https://h/v3/mail/send",)),
        (("https://h/v3",), ("templates/", V), False, ("https://h/v3/templates/", V)),
        (("https://h/v3",), ("https://other/x",), False, ("https://other/x",)),
        ((V,), ("/x",), False, (V, "/x")),
        (("https://h",), ("/v3/x",), True, ("https://h", "/v3/x")),
        ((), ("/x",), False, ("/x",)),
    ],
    ids=["httpx-slash", "httpx-trailing", "httpx-value", "absolute", "unknown-base",
         "aiohttp", "no-base"],
)
def test_join_base(base, url, like_urljoin, joined) -> None:
    assert join_base(base, url, like_urljoin) == joined


@pytest.mark.parametrize(
    ("pieces", "how", "chars", "stripped"),
    [
        (("/a/",), "lstrip", "/", ("a/",)),
        (("/a/",), "rstrip", "/", ("/a",)),
        ((" a ",), "strip", None, ("a",)),
        ((V, "/x/"), "strip", "/", (V, "/x")),
        (("/", V), "lstrip", "/", (V,)),
    ],
    ids=["lstrip", "rstrip", "whitespace", "value-first", "emptied"],
)
def test_strip_pieces(pieces, how, chars, stripped) -> None:
    assert strip_pieces(pieces, how, chars) == stripped


@pytest.mark.parametrize(
    ("url", "path"),
    [
        (("https://sendgrid.com/api/mail.send.json",), ("/api/mail.send.json",)),
        (("https://www.sendgrid.com/api/", V), ("/api/", V)),
        (("https://sendgrid.com/docs/api",), None),
        (("https://sendgrid.com/v3/mail/send",), None),
        (("https://api.sendgrid.com:443/v3/x",), ("/v3/x",)),
        (("https://api.sendgrid.com" + parameter(0),), ("/" + parameter(0),)),
    ],
    ids=["v2-host", "v2-www", "web-page", "v3-on-main-host", "port", "parameter-after-host"],
)
def test_api_path(url, path) -> None:
    assert api_path(url) == path


def test_fill_parameters() -> None:
    template = ("/v3/" + parameter(1) + "/x/" + parameter(0),)
    assert has_parameter(template[0]) and not has_parameter("/v3/\x00x")
    assert fill_parameters(template, [("a",), ("t/", V)]) == ("/v3/t/", V, "/x/a")
    assert fill_parameters(template, [None]) == ("/v3/", V, "/x/", V)
