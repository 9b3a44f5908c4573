"""Rendering the action plan as Markdown with Jinja: the shipped template or a user's, sandboxed.

Both environments treat user text as data: it only ever reaches a template as a context
value (never as template source), autoescape is off because the output is Markdown (the
`md`, `md_inline` and `cell` filters do Markdown's escaping), and StrictUndefined turns a
misspelt variable into an error instead of a silent blank.
"""

from __future__ import annotations

import contextlib
import decimal
import os
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import jinja2
from jinja2.exceptions import SecurityError

from workshop.errors import ExportError
from workshop.export.escape import FILTERS
from workshop.export.sandbox import Budget, LimitedSandbox, LimitExceeded
from workshop.resources import templates_dir

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
    """The action plan from a user's template, run in Jinja's immutable sandbox with limits.

    The template may include or import the shipped partials and macros by name. Every
    failure, a runaway (too slow, too large, too deep) included, becomes one ExportError
    line naming the template and, when known, the line.
    """
    try:
        path.read_text(encoding="utf-8")  # read once here for a plain message if it cannot be
    except FileNotFoundError:
        raise ExportError(f"Template {path} does not exist.") from None
    except IsADirectoryError:
        raise ExportError(f"Template {path} is a folder, not a file.") from None
    except UnicodeDecodeError:
        raise ExportError(f"Template {path} is not UTF-8 text.") from None
    except OSError as error:
        raise ExportError(f"Cannot read template {path}: {error.strerror}.") from None
    folders = [str(path.parent)]
    with contextlib.suppress(FileNotFoundError):
        folders.append(str(templates_dir()))
    actions = context.get("actions")
    budget = Budget(context, items=actions["total"] if isinstance(actions, dict) else 0)
    environment = _SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folders),
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
    except jinja2.TemplateSyntaxError as error:
        raise ExportError(
            f"Template {error.filename or path}, line {error.lineno}: {_one_line(error)}."
        ) from None
    except SecurityError as error:
        raise ExportError(
            f"Template {path}{_line_of(error, path)} was refused: {_one_line(error)}. "
            "Templates get the session data only and cannot reach Python internals."
        ) from None
    except jinja2.UndefinedError as error:
        raise ExportError(
            f"Template {path}{_line_of(error, path)}: {_one_line(error)} "
            "(docs/templates.md lists the variables a template gets)."
        ) from None
    except jinja2.TemplateNotFound as error:
        raise ExportError(f"Template {path}: cannot find the included template {error}.") from None
    except LimitExceeded as error:
        raise ExportError(
            f"Template {path}{_line_of(error, path)} was stopped: it {error}."
        ) from None
    except RecursionError as error:
        raise ExportError(
            f"Template {path}{_line_of(error, path)} was stopped: it nests too deeply "
            "(an include or a macro that calls itself?)."
        ) from None
    except MemoryError:
        raise ExportError(
            f"Template {path} was stopped: it needs more memory than there is."
        ) from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as error:
        raise ExportError(
            f"Template {path}{_line_of(error, path)} failed: {_one_line(error)}."
        ) from None


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
