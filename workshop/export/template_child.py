"""Rendering a user's template in a child process with hard limits on memory and time.

The sandbox (sandbox.py) stops most runaways with a precise message, but it checks the
time and sizes between steps: one filter call can still run for minutes (`wordwrap` on a
long word is quadratic) or build gigabytes out of pieces that each pass the checks. So the
render runs in a fresh interpreter (started, never forked: the app's parent process may run
threads) whose address space is capped at MEMORY_LIMIT and whose CPU time is capped by the
kernel, while the parent kills it at the wall-clock deadline. Whatever happens in there,
the parent reports one line.

This module is the parent's side; the child runs `child_render.child_main`. The parent
builds the job and sends it pickled; the child sends back a status line and
the text as UTF-8. The child's output is treated as untrusted: its size is capped, it is
never unpickled, and a message from it is shown only through `terminal_safe`.
"""

from __future__ import annotations

import math
import os
import pickle
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import workshop
from workshop.errors import ExportError
from workshop.export.sandbox import Limits, current_limits, time_limit
from workshop.export.template_file import shown
from workshop.text import terminal_safe

MEMORY_LIMIT = 512 * 1024 * 1024
"""The address space a template's render may use, in bytes (512 MB), the interpreter included."""
START_SECONDS = 1.0
"""Time allowed on top of a template's time limit for the child to start and hand back."""
MAX_REPLY = MEMORY_LIMIT
"""The most bytes read from the child: more than it can hold is never a real plan."""
MEMORY_EXIT = 3
"""The child's exit status when it ran out of memory."""

TEXT, ERROR = b"text", b"error"
"""The child's status line: the rendered text follows, or a one-line message."""
_CHUNK = 1 << 16
_STDERR_KEPT = 1 << 16
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from workshop.export.child_render import child_main; child_main(sys.argv[2:])"
)
"""The child's program: our package from where the parent found it, whatever the cwd holds."""


class Job(NamedTuple):
    """What the child renders: the template file's path and text, the context, the limits."""

    path: str
    source: str
    context: dict[str, Any]
    limits: Limits


class _Reply(NamedTuple):
    status: int
    stdout: bytes
    stderr: bytes


class _Stopped(Exception):
    """The child ran past its deadline or wrote more than MAX_REPLY; it has been killed."""


def render_in_child(context: dict[str, Any], path: Path, source: str) -> str:
    """The text the template `source` (the file `path`) renders, or ExportError in one line."""
    actions = context.get("actions")
    seconds = time_limit(actions["total"] if isinstance(actions, dict) else 0)
    job = Job(str(path), source, context, current_limits())
    payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        reply = _run_child(payload, seconds)
    except _Stopped as stopped:
        raise ExportError(f"Template {shown(path)} was stopped: it {stopped}.") from None
    return _read_reply(reply, path, seconds)


def _run_child(payload: bytes, seconds: float) -> _Reply:
    """Start the child, send it `payload` and collect its reply, killing it at the deadline."""
    deadline = time.monotonic() + seconds + START_SECONDS
    cpu = math.ceil(seconds + START_SECONDS) + 1
    root = str(Path(workshop.__file__).resolve().parent.parent)
    command = [sys.executable, "-I", "-c", _BOOT, root, str(MEMORY_LIMIT), str(cpu)]
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
        )
    except OSError as error:
        raise ExportError(f"Cannot start the template renderer: {error.strerror}.") from None
    try:
        stdout, stderr = _exchange(process, payload, deadline, seconds)
        status = process.wait(timeout=max(deadline - time.monotonic(), 0.01))
    except subprocess.TimeoutExpired:
        raise _Stopped(_took_too_long(seconds)) from None
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    return _Reply(status, stdout, stderr)


def _exchange(
    process: subprocess.Popen[bytes], payload: bytes, deadline: float, seconds: float
) -> tuple[bytes, bytes]:
    """Write `payload` to the child's stdin and read its stdout and stderr until both close."""
    assert process.stdin and process.stdout and process.stderr
    outputs = {process.stdout.fileno(): bytearray(), process.stderr.fileno(): bytearray()}
    sent, writer = 0, process.stdin.fileno()
    os.set_blocking(writer, False)
    with selectors.DefaultSelector() as selector:
        selector.register(writer, selectors.EVENT_WRITE)
        for reader in outputs:
            selector.register(reader, selectors.EVENT_READ)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Stopped(_took_too_long(seconds))
            for key, _events in selector.select(left):
                if key.fd == writer:
                    sent = _send(writer, payload, sent)
                    if sent >= len(payload):
                        selector.unregister(writer)
                        process.stdin.close()
                    continue
                chunk = os.read(key.fd, _CHUNK)
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                buffer = outputs[key.fd]
                buffer += chunk
                if key.fd == process.stderr.fileno():
                    del buffer[:-_STDERR_KEPT]  # only its last line is ever shown
                elif len(buffer) > MAX_REPLY:
                    raise _Stopped(f"wrote more than {MAX_REPLY // (1 << 20)} MB")
    return bytes(outputs[process.stdout.fileno()]), bytes(outputs[process.stderr.fileno()])


def _send(writer: int, payload: bytes, sent: int) -> int:
    """Write the next piece of `payload` from `sent`; all of it counts as sent once the
    child has closed its stdin (it has ended; its status says how)."""
    try:
        return sent + os.write(writer, payload[sent : sent + _CHUNK])
    except BlockingIOError:
        return sent
    except BrokenPipeError:
        return len(payload)


def _took_too_long(seconds: float) -> str:
    return f"took longer than {seconds:.3g} seconds"


def _read_reply(reply: _Reply, path: Path, seconds: float) -> str:
    """The rendered text from the child's reply, or ExportError saying how the child ended."""
    status, _newline, body = reply.stdout.partition(b"\n")
    if reply.status == 0 and status == TEXT:
        return body.decode("utf-8", "surrogatepass")
    if reply.status == 0 and status == ERROR:
        message = terminal_safe(" ".join(body.decode("utf-8", "replace").split()))
        raise ExportError(message[:2000])
    if reply.status == MEMORY_EXIT:
        raise ExportError(
            f"Template {shown(path)} was stopped: it needed more than "
            f"{MEMORY_LIMIT // (1 << 20)} MB of memory."
        )
    if reply.status == -signal.SIGXCPU:
        raise ExportError(f"Template {shown(path)} was stopped: it {_took_too_long(seconds)}.")
    raise ExportError(
        f"Template {shown(path)} could not be rendered: the template process ended "
        f"unexpectedly ({_how_it_ended(reply)})."
    )


def _how_it_ended(reply: _Reply) -> str:
    """The child's exit status or signal, and the last line it wrote to stderr, if any."""
    if reply.status < 0:
        try:
            ended = f"signal {signal.Signals(-reply.status).name}"
        except ValueError:
            ended = f"signal {-reply.status}"
    else:
        ended = f"exit status {reply.status}"
    lines = reply.stderr[-2000:].decode("utf-8", "replace").strip().splitlines()
    return f"{ended}: {terminal_safe(lines[-1][:200])}" if lines else ended
