"""Find the calls in one module that reach SendGrid, given what the rest of the project says.

The work is split in passes over plain data:
- `collect.py` walks the libcst tree once and records bindings (imports, assignments, `self.x`,
  parameters, returns), calls and Django mail settings, each with its scope and order;
- `evaluate.py` works out the symbolic value (`symbols.py`) of expressions from those bindings:
  the official client under any import alias, partial chains, raw HTTP URLs on SendGrid's hosts,
  other clients (`clients.py`); `requests.py` says what a call sends;
- this module runs them, propagates values between the module's own functions, and reports what
  the module exports to, and passes to, other modules (`engine.scan_files` joins the project).

What it does not do: turn steps into URLs (`resolve.py`) or know scopes (`rules.py`); values
held in containers (lists, dicts) or returned by methods are not followed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

import libcst as cst

from ..types import VALUE, Location, RawCall
from .alternatives import alternatives
from .clients import SENDGRID_LIBRARIES
from .collect import (
    DJANGO_SETTINGS,
    Collector,
)
from .endpoint_strings import endpoint_strings
from .evaluate import (
    Evaluator,
    transferable,
)
from .frameworks import declared_requests
from .positions import Positions
from .requests import recognise
from .strings import has_parameter, parameter, starts_with_literal, whole_url
from .symbols import (
    Binding,
    Class,
    Factory,
    Function,
    Helper,
    Imported,
    Instance,
    ModuleAnalysis,
    PendingCall,
    ProjectFacts,
    Request,
    Str,
    Template,
    Value,
)
from .walk import walk

_NEWLINE = re.compile(r"\s*\n\s*")


def find_calls(module: cst.Module, path: str) -> list[RawCall]:
    """Every call in `module` that reaches SendGrid, in source order (one module on its own)."""
    return analyse_module(module, path).calls


def analyse_module(module: cst.Module, path: str, module_name: str = "", is_package: bool = False,
                   facts: ProjectFacts | None = None, source: bytes | None = None
                   ) -> ModuleAnalysis:
    """Find the module's SendGrid calls, given what the rest of the project tells it.
    `source`, the bytes `module` was parsed from, spares regenerating its code for positions.

    Values passed between this module's own functions are propagated here (a few rounds, until
    nothing new is learnt); values for other modules come back as `exports` and `arguments`.
    """
    facts = facts or ProjectFacts()
    collector = Collector(path, module_name or "__main__", is_package)
    walk(module, collector)  # libcst's module.visit would rebuild the whole tree
    _bind_arguments(collector.functions, facts.arguments)
    about_sendgrid = _about_sendgrid(collector)
    sendgrid_functions = _named_after_sendgrid(collector)
    evaluator = Evaluator(collector.module_scope, facts, about_sendgrid, sendgrid_functions)
    outgoing: dict[str, dict[int | str, Value]] = {}
    for _ in range(_LOCAL_ROUNDS):
        outgoing, local = _passed_values(evaluator, collector.calls)
        if not _bind_arguments(collector.functions, local):
            break
        evaluator = Evaluator(collector.module_scope, facts, about_sendgrid, sendgrid_functions)
    positions = Positions(module, len(collector.calls), collector.assigns, source)
    requests = {p.ordinal: recognise(evaluator, p.node, p.scope, p.order) for p in collector.calls}
    requests.update(_urls_from_other_modules(evaluator, collector, requests))
    requests.update(_through_helpers(evaluator, collector.calls, requests))
    each_value = _each_value(evaluator, collector, requests)
    found: list[RawCall] = []
    for pending in collector.calls:
        request = requests[pending.ordinal]
        if request is None:
            continue
        line, col = positions.of(ast.Call, pending.ordinal, pending.node)
        chain = _NEWLINE.sub("", module.code_for_node(pending.node.func))
        grants = evaluator.body_scopes(pending.node, pending.scope, pending.order)
        for sent in each_value.get(pending.ordinal, [request]):
            found.append(RawCall(Location(path, line, col), chain, sent.steps, sent.verb,
                                 sent.dynamic, sent.key, grants, sent.guessed,
                                 sent.unknown_base, prefix=sent.prefix))
    for setting in collector.settings:
        value = evaluator.mail_setting_value(setting.node.value, setting.scope, setting.order)
        if value is None:
            continue
        line, col = positions.of(ast.Assign, setting.ordinal, setting.node)
        # Django reads its settings itself; an SMTP host under another name is read by
        # Flask-Mail, or by the project's own code: then only if no SMTP connection of the
        # project is seen (`engine.report_calls`), else that connection is the call.
        found.append(RawCall(Location(path, line, col), f"{setting.name} = {value!r}", (), "send",
                             key=setting.key, named=setting.name not in DJANGO_SETTINGS))
    # Connector frameworks send the requests their stream classes declare (frameworks.py);
    # strings that name an endpoint are the safety net under all of it (endpoint_strings.py).
    text = source if source is not None else module.code.encode()
    found.extend(declared_requests(text, path))
    found.extend(endpoint_strings(text, path))
    found.sort(key=lambda call: (call.location.line, call.location.col))
    if not module_name:  # a file on its own: nothing to tell other modules
        return ModuleAnalysis(found, {}, outgoing, frozenset(collector.imports))
    exports, passed_on = _star_exports(evaluator, collector)
    exports.update(_exports(evaluator, collector, requests))
    constants, further, unbound = _constants(evaluator, facts.wanted.get(path, frozenset()))
    wanted = _wanted(evaluator, collector.calls, requests) | further | passed_on
    return ModuleAnalysis(found, exports, outgoing, frozenset(collector.imports),
                          frozenset(wanted), constants, frozenset(unbound),
                          frozenset(collector.module_scope.star_modules))


def _about_sendgrid(collector: Collector) -> bool:
    """Whether the module imports the SendGrid library or is named after SendGrid (a
    `sendgrid.py`): evidence that its requests to a base URL it cannot see, with a SendGrid
    path, may be SendGrid's. Functions named after SendGrid are such evidence for their own
    requests (`_named_after_sendgrid`)."""
    if any(name.partition(".")[0] in SENDGRID_LIBRARIES for name in collector.imports):
        return True
    return "sendgrid" in collector.module_name.lower()


def _named_after_sendgrid(collector: Collector) -> frozenset[int]:
    """The scopes (by id) of functions and methods named after SendGrid, or in a class named
    after it (`SendGrid.send_email`, `send_with_sendgrid`)."""
    return frozenset(id(function.scope) for qualname, function in collector.functions.items()
                     if "sendgrid" in qualname.removeprefix(collector.module_name + ".").lower())


_LOCAL_ROUNDS = 3
# Method names through which a helper's body sends the request it is given.
_SENDING_METHODS = frozenset({"get", "post", "put", "patch", "delete", "request", "send",
                              "fetch", "stream", "urlopen"})


def _through_helpers(evaluator: Evaluator, calls: list[PendingCall],
                     requests: dict[int, Request | None]) -> dict[int, Request]:
    """Calls of the module's own helpers (`self._post(path)`, `api_request("GET", "/x")`)
    whose body sends a request built from their arguments.

    Inside the helper the method or URL is a parameter, so the request there is unresolved or
    unseen; at each call with literal arguments it is known. The caller's call is reported with
    the request the helper sends for those arguments (one level of helpers, this module only),
    and a request inside the helper that is unseen on its own (its URL is a parameter) is
    reported as unresolved: what it sends depends on callers that may be anywhere. A URL that
    the module's callers pass whole is bound to the parameter (`_bind_arguments`): when they
    all pass the same endpoint the request inside is reported with it, and when they pass
    different ones, each call is reported with its own instead of one of them standing for all.
    """
    by_scope: dict[int, list[PendingCall]] = {}
    for pending in calls:
        by_scope.setdefault(id(pending.scope), []).append(pending)
    contested = _contested(evaluator, calls, by_scope, requests)
    found: dict[int, Request] = {}
    for pending, function in _calls_of_functions(evaluator, calls, requests):
        inner = [q for q in by_scope.get(id(function.scope), [])
                 if _sends(q) and (_unknown(requests[q.ordinal]) or q.ordinal in contested)]
        sent = _helper_request(evaluator, pending, function, inner)
        if sent is None:
            continue
        call, request = sent
        found[pending.ordinal] = request
        if requests[call.ordinal] is None or call.ordinal in contested:
            name = function.qualname.rpartition(".")[2] or "its function"
            found[call.ordinal] = _parameter_url(name, request.key)
    return found


def _helper_request(evaluator: Evaluator, pending: PendingCall, function: Function,
                    inner: list[PendingCall]) -> tuple[PendingCall, Request] | None:
    """The request a call of one of the module's helpers sends, with the helper's request
    it goes out through (among `inner`)."""
    if not inner:
        return None
    arguments = _arguments_for(evaluator, pending, function)
    if not arguments:
        return None
    name = function.qualname.rpartition(".")[2] or "its function"
    with evaluator.bound(function.scope, arguments):
        for call in inner:
            request = recognise(evaluator, call.node, call.scope, call.order)
            if request is None or request.dynamic or request.guessed or not request.steps:
                continue
            if starts_with_literal(request.steps):
                return call, request
            if not any(isinstance(v, Str) and v.pieces and v.pieces[0] is VALUE
                       for v in arguments.values()):
                continue  # the unknown start does not come from this call's arguments
            # `_sg("GET", f"{PATHS[kind]}/{email}")`: SendGrid's, path unknown
            return call, Request("", dynamic=(f"the path passed to `{name}` starts with a "
                                              "value known only at run time"), key=request.key)
    return None


def _each_value(evaluator: Evaluator, collector: Collector,
                requests: dict[int, Request | None]) -> dict[int, list[Request]]:
    """Requests whose endpoint depends on a literal value the call takes from a loop or a
    table (`alternatives.py`): the request for each value, by the call's ordinal."""
    if not collector.loops and not any(
            request is not None and request.dynamic for request in requests.values()):
        return {}
    by_scope: dict[int, list[PendingCall]] = {}
    for pending in collector.calls:
        by_scope.setdefault(id(pending.scope), []).append(pending)

    def request_of(pending: PendingCall) -> Request | None:
        request = recognise(evaluator, pending.node, pending.scope, pending.order)
        function = evaluator.value(pending.node.func, pending.scope, pending.order)
        if request is None and isinstance(function, Function):
            inner = [q for q in by_scope.get(id(function.scope), []) if _sends(q)]
            sent = _helper_request(evaluator, pending, function, inner)
            request = sent[1] if sent is not None else None
        return request

    found: dict[int, list[Request]] = {}
    for pending in collector.calls:
        request = requests[pending.ordinal]
        if request is None or not (request.dynamic or any(
                piece is VALUE for step in request.steps for piece in step.pieces)):
            continue
        each = alternatives(evaluator, pending, collector.loops, request_of)
        if each is not None:
            found[pending.ordinal] = each
    return found


def _calls_of_functions(evaluator: Evaluator, calls: list[PendingCall],
                        requests: dict[int, Request | None]
                        ) -> Iterator[tuple[PendingCall, Function]]:
    """Calls with arguments of the module's own functions that send nothing themselves."""
    for pending in calls:
        if requests[pending.ordinal] is not None or not pending.node.args:
            continue
        function = evaluator.value(pending.node.func, pending.scope, pending.order)
        if isinstance(function, Function):
            yield pending, function


def _parameter_url(name: str, key: str) -> Request:
    """The request inside a helper whose URL each of its calls passes: unresolved there."""
    return Request("", dynamic=(f"the request's URL is a parameter of `{name}`; each call of "
                                "it is reported with the endpoint it passes"), key=key)


def _contested(evaluator: Evaluator, calls: list[PendingCall],
               by_scope: dict[int, list[PendingCall]],
               requests: dict[int, Request | None]) -> set[int]:
    """Requests inside the module's helpers that its calls send to different endpoints (the
    ordinals of those requests)."""
    sent: dict[int, set[Request]] = {}
    for pending, function in _calls_of_functions(evaluator, calls, requests):
        inner = [q for q in by_scope.get(id(function.scope), [])
                 if _sends(q) and requests[q.ordinal] is not None
                 and not _unknown(requests[q.ordinal])]
        if not inner:
            continue
        arguments = _arguments_for(evaluator, pending, function)
        with evaluator.bound(function.scope, arguments):
            for call in inner:
                sent.setdefault(call.ordinal, set()).add(
                    recognise(evaluator, call.node, call.scope, call.order))
    return {ordinal for ordinal, requests_sent in sent.items() if len(requests_sent) > 1}


def _urls_from_other_modules(evaluator: Evaluator, collector: Collector,
                             requests: dict[int, Request | None]) -> dict[int, Request]:
    """Requests inside this module's helpers whose whole URL other modules pass in: each of
    those calls is reported with its endpoint (`requests._through_helper`, through the
    `Helper` this module then exports), and the request inside as unresolved."""
    found: dict[int, Request] = {}
    for function in _receiving_urls(evaluator, collector):
        name = function.qualname.rpartition(".")[2]
        for call, template in _templates(evaluator, function, collector.calls, requests,
                                         known_too=True):
            if any(whole_url(step.pieces) for step in template.steps):
                found[call.ordinal] = _parameter_url(name, template.key)
    return found


def _receiving_urls(evaluator: Evaluator, collector: Collector) -> list[Function]:
    """The module's functions to which other modules pass a SendGrid URL."""
    functions = []
    for qualname, passed in evaluator.facts.arguments.items():
        function = collector.functions.get(qualname)
        if function is not None and any(isinstance(v, Str) for v in passed.values()):
            functions.append(function)
    return functions


def _unknown(request: Request | None) -> bool:
    """Nothing seen, or a request whose method or URL the helper's caller decides."""
    return request is None or bool(request.dynamic) or not starts_with_literal(request.steps)


def _sends(pending: PendingCall) -> bool:
    func = pending.node.func
    name = func.attr.value if isinstance(func, cst.Attribute) else (
        func.value if isinstance(func, cst.Name) else "")
    return name in _SENDING_METHODS


def _arguments_for(evaluator: Evaluator, pending: PendingCall,
                   function: Function) -> dict[str, Value]:
    """The helper's parameters bound to the values this call passes (known values only)."""
    return evaluator.call_arguments(function, pending.node, pending.scope, pending.order)


def _passed_values(evaluator: Evaluator, calls: list[PendingCall]
                   ) -> tuple[dict[str, dict[int | str, Value]], dict[str, dict[int | str, Value]]]:
    """SendGrid values passed as arguments: (to other modules' names, to this module's functions)."""
    outgoing: dict[str, dict[int | str, Value]] = {}
    local: dict[str, dict[int | str, Value]] = {}
    for pending in calls:
        node = pending.node
        if not node.args:
            continue
        passed: dict[int | str, Value] = {}
        for index, arg in enumerate(a for a in node.args if not a.star):
            value = evaluator.value(arg.value, pending.scope, pending.order)
            if transferable(value):
                passed[arg.keyword.value if arg.keyword is not None else index] = value
        if not passed:
            continue
        function = evaluator.value(node.func, pending.scope, pending.order)
        if isinstance(function, (Function, Class)) and function.qualname:
            local.setdefault(function.qualname, {}).update(passed)
        elif isinstance(function, (Imported, Factory, Helper)):
            outgoing.setdefault(function.qualname, {}).update(passed)
    return outgoing, local


def _bind_arguments(functions: dict[str, Function],
                    arguments: dict[str, dict[int | str, Value]]) -> bool:
    """Give parameters the values callers pass; True when something new was learnt."""
    learnt = False
    for qualname, passed in arguments.items():
        function = functions.get(qualname)
        offset = 0
        if function is None:  # a class: its __init__ receives the arguments after `self`
            function, offset = functions.get(f"{qualname}.__init__"), 1
        if function is None:
            continue
        for where, value in passed.items():
            if isinstance(where, int):
                if where + offset >= len(function.params):
                    continue
                name = function.params[where + offset]
            else:
                name = where
            bindings = function.scope.bindings.setdefault(name, [])
            if any(b.fixed == value for b in bindings):
                continue
            bindings.append(Binding(0, function.scope, fixed=value))
            learnt = True
    return learnt


def _exports(evaluator: Evaluator, collector: Collector,
             requests: dict[int, Request | None]) -> dict[str, Value]:
    """Module-level names bound to SendGrid values, as other modules will see them: values,
    factories, classes holding SendGrid values, and helpers that send requests (`Helper`).

    A class's methods are exported under `module.Class.method` (factories such as a
    `from_context` classmethod, and helper methods); the class itself is then exported too, so
    that other modules know its instances.
    """
    exports: dict[str, Value] = {}
    by_scope: dict[int, list[PendingCall]] = {}
    for pending in collector.calls:
        by_scope.setdefault(id(pending.scope), []).append(pending)
    for name, bindings in collector.module_scope.bindings.items():
        # An imported name is passed on too: a package's `__init__.py` re-exporting a client
        # (`from .clients import sg`) is how most projects lay it out.
        value = evaluator.external(evaluator.first_known(list(reversed(bindings))))
        qualname = f"{collector.module_name}.{name}"
        if isinstance(value, Function):
            member = _member(evaluator, value, by_scope, requests)
            if member is not None:
                exports[qualname] = member
        elif isinstance(value, Class):
            members = {}
            for method, function in collector.functions.items():
                if method.rpartition(".")[0] == qualname:
                    member = _member(evaluator, function, by_scope, requests)
                    if member is not None:
                        members[method] = member
            attributes = evaluator.instance_attributes(value)
            if attributes or members:
                exports[qualname] = Factory(qualname, Instance(qualname, attributes,
                                                               bool(members)))
                exports.update(members)
        elif transferable(value):
            exports[qualname] = value
    return exports


def _wanted(evaluator: Evaluator, calls: list[PendingCall],
            requests: dict[int, Request | None]) -> set[str]:
    """Other modules' names this module's SendGrid requests need the strings of.

    A request whose method or URL is not fully known here may read a constant of another
    module (`f"https://api.sendgrid.com/{settings.API_VERSION}/mail/send"`), and so may an SMTP
    connection to a host not known here (`smtplib.SMTP(settings.MAIL_SERVER)`); only those
    ask, so a project's settings module is read again only for the names they read. Names whose
    strings already came back stay wanted while this module still reads them.
    """
    wanted = set(evaluator.constants_read)
    for pending in calls:
        request = requests[pending.ordinal]
        if request is None:
            # not a request yet; an SMTP connection may become one once its host is known
            if evaluator.smtp_host_unknown(pending.node, pending.scope, pending.order):
                wanted |= evaluator.imported_names(pending.node, pending.scope, pending.order)
            continue
        if request.guessed:
            continue
        if request.dynamic or any(piece is VALUE for step in request.steps
                                  for piece in step.pieces):
            wanted |= evaluator.imported_names(pending.node, pending.scope, pending.order)
    return wanted


def _constants(evaluator: Evaluator, asked: frozenset[str]
               ) -> tuple[dict[str, Value], set[str], set[str]]:
    """The strings this module binds to the names other modules asked it for (see
    `ProjectFacts`), the names it must ask for in turn (a name it re-exports from another
    module: `from .base import *`, `API_VERSION = defaults.API_VERSION`), and the asked names it
    does not bind at all."""
    constants: dict[str, Value] = {}
    further: set[str] = set()
    unbound: set[str] = set()
    for qualname in sorted(asked):
        name = qualname.rpartition(".")[2]
        value = evaluator.module_constant(name)
        if isinstance(value, Str):
            constants[qualname] = value
        elif isinstance(value, Imported):
            further.add(value.qualname)
            if value.qualname in evaluator.star_names(name):  # ask every star import at once
                further.update(evaluator.star_names(name))
        elif not evaluator.may_bind(name):
            unbound.add(qualname)
    return constants, further, unbound


def _star_exports(evaluator: Evaluator, collector: Collector) -> tuple[dict[str, Value], set[str]]:
    """What this module passes on from its `from m import *` imports: the exports of `m` under
    this module's name, where no later star import may bind the name instead (a settings
    package's `from .base import *` then `from .production import *`). A later module not yet
    known to leave the name alone is asked about it, so that it can say it does not bind it."""
    exports: dict[str, Value] = {}
    further: set[str] = set()
    bound = collector.module_scope.bindings
    for star in collector.module_scope.star_modules:
        prefix = f"{star}."
        for qualname, value in evaluator.facts.exports.items():
            if not qualname.startswith(prefix):
                continue
            rest = qualname[len(prefix):]
            head = rest.partition(".")[0]
            if head in bound:
                continue
            candidates = evaluator.star_names(head)
            if not candidates:  # facts that disagree (an export said to be unbound): skip
                continue
            winner = candidates[0]
            if winner == f"{star}.{head}":
                exports[f"{collector.module_name}.{rest}"] = value
            else:
                further.add(winner)
    return exports, further


def _member(evaluator: Evaluator, function: Function, by_scope: dict[int, list[PendingCall]],
            requests: dict[int, Request | None]) -> Factory | Helper | None:
    """What another module may use a function for: a factory of SendGrid values, or a helper
    whose request other modules' calls complete."""
    returns = evaluator.first_known(list(function.scope.returns))
    if transferable(returns):
        return Factory(function.qualname, returns)
    return _helper(evaluator, function, by_scope.get(id(function.scope), []), requests)


def _helper(evaluator: Evaluator, function: Function, calls: list[PendingCall],
            requests: dict[int, Request | None]) -> Helper | None:
    """A summary of the requests a function sends that depend on its parameters.

    Each parameter (after `self`) is bound to a marker and the function's unresolved requests
    are evaluated again; those whose method or path holds a marker become templates that a call
    in another module fills with its arguments (`Evaluator._through_helper`). A request whose
    whole URL is a parameter (`session.get(url)`) is a template only in a function to which
    another module passes a SendGrid URL: a project's generic HTTP helper is no SendGrid value.
    """
    receives_urls = function.qualname in evaluator.facts.arguments and any(
        isinstance(v, Str) for v in evaluator.facts.arguments[function.qualname].values())
    templates = [template for _, template in _templates(evaluator, function, calls, requests)
                 if receives_urls or not any(whole_url(s.pieces) for s in template.steps)]
    if not templates:
        return None
    method = bool(function.scope.self_name)
    params = function.params[1:] if method else function.params
    return Helper(function.qualname, params, tuple(templates), method)


def _templates(evaluator: Evaluator, function: Function, calls: list[PendingCall],
               requests: dict[int, Request | None], known_too: bool = False
               ) -> list[tuple[PendingCall, Template]]:
    """The requests of `function` (among `calls`) whose method or URL holds a parameter, with
    the parameters (after `self`) bound to markers: each with the call that sends it. Only
    requests unresolved on their own, unless `known_too` (a URL that callers bound)."""
    inner = [q for q in calls if q.scope is function.scope and _sends(q)
             and (known_too or _unknown(requests[q.ordinal]))]
    if not inner:
        return []
    method = bool(function.scope.self_name)
    params = function.params[1:] if method else function.params
    markers: dict[str, Value] = {name: Str((parameter(i),)) for i, name in enumerate(params)}
    templates: list[tuple[PendingCall, Template]] = []
    with evaluator.bound(function.scope, markers):
        for call in inner:
            request = recognise(evaluator, call.node, call.scope, call.order)
            if request is None or request.dynamic or request.guessed:
                continue
            pieces = [p for step in request.steps for p in step.pieces]
            if has_parameter(request.verb) or any(has_parameter(p) for p in pieces):
                templates.append((call, Template(request.verb, request.steps, request.key)))
    return templates
