"""First pass over a module: record every binding, call and mail setting with its scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from .symbols import (
    SMTP_PASSWORD,
    UNKNOWN_KEY,
    Binding,
    Class,
    Client,
    Function,
    Imported,
    Loop,
    PendingCall,
    Scope,
    literal_value,
)

# Settings that route mail through SendGrid -> the setting that holds the key: Django's, and
# Flask-Mail's (its MAIL_SERVER is the SMTP host, MAIL_PASSWORD the password, here an API key).
DJANGO_SETTINGS = frozenset({"EMAIL_BACKEND", "EMAIL_HOST"})
MAIL_SETTINGS = {"EMAIL_BACKEND": "SENDGRID_API_KEY", "EMAIL_HOST": "EMAIL_HOST_PASSWORD",
                 "MAIL_SERVER": "MAIL_PASSWORD"}
# A project's own setting for an SMTP host (`MAILER_SMTP_HOST`) ends in one of these; its key
# is the SMTP password, whatever the project calls it.
SMTP_HOST_SUFFIXES = ("SMTP_HOST", "SMTP_SERVER", "MAIL_HOST", "SMTP_RELAY")


def mail_setting_key(name: str) -> str | None:
    """The key a setting of this name routes mail with, None when it is no mail setting."""
    if name in MAIL_SETTINGS:
        return MAIL_SETTINGS[name]
    return SMTP_PASSWORD if name.isupper() and name.endswith(SMTP_HOST_SUFFIXES) else None


@dataclass(frozen=True, slots=True)
class MailSetting:
    """A Django setting that routes mail through SendGrid, and the setting holding its key."""

    node: cst.Assign
    ordinal: int  # among the module's Assign nodes, in walk order
    name: str
    key: str
    scope: Scope
    order: int


class Collector(cst.CSTVisitor):
    """First pass: record every binding and every call with the scope and order it occurs in."""


    def __init__(self, path: str, module_name: str, is_package: bool) -> None:
        super().__init__()
        self.path = path
        self.module_name = module_name
        self.package = module_name if is_package else module_name.rpartition(".")[0]
        self.functions: dict[str, Function] = {}  # qualname -> function, for argument facts
        self.classes: dict[int, Class] = {}  # id(class scope) -> the class
        self.imports: set[str] = set()
        self.module_scope = Scope("module")
        self.scope = self.module_scope
        self.order = 0
        self.calls: list[PendingCall] = []
        self.loops: list[Loop] = []  # `for name in ...:` loops, for `alternatives.py`
        self.open_loops: list[Loop] = []
        self.settings: list[MailSetting] = []
        self.assigns = 0  # Assign nodes met so far; positions.py finds them by this ordinal

    def _next(self) -> int:
        self.order += 1
        return self.order

    def _bind(self, name: str, binding: Binding) -> None:
        scope = self.module_scope if name in self.scope.global_names else self.scope
        scope.bindings.setdefault(name, []).append(binding)

    # scopes
    def _qualname(self, name: str) -> str:
        """Qualified names for module-level functions and classes and their methods only."""
        scope = self.scope
        if scope is self.module_scope:
            return f"{self.module_name}.{name}"
        if scope.kind == "class" and scope.parent is self.module_scope:
            for class_name, bindings in self.module_scope.bindings.items():
                if any(isinstance(b.fixed, Class) and b.fixed.scope is scope for b in bindings):
                    return f"{self.module_name}.{class_name}.{name}"
        return ""

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        inner = Scope("class", parent=self.scope, bases=[arg.value for arg in node.bases])
        klass = Class(self._qualname(node.name.value), inner)
        self.classes[id(inner)] = klass
        self._bind(node.name.value, Binding(self._next(), self.scope, fixed=klass))
        self.scope = inner

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        inner = Scope("function", parent=outer)
        params = [*node.params.posonly_params, *node.params.params]
        function = Function(self._qualname(node.name.value), inner,
                             tuple(p.name.value for p in params))
        if function.qualname:
            self.functions[function.qualname] = function
        self._bind(node.name.value, Binding(self._next(), outer, fixed=function))
        decorators = {d.decorator.value for d in node.decorators
                      if isinstance(d.decorator, cst.Name)}
        is_static = "staticmethod" in decorators
        if outer.kind == "class" and params and not is_static:
            inner.owner = outer
            inner.self_name = params[0].name.value
        every_param = [*params, *node.params.kwonly_params]
        for extra in (node.params.star_arg, node.params.star_kwarg):
            if isinstance(extra, cst.Param):
                every_param.append(extra)
        for param in every_param:
            annotation = param.annotation.annotation if param.annotation else None
            if annotation is not None:
                binding = Binding(0, outer, node=annotation, annotation=True)
            elif param.name.value == inner.self_name and "classmethod" in decorators:
                binding = Binding(0, outer, fixed=self.classes.get(id(outer)))  # `cls(...)`
            elif param.name.value == inner.self_name:
                binding = Binding(0, outer)
            else:  # nothing known: a guess that only rule-known `.client` chains confirm
                binding = Binding(0, outer, fixed=Client(UNKNOWN_KEY, guessed=True))
            inner.bindings.setdefault(param.name.value, []).append(binding)
            if param.default is not None:  # tried first; `evaluate` keeps only SendGrid URLs
                inner.bindings[param.name.value].append(
                    Binding(0, outer, node=param.default, default=True))
        self.scope = inner

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and self.scope.kind == "function":
            self.scope.returns.append(Binding(self._next(), self.scope, node=node.value))

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.global_names.update(item.name.value for item in node.names)

    # bindings
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = dotted_name(alias.name)
            self.imports.add(dotted)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(alias.asname.name.value, Binding(self._next(), self.scope,
                                                             fixed=Imported(dotted)))
            else:
                top = dotted.split(".")[0]
                self._bind(top, Binding(self._next(), self.scope, fixed=Imported(top)))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted_name(node.module) if node.module is not None else ""
        if node.relative:
            package = self.package.split(".") if self.package else []
            up = len(node.relative) - 1
            if up > len(package):
                return
            base = package[: len(package) - up] if up else package
            module = ".".join([*base, module] if module else base)
        if not module:
            return
        if isinstance(node.names, cst.ImportStar):  # `from .defaults import *` too
            self.module_scope.star_modules.append(module)
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            self.imports.add(f"{module}.{name}")
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self._bind(local, Binding(self._next(), self.scope,
                                       fixed=Imported(f"{module}.{name}")))

    def visit_Assign(self, node: cst.Assign) -> None:
        self.assigns += 1
        order = self._next()
        for target in node.targets:
            self._bind_target(target.target, node.value, order)
            name = _setting_name(target.target)
            key = mail_setting_key(name) if name else None
            if key is not None:
                self._mail_setting(node, name, key)

    def _mail_setting(self, node: cst.Assign, name: str, key: str) -> None:
        """Settings that may send all mail through SendGrid; `evaluate` decides which."""
        self.settings.append(MailSetting(node, self.assigns - 1, name, key, self.scope,
                                         self.order))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """`x: SendGridAPIClient` declares what x holds, with or without a value: a dataclass,
        attrs or pydantic field (`client: SendGridAPIClient` in a class body) is set later by
        the generated `__init__`, a value such as `None` is only a placeholder."""
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, Binding(self._next(), self.scope,
                                                  node=node.annotation.annotation,
                                                  annotation=True))
        if node.value is not None:
            self._bind_target(node.target, node.value, self._next())

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value, self._next())

    def visit_For(self, node: cst.For) -> None:
        start = self._next()
        self._bind_target(node.target, None, start)
        if isinstance(node.target, cst.Name):
            self.loops.append(Loop(node.target.value, node.iter, self.scope, start))
            self.open_loops.append(self.loops[-1])

    def leave_For(self, original_node: cst.For) -> None:
        if isinstance(original_node.target, cst.Name):
            self.open_loops.pop().end = self._next()

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, node.item, self._next())

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None,
                     order: int) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, Binding(order, self.scope, node=value))
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            owner = self.scope.instance_class(target.value.value)
            if owner is not None:
                owner.attributes.setdefault(target.attr.value, []).append(
                    Binding(order, self.scope, node=value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            values: Sequence[cst.BaseElement] | None = None
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(
                    target.elements):
                values = value.elements
            for index, element in enumerate(target.elements):
                item = values[index].value if values is not None else None
                self._bind_target(element.value, item, order)

    # calls
    def visit_Call(self, node: cst.Call) -> None:
        pending = PendingCall(node, self.scope, self._next(), len(self.calls))
        self.calls.append(pending)
        func = node.func
        if (self.scope.owner is not None and isinstance(func, cst.Attribute)
                and func.attr.value == "__init__" and isinstance(func.value, cst.Call)
                and isinstance(func.value.func, cst.Name) and func.value.func.value == "super"):
            self.scope.owner.init_calls.append(pending)  # a subclass configuring its base


def dotted_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted_name(node.value)}.{node.attr.value}"
    return ""


def _setting_name(target: cst.BaseAssignTargetExpression) -> str:
    """`EMAIL_HOST = ...`, or a config mapping's literal key: `app.config["MAIL_SERVER"] = ...`."""
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            text = literal_value(index.value)
            return text if isinstance(text, str) else ""
    return ""
