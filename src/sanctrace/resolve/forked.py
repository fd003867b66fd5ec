"""Run one piece of work in the calling process and in forked copies of it, and gather the results.

Forked copies inherit everything the caller built (a screening index of ~330 MB of Python objects)
without pickling it; only their results travel back, pickled once, through a pipe. The caller works
too rather than waiting: on a 2-core machine a waiting parent would compete with its own workers for
the cores while it unpickled their results (decision 0019). The work itself decides what each copy
does, typically by taking items from a ``SharedCounter`` until none is left.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from typing import Generic, TypeVar

T = TypeVar("T")


def _fork() -> multiprocessing.context.ForkContext:
    """The fork start method, asked for only when used: platforms without it can still import this."""
    return multiprocessing.get_context("fork")


class SharedCounter:
    """A counter in shared memory: each ``take`` returns the next number, in whichever process."""

    def __init__(self) -> None:
        self._value: Synchronized[int] = _fork().Value("i", 0)

    def take(self) -> int:
        with self._value.get_lock():
            taken = self._value.value
            self._value.value += 1
        return taken


def run_forked(work: Callable[[], list[T]], copies: int, label: str) -> list[T]:
    """``work()`` in this process and in ``copies`` forked ones, results concatenated (this process's
    first). A copy that raises fails the whole with its traceback, one that dies with its exit code
    (``label`` names the copies in the message); an error here stops the copies."""
    children = [_Child[T].start(work) for _ in range(copies)]
    try:
        found = work()
        for child in children:
            found += child.results(label)
    finally:
        for child in children:
            child.stop()
    return found


@dataclass
class _Child(Generic[T]):
    """A forked process that runs ``work`` and sends back its results, or the error that stopped it."""

    process: BaseProcess
    receiver: Connection

    @classmethod
    def start(cls, work: Callable[[], list[T]]) -> _Child[T]:
        context = _fork()
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_run_child, args=(work, sender), daemon=True)
        process.start()
        sender.close()
        return cls(process, receiver)

    def results(self, label: str) -> list[T]:
        try:
            sent = self.receiver.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            self.process.join()
            raise RuntimeError(
                f"{label} {self.process.pid} ended with code {self.process.exitcode}"
            ) from None
        if isinstance(sent, str):
            raise RuntimeError(f"{label} {self.process.pid} failed:\n{sent}")
        found: list[T] = sent
        return found

    def stop(self) -> None:
        self.receiver.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


def _run_child(work: Callable[[], list[object]], sender: Connection) -> None:
    """In the forked child: the results, or the formatted error (an exception may not unpickle)."""
    try:
        found: list[object] | str = work()
    except BaseException:
        found = traceback.format_exc()
    sender.send(found)
    sender.close()
