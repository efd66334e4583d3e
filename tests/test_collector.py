"""The cycle collector paused around a block, and restored as it was."""

from __future__ import annotations

import gc

import pytest

from qmsdoc import collector


def test_paused_restores_the_collector_as_it_was() -> None:
    was = gc.isenabled()
    try:
        gc.enable()
        with collector.paused():
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        gc.enable()
        with pytest.raises(KeyError), collector.paused():
            raise KeyError("x")
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0
    finally:
        (gc.enable if was else gc.disable)()
