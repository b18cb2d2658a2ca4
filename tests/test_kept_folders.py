"""What the browser tests keep between runs (containers.kept_folder: MariaDB's new data folder,
Ghost's first start on its database) is made once per content of what decides it, made again
when a file of it is missing or changed, and never kept half made."""

from __future__ import annotations

from pathlib import Path

import containers
import pytest
from containers import kept_folder


@pytest.fixture
def kept(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(containers, "KEPT", tmp_path / "kept")
    return tmp_path / "kept"


def counting_maker(made: list):
    def make(folder: Path) -> None:
        made.append(folder)
        (folder / "sub").mkdir(parents=True)
        (folder / "sub" / "file").write_text("first start's bytes")
        (folder / "link").symlink_to("sub/file")

    return make


def test_made_once_then_read_while_the_key_stays(kept):
    made = []
    first = kept_folder("thing", ["v1"], counting_maker(made))
    again = kept_folder("thing", ["v1"], counting_maker(made))
    assert first == again and len(made) == 1
    assert (first / "sub" / "file").read_text() == "first start's bytes"
    other = kept_folder("thing", ["v2"], counting_maker(made))  # another key: its own folder
    assert other != first and len(made) == 2


@pytest.mark.parametrize(
    "spoil",
    [
        lambda folder: (folder / "sub" / "file").write_text("changed"),
        lambda folder: (folder / "sub" / "file").unlink(),
        lambda folder: (folder / "link").unlink(),
        lambda folder: (folder / "sub" / "extra").write_text("left by someone"),
        lambda folder: (folder.parent / "sha256").unlink(),  # never recorded whole
    ],
    ids=["changed", "file missing", "link missing", "file added", "no record"],
)
def test_a_spoilt_folder_is_made_again(kept, spoil):
    made = []
    folder = kept_folder("thing", ["v1"], counting_maker(made))
    spoil(folder)
    again = kept_folder("thing", ["v1"], counting_maker(made))
    assert again == folder and len(made) == 2
    assert (again / "sub" / "file").read_text() == "first start's bytes"
    assert sorted(p.name for p in kept.iterdir()) == [folder.parent.name]  # no leftovers


def test_a_failed_make_keeps_nothing(kept):
    def fails(folder: Path) -> None:
        folder.mkdir()
        (folder / "half").write_text("made")
        raise RuntimeError("Ghost exited")

    with pytest.raises(RuntimeError, match="Ghost exited"):
        kept_folder("thing", ["v1"], fails)
    assert list(kept.iterdir()) == []
    made = []
    kept_folder("thing", ["v1"], counting_maker(made))
    assert len(made) == 1
