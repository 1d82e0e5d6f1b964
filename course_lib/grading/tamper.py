"""Static checks on answer cells for code that reaches into shared objects.

The grader's isolation already makes such tricks useless (the tests run in a clean
interpreter, see :mod:`course_lib.grading.remote`); this scan is the second line of
defence and the rule the course states: an answer cell that patches a module,
``builtins`` or a name the tests use earns nothing for its question.
"""

from __future__ import annotations

import ast

#: Names whose attributes an answer has no business assigning.
SHARED_ROOTS = frozenset(
    {"np", "numpy", "math", "builtins", "__builtins__", "sys", "os", "course_lib", "checks",
     "json", "operator", "functools", "scipy", "sklearn", "importlib", "IPython", "pytest"}
)
#: Functions that change or reach around the namespace (flagged wherever they are named).
FORBIDDEN_CALLS = frozenset(
    {"exec", "eval", "compile", "__import__", "setattr", "delattr", "globals", "vars",
     "get_ipython"}
)
FORBIDDEN_NAMES = frozenset({"__builtins__", "builtins", "ctypes", "gc", "importlib"})


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _targets(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return [node.target]
    if isinstance(node, ast.Delete):
        return list(node.targets)
    return []


def findings(source: str, protected: set[str], imported: set[str]) -> list[str]:
    """Return what in ``source`` tampers with shared objects (empty when nothing does).

    Parameters
    ----------
    source : str
        An answer cell written by the student.
    protected : set of str
        Names the test cells use that the answers must not rebind (``check_close``...).
    imported : set of str
        Names bound by ``import`` anywhere in the submission; their attributes are shared.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # it cannot run, so it cannot tamper; the test reports the error
    roots = SHARED_ROOTS | imported
    found: list[str] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        for target in _targets(node):
            for sub in ast.walk(target):
                if isinstance(sub, ast.Attribute | ast.Subscript) and _root(sub) in roots:
                    found.append(f"line {line}: assigns to {ast.unparse(sub)}")
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_CALLS | FORBIDDEN_NAMES:
            found.append(f"line {line}: uses {node.id}")
        if isinstance(node, ast.Attribute) and node.attr in ("modules", "__dict__", "__class__"):
            found.append(f"line {line}: uses .{node.attr}")
    for node in tree.body:  # top-level rebinding of what the tests use
        bound = _bound_names(node)
        for name in sorted(bound & protected):
            found.append(f"line {node.lineno}: redefines {name}, which the tests use")
    return sorted(set(found))


def _bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    names: set[str] = set()
    for target in _targets(node):
        names |= {n.id for n in ast.walk(target)
                  if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store | ast.Del)}
    if isinstance(node, ast.For | ast.With):
        for sub in ast.walk(node.target if isinstance(node, ast.For) else node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.add(sub.id)
    return names


def defined_names(source: str) -> set[str]:
    """Names a cell binds at top level (functions, classes, assignments)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        names |= _bound_names(node)
    return names


def used_names(source: str) -> set[str]:
    """Every name a cell mentions."""
    tree = ast.parse(source)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def protected_names(test_sources: list[str], answer_names: set[str]) -> set[str]:
    """Names an answer cell must not rebind: what the tests import or take from outside."""
    protected = set(SHARED_ROOTS)
    for source in test_sources:
        tree = ast.parse(source)
        bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                 and isinstance(n.ctx, ast.Store)}
        bound |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
                  for a in n.args + n.kwonlyargs}
        protected |= imported_modules(source)[1]
        protected |= used_names(source) - bound - answer_names
    return protected - answer_names


def imported_modules(source: str) -> tuple[set[str], set[str]]:
    """(module names imported, names the imports bind) in a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    modules: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules.add(alias.name)
                bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            bound |= {alias.asname or alias.name for alias in node.names}
    return modules, bound
