"""scripts/setup byte-compiles the installed packages once. Python writes a module's .pyc on
its first import only where PYTHONDONTWRITEBYTECODE is not set; where it is (as on the machine
these tests were written on), every process compiled aws-cdk-lib's modules from source again:
importing aws_cdk.aws_ec2 took 2.4 s of CPU, 0.7 s from its .pyc, and the suite 560 s of CPU
against 476 s."""

from __future__ import annotations

import importlib.util
import sysconfig
from pathlib import Path

import pytest

SITE = Path(sysconfig.get_path("purelib"))

#: Sources every synthesis, check or emulator run imports (the biggest: aws_ec2 is 7.7 MB).
HEAVY = (
    "aws_cdk/__init__.py",
    "aws_cdk/aws_ec2/__init__.py",
    "aws_cdk/aws_iam/__init__.py",
    "cdk_nag/__init__.py",
    "cfnlint/api.py",
    "sympy/__init__.py",
    "moto/server.py",
    "botocore/session.py",
)


@pytest.mark.parametrize("source", HEAVY)
def test_the_packages_modules_load_from_bytecode_of_their_source(source):
    path = SITE / source
    compiled = Path(importlib.util.cache_from_source(str(path)))
    assert compiled.is_file(), f"{compiled} missing: scripts/setup byte-compiles {SITE}"
    header = compiled.read_bytes()[:16]
    assert header[:4] == importlib.util.MAGIC_NUMBER, f"{compiled} is of another Python"
    # a timestamp-checked .pyc records its source's mtime and size: stale, Python ignores it
    stat = path.stat()
    assert int.from_bytes(header[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
    assert int.from_bytes(header[12:16], "little") == stat.st_size & 0xFFFFFFFF
