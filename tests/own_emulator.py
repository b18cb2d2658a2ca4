"""A test file's own emulator, as `week5 local` starts it (its bootstrap left out), for tests
that change what is in it; and the small public network the emulator tests deploy.

``from own_emulator import aws, emulator  # noqa: F401`` gives a test file the fixtures."""

from __future__ import annotations

import ipaddress
import json
import sys
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Optional

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


#: moto's Amazon Linux AMI.
AMI = "ami-12c6146b"
#: The ranges the emulator's public addresses come from (RFC 5737, for documentation).
DOCUMENTATION = [
    ipaddress.ip_network(c) for c in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]


def documentation(address: Optional[str]) -> bool:
    """Whether ``address`` is one of :data:`DOCUMENTATION`'s (None: no address, False)."""
    return address is not None and any(
        ipaddress.ip_address(address) in network for network in DOCUMENTATION
    )


def cdk_deploy(
    aws,
    stack: str,
    template: Mapping[str, Any],
    tags: Optional[Mapping[str, str]] = None,
    kind: str = "CREATE",
) -> Dict[str, str]:
    """``stack`` created (or updated, ``kind``) from ``template`` by a change set with the
    stack's ``tags`` (default Week=Week5), as ``cdk deploy`` does; logical id -> physical id."""
    cfn = aws("cloudformation")
    name = f"cdk-deploy-{kind.lower()}"
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName=name,
        ChangeSetType=kind,
        TemplateBody=json.dumps(template),
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {"Week": "Week5"}).items()],
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName=name)
    (described,) = cfn.describe_stacks(StackName=stack)["Stacks"]
    assert described["StackStatus"] == f"{kind}_COMPLETE", described
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
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
