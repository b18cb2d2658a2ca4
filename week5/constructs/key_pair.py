"""LabKeyPair: the EC2 key pair a lab's hosts accept, for the course's ``ssh -i key.pem`` steps.

The course's Day 1 steps SSH into the hosts (Lab 1 step 4, Lab 2 step 2). Without a key pair
those steps cannot be done, and a student who has none must make one by hand and pass
``-c key_name``. So a lab creates one: ``AWS::EC2::KeyPair`` keeps its private key in
Parameter Store (``/ec2/keypair/<key-pair-id>``, a SecureString under the ``aws/ssm`` key),
and CloudFormation deletes the key pair and that parameter with the stack. Key pairs and
standard parameters cost nothing.

Who can read the parameter can log in as ``ec2-user``; the same principals can already open a
root shell on the hosts with Session Manager (``ssm:StartSession``), which the labs rely on, so
the key gives no one more than they had. The key is reached over Session Manager by default
(``AWS-StartSSHSession``: no port 22 open to anyone); ``-c ssh_cidr`` adds direct SSH.
"""

from __future__ import annotations

import hashlib
import re
from typing import Optional

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from week5.constructs.props import require_str, shown
from week5.core.errors import CourseInputError

#: Characters a key file name may hold and still be pasted into bash, zsh and PowerShell
#: unquoted (a key pair made in the console may be named with spaces or quotes).
_SHELL_SAFE = re.compile(r"[A-Za-z0-9._-]+")
#: What the course's step calls the key file, for a key pair whose name a shell cannot take.
FALLBACK_KEY_FILE = "key.pem"
#: EC2's limit on a key pair's name.
KEY_NAME_MAX = 255
#: An existing EC2 key pair's name: 1 to 255 ASCII characters.
_KEY_NAME_RE = re.compile(r"[\x20-\x7e]{1,255}")


def require_key_name(where: str, key_name) -> None:
    """``key_name`` names an existing EC2 key pair (1 to 255 ASCII characters, no spaces
    around), or is ``None``: an empty or padded name would fail the deploy after the stack's
    other resources were made. Every construct with a ``key_name`` prop calls it, naming itself.
    """
    require_str(where, "key_name", key_name, optional=True)
    if key_name is not None and (
        not _KEY_NAME_RE.fullmatch(key_name) or key_name != key_name.strip()
    ):
        raise CourseInputError(
            f"{where}: key_name={shown(key_name)} is not an EC2 key-pair name (1 to "
            f"{KEY_NAME_MAX} ASCII characters, no spaces around); pass the name shown in EC2 → "
            "Key pairs, e.g. key_name='week5-key', or leave it out (Session Manager needs none)"
        )


class LabKeyPair(Construct):
    """A key pair for SSH into a lab's hosts: created by the stack, or an existing one.

    :param key_name: an existing EC2 key pair (``-c key_name``): nothing is created and the
        student uses the ``.pem`` file they downloaded when they made it. @default ``None``:
        create one
    :param name: the name of the key pair to create. Key-pair names are unique per account and
        region, and students share an account, so it must differ per student.
        @default the stack name (``week5-<student>-<lab>``, unique per student) and the
        construct's path below the stack (unique in the stack): ``week5-kim-Day1Lab1-SshKey``

    A created key is RSA in PEM format: OpenSSH on Linux, macOS and Windows reads it (also with
    the CRLF line ends PowerShell writes), and PuTTYgen converts it. Exposes ``key_pair``,
    ``name``, ``key_file``, ``created``, ``parameter_name``, ``save_command`` and
    ``save_command_powershell``; ``add_outputs(scope)`` adds the two save commands as outputs.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key_name: Optional[str] = None,
        name: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        where = f"LabKeyPair {self.node.path}"
        require_key_name(where, key_name)
        require_str(where, "name", name, optional=True)
        if key_name is not None and name is not None:
            raise CourseInputError(
                f"{where}: key_name={key_name!r} uses an existing key pair and name={name!r} "
                "names a new one; pass one of them"
            )
        stack = Stack.of(self)
        region = stack.region
        if key_name is None:
            name = name or _default_name(self, stack)
            if not 1 <= len(name) <= KEY_NAME_MAX or not name.isascii():
                raise CourseInputError(
                    f"{where}: name={name!r} is not an EC2 key-pair name (1 to {KEY_NAME_MAX} "
                    "ASCII characters); pass a shorter name="
                )
        #: Whether the stack creates the key pair (and so holds its private key).
        self.created: bool = key_name is None
        #: The key pair's name (``week5-<student>-<lab>-<path>`` when created).
        self.name: str = key_name if key_name is not None else name
        #: The local file the commands read the private key from: ``<name>.pem``, as the
        #: console names the download.
        self.key_file: str = (
            f"{self.name}.pem" if _SHELL_SAFE.fullmatch(self.name) else FALLBACK_KEY_FILE
        )
        #: Parameter Store name of the private key (a token), or ``None`` for an existing key.
        self.parameter_name: Optional[str] = None
        #: Linux/macOS: save the private key as ``key_file``; ``None`` for an existing key.
        self.save_command: Optional[str] = None
        #: Windows PowerShell: the same, written as ASCII (PowerShell 5.1's ``>`` writes UTF-16,
        #: which ssh cannot read) and readable by the user only (OpenSSH refuses a key others
        #: can read); ``None`` for an existing key.
        self.save_command_powershell: Optional[str] = None
        if key_name is not None:
            #: The key pair the hosts accept (``ec2.IKeyPair``).
            self.key_pair: ec2.IKeyPair = ec2.KeyPair.from_key_pair_name(self, "Imported", key_name)
            return
        created = ec2.KeyPair(
            self,
            "KeyPair",
            key_pair_name=name,
            type=ec2.KeyPairType.RSA,
            format=ec2.KeyPairFormat.PEM,
        )
        self.key_pair = created
        self.parameter_name = f"/ec2/keypair/{created.key_pair_id}"
        get = (
            f"aws ssm get-parameter --region {region} --name {self.parameter_name} "
            "--with-decryption --query Parameter.Value --output text"
        )
        key = self.key_file
        # rm first: a key file left read-only by an earlier deploy cannot be overwritten.
        self.save_command = f"rm -f {key} && {get} > {key} && chmod 400 {key}"
        self.save_command_powershell = (
            f"Remove-Item -Force -ErrorAction Ignore {key}; {get} | Out-File -Encoding ascii "
            f'{key}; icacls {key} /inheritance:r /grant:r "${{env:USERNAME}}:(R)"'
        )

    def add_outputs(self, scope: Construct) -> None:
        """Outputs ``KeyCommand`` (Linux/macOS) and ``KeyCommandPowerShell`` in ``scope``, for a
        created key; an existing key needs none (its ``.pem`` is already on the student's disk).
        """
        if not self.created:
            return
        CfnOutput(
            scope,
            "KeyCommand",
            value=self.save_command,
            description=f"SSH 키를 {self.key_file} 파일에 저장 (Linux/macOS, 한 번만)",
        )
        CfnOutput(
            scope,
            "KeyCommandPowerShell",
            value=self.save_command_powershell,
            description=f"SSH 키를 {self.key_file} 파일에 저장 (Windows PowerShell, 한 번만)",
        )


def _default_name(key: Construct, stack: Stack) -> str:
    """The stack name (unique per student), then the construct's path below the stack (unique
    in the stack): ``week5-kim-Day1Lab1-SshKey``. A construct id EC2 cannot take in a key
    pair's name (``웹서버``, in ``BastionPair(self, "웹서버", ...)``) is written as ``id-`` and
    its hash, still unique in the stack."""
    below = key.node.path.split("/")[len(stack.node.path.split("/")) :]
    return "-".join([stack.stack_name, *(_ascii_id(part) for part in below)])


def _ascii_id(part: str) -> str:
    """``part`` if a key pair's name can hold it (printable ASCII), else ``id-<8 hex digits>``."""
    if re.fullmatch(r"[\x20-\x7e]*", part):
        return part
    return "id-" + hashlib.sha256(part.encode("utf-8")).hexdigest()[:8]
