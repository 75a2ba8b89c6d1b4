"""The worker processes of a project scan, each file pinned to one worker for the whole scan.

A project scan analyses a file again when another module's SendGrid value reaches it. The
worker that parsed the file keeps its tree (see `parsed.py`), so the file goes back to that
worker and is not parsed again. One single-process executor per worker gives that routing;
a shared `ProcessPoolExecutor` would hand the file to whichever worker is free.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # a pool is imported only when a scan needs one
    from concurrent.futures import Executor, Future

T = TypeVar("T")

# Below this many files to analyse (or this many bytes of them: one large file parses for
# longer than a worker takes to start) a process pool costs more than it saves; once started
# for a scan, it serves every later round whatever its size. A worker parsing the one file an
# edit changed runs while this process reads the rest of the tree.
PARALLEL_THRESHOLD = 8
PARALLEL_BYTES = 32 * 1024


class WorkerPool:
    """Started on first need, shut down with the scan; `submit` sends a file to its worker."""

    def __init__(self, jobs: int | None, initializer: Callable[[], None] | None = None) -> None:
        self.workers = jobs if jobs is not None else (os.cpu_count() or 1)
        self.initializer = initializer
        self.executors: list[Executor] = []
        self.owner: dict[str, int] = {}  # file -> the worker that has its tree
        self.load: list[int] = []  # bytes sent to each worker, to balance new files

    @property
    def running(self) -> bool:
        return bool(self.executors)

    def close(self) -> None:
        for executor in self.executors:
            executor.shutdown(wait=True, cancel_futures=True)

    def wanted(self, files: int, size: int = 0) -> bool:
        """Whether `files` analyses of `size` bytes in all go to the pool (starting it when it
        is not running)."""
        return self.workers > 1 and (self.running or files >= PARALLEL_THRESHOLD
                                     or size >= PARALLEL_BYTES)

    def start(self) -> None:
        if self.executors:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Workers import libcst themselves, in parallel and while this process goes on
        # reading the tree; forked before it is imported here, they do not inherit it.
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self.executors = [ProcessPoolExecutor(max_workers=1, mp_context=context,
                                              initializer=self.initializer)
                          for _ in range(self.workers)]
        self.load = [0] * self.workers

    def submit(self, key: str, size: int, function: Callable[..., T], *args: Any) -> Future[T]:
        """Run `function(*args)` on the worker that has had `key` before, else on the least
        loaded one (by `size`, the file's bytes)."""
        self.start()
        worker = self.owner.get(key)
        if worker is None:
            worker = min(range(self.workers), key=self.load.__getitem__)
            self.owner[key] = worker
        self.load[worker] += size
        return self.executors[worker].submit(function, *args)

    def map(self, function: Callable[..., T], *iterables: Iterable[Any]) -> list[T]:
        """`function` over the argument tuples, spread over the workers; results in order."""
        self.start()
        futures = [self.executors[index % self.workers].submit(function, *args)
                   for index, args in enumerate(zip(*iterables))]
        return [future.result() for future in futures]
