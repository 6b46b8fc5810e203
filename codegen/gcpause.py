"""When codegen switches Python's cyclic garbage collector off and on: the one place.

Parsing and rendering allocate millions of small objects (doctrees, shape trees,
rendered lines) and free them by reference count; the cyclic collector's repeated
passes over them cost a fifth to two fifths of the time. So:

* `paused()`: no collection during a block (a page's parse: a doctree of tens of
  thousands of nodes, all alive until the page is done, that each collection on the
  way would walk).
* `unit()`: the same over a unit of `generate` work, then cycles are collected once and
  what survives is frozen: a worker's caches grow to hundreds of thousands of objects,
  which each later full collection would walk again.
* `page_done()`: inside unit(), the youngest generation collected after each page,
  while what the page's parse left is still in the CPU's caches (docutils' state
  machines: thousands of cycles of bound methods a page).
* `settle()`: the collect-and-freeze of unit(), alone, every so often in a long loop
  (`pages_parsed()`: every 256 pages of `codegen parse` and of `diff`'s workers, each
  page with its own cyclic garbage to collect).
* `paused()` also holds the main process of `generate` and `check` (run.regenerate):
  what it builds (the manifests, 112,000 file records for the whole reference; the
  pages' list) is long-lived and acyclic, and each full collection the growth set off
  walked all of it in vain (a one-page change: nine, 0.7 s, nothing collected).
  `resumed()` turns collection back on for the units that run in the main process, with
  what is alive then frozen, so that a unit's collection does not walk it either; at
  its end it gives the collector back all that was frozen, by it and by the units (the
  process may go on: `watch`, a script).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection during the block (nested blocks: the outermost decides)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def resumed() -> Iterator[None]:
    """Inside paused(): collection on again for the block, what is alive at its start
    frozen (a run's manifests and pages), and everything frozen given back at its end."""
    if gc.isenabled():
        yield
        return
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        gc.disable()
        gc.unfreeze()


@contextmanager
def unit() -> Iterator[None]:
    """paused(), then one collection, and what survives it frozen (see resumed())."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        # Collected and frozen before the collector is back on: enabled first, it would
        # run at the next allocation over every object of the unit (all young, since
        # none was collected), and collect() would walk the survivors again.
        gc.collect()
        gc.freeze()
        gc.enable()


def page_done() -> None:
    """Inside unit(), after a page (or a group of pages parsed together, parse.GROUP):
    the youngest generation (all they made, as the collector is off) collected now,
    while it is still in the CPU's caches. The same objects walked at the unit's end,
    from memory, cost three to four times as much an object (7 services, 2,789 pages, a
    page at a time: 0.8 s of collection in all, against 2.2 s, with rst/driver.py's
    parser per page and unlinked machine). What survives moves to the next generation,
    which only the unit's end walks again."""
    if not gc.isenabled():
        gc.collect(0)


def settle() -> None:
    """One collection, then what survives it frozen: for a long loop whose state grows
    (the reader's memo of entries, parse.py), that each later full collection would
    otherwise walk again. Unlike unit(), collection goes on as usual meanwhile."""
    gc.collect()
    gc.freeze()


_SETTLE_PAGES = 256  # pages parsed by this process between two settle()
_since_settle = 0


def pages_parsed(count: int = 1) -> None:
    """settle() once every 256 pages this process parses (`codegen parse`, the workers
    of `diff`): the reader's memo grows to hundreds of thousands of objects that every
    full collection would walk again, a twentieth of the time else."""
    global _since_settle
    _since_settle += count
    if _since_settle >= _SETTLE_PAGES:
        _since_settle = 0
        settle()

