"""The child process that renders a user's template (started by `template_child`).

It caps its own address space and CPU time before it reads anything, renders the job the
parent sent on stdin through the sandboxed environment, and writes a status line and the
text (or a one-line message) to stdout. Kept apart from the parent's side so the parent
never imports the renderer it guards against.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

from workshop.errors import ExportError
from workshop.export.template_child import ERROR, MEMORY_EXIT, TEXT, Job


def child_main(argv: list[str]) -> None:
    """The child: cap memory and CPU time first, then render the job read from stdin."""
    memory, cpu = int(argv[0]), int(argv[1])
    _set_limits(memory, cpu)
    try:
        job: Job = pickle.loads(sys.stdin.buffer.read())
        reply = _render(job)
    except MemoryError:
        os._exit(MEMORY_EXIT)
    sys.stdout.buffer.write(reply)
    sys.stdout.buffer.flush()


def _set_limits(memory: int, cpu: int) -> None:
    """Cap this process's address space and CPU time (SIGXCPU at `cpu` seconds, SIGKILL a
    second later), and let it write no core file and no other file."""
    import resource

    for limit, soft, hard in (
        (resource.RLIMIT_AS, memory, memory),
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_FSIZE, 0, 0),
    ):
        _current, allowed = resource.getrlimit(limit)
        if allowed != resource.RLIM_INFINITY:
            soft, hard = min(soft, allowed), min(hard, allowed)
        resource.setrlimit(limit, (soft, hard))


def _render(job: Job) -> bytes:
    """The reply for `job`: the status line `text` or `error`, then the text or the message."""
    from workshop.export import sandbox
    from workshop.export.markdown import render_user_source

    sandbox.apply_limits(job.limits)
    try:
        text = render_user_source(job.context, Path(job.path), job.source)
    except ExportError as error:
        return ERROR + b"\n" + str(error).encode("utf-8", "replace")
    return TEXT + b"\n" + text.encode("utf-8", "surrogatepass")
