"""BastionPair: a bastion in a public subnet and a host in a private subnet behind it."""

from __future__ import annotations

from typing import Callable, Dict, Optional, Tuple, Union

from aws_cdk import CfnOutput
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from week5.constructs.hardening import (
    DEFAULT_INSTANCE_TYPE,
    INSTANCE_TYPE_RE,
    require_name_prefix,
)
from week5.constructs.host import (
    SSH_PORT,
    LabHost,
    is_public,
    require_ssh_key,
)
from week5.constructs.key_pair import LabKeyPair, require_key_name
from week5.constructs.props import (
    instance_type_name,
    require_str,
    require_subnet,
    require_subnet_of,
    require_vpc,
    shown,
)
from week5.core.errors import CourseInputError
from week5.core.settings import parse_ssh_cidr


class BastionPair(Construct):
    """Day 1 Lab 2, step 2: a bastion (Public-A) and a private host (Private-A) behind it.

    The private host admits SSH only from the bastion's security group. Both accept one key
    pair, so the course's "Bastion 통해 Private 접근 테스트" works out of the box: SSH reaches
    the bastion over Session Manager (``AWS-StartSSHSession``, no port 22 open to anyone) and
    hops from it to the private host's port 22 (the private host reaches Session Manager
    through the NAT). ``ssh_cidr`` also opens 22 on the bastion to that one CIDR, for the
    course's direct ``ssh`` through the bastion's public IP.

    :param vpc: the VPC.
    :param bastion_subnet: a public subnet. @default the VPC's first public subnet (Public-A)
    :param private_subnet: a private subnet. @default the VPC's first private subnet (Private-A)
    :param ssh_cidr: the one IPv4 CIDR the bastion admits SSH from. @default ``None`` (SSH only
        over Session Manager)
    :param ssh_key: the key pair both hosts accept (the stack's, shared with its other hosts).
        @default a :class:`LabKeyPair` of the pair's own: an existing one with ``key_name``,
        else one it creates (``pair.ssh_key.add_outputs(stack)`` writes the ``KeyCommand``
        outputs that save its private key; the pair writes none)
    :param key_name: an existing EC2 key pair both hosts accept, instead of ``ssh_key``.
        @default ``None``
    :param instance_type: for both hosts, a name or an ``ec2.InstanceType``.
        @default ``t3.micro``
    :param name_prefix: Name tags ``<prefix>-bastion`` and ``<prefix>-private`` (their security
        groups' ``-sg`` after), in any script; not blank, 245 characters at most.
        @default ``week5``

    Exposes ``bastion`` and ``private_host`` (``LabHost``), ``ssh_key`` and the commands as
    attributes: ``ssh_command`` (to the private host through the bastion; Linux and macOS),
    ``bastion_ssh_command``, ``tunnel_command`` and ``tunnel_ssh_command`` (the same hop from
    Windows PowerShell, in two windows); with ``ssh_cidr`` also ``direct_commands`` (through the
    bastion's public IP). ``bastion.ssm_command`` and ``private_host.ssm_command`` open a shell
    with no key.

    Like aws-cdk's constructs it writes no stack outputs (an output inside a construct gets the
    construct's path and a hash in its id, ``BastionPairSshCommandE2614A3A``): the stack writes
    them with the ids its students copy, e.g. ``add_jump_outputs(stack, pair.bastion,
    pair.private_host, ssh=("SshCommand", "..."), jump_ssh=("BastionSshCommand", "..."))`` (as
    Day1Lab2 does), and ``pair.ssh_key.add_outputs(stack)`` for the key the pair made.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        bastion_subnet: Optional[ec2.ISubnet] = None,
        private_subnet: Optional[ec2.ISubnet] = None,
        ssh_cidr: Optional[str] = None,
        ssh_key: Optional[LabKeyPair] = None,
        key_name: Optional[str] = None,
        instance_type: Union[str, ec2.InstanceType] = DEFAULT_INSTANCE_TYPE,
        name_prefix: str = "week5",
    ) -> None:
        super().__init__(scope, construct_id)
        where = f"BastionPair {self.node.path}"
        require_vpc(where, vpc)
        require_str(where, "name_prefix", name_prefix)
        # The longest Name tag it starts: the private host's security group's.
        require_name_prefix(where, name_prefix, "-private-sg", "-bastion")
        require_key_name(where, key_name)
        require_ssh_key(where, ssh_key)
        # Refused as this prop, not as the bastion's (LabHost <path>/Bastion).
        instance_type_name(
            where,
            instance_type,
            INSTANCE_TYPE_RE,
            "an EC2 instance type (family.size, e.g. t3.micro, the course's class)",
        )
        parse_ssh_cidr(ssh_cidr, prop=where)  # refused as this prop, not the bastion's
        for name, subnet in (("bastion_subnet", bastion_subnet), ("private_subnet", private_subnet)):
            if subnet is not None:  # None: the VPC's first of its kind
                require_subnet(where, name, subnet)
                require_subnet_of(where, name, subnet, vpc)
        if not vpc.public_subnets:
            raise CourseInputError(f"BastionPair {self.node.path}: the VPC has no public subnet")
        private_candidates = list(vpc.private_subnets) + list(vpc.isolated_subnets)
        if private_subnet is None and not private_candidates:
            raise CourseInputError(f"BastionPair {self.node.path}: the VPC has no private subnet")
        bastion_subnet = bastion_subnet or vpc.public_subnets[0]
        private_subnet = private_subnet or private_candidates[0]
        if not is_public(vpc, bastion_subnet):
            raise CourseInputError(
                f"BastionPair {self.node.path}: bastion_subnet must be public (it faces you)"
            )
        if is_public(vpc, private_subnet):
            raise CourseInputError(
                f"BastionPair {self.node.path}: private_subnet must not be a public subnet"
            )
        if ssh_key is not None and key_name is not None:
            raise CourseInputError(
                f"BastionPair {self.node.path}: ssh_key and key_name={key_name!r} both name a "
                "key pair; pass one"
            )
        if ssh_key is None:  # its KeyCommand outputs are the stack's: ssh_key.add_outputs(stack)
            ssh_key = LabKeyPair(self, "SshKey", key_name=key_name)
        #: The key pair both hosts accept.
        self.ssh_key: LabKeyPair = ssh_key

        #: The bastion in the public subnet: SSH from ``ssh_cidr`` only, else none (SSH reaches
        #: it over Session Manager).
        self.bastion: LabHost = LabHost(
            self,
            "Bastion",
            vpc=vpc,
            subnet=bastion_subnet,
            instance_type=instance_type,
            ssh_cidr=ssh_cidr,
            ssh_key=ssh_key,
            name=f"{name_prefix}-bastion",
        )
        #: The host in the private subnet: SSH from the bastion only.
        self.private_host: LabHost = LabHost(
            self,
            "PrivateHost",
            vpc=vpc,
            subnet=private_subnet,
            instance_type=instance_type,
            ssh_key=ssh_key,
            name=f"{name_prefix}-private",
        )
        self.private_host.connections.allow_from(
            self.bastion, ec2.Port.tcp(SSH_PORT), "SSH from the bastion only"
        )

        # The commands add_jump_outputs writes, without the outputs: the stack writes those.
        commands = _jump_commands(self.bastion, self.private_host, _JUMP_COMMANDS)
        #: SSH to the private host through the bastion, the bastion reached over Session
        #: Manager (Linux, macOS).
        self.ssh_command: str = commands["ssh"]
        #: SSH to the bastion over Session Manager.
        self.bastion_ssh_command: str = commands["jump_ssh"]
        #: Windows PowerShell, window 1: localhost:2222 through the bastion to the private host.
        self.tunnel_command: str = commands["tunnel"]
        #: Windows PowerShell, window 2: SSH through that tunnel.
        self.tunnel_ssh_command: str = commands["tunnel_ssh"]
        #: With ``ssh_cidr``: SSH to the bastion's public IP, and through it to the private host,
        #: by the ids Day1Lab2 gives their outputs (``BastionSshDirectCommand``,
        #: ``SshDirectCommand``); empty without.
        self.direct_commands: Dict[str, str] = {
            output_id: commands[kind]
            for kind, output_id in (
                ("jump_ssh_direct", "BastionSshDirectCommand"),
                ("ssh_direct", "SshDirectCommand"),
            )
            if kind in commands
        }


#: What :func:`add_jump_outputs` can write about reaching ``target`` through ``jump``: kind →
#: the command. The ``*_direct`` kinds need a ``jump`` that admits ``ssh_cidr``.
_JUMP_COMMANDS: Dict[str, Callable[[LabHost, LabHost], str]] = {
    "ssh": lambda jump, target: target.ssh_via_command(jump),
    "jump_ssh": lambda jump, target: jump.ssh_command,
    "tunnel": lambda jump, target: target.tunnel_via_command(jump),
    "tunnel_ssh": lambda jump, target: target.tunnel_ssh_command(),
    "jump_ssm": lambda jump, target: jump.ssm_command,
    "ssm": lambda jump, target: target.ssm_command,
    "jump_ssh_direct": lambda jump, target: jump.ssh_direct_command,
    "ssh_direct": lambda jump, target: target.ssh_via_direct_command(jump),
}
#: The kinds that reach ``jump`` through its public IP.
_DIRECT_KINDS = frozenset({"jump_ssh_direct", "ssh_direct"})


def add_jump_outputs(
    scope: Construct,
    jump: LabHost,
    target: LabHost,
    **outputs: Tuple[str, str],
) -> Dict[str, str]:
    """The outputs a student copies to reach ``target`` through ``jump`` (a bastion, or a public
    host that admits the private one's SSH): one ``CfnOutput`` in ``scope`` per keyword, in the
    order given (a template lists its outputs in that order), as
    ``kind=(output id, description)``. The kinds:

    - ``ssh``: SSH to ``target`` through ``jump``, ``jump`` over Session Manager (Linux, macOS)
    - ``jump_ssh``: SSH to ``jump`` over Session Manager
    - ``tunnel`` and ``tunnel_ssh``: the same hop from Windows PowerShell, in two windows
    - ``jump_ssm`` and ``ssm``: a shell on ``jump`` or ``target`` (no key)
    - ``jump_ssh_direct`` and ``ssh_direct``: through ``jump``'s public IP; written only when
      ``jump`` admits ``ssh_cidr`` (the others need no open port)

    ``target`` must admit 22 from ``jump``, and both accept a key pair for the SSH kinds.
    Returns kind → the command, for the outputs written.
    """
    unknown = sorted(set(outputs) - set(_JUMP_COMMANDS))
    if unknown:
        raise CourseInputError(
            f"add_jump_outputs in {scope.node.path}: unknown kinds {unknown}; use "
            f"{sorted(_JUMP_COMMANDS)}"
        )
    for kind, value in outputs.items():
        # A string would unpack letter by letter ("XY": output X, description Y).
        if (
            not isinstance(value, (tuple, list))
            or len(value) != 2
            or not all(isinstance(item, str) and item for item in value)
        ):
            raise CourseInputError(
                f"add_jump_outputs in {scope.node.path}: {kind}={shown(value)} must be "
                f"(output id, description), e.g. {kind}=('TargetSsh', 'SSH to the target')"
            )
    commands = _jump_commands(jump, target, outputs)
    for kind, command in commands.items():
        output_id, description = outputs[kind]
        CfnOutput(scope, output_id, value=command, description=description)
    return commands


def _jump_commands(jump: LabHost, target: LabHost, kinds) -> Dict[str, str]:
    """kind -> the command, for each of ``kinds`` (in their order) that ``jump`` allows: the
    ``*_direct`` ones only when it admits ``ssh_cidr``."""
    return {
        kind: _JUMP_COMMANDS[kind](jump, target)
        for kind in kinds
        if kind not in _DIRECT_KINDS or jump.ssh_cidr
    }
