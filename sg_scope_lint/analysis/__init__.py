"""The analysis of Python source: the only package that imports libcst.

The stages, each a module:
- `parse`: bytes to a libcst tree (Python 2 source read as Python 3), refusing what would crash
  libcst; `parsed` keeps the trees of one scan, so a file is parsed once; `pyast` is
  CPython's parser, for the passes that need no libcst tree;
- `walk`, `collect`: one walk over a tree records bindings, calls and mail settings in scopes;
- `evaluate`, `symbols`, `strings`: the interpreter, giving expressions symbolic values
  (clients, chains, SendGrid URLs);
- `requests`: what a call sends, one matcher over a table of the kinds of callee, reading the
  library tables of `clients`; `keys`: where a client's key comes from, likewise;
- `frameworks`: the requests connector frameworks send for the stream classes a module
  declares; `endpoint_strings`: the strings that name an endpoint, the safety net under all
  of it (the engine reports those no request accounts for);
- `callsites`: one module's SendGrid calls, and what it tells other modules (exports, values
  passed to their functions, names it asks for);
- `solver`: those facts joined over the project, and the files they reach.

libcst is imported by the modules that walk trees, and only when a file needs analysis: a scan
of a tree without SendGrid never imports it (tests/test_layering.py keeps libcst in here).
"""
