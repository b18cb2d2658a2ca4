"""The SSH commands the Day 1 labs output, read the way a student's shell reads them.

An output's value is a CloudFormation expression; ``render`` turns it into the command a
student copies, with ``<LogicalId>`` for a ``Ref`` and ``<LogicalId.Attribute>`` for a
``Fn::GetAtt``. The ``expect_*`` helpers split a command as a POSIX shell does (``shlex``),
so a misplaced quote fails here as it would in the student's terminal, and compare every word.

The Day 1 tests also share :func:`synth_with` (a lab synthesized with extra ``-c`` context, for
the variants whose commands differ) and ``lab_outputs.step_registry`` (the registry of a guide's steps, as every lab's tests use).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, Dict, List, Tuple

from lab_outputs import render
from support import make_app

from stacks.catalog import CATALOG
from week5.core.settings import CourseSettings

REGION = "ap-northeast-2"
USER = "ec2-user"


def outputs(template: Dict[str, Any]) -> Dict[str, str]:
    """Every output of a template, rendered."""
    return {key: render(o["Value"]) for key, o in template["Outputs"].items()}


def ssm_proxy(target: str, port: str) -> str:
    return (
        f"aws ssm start-session --target {target} --document-name AWS-StartSSHSession "
        f"--parameters portNumber={port} --region {REGION}"
    )


def expect_ssh_over_ssm(command: str, key_file: str, instance: str) -> None:
    """``ssh -i <key> ec2-user@<instance-id>`` with Session Manager as the transport."""
    assert shlex.split(command) == [
        "ssh",
        "-i",
        key_file,
        "-o",
        "ProxyCommand=" + ssm_proxy("%h", "%p"),
        f"{USER}@<{instance}>",
    ], command


def expect_ssh_via(command: str, key_file: str, jump: str, target: str) -> None:
    """SSH to ``target``'s private IP through ``jump`` (reached over Session Manager), the key
    given to both hops; the inner ProxyCommand is what the outer one's shell runs."""
    words = shlex.split(command)
    assert words[:4] == ["ssh", "-i", key_file, "-o"], command
    assert words[5:] == [f"{USER}@<{target}.PrivateIp>"], command
    option, proxy = words[4].split("=", 1)
    assert option == "ProxyCommand", command
    assert shlex.split(proxy) == [
        "ssh",
        "-i",
        key_file,
        "-W",
        "%h:%p",
        "-o",
        "ProxyCommand=" + ssm_proxy(f"<{jump}>", "22"),
        f"{USER}@<{jump}>",
    ], proxy


def expect_ssh_via_direct(command: str, key_file: str, jump: str, target: str) -> None:
    """SSH to ``target``'s private IP through ``jump``'s public IP (port 22 from ssh_cidr)."""
    assert shlex.split(command) == [
        "ssh",
        "-i",
        key_file,
        "-o",
        f"ProxyCommand=ssh -i {key_file} -W %h:%p {USER}@<{jump}.PublicIp>",
        f"{USER}@<{target}.PrivateIp>",
    ], command


def expect_tunnel(tunnel: str, tunnel_ssh: str, key_file: str, jump: str, target: str) -> None:
    """Windows: forward localhost:2222 through ``jump`` to ``target``:22, then SSH to it."""
    assert shlex.split(tunnel) == [
        "aws",
        "ssm",
        "start-session",
        "--region",
        REGION,
        "--target",
        f"<{jump}>",
        "--document-name",
        "AWS-StartPortForwardingSessionToRemoteHost",
        "--parameters",
        f"host=<{target}.PrivateIp>,portNumber=22,localPortNumber=2222",
    ], tunnel
    assert shlex.split(tunnel_ssh) == ["ssh", "-i", key_file, "-p", "2222", f"{USER}@localhost"]


def expect_key_commands(bash: str, powershell: str, key_file: str, key_pair: str) -> None:
    """Save the private key CloudFormation's key pair keeps in Parameter Store, as ``key_file``:
    read back with decryption, written only for the user, re-runnable."""
    get = [
        "aws",
        "ssm",
        "get-parameter",
        "--region",
        REGION,
        "--name",
        f"/ec2/keypair/<{key_pair}.KeyPairId>",
        "--with-decryption",
        "--query",
        "Parameter.Value",
        "--output",
        "text",
    ]
    assert shlex.split(bash) == [
        *["rm", "-f", key_file, "&&"],
        *get,
        *[">", key_file, "&&", "chmod", "400", key_file],
    ], bash
    # PowerShell: ASCII (5.1's `>` writes UTF-16, which ssh cannot read), owner-only ACL.
    steps: List[str] = [s.strip() for s in powershell.split(";")]
    assert steps[0] == f"Remove-Item -Force -ErrorAction Ignore {key_file}"
    assert steps[1] == " ".join(get) + f" | Out-File -Encoding ascii {key_file}"
    assert steps[2] == f'icacls {key_file} /inheritance:r /grant:r "${{env:USERNAME}}:(R)"'


def instance_id(host) -> str:
    """The logical id of a ``LabHost``'s instance as synthesized: ``ec2.Instance`` appends a hash
    of its user data (``user_data_causes_replacement``), which ``support.logical_id`` omits."""
    from aws_cdk import Stack

    return Stack.of(host).resolve(host.instance.instance.logical_id)


def outputs_named_in_guide(lab_id: str):
    """The output names a lab's guide (``stacks/guides.py``) tells the student to use."""
    import re

    from stacks.guides import GUIDES

    text = " ".join(code for _, code in GUIDES[lab_id].steps)
    return set(re.findall(r"`([A-Z][A-Za-z0-9]*(?:Command|Url|Ip)[A-Za-z0-9]*)`", text))


def synth_with(outdir: Path, lab_id: str, **context: Any) -> Tuple[Any, Dict[str, Any]]:
    """The lab deployed with ``-c key=value`` for each of ``context``: (stack, template)."""
    cdk_app = make_app(outdir, **context)
    settings = CourseSettings.from_context(cdk_app.node.try_get_context)
    lab = CATALOG.get(lab_id)
    stack = lab.build(cdk_app, lab, settings)
    return stack, cdk_app.synth().get_stack_by_name(stack.stack_name).template
