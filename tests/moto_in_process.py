"""An in-process moto with the project's models loaded, for the tests of
week5/operations/moto_models (test_moto_models, test_emulator_events, test_emulator_refusals):
the fixtures ``one_ami`` and ``aws`` (import both into the test module), :func:`error`, and a lab's
stack made and listed: :func:`lab_stack` and :func:`listed`."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from shared_botocore import Clients

from week5.operations.moto_models import load

REGION = "ap-northeast-2"
#: moto's Amazon Linux AMI: the one AMI the templates and groups here launch.
AMI = "ami-12c6146b"
#: The clients, one per service and region: moto's mock_aws drops boto3's default session at
#: each start, and a new session parses botocore's service models again.
CLIENTS = Clients(REGION)
load()


@pytest.fixture(scope="module")
def one_ami(tmp_path_factory) -> Dict[str, Any]:
    """moto's list of AMIs cut to :data:`AMI`, as ``MOTO_AMIS_PATH`` names such a list: an EC2
    backend (built at a test's first EC2 call, and again at the reset after the test) otherwise
    builds all 1,286 of the region, 0.35 s of CPU each time."""
    from moto.utilities.utils import load_resource

    (ami,) = [a for a in load_resource("ec2/resources/amis.json") if a["ami_id"] == AMI]
    path = tmp_path_factory.mktemp("moto") / "amis.json"
    path.write_text(json.dumps([ami]))
    return {"path": str(path), "amis": [ami]}


@pytest.fixture
def aws(monkeypatch, one_ami) -> Iterator[Any]:
    """``aws(service, region=REGION)``: a boto3 client of an in-process moto, fresh for the
    test."""
    from moto.ec2.models import amis

    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # moto read MOTO_AMIS_PATH when it was imported: its list is set to the file's too.
    monkeypatch.setenv("MOTO_AMIS_PATH", one_ami["path"])
    monkeypatch.setattr(amis, "AMIS", one_ami["amis"])
    with mock_aws():
        yield lambda service, region=REGION: CLIENTS.client(service, region_name=region)


def error(call) -> Tuple[str, str]:
    """The (code, message) of the error ``call`` raises."""
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def lab_stack(
    aws, resources: Dict[str, Any], name: str, tags: List[Dict[str, str]], **sections: Any
) -> Dict[str, str]:
    """The stack ``name`` created from ``resources`` (and the template's other ``sections``, such
    as ``Conditions`` or ``Outputs``), tagged ``tags``; its logical id -> physical id. A test file
    binds its own tags (and stack name) with :func:`functools.partial`."""
    cfn = aws("cloudformation")
    template = {**sections, "Resources": resources}
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), Tags=tags)
    found = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in found}


def listed(aws, name: str) -> List[Dict[str, Any]]:
    """The stack ``name`` as ``DescribeStacks`` lists it (none once deleted)."""
    return [s for s in aws("cloudformation").describe_stacks()["Stacks"] if s["StackName"] == name]
