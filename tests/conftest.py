"""Shared fixtures: the whole app synthesized once per session, as `cdk synth` sees it."""

from __future__ import annotations

import collections
import gc
import os
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

# support first: it puts the project's Node 22 on PATH before jsii starts Node.
from support import (  # noqa: I001
    INSTRUCTOR_CONTEXT,
    UNIT_TAGS,
    CourseAzStack,
    SynthesizedApp,
    by_name,
    make_app,
)

import aws_cdk as cdk
from syrupy.extensions.json import JSONSnapshotExtension

from stacks.catalog import CATALOG
from week5.synth.app_builder import build_labs


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> SynthesizedApp:
    """Every lab, synthesized once with cdk.json's context and the cdk-nag gate on.

    ``WEEK5_TEST_LABS=Day1Lab1,Day1Lab2`` synthesizes only those labs: for a quick loop on one
    lab's tests while developing (tests over the whole catalog then fail; CI never sets it).
    """
    outdir = tmp_path_factory.mktemp("cdk.out")
    only = os.environ.get("WEEK5_TEST_LABS")
    # Each pytest-xdist worker builds this same app; CDK's validation (about 3 s of CPU: its
    # engine's start, 0.125 s a template) proves it once, in the first worker (or alone).
    validate = os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0"
    cdk_app = make_app(outdir, cfn_validation=validate, **({"labs": only} if only else {}))
    stacks = build_labs(cdk_app, CATALOG)
    assembly = cdk_app.synth()
    artifacts = {lab_id: assembly.get_stack_by_name(s.stack_name) for lab_id, s in stacks.items()}
    return SynthesizedApp(
        stacks=stacks,
        templates={lab_id: a.template for lab_id, a in artifacts.items()},
        template_paths={lab_id: Path(a.template_full_path) for lab_id, a in artifacts.items()},
        outdir=outdir,
    )


@pytest.fixture(scope="session")
def instructor_templates(tmp_path_factory) -> Dict[str, Dict[str, Any]]:
    """InstructorAccess and BudgetGuard, synthesized once per session with both rule packs."""
    from instructor_app import build

    cdk_app = make_app(
        tmp_path_factory.mktemp("instructor"), cfn_validation=True, **INSTRUCTOR_CONTEXT
    )
    stacks = build(cdk_app)  # the packs fail the synth on a finding
    assembly = cdk_app.synth()
    return {name: assembly.get_stack_by_name(s.stack_name).template for name, s in stacks.items()}


@pytest.fixture(scope="module")
def t(app, request) -> Dict[str, Any]:
    """The template of the lab named by the test module's ``LAB``."""
    return app.templates[request.module.LAB]


@pytest.fixture(scope="module")
def hosts(t) -> Dict[str, Dict[str, Any]]:
    """The lab's instances, keyed by their Name tag."""
    return by_name(t, "AWS::EC2::Instance")


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.fixture
def stack(tmp_path):
    """A fresh stack under an app with cdk.json's context and both rule packs on: tagged
    like a lab, so a construct is held to the course's rules on its own."""
    from week5.synth.nag import enable_nag
    from week5.synth.tagging import apply_course_tags

    cdk_app = make_app(tmp_path)
    enable_nag(cdk_app)
    unit = CourseAzStack(cdk_app, "UnitStack", env=cdk.Environment(region="ap-northeast-2"))
    apply_course_tags(unit, *UNIT_TAGS)
    return unit


@pytest.fixture
def net(stack):
    """The course's default two-AZ VPC in the unit-test stack."""
    from week5.constructs.vpc import MultiAzVpc

    return MultiAzVpc(stack, "Net")


# Real PostgreSQL and Redis servers, for the demo apps and the lab's client scripts.
from servers import postgres_server, redis_server  # noqa: E402,F401

# Every module: botocore's service models parsed once per test process, not once per session.
from shared_botocore import shared_service_models  # noqa: E402,F401


@pytest.fixture
def local_aws_env():
    """A moto server on a free port, and the environment that points boto3 (and `week5`) at
    it: for commands that an instructor runs against AWS. It starts empty: the server answers
    from this process's moto backends, which an earlier test's in-process moto may have filled."""
    import urllib.request

    from servers import moto_in_thread

    # The server runs in this process: its EC2 reads this process's environment, not the one
    # yielded below (trial: without it every reset reloads moto's default AMIs).
    saved_amis = os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS")
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    try:
        with moto_in_thread() as (_, port):
            reset = urllib.request.Request(f"http://localhost:{port}/moto-api/reset", method="POST")
            urllib.request.urlopen(reset, timeout=30).close()
            yield {
                **os.environ,
                "AWS_ENDPOINT_URL": f"http://localhost:{port}",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
            }
    finally:
        if saved_amis is None:
            os.environ.pop("MOTO_EC2_LOAD_DEFAULT_AMIS", None)
        else:
            os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = saved_amis


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium through Playwright, started once per session."""
    from browser import CHROMIUM, LAUNCH_ARGS
    from playwright.sync_api import expect, sync_playwright

    # The suite runs the sites next to a worker per core: a page can take more than expect's
    # 5 s default to show what the student sees. A longer wait only slows a test that fails.
    expect.set_options(timeout=15_000)
    if not CHROMIUM.is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/setup (it installs chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page (its own cookies and storage) in the session's browser, Korean locale."""
    from browser import VIEWPORT

    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def emulated_labs(app):
    """Every lab deployed once into one emulator (tests/emulated_labs.py), stopped at the end;
    the emulator must not have failed a request."""
    from emulated_labs import deploy_every_lab

    deployed = deploy_every_lab(app.outdir)
    try:
        yield deployed
    finally:
        deployed.emulator.stop()
    assert deployed.emulator.process.poll() is not None
    log = deployed.emulator.log_path.read_text()
    assert "Traceback" not in log, f"the emulator failed a request: {deployed.emulator.log_path}"


#: The units of work that take longest (wall seconds in bench/suite_time.py, 2026-11-28), handed
#: out first: pytest-xdist gives a worker the next unit when it is free, so a long unit started
#: last runs alone while the other cores idle. A stale list costs time, never a result.
SLOWEST_FIRST = (
    "emulator",
    "test_student_setup.py",
    "test_browser_news.py",
    "test_browser_wordpress.py",
    "test_integ.py",
    "test_cleanup_json.py",
    "test_cleanup_accounts.py",
    "test_app_builder.py",
    "test_cdk_validation.py",
    "test_browser_pages.py",
    "test_cfn_lint.py",
    "test_audit_kinds.py",
    "test_fintech_api.py",
    "test_local_deploy.py",
    "test_assembly_cache.py",
    "test_packaging.py",
    "test_preflight.py",
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test file's last test, its module fixtures finalized: collect the garbage, then
    freeze what is left out of the cyclic collector's reach (``gc.freeze``).

    What outlives a test file is the session's: aws-cdk-lib's and moto's modules, the
    synthesized app, botocore's models, session servers. A worker held 2.5 to 3 million such
    objects, and each full collection walked them all: 28 to 30 times a session at 0.6 to 0.7 s,
    and pytest's five collections at its end (bench/suite_time.py's run with a gc.callbacks
    probe: 19 and 25 s of CPU in the two workers). Frozen objects are still freed when their
    count drops to zero; only a cycle among them that dies later stays (none of the session's
    objects does). 14 test files in one process: 64.5 s of CPU to 50.9 s, the same peak memory.
    """
    yield
    if nextitem is None or nextitem.module is not item.module:
        gc.collect()
        gc.freeze()


def xdist_group(item) -> str:
    marker = item.get_closest_marker("xdist_group")
    return marker.kwargs.get("name") or marker.args[0]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    """Tests that destroy the shared emulator's labs run after every test that reads them.

    With pytest-xdist's ``--dist loadgroup`` (scripts/test), a test file is one unit of work
    unless its tests name a group (the emulator's three files share one): module fixtures then
    run once, on one worker. The units are handed out in this order (scripts/test passes
    ``--no-loadscope-reorder``): SLOWEST_FIRST, then the others, most tests first."""
    last = [item for item in items if item.get_closest_marker("destroys_labs")]
    if last:
        items[:] = [item for item in items if item not in last] + last
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.path.name))
    tests_in = collections.Counter(xdist_group(item) for item in items)

    def turn(item) -> Tuple[int, int]:
        group = xdist_group(item)
        slow = SLOWEST_FIRST.index(group) if group in SLOWEST_FIRST else len(SLOWEST_FIRST)
        return slow, -tests_in[group]

    items.sort(key=turn)  # stable: a unit's tests keep their order (destroys_labs last)
