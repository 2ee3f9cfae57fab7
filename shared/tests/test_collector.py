"""Batch work freezes what lived before it, and leaves the process frozen as it found it."""

import gc
import weakref
from collections.abc import Iterator

import pytest

from baan_shared import collector


@pytest.fixture
def unfrozen_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A process that has frozen nothing yet; the test process's own freeze is put back."""
    was_frozen = gc.get_freeze_count() > 0
    gc.unfreeze()
    monkeypatch.setattr(collector, "_start_up_frozen", False)
    monkeypatch.setattr(collector, "_holders", 0)
    yield
    gc.unfreeze()
    if was_frozen:
        gc.freeze()


class Cycle:
    def __init__(self) -> None:
        self.me = self


def frozen(obj: object) -> bool:
    """Frozen objects are out of the collector's generations, so out of ``get_objects``."""
    return not any(o is obj for o in gc.get_objects())


@pytest.mark.usefixtures("unfrozen_process")
def test_an_import_after_start_up_leaves_the_start_up_objects_frozen() -> None:
    start_up_object = Cycle()
    collector.freeze_start_up_objects()
    assert frozen(start_up_object)
    with collector.old_objects_frozen():
        assert frozen(start_up_object)
    # Before, the end of an import unfroze everything: the next request's full
    # collection walked the start-up objects again.
    assert frozen(start_up_object)


@pytest.mark.usefixtures("unfrozen_process")
def test_garbage_among_the_frozen_objects_is_collected_at_the_end() -> None:
    collector.freeze_start_up_objects()
    garbage = Cycle()  # alive when the job starts, so frozen with it
    gone = weakref.ref(garbage)
    with collector.old_objects_frozen():
        del garbage  # a cycle: only the collector frees it
        gc.collect()
        assert gone() is not None  # frozen: full passes leave it alone
    assert gone() is None


@pytest.mark.usefixtures("unfrozen_process")
def test_jobs_at_once_share_one_freeze_and_the_last_one_ends_it() -> None:
    before_both = Cycle()
    with collector.old_objects_frozen():
        during_first = Cycle()
        with collector.old_objects_frozen():
            assert frozen(before_both)
            assert not frozen(during_first)  # not frozen again with the first's objects
        assert frozen(before_both)
    # a process that froze nothing at start-up (a command, a test) is left unfrozen
    assert gc.get_freeze_count() == 0
    assert not frozen(before_both)
