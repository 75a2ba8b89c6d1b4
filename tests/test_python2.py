"""Python 2 source is read as Python 3 with every line kept, or left alone when it cannot be."""

from __future__ import annotations

import ast

import pytest
from fuzz_strategies import mutated_snippets
from hypothesis import given, settings
from hypothesis import strategies as st

from sg_scope_lint.analysis.python2 import MAX_REWRITES, as_python3


def calls_by_line(source: bytes) -> list[tuple[int, str]]:
    """(line, callee text) of every call, to compare the original with its rewrite."""
    text = source.decode()
    tree = ast.parse(text)
    return sorted((node.lineno, ast.unparse(node.func)) for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and ast.unparse(node.func) not in
                  ("print", "exec", "repr"))


CONSTRUCTS = {
    "print": (b"print 'sending', sg.send(m)\n", b"print('sending', sg.send(m))\n"),
    # (`print >>f, x` alone is a valid Python 3 expression, rewritten only when the line fails)
    "print to a file": (b"print >>sys.stderr, `x`, f(1)\n",
                        b"print(  sys.stderr, repr(x), f(1))\n"),
    "print, trailing comma": (b"print 'a',\n", b"print('a',)\n"),
    "print after a colon": (b"if x: print 'y'\n", b"if x: print('y')\n"),
    "print over lines": (b"print 'a %s' % (b,\n             c)  # note\nz = 1\n",
                         b"print('a %s' % (b,\n             c))  # note\nz = 1\n"),
    "two statements": (b"print 'a;b'; print 'c'\n", b"print('a;b'); print('c')\n"),
    "exec": (b"exec code in ns\n", b"exec(code in ns)\n"),
    "except comma": (b"try:\n    f()\nexcept (A, B), e:\n    pass\n",
                     b"try:\n    f()\nexcept (A, B) as e:\n    pass\n"),
    "raise comma": (b"raise ValueError, 'bad %s' % x\n", b"raise ValueError( 'bad %s' % x)\n"),
    "backquotes": (b"s = `a` + `b`\n", b"s = repr(a) + repr(b)\n"),
    "not equal": (b"ok = a <> b\n", b"ok = a != b\n"),
    "octal": (b"os.chmod(p, 0755)\n", b"os.chmod(p, 0o755)\n"),
    "long": (b"n = 10L + 0xffL\n", b"n = 10 + 0xff\n"),
    "raw unicode": (b"r = ur'\\d'\n", b"r =  r'\\d'\n"),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_each_python2_construct_becomes_python3(name: str) -> None:
    original, expected = CONSTRUCTS[name]
    assert as_python3(original) == expected


def test_python3_source_is_left_alone() -> None:
    assert as_python3(b"import sendgrid\nprint('x')\nsendgrid.SendGridAPIClient().send(m)\n") is None


def test_a_whole_python2_module_keeps_its_calls_on_their_lines() -> None:
    source = (
        b"import requests\n"
        b"def add(email):\n"
        b"    print 'adding', `email`\n"
        b"    try:\n"
        b"        r = requests.post(URL + '/contactdb/recipients',\n"
        b"                          json=[{'email': email}])\n"
        b"    except requests.RequestException, error:\n"
        b"        raise RuntimeError, 'cannot add %s' % email\n"
        b"    if r.status_code <> 201: print 'unexpected', r.status_code\n"
        b"    return requests.get(URL + '/suppression/bounces', timeout=10L)\n"
    )
    rewritten = as_python3(source)
    assert rewritten is not None
    assert rewritten.count(b"\n") == source.count(b"\n")
    assert calls_by_line(rewritten) == [(5, "requests.post"), (8, "RuntimeError"),
                                        (10, "requests.get")]


def test_tab_and_space_indentation_is_read_at_python2_tab_stops() -> None:
    source = b"def f():\n\tif x:\n\t\treturn 1\n        return sg.send(m)\n"
    rewritten = as_python3(source)
    assert rewritten == b"def f():\n        if x:\n                return 1\n        return sg.send(m)\n"


def test_strings_and_comments_are_not_rewritten() -> None:
    source = (b'print "print x; a <> b, 0755 `q`"  # print y <> z\n'
              b'doc = """\nprint inside <> a docstring 0644\n"""\n')
    assert as_python3(source) == (b'print("print x; a <> b, 0755 `q`")  # print y <> z\n'
                                  b'doc = """\nprint inside <> a docstring 0644\n"""\n')


def test_the_declared_encoding_is_kept() -> None:
    source = "# -*- coding: latin-1 -*-\nprint 'd\xe9j\xe0'\n".encode("latin-1")
    assert as_python3(source) == "# -*- coding: latin-1 -*-\nprint('d\xe9j\xe0')\n".encode(
        "latin-1")


@pytest.mark.parametrize("source", [
    b"print 'x'\ndef f((a, b)):\n    pass\n",   # tuple parameters: no rewrite for them
    b"print 'x'\nsg = sendgrid.SendGridAPIClient(\n",  # a real error besides the Python 2
    b"x = = 1\n",
])
def test_errors_no_rewrite_explains_leave_the_file_alone(source: bytes) -> None:
    assert as_python3(source) is None


def test_a_long_python2_module_takes_one_rewrite_per_kind_not_per_line() -> None:
    body = "".join(f"def f{i}(x):\n    print 'value %s' % x, `x`\n    return {i}L\n\n"
                   for i in range(600))
    rewritten = as_python3(body.encode())
    assert MAX_REWRITES < 600 and rewritten is not None  # more print lines than rewrites
    assert rewritten.count(b"print(") == 600 and b"`" not in rewritten


PYTHON2_LINES = [
    "print 'a', b", "print >>f, `x`", "except E, e:", "raise E, 'm'", "x = 0755 + 10L",
    "s = ur'\\d'", "if a <> b: print a", "\tprint x", "    y = sg.client.templates.get()",
    "def f(x):", "try:", "    pass", "'''", '"print x"', "# print x", "(", ")", "exec code",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PYTHON2_LINES), max_size=12) | mutated_snippets())
def test_rewrites_never_raise_and_keep_every_line(source: list[str] | bytes) -> None:
    data = source if isinstance(source, bytes) else "\n".join(source).encode()
    rewritten = as_python3(data)
    if rewritten is not None:
        assert rewritten.count(b"\n") == data.count(b"\n")
        ast.parse(rewritten)
