"""Worker processes for per-guide work, that never outlive the build or hide a crash.

- Results come back in the order of the jobs, whatever the workers do, so a parallel
  build is byte-identical to a serial one.
- Workers die with the build: on Linux the kernel kills them when their parent dies
  (``PR_SET_PDEATHSIG``, even on ``kill -9``), instead of leaving them orphaned forever.
- A worker that dies (the OOM killer) is one line for the user, not a
  ``BrokenProcessPool`` traceback.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import DeckbuilderError
from .faults import point

Progress = Callable[[int, int], None]  # (jobs done, jobs in all), called as results arrive


def run_jobs(func: Callable[[Any], Any], jobs: list[Any], workers: int, progress: Progress | None = None) -> list[Any]:
    """``func`` of each job, in order; with several workers and enough jobs, in a process pool.
    ``progress`` hears of each result as it arrives (in the parent: it may draw on a terminal)."""
    with _fewer_collections():  # here, and in each worker (``_worker_start``)
        return _run(func, jobs, workers, progress)


def _run(func: Callable[[Any], Any], jobs: list[Any], workers: int, progress: Progress | None) -> list[Any]:
    if workers <= 1 or len(jobs) < 4:
        return _collect((func(job) for job in jobs), len(jobs), progress)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                                 initargs=(os.getpid(),)) as pool:
            # small chunks: when one worker takes the last chunk the other cores wait, and a
            # chunk of 16 bench guides is about a second of work; a chunk costs a millisecond
            results = pool.map(_in_worker, [(func, job) for job in jobs],
                               chunksize=max(1, min(4, len(jobs) // (workers * 8))))
            point("pool-running")
            return _collect(results, len(jobs), progress)
    except BrokenProcessPool:
        raise DeckbuilderError("a worker process died while reading the guides (killed, perhaps for lack of "
                               "memory); nothing was written. Try again, or with --jobs 1") from None


def _collect(results: Iterator[Any], total: int, progress: Progress | None) -> list[Any]:
    out = []
    for result in results:
        out.append(result)
        if progress is not None:
            progress(len(out), total)
    return out


def _in_worker(call: tuple[Callable[[Any], Any], Any]) -> Any:
    point("worker")
    func, job = call
    return func(job)


# Parsing a guide makes tens of thousands of small objects that live until its notes are
# made, and reference counting frees nearly all of them: the cycle collector, run every 700
# allocations by default, found little and cost a tenth of a worker's time (1.2-1.5 s of
# about 13 s on 200 bench guides; 0.06 s at this threshold).
_GEN0_THRESHOLD = 50_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The collector runs less often while guides are processed here, or their results
    gathered here from the workers."""
    before = gc.get_threshold()
    gc.set_threshold(_GEN0_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _worker_start(parent: int) -> None:
    # What the worker inherited from the parent (modules, settings) lives as long as it does:
    # out of the cycle collector's sight, its full collections scan only the guides' objects,
    # and never write to the parent's pages (which stay shared, not copied).
    gc.freeze()
    gc.set_threshold(_GEN0_THRESHOLD, *gc.get_threshold()[1:])
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """In a forked child: be killed when the parent (pid ``parent``) dies, even on
    ``kill -9`` (Linux's ``PR_SET_PDEATHSIG``), instead of living on orphaned; exit now if
    it is already gone."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: workers still end when the pool's pipe closes on a normal exit
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
