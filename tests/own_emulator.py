"""A test file's own emulator, as `week5 local` starts it (its bootstrap left out), for tests
that change what is in it; and the small public network the emulator tests deploy.

``from own_emulator import aws, emulator  # noqa: F401`` gives a test file the fixtures."""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from week5.operations import local
from week5.operations.local.emulator import clients

REGION = "ap-northeast-2"
#: A lab's network as CDK makes it, small: a VPC, its internet gateway attached, a public subnet
#: that maps public addresses.
PUBLIC_NETWORK: Dict[str, Any] = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "Igw": {"Type": "AWS::EC2::InternetGateway"},
    "Attachment": {
        "Type": "AWS::EC2::VPCGatewayAttachment",
        "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}},
    },
    "Public": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.1.0/24",
            "AvailabilityZone": f"{REGION}a",
            "MapPublicIpOnLaunch": True,
        },
    },
}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory) -> Iterator[local.Emulator]:
    """The emulator `week5 local` starts, stopped at the end; it must not have failed a
    request."""
    started = local.start_emulator(
        Path(sys.executable).parent, log_parent=tmp_path_factory.mktemp("emulator")
    )
    try:
        yield started
    finally:
        started.stop()
    log = started.log_path.read_text()
    assert "Traceback" not in log, f"the emulator failed a request: {started.log_path}"


@pytest.fixture
def aws(emulator, monkeypatch):
    """``aws(service)``: a boto3 client of the emulator, emptied for the test; this process's
    environment (and so a `week5` command run in it) pointed at it."""
    reset = urllib.request.Request(f"{emulator.endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=30).close()
    for key, value in local.emulator_env({}, emulator).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return clients(emulator.endpoint)
