"""Limits for a user's `--template`: a hostile template is stopped, never hung on or crashed by.

Jinja's sandbox keeps a template away from Python internals but not from building a gigabyte
string or looping for hours. `LimitedSandbox` adds a budget per render: a time limit, a cap
on loop iterations (every `{% for %}` is counted), on ranges, on the size of any one string
or list a filter, method or operator builds (checked before building when the size can be
worked out, such as `'x' * n`, `center(n)` or a format width, and after otherwise), on the
characters built in all, and on the output. Going over raises `LimitExceeded`.

These checks run between the template's steps, with the line that went over; the render
itself runs in a child process with hard limits on memory and time (template_child.py),
the backstop for what happens within one step.
"""

from __future__ import annotations

import functools
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from jinja2 import nodes
from jinja2.runtime import Context, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import pass_context

MAX_SECONDS = 5.0
"""How long one render may take, plus SECONDS_PER_ITEM for each action item."""
SECONDS_PER_ITEM = 0.000_2
MIN_OUTPUT = 20_000_000
"""Characters a plan may have, at least; a large session may print up to 8 times its data.
The same limit holds for any one string or list built, and 8 times it for all built."""
MAX_RANGE = 10_000
"""Items in one `range()`."""
MAX_ITERATIONS = 2_000_000
"""Loop iterations in one render: a plan of 20,000 items needs well under 100,000."""
MAX_INT_BITS = 100_000
"""Bits of a whole number built by `*` or `**` (about 30,000 digits)."""
COUNT_LOOP = "_count_loop"
"""The filter every `{% for %}` iterates through (added when a template is compiled)."""
CONCAT = "_concat"
"""The filter every `~` goes through: no operand that prints huge, and no huge result."""

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")
_NUMBERS = re.compile(r"\d+")
_PADDING = frozenset({"center", "ljust", "rjust", "zfill"})


class Limits(NamedTuple):
    """The limits above as numbers, handed to the process that renders a user's template."""

    max_seconds: float
    seconds_per_item: float
    min_output: int
    max_range: int
    max_iterations: int
    max_int_bits: int


def current_limits() -> Limits:
    """The limits in force in this process (tests lower some of them)."""
    return Limits(
        MAX_SECONDS, SECONDS_PER_ITEM, MIN_OUTPUT, MAX_RANGE, MAX_ITERATIONS, MAX_INT_BITS
    )


def apply_limits(limits: Limits) -> None:
    """Put `limits` in force in this process: the child that renders a template calls it."""
    global MAX_SECONDS, SECONDS_PER_ITEM, MIN_OUTPUT, MAX_RANGE, MAX_ITERATIONS, MAX_INT_BITS
    (MAX_SECONDS, SECONDS_PER_ITEM, MIN_OUTPUT, MAX_RANGE, MAX_ITERATIONS, MAX_INT_BITS) = limits


def time_limit(items: int) -> float:
    """How many seconds a render of a plan with `items` action items may take."""
    return MAX_SECONDS + SECONDS_PER_ITEM * items


class LimitExceeded(Exception):
    """A user template went over one of its limits; the message says which, as 'it …'."""


def printed_size(value: Any, limit: int) -> int:
    """Roughly how many characters `value` prints as; counting stops once past `limit`."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        kind = type(item)
        if isinstance(item, str):
            total += len(item)
        elif kind in (list, tuple, set, frozenset):
            total += 2 + 2 * len(item)
            stack.extend(item)
        elif kind is dict:
            total += 2 + 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif kind is int:
            total += item.bit_length() // 3 + 1
        else:
            total += 16
    return total


class Budget:
    """What one render may still spend: time, loop iterations and characters."""

    def __init__(self, data: Any, *, items: int = 0) -> None:
        self.max_chars = MIN_OUTPUT
        self.max_built = 8 * MIN_OUTPUT
        self.seconds = time_limit(items)
        self.deadline = time.monotonic() + self.seconds
        self.iterations = 0
        self.built = 0
        self._data: Any = data
        self._grown = False

    def _fits(self, size: int) -> bool:
        """Whether `size` characters are allowed; past MIN_OUTPUT the session's data decides."""
        if size <= self.max_chars:
            return True
        if not self._grown:  # worked out only when needed: it walks the whole context
            self._grown = True
            self.max_chars = max(MIN_OUTPUT, 8 * printed_size(self._data, 1 << 62))
            self.max_built = 8 * self.max_chars
        return size <= self.max_chars

    def check_time(self) -> None:
        """Stop the render once it has run out of time."""
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"took longer than {self.seconds:.3g} seconds")

    def check_size(self, size: int, what: str = "a text") -> None:
        """Stop before building `what` of `size` characters when that is over the limit."""
        if not self._fits(size):
            raise LimitExceeded(
                f"would build {what} of {size:,} characters (at most {self.max_chars:,})"
            )

    def built_value(self, value: Any, *, count: bool = True) -> Any:
        """Check the size of a string or list just built and add it to the characters built."""
        if isinstance(value, str | list | tuple):
            size = len(value)
            self.check_size(size, "a text" if isinstance(value, str) else "a list")
            if count:
                self.built += size
                if self.built > self.max_built and not self._fits(self.built // 8):
                    raise LimitExceeded(f"built more than {self.max_built:,} characters in all")
        return value

    def printable(self, value: Any) -> Any:
        """The `finalize` of every `{{ }}` and the check on `~`: refuse a value that prints huge."""
        if not isinstance(value, str):
            self.check_size(printed_size(value, self.max_chars))
        return value

    def range(self, *args: int) -> range:
        """`range()` of at most MAX_RANGE items."""
        numbers = range(*args)
        try:
            size = len(numbers)
        except OverflowError:  # more than sys.maxsize numbers
            size = MAX_RANGE + 1
        if size > MAX_RANGE:
            raise LimitExceeded(f"would make a range of more than {MAX_RANGE:,} numbers")
        return numbers

    def count(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """The items of a `{% for %}` loop, counted against MAX_ITERATIONS and the time limit."""
        for item in iterable:
            self.iterations += 1
            if not self.iterations & 1023:
                if self.iterations > MAX_ITERATIONS:
                    raise LimitExceeded(f"ran more than {MAX_ITERATIONS:,} loop iterations")
                self.check_time()
            yield item

    def collect(self, chunks: Iterable[str]) -> str:
        """The rendered output, stopped once it is over the size limit or the time limit."""
        parts, size = [], 0
        for chunk in chunks:
            size += len(chunk)
            if size > self.max_chars and not self._fits(size):
                raise LimitExceeded(f"writes more than {self.max_chars:,} characters")
            parts.append(chunk)
            if not len(parts) & 255:
                self.check_time()
        return "".join(parts)


def _format_size(budget: Budget, text: str, args: Iterable[Any], kwargs: dict[str, Any]) -> int:
    """An upper bound of `text.format(...)`'s length: widths plus the largest value per field."""
    values = [*args, *kwargs.values()]
    largest = max((printed_size(v, budget.max_chars) for v in values), default=0)
    size = len(text)
    for _literal, field, spec, _conversion in string.Formatter().parse(text):
        if field is None:
            continue
        size += largest + sum(int(n) for n in _NUMBERS.findall(spec or ""))
        if spec and "{" in spec:  # a nested width such as '{:{}}' comes from the arguments
            size += sum(v for v in values if type(v) is int and v > 0)
    return size


def _printf_size(budget: Budget, text: str, args: Any) -> int:
    """An upper bound of `text % args`'s length, widths given with `*` included."""
    values = list(args) if type(args) is tuple else [args]
    largest = max((printed_size(v, budget.max_chars) for v in values), default=0)
    size = len(text)
    for match in _PRINTF.finditer(text):
        size += largest
        for width in match.groups():
            if width == "*":
                size += sum(v for v in values if type(v) is int and v > 0)
            elif width:
                size += int(width)
    return size


def _replace_size(text: str, old: Any, new: Any, count: Any = None) -> int:
    if not isinstance(old, str) or not isinstance(new, str):
        return len(text)
    times = text.count(old)
    if type(count) is int and count >= 0:
        times = min(times, count)
    return len(text) + times * max(len(new) - len(old), 0)


def _check_string_method(budget: Budget, text: str, name: str, args: tuple[Any, ...]) -> None:
    """Refuse a str method call that would build an oversized string."""
    first = args[0] if args else None
    if name in _PADDING and type(first) is int:
        budget.check_size(first)
    elif name == "expandtabs" and type(first) is int:
        budget.check_size(len(text) + text.count("\t") * first)
    elif name == "replace" and len(args) >= 2:
        budget.check_size(_replace_size(text, *args[:3]))
    elif name == "join" and isinstance(first, list | tuple):
        budget.check_size(printed_size(first, budget.max_chars) + len(text) * len(first))


def _check_filter(
    budget: Budget, name: str, value: Any, args: tuple[Any, ...], kwargs: Any
) -> None:
    """Refuse a built-in filter call that would build an oversized string or list."""

    def arg(index: int, key: str, default: Any = None) -> Any:
        return args[index] if len(args) > index else kwargs.get(key, default)

    text = value if isinstance(value, str) else None
    if name == "center" and type(arg(0, "width")) is int:
        budget.check_size(arg(0, "width"))
    elif name == "indent" and text is not None:
        width = arg(0, "width", 4)
        step = width if type(width) is int else len(str(width))
        budget.check_size(len(text) + max(step, 0) * (text.count("\n") + 1))
    elif name == "wordwrap" and text is not None:
        width, wrap = arg(0, "width", 79), arg(2, "wrapstring") or "\n"
        lines = len(text) // max(width, 1) + 1 if type(width) is int else len(text)
        budget.check_size(len(text) + lines * len(str(wrap)))
    elif name == "replace" and text is not None:
        budget.check_size(_replace_size(text, arg(0, "old"), arg(1, "new"), arg(2, "count")))
    elif name == "format" and text is not None:
        budget.check_size(_printf_size(budget, text, tuple(args) or dict(kwargs)))
    elif name in ("batch", "slice"):
        count = arg(0, "linecount" if name == "batch" else "slices")
        if type(count) is int:
            budget.check_size(count, "a list")
    elif name in ("join", "sum", "string", "pprint", "tojson", "xmlattr", "list"):
        budget.check_size(printed_size(value, budget.max_chars))


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with a `Budget` per render (create one environment per render)."""

    intercepted_binops = frozenset({"*", "%", "**", "+"})

    def __init__(self, *args: Any, budget: Budget, **kwargs: Any) -> None:
        self.budget = budget
        super().__init__(*args, finalize=budget.printable, **kwargs)
        self.globals["range"] = budget.range

    def guard_filters(self) -> None:
        """Put every filter behind the budget; call this once all filters are added."""
        for name, function in list(self.filters.items()):
            self.filters[name] = _guarded_filter(self.budget, name, function)
        self.filters[COUNT_LOOP] = _count_loop
        self.filters[CONCAT] = _concat

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        """Compile with every loop counted and every `~` checked before it joins its operands."""
        for loop in list(source.find_all(nodes.For)):
            loop.iter = _filtered(self, loop.iter, COUNT_LOOP)
        for concat in list(source.find_all(nodes.Concat)):
            operands = nodes.List(concat.nodes, lineno=concat.lineno)
            concat.nodes = [_filtered(self, operands, CONCAT)]
        return super()._generate(source, name, filename, defer_init=defer_init)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """An attribute, refused when it holds an oversized string (a namespace grown in a loop)."""
        return self.budget.built_value(super().getattr(obj, attribute), count=False)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """An item, refused when it holds an oversized string."""
        return self.budget.built_value(super().getitem(obj, argument), count=False)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a function or method, refusing calls that would build oversized strings."""
        budget = __self.budget
        budget.check_time()
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):
            name = getattr(method, "__name__", "")
            if name in ("format", "format_map"):
                values = args[0] if name == "format_map" and args else kwargs
                positional = () if name == "format_map" else args
                budget.check_size(_format_size(budget, owner, positional, dict(values)))
            else:
                _check_string_method(budget, owner, name, args)
        result = super().call(__context, __obj, *args, **kwargs)
        return budget.built_value(result, count=not isinstance(__obj, Macro))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """`*`, `%`, `**` and `+`, refused when the result would be oversized."""
        budget = self.budget
        budget.check_time()
        if operator == "*":
            _check_repeat(budget, left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            budget.check_size(_printf_size(budget, left, right))
        elif operator == "+" and isinstance(left, str | list | tuple) and type(left) is type(right):
            what = "a text" if isinstance(left, str) else "a list"
            budget.check_size(len(left) + len(right), what)
        return budget.built_value(self.binop_table[operator](left, right))


def _filtered(environment: LimitedSandbox, node: nodes.Node, name: str) -> nodes.Expr:
    """`node` passed through the filter `name`."""
    wrapped = nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)
    wrapped.set_environment(environment)
    return wrapped


@pass_context
def _count_loop(context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    environment = context.environment
    assert isinstance(environment, LimitedSandbox)
    return environment.budget.count(iterable)


@pass_context
def _concat(context: Context, values: list[Any]) -> str:
    """`a ~ b ~ …`, refused when an operand or the whole would be oversized.

    Each operand may pass the size limit alone while two dozen of them make gigabytes.
    """
    environment = context.environment
    assert isinstance(environment, LimitedSandbox)
    budget = environment.budget
    texts = [str(budget.printable(value)) for value in values]
    budget.check_size(sum(map(len, texts)))
    return str(budget.built_value("".join(texts)))


def _guarded_filter(budget: Budget, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` with the time checked, the call checked first and its result checked after."""
    skip = 0 if getattr(function, "jinja_pass_arg", None) is None else 1

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget.check_time()
        if len(args) > skip:
            _check_filter(budget, name, args[skip], args[skip + 1 :], kwargs)
        return budget.built_value(function(*args, **kwargs))

    return guarded


def _check_repeat(budget: Budget, left: Any, right: Any) -> None:
    """Refuse `text * n`, `list * n` or `n * m` whose result would be oversized."""
    if isinstance(right, str | list | tuple):
        left, right = right, left
    if type(right) is not int:
        return
    if isinstance(left, str):
        budget.check_size(len(left) * right)
    elif isinstance(left, list | tuple):
        budget.check_size(printed_size(left, budget.max_chars) * right, "a list")
    elif type(left) is int and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"would build a number of more than {MAX_INT_BITS:,} bits")


def _check_power(base: Any, exponent: Any) -> None:
    """Refuse `a ** b` of whole numbers whose result would be enormous."""
    if type(base) is not int or type(exponent) is not int or abs(base) < 2 or exponent < 1:
        return
    if base.bit_length() * exponent > MAX_INT_BITS:
        raise LimitExceeded(f"would build a number of more than {MAX_INT_BITS:,} bits")
