"""The worker processes of a project scan, each file pinned to one worker for the whole scan.

A project scan analyses a file again when another module's SendGrid value reaches it. The
worker that parsed the file keeps its tree (see `analysis/parsed.py`), so the file goes back to
that worker and is not parsed again: each worker is a process with a pipe of its own, tasks
are sent to the worker a file belongs to, and one thread per worker reads its results in
order. Every worker is forked before any of those threads starts: forking a process that runs
threads can leave the child waiting on a lock no thread will release.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # a pool is imported only when a scan needs one
    import threading
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

T = TypeVar("T")

# Below this many files to analyse (or this many bytes of them: one large file parses for
# longer than a worker takes to start) a process pool costs more than it saves; once started
# for a scan, it serves every later round whatever its size. A worker parsing the one file an
# edit changed runs while this process reads the rest of the tree.
PARALLEL_THRESHOLD = 8
PARALLEL_BYTES = 32 * 1024


class _Worker:
    """One worker process, its pipe, and the futures of the tasks sent to it, oldest first."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process, self.connection = process, connection
        self.pending: deque[Future[Any]] = deque()
        self.reader: threading.Thread | None = None

    def read_results(self) -> None:
        """Run on a thread: each result answers the oldest task still waiting."""
        while True:
            try:
                outcome, value = self.connection.recv()
            except (EOFError, OSError):
                break
            future = self.pending.popleft()
            if outcome == "ok":
                future.set_result(value)
            else:
                future.set_exception(value)
        while self.pending:  # the worker died: its tasks will not be answered
            self.pending.popleft().set_exception(RuntimeError("a worker process ended early"))


class WorkerPool:
    """Started on first need, shut down with the scan; `submit` sends a file to its worker."""

    def __init__(self, jobs: int | None, initializer: Callable[[], None] | None = None) -> None:
        self.workers = jobs if jobs is not None else (os.cpu_count() or 1)
        self.initializer = initializer
        self.started: list[_Worker] = []
        self.owner: dict[str, int] = {}  # file -> the worker that has its tree
        self.load: list[int] = []  # bytes sent to each worker, to balance new files

    @property
    def running(self) -> bool:
        return bool(self.started)

    def close(self) -> None:
        for worker in self.started:
            try:
                worker.connection.send(None)
            except OSError:
                pass
        for worker in self.started:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.connection.close()
            if worker.reader is not None:
                worker.reader.join()
        self.started = []

    def wanted(self, files: int, size: int = 0) -> bool:
        """Whether `files` analyses of `size` bytes in all go to the pool (starting it when it
        is not running)."""
        return self.workers > 1 and (self.running or files >= PARALLEL_THRESHOLD
                                     or size >= PARALLEL_BYTES)

    def start(self) -> None:
        if self.started:
            return
        import multiprocessing
        import threading

        # Workers import libcst themselves, in parallel and while this process goes on
        # reading the tree; forked before it is imported here, they do not inherit it.
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        for _ in range(self.workers):
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, self.initializer),
                                      daemon=True)
            process.start()
            theirs.close()
            self.started.append(_Worker(process, mine))
        for worker in self.started:  # threads only once every worker is forked
            worker.reader = threading.Thread(target=worker.read_results, daemon=True)
            worker.reader.start()
        self.load = [0] * self.workers

    def submit(self, key: str, size: int, function: Callable[..., T], *args: Any) -> Future[T]:
        """Run `function(*args)` on the worker that has had `key` before, else on the least
        loaded one (by `size`, the file's bytes)."""
        self.start()
        index = self.owner.get(key)
        if index is None:
            index = min(range(self.workers), key=self.load.__getitem__)
            self.owner[key] = index
        self.load[index] += size
        return self._send(self.started[index], function, args)

    def map(self, function: Callable[..., T], *iterables: Iterable[Any]) -> list[T]:
        """`function` over the argument tuples, spread over the workers; results in order."""
        self.start()
        futures = [self._send(self.started[index % self.workers], function, args)
                   for index, args in enumerate(zip(*iterables))]
        return [future.result() for future in futures]

    @staticmethod
    def _send(worker: _Worker, function: Callable[..., T], args: tuple[Any, ...]) -> Future[T]:
        future: Future[T] = Future()
        worker.pending.append(future)  # before sending: the reader may answer at once
        worker.connection.send((function, args))
        return future


def _serve(connection: Connection, initializer: Callable[[], None] | None) -> None:
    """A worker: run each task received, send back ("ok", result) or ("error", exception)."""
    if initializer is not None:
        initializer()
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        function, args = task
        try:
            reply: tuple[str, Any] = ("ok", function(*args))
        except Exception as error:  # noqa: BLE001 - handed to the caller, which raises it
            reply = ("error", error)
        try:
            connection.send(reply)
        except Exception as error:  # noqa: BLE001 - an unpicklable result or exception
            connection.send(("error", RuntimeError(f"a worker's result cannot be sent: "
                                                   f"{error!r}")))
