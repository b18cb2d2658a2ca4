"""`lab-mount-volume`, run in bash with stub blkid/mkfs/mount: format only an empty volume."""

import os
import subprocess

import pytest

from week5.constructs.userdata import mount_volume_script


@pytest.fixture
def box(tmp_path):
    """A fake host: a device file; blkid answers once mkfs has run; mount calls are logged."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stubs = {
        "blkid": f"[ -e {tmp_path}/formatted ] || exit 2\n"
        f'[ "$1" = -s ] && echo 1111-2222 || echo "$1: UUID=1111-2222"',
        "mkfs": f'echo "mkfs $*" >> {tmp_path}/log; touch {tmp_path}/formatted',
        "mount": f'echo "mount $*" >> {tmp_path}/log',
        "mountpoint": "exit 1",
    }
    for name, body in stubs.items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    (tmp_path / "dev").write_text("")
    (tmp_path / "fstab").write_text("")
    script = tmp_path / "lab-mount-volume"
    script.write_text(mount_volume_script())
    script.chmod(0o755)
    return tmp_path


def run(box, *args):
    env = {
        **os.environ,
        "PATH": f"{box / 'bin'}:{os.environ['PATH']}",
        "FSTAB": str(box / "fstab"),
        "LAB_WAIT_S": "0",
    }
    return subprocess.run(
        [str(box / "lab-mount-volume"), *args], env=env, capture_output=True, text=True
    )


def log(box):
    path = box / "log"
    return path.read_text().splitlines() if path.exists() else []


def test_empty_volume_is_formatted_once_and_mounted_by_uuid(box):
    result = run(box, str(box / "dev"), str(box / "data"), "--format-if-empty")
    assert result.returncode == 0, result.stderr
    assert log(box) == [f"mkfs -t xfs {box / 'dev'}", f"mount {box / 'data'}"]
    assert (box / "fstab").read_text() == f"UUID=1111-2222 {box / 'data'} xfs defaults,nofail 0 2\n"
    # A reboot runs it again: the file system is there, so no mkfs and no second fstab line.
    assert run(box, str(box / "dev"), str(box / "data"), "--format-if-empty").returncode == 0
    assert [line for line in log(box) if line.startswith("mkfs")] == [f"mkfs -t xfs {box / 'dev'}"]
    assert len((box / "fstab").read_text().splitlines()) == 1


def test_never_formats_without_being_asked(box):
    result = run(box, str(box / "dev"), str(box / "data"))
    assert result.returncode == 1 and "pass --format-if-empty" in result.stderr
    assert log(box) == []


def test_restored_volume_mounts_read_only_with_nouuid_outside_fstab(box):
    (box / "formatted").touch()
    result = run(box, str(box / "dev"), str(box / "restored"), "--restored")
    assert result.returncode == 0, result.stderr
    assert log(box) == [f"mount -o ro,nouuid {box / 'dev'} {box / 'restored'}"]
    assert (box / "fstab").read_text() == ""


def test_a_restored_snapshot_of_the_unformatted_volume_says_to_pick_a_later_one(box):
    """The schedule's first snapshot runs as the stack is created, before the boot script
    formats the volume: restoring it gave "pass --format-if-empty", which would wipe nothing
    but shows nothing either."""
    result = run(box, str(box / "dev"), str(box / "restored"), "--restored")
    assert result.returncode == 1
    assert "its snapshot was taken before the volume was formatted" in result.stderr
    assert "restore a later one" in result.stderr and "--format-if-empty" not in result.stderr
    assert log(box) == []


def test_a_device_that_never_appears_is_an_error(box):
    result = run(box, str(box / "missing"), str(box / "data"), "--format-if-empty")
    assert result.returncode == 1 and "is not attached" in result.stderr
