"""The scan's worker pool: a file goes back to the worker that had it, results come back in
order, a task's exception reaches its caller, and closing leaves no process behind."""

from __future__ import annotations

import os

import pytest

from sg_scope_lint.pool import WorkerPool


def pid_of(_: object) -> int:
    return os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


def test_a_file_goes_back_to_its_worker() -> None:
    pool = WorkerPool(2)
    try:
        first = {key: pool.submit(key, 100, pid_of, key).result() for key in ("a", "b", "c")}
        again = {key: pool.submit(key, 100, pid_of, key).result() for key in ("c", "a", "b")}
        assert again == first
        assert len(set(first.values())) == 2  # new files are spread over both workers
        assert os.getpid() not in first.values()
    finally:
        pool.close()


def test_results_in_order_and_exceptions_reach_the_caller() -> None:
    pool = WorkerPool(2)
    try:
        assert pool.map(str.upper, ["a", "b", "c", "d", "e"]) == ["A", "B", "C", "D", "E"]
        with pytest.raises(ValueError, match="boom"):
            pool.submit("x", 1, fail, "boom").result()
        assert pool.submit("x", 1, str.lower, "OK").result() == "ok"  # the worker goes on
    finally:
        pool.close()


def test_closing_ends_every_worker() -> None:
    pool = WorkerPool(2)
    pool.start()
    processes = [worker.process for worker in pool.started]
    pool.close()
    assert processes and not any(process.is_alive() for process in processes)
    assert not pool.running
