"""Atomic writes: the target holds the old bytes or all the new ones, never a part."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tradebot.backtest.atomic import write_atomic


def test_writes_the_bytes_and_creates_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "r.json"

    write_atomic(path, b"{}")

    assert path.read_bytes() == b"{}"
    assert list(path.parent.iterdir()) == [path]


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"old")

    write_atomic(path, b"new")

    assert path.read_bytes() == b"new"


@pytest.mark.parametrize("step", ["replace", "fsync"])
def test_a_failure_while_writing_removes_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"old")

    def broken(*_: object) -> None:
        raise OSError(f"{step} failed")

    monkeypatch.setattr(os, step, broken)
    with pytest.raises(OSError, match=f"{step} failed"):
        write_atomic(path, b"new")

    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
    assert path.read_bytes() == b"old"


def test_an_interrupt_also_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "r.html", b"<html>")

    assert list(tmp_path.iterdir()) == []
