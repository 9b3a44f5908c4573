"""Rendering the action plan as Markdown with Jinja: the shipped template or a user's, sandboxed.

Both environments treat user text as data: it only ever reaches a template as a context
value (never as template source), autoescape is off because the output is Markdown (the
`md`, `md_inline` and `cell` filters do Markdown's escaping), and StrictUndefined turns a
misspelt variable into an error instead of a silent blank.
"""

from __future__ import annotations

import decimal
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import jinja2
from jinja2.exceptions import SecurityError

from workshop.errors import ExportError
from workshop.export.escape import FILTERS
from workshop.export.sandbox import Budget, LimitedSandbox, LimitExceeded
from workshop.export.template_file import shown
from workshop.resources import templates_dir
from workshop.text import describe_control, find_control, terminal_safe

ACTION_PLAN_TEMPLATE = "action_plan.md.j2"


class _DataLookup:
    """Looks up `x.name` on a plain dict as its key first.

    Jinja tries the attribute first, so `group.items` would find the dict method and a dict
    lookup pays for a caught AttributeError; the plan's large tables render about four
    times faster this way. A dict key holds data only, so this is safe in the sandbox too.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)  # type: ignore[misc]


class _Environment(_DataLookup, jinja2.Environment):
    """The shipped templates' environment."""


class _SandboxedEnvironment(_DataLookup, LimitedSandbox):
    """A user template's environment: Jinja's immutable sandbox, with limits (sandbox.py)."""


_Env = TypeVar("_Env", bound=jinja2.Environment)


def _configure(environment: _Env) -> _Env:
    environment.filters.update(FILTERS)
    return environment


@lru_cache(maxsize=1)
def _shipped_environment() -> jinja2.Environment:
    """The environment of the shipped templates, built once and kept (templates compile once)."""
    try:
        folder = templates_dir()
    except FileNotFoundError as error:
        raise ExportError(str(error)) from None
    return _configure(
        _Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
    )


def render_action_plan(context: dict[str, Any]) -> str:
    """The action plan from the shipped template."""
    template = _shipped_environment().get_template(ACTION_PLAN_TEMPLATE)
    return template.render(context)


def render_user_template(context: dict[str, Any], path: Path) -> str:
    """The action plan from a user's template: read once, then rendered in a child process.

    The file must be a regular file of UTF-8 text within MAX_TEMPLATE_BYTES. The render runs
    sandboxed (`render_user_source`) in a separate process with hard limits on memory and
    time (template_child.py). Every failure is one ExportError line naming the template.
    What it writes may hold line breaks and tabs but no other control character: user text
    in the context never does, so one there came from the template itself (an OSC 52
    clipboard write, a screen clear), and the plan is refused rather than printed.
    """
    from workshop.export.template_child import render_in_child
    from workshop.export.template_file import read_template

    text = render_in_child(context, path, read_template(path))
    control = find_control(text, multiline=True)
    if control is not None:
        raise ExportError(
            f"Template {shown(path)} writes a control character ({describe_control(control)}); "
            "a plan may hold line breaks and tabs, no other control character."
        )
    return text


class OwnAndShippedLoader(jinja2.BaseLoader):
    """Serves a user's template its own text by its name, and the shipped templates by theirs.

    Nothing else on disk is reachable: not a file beside the template, not through a
    symbolic link, not `../` or an absolute path. Any other name is refused without looking
    at the disk, so a refusal does not even tell whether such a file exists.
    """

    def __init__(self, path: Path, source: str) -> None:
        self.name, self.filename, self.source = path.name, os.path.normpath(path), source
        try:
            self.shipped: jinja2.FileSystemLoader | None = jinja2.FileSystemLoader(templates_dir())
        except FileNotFoundError:
            self.shipped = None
        self.shipped_names = frozenset(self.shipped.list_templates() if self.shipped else ())

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        """The template's own source for its name, a shipped template's, or TemplateNotFound."""
        if template == self.name:
            return self.source, self.filename, lambda: True
        if self.shipped is not None and template in self.shipped_names:
            return self.shipped.get_source(environment, template)
        raise jinja2.TemplateNotFound(template)


_FAILURES = (
    jinja2.TemplateError,
    LimitExceeded,
    RecursionError,
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
)
"""What a template can fail with; anything else is a bug and left to show as one."""


def render_user_source(context: dict[str, Any], path: Path, source: str) -> str:
    """Render `source`, the text of the template file `path`, in the sandbox with its limits.

    The template may include, import or extend itself and the shipped templates by name,
    nothing else. Every failure, a runaway (too slow, too large, too deep) included,
    becomes one ExportError line naming the template and, when known, the line. Only the
    child process of template_child.py calls this: a MemoryError is left to it.
    """
    actions = context.get("actions")
    budget = Budget(context, items=actions["total"] if isinstance(actions, dict) else 0)
    environment = _SandboxedEnvironment(
        loader=OwnAndShippedLoader(path, source),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        budget=budget,
    )
    _configure(environment).guard_filters()
    try:
        return budget.collect(environment.get_template(path.name).generate(context))
    except _FAILURES as error:
        raise ExportError(_message(error, path)) from None


def _message(error: Exception, path: Path) -> str:
    """The one line that says why the template `path` failed with `error`."""
    name, line = shown(path), _line_of(error, path)
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"Template {shown(error.filename or path)}, line {error.lineno}: {_one_line(error)}."
    if isinstance(error, SecurityError):
        return (
            f"Template {name}{line} was refused: {_one_line(error)}. "
            "Templates get the session data only and cannot reach Python internals."
        )
    if isinstance(error, jinja2.UndefinedError):
        return (
            f"Template {name}{line}: {_one_line(error)} "
            "(docs/templates.md lists the variables a template gets)."
        )
    if isinstance(error, jinja2.TemplateNotFound):
        names = ", ".join(_quoted(template) for template in error.templates)
        return (
            f"Template {name}{line} may not load {names}: a template loads only itself and "
            "the shipped templates, such as 'partials/cadence.md.j2'."
        )
    if isinstance(error, LimitExceeded):
        return f"Template {name}{line} was stopped: it {error}."
    if isinstance(error, RecursionError):
        return (
            f"Template {name}{line} was stopped: it nests too deeply "
            "(an include or a macro that calls itself?)."
        )
    return f"Template {name}{line} failed: {_one_line(error)}."


def _quoted(name: Any) -> str:
    """A template name as a message shows it: quoted, cut to 80 characters, made visible."""
    text = str(name)
    return repr(terminal_safe(text if len(text) <= 80 else text[:80] + "…"))


def _one_line(error: BaseException) -> str:
    if isinstance(error, OverflowError | decimal.DecimalException):
        return f"a number is out of range ({type(error).__name__})"
    text = " ".join(str(error).split()) or type(error).__name__
    return text.rstrip(".")


def _line_of(error: BaseException, path: Path) -> str:
    """', line N' of the user's template where `error` was raised, if the traceback says."""
    line, filename = None, os.path.normpath(path)
    trace: TracebackType | None = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == filename:
            line = trace.tb_lineno
        trace = trace.tb_next
    return f", line {line}" if line else ""
