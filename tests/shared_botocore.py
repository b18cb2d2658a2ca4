"""botocore's service models read once per test process, not once per boto3 session.

A boto3 session parses a service's model files (JSON, up to megabytes) the first time it makes
that service's client. The commands under test make a session per run, as they should (one
run, one session), and moto's ``mock_aws`` drops boto3's default session at every start: in a
test process, the same files parsed again for every test: 0.7 s of CPU for the 15
services `week5 cleanup` reads, 0.1 s with the models already read (``time.process_time()``
around a new session's ``client(...)`` for each, 2026-11-28). ``shared_service_models``
(autouse, imported by conftest.py for every module) has every session share one loader (one per
search path, as botocore makes it): the sessions, their credentials and their clients stay each
run's own.

A module whose tests each start a fresh in-process moto can go further: :class:`Clients`, one
client per service for the whole module (moto answers through any client made after moto was
imported, and a client holds no account state). Making a client takes about 5 ms with its
models read, and the cleanup and audit tests ask for dozens.
"""

from __future__ import annotations

import contextlib

from typing import Any, Dict, Iterator, List, Optional, Tuple

import boto3
import botocore.loaders
import botocore.session
import pytest

_LOADERS: Dict[Optional[str], botocore.loaders.Loader] = {}


def _shared_loader(search_path_string: Optional[str] = None) -> botocore.loaders.Loader:
    if search_path_string not in _LOADERS:
        _LOADERS[search_path_string] = botocore.loaders.create_loader(search_path_string)
    return _LOADERS[search_path_string]


@pytest.fixture(scope="module", autouse=True)
def shared_service_models() -> Iterator[None]:
    """For each test module: each new botocore session gets the shared loader."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session, "create_loader", _shared_loader)
        yield


class Clients:
    """``clients.client("ec2")``, as a boto3 session's: one client per service and arguments,
    made once, of one session with moto's test credentials in ``region``."""

    def __init__(self, region: str) -> None:
        import moto.core.models  # noqa: F401  (puts moto's stubber into every later session)

        self.session = boto3.Session(
            region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self._made: Dict[Tuple[str, Tuple[Tuple[str, Any], ...]], Any] = {}

    def client(self, service: str, **kwargs: Any) -> Any:
        key = (service, tuple(sorted(kwargs.items())))
        if key not in self._made:
            self._made[key] = self.session.client(service, **kwargs)
        return self._made[key]


@contextlib.contextmanager
def moto_account(monkeypatch: pytest.MonkeyPatch, *, emulator_models: bool = False) -> Iterator[None]:
    """An empty in-process moto account for one test: moto's test keys, no profile and no
    endpoint from the environment, none of moto's stock AMIs (each test starts in about 0.5 s).
    ``emulator_models``: with `week5 local`'s overrides of moto (a stack's subnet association
    recorded, a launch template's volume tags reaching its volumes); loaded before the mock
    starts, as load() is process-wide and another file's call would change the world mid-run."""
    from moto import mock_aws

    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    if emulator_models:
        from week5.operations.moto_models import load

        load()
    with mock_aws():
        yield


def course_tags(day: str, student: str = "kim") -> List[Dict[str, str]]:
    """The tags a lab of ``day`` carries for ``student``, as AWS's Key/Value list."""
    values = {"Week": "Week5", "Day": day, "Student": student}
    return [{"Key": k, "Value": v} for k, v in values.items()]


def tag_spec(resource_type: str, tags: List[Dict[str, str]]) -> List[Dict[str, Any]]:
    """EC2's ``TagSpecifications`` for one resource type."""
    return [{"ResourceType": resource_type, "Tags": tags}]


def quiet_cleaner(clients: Any, day: str, student: str = "kim", **kwargs: Any) -> Any:
    """A :class:`week5.operations.cleanup.Cleaner` of ``day`` (and ``student``) in Seoul whose
    retries do not wait."""
    from week5.operations.cleanup import Cleaner

    return Cleaner(
        clients, region="ap-northeast-2", day=day, student=student, waits=(0, 0, 0),
        sleep=lambda s: None, **kwargs,
    )  # fmt: skip
