"""Python's garbage collector and long-lived objects.

A cyclic collection's full pass walks every object the process holds: the app, its
libraries, the ORM's mappers (some 200,000 objects in survey), about 0.1 s each time
on a busy machine with the interpreter stopped. ``gc.freeze`` moves the objects alive
now out of those passes for good. A service freezes what start-up built
(``freeze_start_up_objects``); long batch work (a survey import, reporting's rebuild)
freezes what lived before it while it runs (``old_objects_frozen``) and, at the end,
leaves the process frozen as it found it.
"""

import contextlib
import gc
from collections.abc import Iterator

_start_up_frozen = False
_holders = 0  # batch jobs inside ``old_objects_frozen`` in this process


def freeze_start_up_objects() -> None:
    """What start-up built lives as long as the process: out of the collector's way, so
    that its full passes under load walk the requests' objects only. Once per process:
    a test process starting many apps collects and freezes at the first only."""
    global _start_up_frozen
    if not _start_up_frozen:
        _start_up_frozen = True
        gc.collect()
        gc.freeze()


@contextlib.contextmanager
def old_objects_frozen() -> Iterator[None]:
    """While batch work runs, the collector leaves alone what lived before it: a batch
    keeps tens of thousands of objects alive, so full passes come every batch or so.

    Jobs running at once share one freeze; when the last ends, the frozen objects are
    collected once (garbage among them is freed) and, if the process had frozen its
    start-up objects, what is alive then is frozen again, so the requests that follow
    keep the start-up's saving."""
    global _holders
    if _holders == 0:
        gc.freeze()
    _holders += 1
    try:
        yield
    finally:
        _holders -= 1
        if _holders == 0:
            gc.unfreeze()
            if _start_up_frozen:
                gc.collect()
                gc.freeze()
