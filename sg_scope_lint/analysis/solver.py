"""The project analysis: join the modules' analyses into project facts, and find the files
those facts reach, without parsing them (byte tests on their text).

Only SendGrid values are facts (`evaluate.transferable`), so the files a round reaches are the
few that a SendGrid value of another module reaches: the importers of a module that uses
SendGrid are not read again unless they import one of its SendGrid names.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import read_regular
from ..pool import PARALLEL_THRESHOLD, WorkerPool

if TYPE_CHECKING:
    from .symbols import ModuleAnalysis, ProjectFacts, Value


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    shown: str
    module: str
    is_package: bool


def facts_seen_by(facts: ProjectFacts, module: str, shown: str, imports: Iterable[str],
                  stars: Iterable[str]) -> ProjectFacts:
    """The part of the project facts that one module's analysis can read: what its imports
    and star imports name (with what the classes and factories among those values name in
    turn), what callers pass to its own functions, and the names asked of it.

    The analysis cache keys an entry by this part only, so a change in one module sends back
    only the modules that read something of it: not every module of the project.
    """
    from .symbols import Factory, Instance, ProjectFacts

    prefixes = {*imports, *stars, module}
    exports: dict[str, Value] = {}
    while True:
        found = {name: value for name, value in facts.exports.items() if name not in exports
                 and _under(name, prefixes)}
        if not found:
            break
        exports.update(found)
        prefixes.update(value.qualname for value in found.values()
                        if isinstance(value, (Factory, Instance)))
        prefixes.update(value.returns.qualname for value in found.values()
                        if isinstance(value, Factory) and isinstance(value.returns, Instance))
    own = module + "."
    stars = tuple(stars)
    return ProjectFacts(
        exports=exports,
        arguments={name: passed for name, passed in facts.arguments.items()
                   if name.startswith(own)},
        wrappers=facts.wrappers,
        wanted={shown: facts.wanted[shown]} if shown in facts.wanted else {},
        constants={name: value for name, value in facts.constants.items()
                   if _under(name, prefixes)},
        unbound=frozenset(name for name in facts.unbound if _under(name, set(stars))),
    )


def _under(name: str, prefixes: set[str]) -> bool:
    """Whether `name` is one of `prefixes` or inside one (`a.b.c` is inside `a.b`)."""
    while name:
        if name in prefixes:
            return True
        name = name.rpartition(".")[0]
    return False


def clear_package_cache() -> None:
    """Folders may have gained or lost `__init__.py` since the last scan."""
    _package_of.cache_clear()


def module_name(path: Path, root: str = "") -> tuple[str, bool]:
    """The dotted name a file is imported under: parent folders with `__init__.py` are packages,
    up to `root` (the folder the scan runs in), which is where imports start from even when it
    has an `__init__.py` of its own."""
    text = os.fspath(path)
    # abspath asks the system for the working directory on every call: join to `root` instead
    folder, name = os.path.split(os.path.normpath(os.path.join(root, text)) if root
                                 else os.path.abspath(text))
    is_package = name == "__init__.py"
    prefix = _package_of(folder, root)
    stem = "" if is_package else os.path.splitext(name)[0]
    return ".".join(part for part in (prefix, stem) if part), is_package


@functools.lru_cache(maxsize=4096)
def _package_of(folder: str, root: str = "") -> str:
    """The dotted package a folder is, "" when it has no `__init__.py` or is the root (cached:
    a tree shares its folders)."""
    parent, name = os.path.split(folder)
    if parent == folder or folder == root or \
            not os.path.isfile(os.path.join(folder, "__init__.py")):
        return ""
    outer = _package_of(parent, root)
    return f"{outer}.{name}" if outer else name


def merge_facts(analyses: Iterable[ModuleAnalysis], wrappers: frozenset[str],
                 owners: ConstantOwners) -> ProjectFacts:
    from .symbols import ProjectFacts

    merged = ProjectFacts(wrappers=wrappers)
    wanted: dict[str, set[str]] = {}
    unbound: set[str] = set()
    analyses = list(analyses)
    for analysis in analyses:
        merged.exports.update(analysis.exports)
    _export_under_imported_names(merged.exports, analyses, owners)
    # "Not bound there" changes an answer only for a name a star import may bind: of a
    # module that is not in the project (`os.environ`), other names are never followed.
    starred = frozenset(star for analysis in analyses for star in analysis.stars)
    for analysis in analyses:
        for qualname, passed in analysis.arguments.items():
            merged.arguments.setdefault(qualname, {}).update(passed)
        merged.constants.update(analysis.constants)
        for qualname in analysis.wanted:
            owner = owners.of(qualname)
            if owner is not None:
                wanted.setdefault(owner, set()).add(qualname)
            elif owners.absent(qualname) and qualname.rpartition(".")[0] in starred:
                unbound.add(qualname)
        unbound.update(analysis.unbound)
    merged.wanted.update((owner, frozenset(names)) for owner, names in sorted(wanted.items()))
    return replace(merged, unbound=frozenset(unbound))


def _export_under_imported_names(exports: dict[str, Value], analyses: list[ModuleAnalysis],
                                 owners: ConstantOwners) -> None:
    """Exports again under the names other modules import them by, where those differ.

    A file in folders without `__init__.py` (namespace packages) is named from its nearest
    package only (`sendgrid` for `app/constants/sendgrid.py`), while other modules import it
    by its full dotted path from the project root (`app.constants.sendgrid`).
    """
    aliases: dict[str, str] = {}
    for analysis in analyses:
        for qualname in analysis.imports:
            for module in (qualname, qualname.rpartition(".")[0]):
                if module and module not in aliases:
                    named = owners.named_as(module)
                    if named is not None:
                        aliases[module] = named
    for imported_as, named in aliases.items():
        for qualname, value in list(exports.items()):
            if qualname.startswith(named + "."):
                exports.setdefault(imported_as + qualname[len(named):], value)


class ConstantOwners:
    """Which file of the project binds a module-level name another module reads.

    `core.settings.API_VERSION` is bound by the module `core.settings`; when no file is that
    module by its `__init__.py` packages (a namespace package, or a `src/` layout whose root is
    not a package), by the one file whose path ends in `core/settings.py`. A name that is itself
    a module, or that names no file or several, has no owner: it stays unknown.
    """

    def __init__(self, files: list[SourceFile], by_module: dict[str, SourceFile]) -> None:
        self.by_module = by_module
        self.by_last: dict[str, list[tuple[tuple[str, ...], SourceFile]]] = {}
        for source in files:  # string operations: this runs for every file of the tree
            stem = source.shown.removesuffix(".py")
            parts = tuple(part for part in stem.split("/") if part not in ("", "."))
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
            if parts:
                self.by_last.setdefault(parts[-1], []).append((parts, source))
        self.found: dict[str, str | None] = {}
        self.by_shown = {source.shown: source for source in files}

    def of(self, qualname: str) -> str | None:
        """The shown path of the file that binds `qualname`, None when unknown."""
        module = qualname.rpartition(".")[0]
        if not module or qualname in self.by_module:
            return None
        if module not in self.found:
            self.found[module] = self._file(module)
        return self.found[module]

    def named_as(self, module: str) -> str | None:
        """The module name the project gives the one file that `module` can only be found as
        by its path (its folders lack `__init__.py`), when that name is shorter."""
        if module in self.by_module:
            return None
        shown = self._file(module)
        if shown is None:
            return None
        named = self.by_shown[shown].module
        return named if module.endswith("." + named) else None

    def absent(self, qualname: str) -> bool:
        """Whether no file of the project can be the module that binds `qualname` (a settings
        `local.py` kept out of the repository, or a module of another package)."""
        module = qualname.rpartition(".")[0]
        return bool(module) and qualname not in self.by_module and not self._files(module)

    def _file(self, module: str) -> str | None:
        matches = self._files(module)
        return matches[0] if len(matches) == 1 else None

    def _files(self, module: str) -> list[str]:
        if module in self.by_module:
            return [self.by_module[module].shown]
        wanted = tuple(module.split("."))
        return [source.shown for parts, source in self.by_last.get(wanted[-1], [])
                if parts[-len(wanted):] == wanted]


def reached_files(files: list[SourceFile], by_module: dict[str, SourceFile], old: ProjectFacts,
                  new: ProjectFacts, analyses: dict[Path, ModuleAnalysis],
                  pool: WorkerPool | None = None,
                  texts: dict[Path, bytes] | None = None) -> list[SourceFile]:
    """The files whose view of the project changed between two rounds of facts. The files not
    analysed yet are searched in `texts` (their bytes, kept from the first read), else read
    again, on the pool's workers when it is running."""
    changed_exports = {q for q, v in new.exports.items() if old.exports.get(q) != v}
    changed_arguments = {q for q, v in new.arguments.items() if old.arguments.get(q) != v}
    modules = {q.rpartition(".")[0] for q in changed_exports}
    changed_prefixes = {q.rsplit(".", cut)[0] for q in changed_exports
                        for cut in range(q.count(".") + 1)}
    reached: dict[Path, SourceFile] = {}
    # A file asked for new names, and the files whose asked-for strings came back: only those.
    asked = {shown for shown, names in new.wanted.items() if old.wanted.get(shown) != names}
    answered = {q for q, v in new.constants.items() if old.constants.get(q) != v}
    answered |= new.unbound - old.unbound  # "not bound here" is an answer too
    if asked or answered:
        for source in files:
            analysis = analyses.get(source.path)
            if source.shown in asked or (analysis is not None and analysis.wanted & answered):
                reached[source.path] = source
    for qualname in changed_arguments:
        # A function's module, else a method's (`module.Class.method`): not the package
        # around a function's module.
        candidate = qualname.rpartition(".")[0]
        if candidate not in by_module:
            candidate = qualname.rsplit(".", 2)[0]
        if candidate in by_module:
            reached[by_module[candidate].path] = by_module[candidate]
    if modules:
        pattern = _import_pattern(_import_names(modules, by_module))
        names = frozenset(module.rpartition(".")[2].encode() for module in modules)
        # An unread file is reached only when it also names one of the changed exports (or
        # star-imports): importing the module for its ordinary functions brings no SendGrid
        # value into the file.
        exported = frozenset(q.rpartition(".")[2].encode() for q in changed_exports)
        unread = [source for source in files if source.path not in reached
                  and source.module not in modules and source.path not in analyses]
        kept = texts or {}
        importing = {source.path for source in unread if source.path in kept
                     and _may_import(kept[source.path], names, pattern, exported)}
        importing |= _importing([source for source in unread if source.path not in kept],
                                names, pattern, exported, pool)
        for source in files:
            if source.path in reached:
                continue
            analysis = analyses.get(source.path)
            if analysis is not None:
                # Names of its own module do not send a file back (its own exports changed);
                # names of other modules do, also when a file of the same name (a namespace
                # package's `sendgrid.py` beside its `constants/sendgrid.py`) exported them.
                # An import of one of the changed names, of a class or module holding one,
                # or a star import of their module: not any import from that module.
                if any(name in changed_prefixes and not _own(name, source.module, by_module)
                       for name in analysis.imports) or not modules.isdisjoint(analysis.stars):
                    reached[source.path] = source
            elif source.module in modules:
                continue
            elif source.path in importing:
                reached[source.path] = source
    return list(reached.values())


def _own(name: str, module: str, by_module: dict[str, SourceFile]) -> bool:
    """Whether an imported name is the module's own (`pkg.Class.method` in `pkg`), not a name
    of one of its submodules (`pkg.http.get` imported by the package's `__init__.py`)."""
    if not name.startswith(module + "."):
        return False
    head = name[len(module) + 1:].partition(".")[0]
    return f"{module}.{head}" not in by_module


def _importing(sources: list[SourceFile], names: frozenset[bytes], pattern: re.Pattern[bytes],
               exported: frozenset[bytes], pool: WorkerPool | None) -> set[Path]:
    """The files whose text may import one of the modules and name one of their changed
    exports; on the pool when it is running."""
    paths = [os.fspath(source.path) for source in sources]  # str: cheap to send to workers
    if pool is None or not pool.running or len(paths) < PARALLEL_THRESHOLD:
        found = _files_importing(paths, names, pattern, exported)
    else:
        parts = min(len(paths), pool.workers * 4)  # small parts: workers finish together
        found = [index * parts + start for start, indices in enumerate(pool.map(
            _files_importing, [paths[start::parts] for start in range(parts)],
            [names] * parts, [pattern] * parts, [exported] * parts)) for index in indices]
    return {sources[index].path for index in found}


def _files_importing(paths: list[str], names: frozenset[bytes], pattern: re.Pattern[bytes],
                     exported: frozenset[bytes]) -> list[int]:
    """The indices of the files that may import one of the modules and name one of their
    changed exports (or star-import); unreadable ones may not."""
    found = []
    for index, path in enumerate(paths):
        try:
            data = read_regular(path)  # a FIFO named x.py must not stall the scan
        except OSError:
            continue
        if _may_import(data, names, pattern, exported):
            found.append(index)
    return found


def _may_import(data: bytes, names: frozenset[bytes], pattern: re.Pattern[bytes],
                exported: frozenset[bytes]) -> bool:
    # Substring tests first (C speed): a file can only use an export whose name it contains,
    # and only import a module whose last name it contains; the regexes then run on the few
    # files left.
    if not (any(name in data for name in exported) or _STAR_IMPORT.search(data)):
        return False
    return any(name in data for name in names) and pattern.search(data) is not None


_STAR_IMPORT = re.compile(rb"import\s*\*")


def _import_names(modules: set[str], by_module: dict[str, SourceFile]) -> set[str]:
    """The dotted names other files may import `modules` by: each module's own, and, for a file
    in folders without `__init__.py`, the longer names its path gives (`core.settings` for the
    module `settings` in `core/settings.py`)."""
    names = set(modules)
    for module in modules:
        source = by_module.get(module)
        if source is None:
            continue
        parts = Path(source.shown).with_suffix("").parts
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        dotted = ".".join(parts)
        if all(part.isidentifier() for part in parts) and dotted.endswith("." + module):
            names.update(".".join(parts[start:]) for start in range(len(parts) - 1))
    return names


def _import_pattern(modules: set[str]) -> re.Pattern[bytes]:
    """A cheap byte test for files that may import one of `modules`: `import a.b.c`,
    `from a.b.c import x`, `from a.b import c` (also in parentheses over several lines), and,
    for a module inside a package, the relative forms of the last two."""
    alternatives = []
    for module in sorted(modules):
        parent, _, last = module.rpartition(".")
        dotted, name = re.escape(module), re.escape(last)
        alternatives.append(rf"import\s[^\n]*\b{dotted}\b")
        alternatives.append(rf"from\s+{dotted}\s+import\b")
        if parent:
            alternatives.append(rf"from\s+{re.escape(parent)}\s+import\s+"
                                rf"(?:\([^)]*|[^\n]*)\b{name}\b")
            alternatives.append(rf"from\s+\.+(?:[\w.]*\.)?{name}\s+import\b")
            alternatives.append(rf"from\s+\.+[\w.]*\s+import\s+(?:\([^)]*|[^\n]*)\b{name}\b")
    # Anchored at the start of a line: the alternatives are tried only where a statement
    # begins, not at every byte of the file.
    return re.compile(rb"(?m)^[ \t]*(?:" + "|".join(alternatives).encode() + rb")")


