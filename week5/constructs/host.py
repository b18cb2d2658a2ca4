"""LabHost and DockerHost: an EC2 instance launched the way the course's console steps do it,
hardened where the console's defaults are weak (IMDSv2, encrypted gp3, no SSH from the internet).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional, Sequence, Tuple, Union

import jsii
from aws_cdk import Stack, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from week5.constructs import userdata
from week5.constructs.alb_ingress import InternetPortsOnly
from week5.constructs.hardening import (
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_ROOT_VOLUME_GIB,
    GROUP_NAME_SUFFIX,
    INSTANCE_TYPE_RE,
    amazon_linux_2023,
    azs_acknowledgement,
    boot_script,
    check_user_data_size,
    describe,
    encrypted_root_volume,
    name_label,
    require_imdsv2,
    session_manager_role,
)
from week5.constructs import ssh
from week5.constructs.key_pair import LabKeyPair, require_key_name
from week5.constructs.ssh import DEFAULT_TUNNEL_PORT, SSH_PORT
from week5.constructs.props import (
    instance_type_name,
    require_int,
    require_ints,
    require_lines,
    require_str,
    require_subnet,
    require_subnet_of,
    require_vpc,
    shown,
)
from week5.core.errors import CourseInputError
from week5.core.secret_scan import scan_variables
from week5.core.settings import parse_ssh_cidr
from week5.synth.nag import acknowledge, acknowledge_all

#: Ports a host may open to the whole internet (course FAQ Q9: only HTTP/HTTPS, when needed).
INTERNET_PORTS_ALLOWED = (80, 443)
#: EBS's largest gp3 volume.
EBS_MAX_GIB = 16384


@jsii.implements(ec2.IConnectable, iam.IGrantable)
class LabHost(Construct):
    """One EC2 host: Amazon Linux 2023, IMDSv2 required, encrypted gp3 root, Session Manager.

    :param vpc: the VPC to launch in.
    :param subnet: the subnet to launch in; a public subnet gets a public IP
        (the console's "Auto-assign Public IP: Enable"). The host is launched after the
        subnet's route out exists (a private subnet's default route to its NAT), so its boot
        script can install packages.
    :param instance_type: a name or an ``ec2.InstanceType``. @default ``t3.micro`` (the
        course's class; cheapest that does the job)
    :param user_data_lines: shell lines run as root at first boot. @default none
    :param internet_ports: TCP ports open to 0.0.0.0/0. Only 80 and 443 are accepted (FAQ Q9);
        a private host cannot take any. @default ``()``
    :param ssh_cidr: the only IPv4 CIDR SSH (22) is admitted from; ``0.0.0.0/0`` is refused.
        @default ``None``: no port 22 at all; reach the host with Session Manager
    :param key_name: an existing EC2 key pair for ``ssh -i``. @default ``None`` (none needed for
        Session Manager)
    :param ssh_key: a :class:`LabKeyPair` (one the stack creates, or an existing one) whose key
        the host accepts; with it, ``ssh_command`` and the other SSH commands name its key file.
        Give this or ``key_name``, not both. @default ``None``: no key pair unless ``key_name``
    :param root_volume_gib: the encrypted gp3 root volume's size in GiB, 8 to 16384.
        @default 8 (Amazon Linux 2023's minimum)
    :param default_port: the TCP port the host serves its peers on (3306 for a host that runs
        MySQL in a container), so that ``host.connections.allow_default_port_from(peer)``
        admits it. @default ``None``: a host serves no one port; admit a peer on a port you
        name with ``host.connections.allow_from(peer, ec2.Port.tcp(port))``
    :param name: the Name tag, in any script (a security group's description, which takes
        ASCII only, leaves out what it cannot hold); 253 characters at most, as the security
        group's Name tag adds ``-sg``. @default the construct path

    A ``LabHost`` is an ``ec2.IConnectable`` (its security group, with ``default_port``) and an
    ``iam.IGrantable`` (its role): ``db.grant_connect(host)`` lets it reach a database,
    ``bucket.grant_read(host)`` lets it read a bucket; ``add_boot_lines()`` appends to its boot
    script. Exposes ``instance``, ``launch_template`` (IMDSv2), ``user_data``,
    ``security_group``, ``role``, ``connections``, ``grant_principal``, ``public`` (in a public
    subnet), ``ssh_cidr``, ``public_ip``, ``private_ip``, ``ssh_key``, ``ssm_command`` and,
    with a key, the SSH commands:
    ``ssh_command`` (over Session Manager, no port 22), ``ssh_direct_command`` (to the public
    IP, with ``ssh_cidr``), ``ssh_via_command(jump)``, ``ssh_via_direct_command(jump)``,
    ``tunnel_via_command(jump)`` and ``tunnel_ssh_command()`` (through a jump host).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnet: ec2.ISubnet,
        instance_type: Union[str, ec2.InstanceType] = DEFAULT_INSTANCE_TYPE,
        user_data_lines: Sequence[str] = (),
        internet_ports: Sequence[int] = (),
        ssh_cidr: Optional[str] = None,
        key_name: Optional[str] = None,
        ssh_key: Optional[LabKeyPair] = None,
        root_volume_gib: int = DEFAULT_ROOT_VOLUME_GIB,
        default_port: Optional[int] = None,
        name: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        node_path = self.node.path
        where = f"{type(self).__name__} {node_path}"
        require_vpc(where, vpc)
        require_subnet(where, "subnet", subnet)
        require_subnet_of(where, "subnet", subnet, vpc)
        require_lines(where, "user_data_lines", user_data_lines)
        require_ints(where, "internet_ports", internet_ports)
        require_int(where, "root_volume_gib", root_volume_gib)
        require_int(where, "default_port", default_port, optional=True)
        require_str(where, "key_name", key_name, optional=True)
        # The name goes into the security group's description too, which a token cannot be.
        require_str(where, "name", name, optional=True, instead="a name such as 'web'")
        require_ssh_key(where, ssh_key)
        require_key_name(where, key_name)
        label = name_label(where, name, node_path)
        instance_type = instance_type_name(
            where,
            instance_type,
            INSTANCE_TYPE_RE,
            "an EC2 instance type (family.size, e.g. t3.micro, the course's class)",
        )
        public = is_public(vpc, subnet)
        for port in internet_ports:
            if not 1 <= port <= 65535:
                raise CourseInputError(
                    f"{where}: internet_ports has {port}, which is not a port (1-65535)"
                )
        bad_ports = [p for p in internet_ports if p not in INTERNET_PORTS_ALLOWED]
        if bad_ports:
            raise CourseInputError(
                f"{where}: internet_ports={list(internet_ports)} opens {bad_ports} to 0.0.0.0/0; "
                f"only {INTERNET_PORTS_ALLOWED} may face the internet (FAQ Q9). Use ssh_cidr "
                "for SSH, and connections.allow_from(other, ec2.Port.tcp(port)) for databases"
            )
        if internet_ports and not public:
            raise CourseInputError(
                f"{where}: internet_ports={list(internet_ports)} on a host in a private subnet "
                "has no effect; place it in a public subnet or use "
                "connections.allow_from(other, ec2.Port.tcp(port))"
            )
        if root_volume_gib < DEFAULT_ROOT_VOLUME_GIB:
            raise CourseInputError(
                f"{where}: root_volume_gib={root_volume_gib} is below Amazon Linux 2023's "
                f"minimum of {DEFAULT_ROOT_VOLUME_GIB}"
            )
        if root_volume_gib > EBS_MAX_GIB:
            raise CourseInputError(
                f"{where}: root_volume_gib={root_volume_gib} is above EBS's {EBS_MAX_GIB} GiB "
                "(16 TiB), the largest gp3 volume"
            )
        if default_port is not None and not (
            isinstance(default_port, int) and 1 <= default_port <= 65535
        ):
            raise CourseInputError(f"{where}: default_port={default_port!r} is not a TCP port")
        if key_name is not None and ssh_key is not None:
            raise CourseInputError(
                f"{where}: key_name={key_name!r} and ssh_key={ssh_key.node.path} both name a key "
                "pair; pass one (ssh_key=LabKeyPair(..., key_name=...) wraps an existing one)"
            )
        instance_class = ec2.InstanceType(instance_type)
        ssh_cidr = parse_ssh_cidr(ssh_cidr, prop=where)
        #: Whether the host is in a public subnet (it has a public IP).
        self.public: bool = public
        #: The one CIDR SSH (22) is admitted from, or ``None`` (SSH only over Session Manager).
        self.ssh_cidr: Optional[str] = ssh_cidr
        #: The key pair the host accepts, or ``None`` (Session Manager only).
        self.ssh_key: Optional[LabKeyPair] = (
            LabKeyPair(self, "KeyPair", key_name=key_name) if key_name is not None else ssh_key
        )

        #: The host's security group: the internet ports, SSH from ``ssh_cidr``, and the peers
        #: admitted through ``connections``.
        self.security_group: ec2.SecurityGroup = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=describe(label, _describe_ingress(internet_ports, ssh_cidr)),
            allow_all_outbound=True,  # course step 2: "Outbound: All traffic"
        )
        Tags.of(self.security_group).add("Name", f"{label}{GROUP_NAME_SUFFIX}")
        for port in internet_ports:
            self.security_group.add_ingress_rule(
                ec2.Peer.any_ipv4(), ec2.Port.tcp(port), f"{_PORT_NAMES.get(port)} from anywhere"
            )
        if internet_ports:
            acknowledge(
                self.security_group,
                "AwsSolutions-EC23",
                f"A lab web host serves ports {list(internet_ports)} to the internet by design "
                "(course FAQ Q9: HTTP/HTTPS open to 0.0.0.0/0 only when needed); SSH never is.",
            )
            # The acknowledgement covers the whole group: what else is opened to anyone (a
            # rule added after construction) fails synthesis here instead.
            self.node.add_validation(
                InternetPortsOnly(
                    self.security_group,
                    where,
                    internet_ports,
                    "use ssh_cidr= for SSH, and admit one CIDR (ec2.Peer.ipv4('203.0.113.5/32')) "
                    "or a security group for any other port",
                )
            )
        if ssh_cidr:
            self.security_group.add_ingress_rule(
                ec2.Peer.ipv4(ssh_cidr), ec2.Port.tcp(SSH_PORT), "SSH from ssh_cidr only"
            )
        # One security group for the instance and its peers; default_port as given.
        self._connections = ec2.Connections(
            security_groups=[self.security_group],
            default_port=ec2.Port.tcp(default_port) if default_port is not None else None,
        )

        #: The instance role (Session Manager); the host's ``grant_principal``.
        self.role: iam.Role = session_manager_role(self, "Role", label)
        #: The instance's boot script; ``add_boot_lines()`` appends to it.
        self.user_data: ec2.UserData = boot_script(user_data_lines, where)
        #: The EC2 instance.
        self.instance: ec2.Instance = ec2.Instance(
            self,
            "Instance",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=[subnet]),
            instance_type=instance_class,
            machine_image=amazon_linux_2023(instance_class),
            security_group=self.security_group,
            role=self.role,
            user_data=self.user_data,
            user_data_causes_replacement=True,
            # The root volume bills too: give it the course's tags (cost by Student).
            propagate_tags_to_volume_on_creation=True,
            associate_public_ip_address=True if public else None,
            key_pair=self.ssh_key.key_pair if self.ssh_key else None,
            block_devices=[encrypted_root_volume(root_volume_gib)],
        )
        Tags.of(self.instance).add("Name", label)
        # The boot script installs packages: launch no host before its subnet's way out (the
        # route table association and the default route, through the NAT for a private host).
        # CDK adds this for a host with a public IP only; a private host started first runs
        # `dnf install` with no route, its boot stops there, and the stack still completes.
        # On the CfnInstance, as CDK does: its profile and launch template need no route.
        self.instance.instance.node.add_dependency(subnet.internet_connectivity_established)
        #: The launch template that requires IMDSv2 (its metadata options only).
        self.launch_template: ec2.CfnLaunchTemplate = require_imdsv2(self.instance)
        acknowledge_all(
            self.instance,
            {
                "AwsSolutions-EC28": "Detailed (1-minute) monitoring is billed per metric; the "
                "5-minute basic metrics are enough for a 50-minute lab.",
                "AwsSolutions-EC29": "Termination protection would make `cdk destroy` fail and "
                "leave a billed instance behind after the lab; the course deletes everything "
                "within 30 minutes.",
                **azs_acknowledgement(self.instance),
            },
        )

    def add_boot_lines(self, *lines: str) -> None:
        """Append to the instance's boot script, e.g. lines that name resources created after
        the host. Refused when the script would pass EC2's 16 KB."""
        self.user_data.add_commands(*lines)
        check_user_data_size(self.user_data, f"{type(self).__name__} {self.node.path}")

    @property
    def connections(self) -> ec2.Connections:
        """The host's security group, with ``default_port`` when given (``ec2.IConnectable``).

        ``host.connections.allow_from(peer, ec2.Port.tcp(3306), "MySQL from the web host")``
        admits one port from a peer's security groups, never a CIDR.
        """
        return self._connections

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The host's role (``iam.IGrantable``): ``secret.grant_read(host)`` lands on it."""
        return self.role

    @property
    def public_ip(self) -> str:
        """The instance's public IPv4 address (``Fn::GetAtt PublicIp``), a token until
        deployment; only a host in a public subnet (``public``) has one: a private host's is
        refused (its ``GetAtt`` would fail the deploy)."""
        if not self.public:
            raise CourseInputError(
                f"{type(self).__name__} {self.node.path}: public_ip: the host is in a private "
                "subnet and has no public IP; use private_ip, or build it in a public subnet"
            )
        return self.instance.instance_public_ip

    @property
    def private_ip(self) -> str:
        """The instance's private IPv4 address in its subnet, a token until deployment."""
        return self.instance.instance_private_ip

    @property
    def ssm_command(self) -> str:
        """A shell on the host with Session Manager: no key, no port."""
        return ssh.ssm_session(self.instance.instance_id, Stack.of(self).region)

    @property
    def ssh_command(self) -> str:
        """``ssh -i <key> ec2-user@<instance-id>`` over Session Manager (``AWS-StartSSHSession``):
        real SSH with the key, with no port 22 open to anyone. Needs the AWS CLI and its Session
        Manager plugin; the same line works in bash, zsh and PowerShell."""
        key = self._key_file("ssh_command")
        return ssh.ssh_over_ssm(key, self.instance.instance_id, Stack.of(self).region)

    @property
    def ssh_direct_command(self) -> str:
        """``ssh -i <key> ec2-user@<public-ip>``: the course's own command, for a public host
        that admits ``ssh_cidr``."""
        key = self._key_file("ssh_direct_command")
        self._direct("ssh_direct_command")
        return ssh.ssh_direct(key, self.public_ip)

    def ssh_via_command(self, jump: "LabHost") -> str:
        """SSH to this host's private IP through ``jump`` (a bastion), ``jump`` reached over
        Session Manager; what ``ssh -J`` does (``ssh -W`` on the jump host), with the key given
        to both hops (``-J`` passes ``-i`` to the last hop only). The jump host's ProxyCommand
        sits in single quotes inside the outer one, which POSIX shells (Linux, macOS) take and
        Windows does not: there, use ``tunnel_via_command``. This host must admit 22 from
        ``jump``."""
        key = self._key_file("ssh_via_command")
        jump_key = jump._key_file("ssh_via_command (jump host)")
        return ssh.ssh_via_ssm_jump(
            key, jump_key, jump.instance.instance_id, self.private_ip, Stack.of(self).region
        )

    def ssh_via_direct_command(self, jump: "LabHost") -> str:
        """SSH through ``jump``'s public IP (it must admit ``ssh_cidr``) to this host's private
        IP: the course's classic bastion hop."""
        key = self._key_file("ssh_via_direct_command")
        jump_key = jump._key_file("ssh_via_direct_command (jump host)")
        jump._direct("ssh_via_direct_command (jump host)")
        return ssh.ssh_via_direct_jump(key, jump_key, jump.public_ip, self.private_ip)

    def tunnel_via_command(self, jump: "LabHost", local_port: int = DEFAULT_TUNNEL_PORT) -> str:
        """Forward ``localhost:<local_port>`` through ``jump`` (over Session Manager, from its
        SSM agent) to this host's port 22; then ``tunnel_ssh_command`` in a second window. The
        connection reaches this host from ``jump``'s address, so the rule that admits 22 from
        ``jump`` is the one tested. No nested quotes: the way in from Windows PowerShell."""
        return ssh.tunnel_via(
            jump.instance.instance_id, self.private_ip, local_port, Stack.of(self).region
        )

    def tunnel_ssh_command(self, local_port: int = DEFAULT_TUNNEL_PORT) -> str:
        """SSH into this host through the tunnel ``tunnel_via_command`` opens."""
        return ssh.tunnel_ssh(self._key_file("tunnel_ssh_command"), local_port)

    def _key_file(self, what: str) -> str:
        if self.ssh_key is None:
            raise CourseInputError(
                f"{type(self).__name__} {self.node.path}: {what} needs a key pair; pass "
                "ssh_key=LabKeyPair(...) or key_name="
            )
        return self.ssh_key.key_file

    def _direct(self, what: str) -> None:
        if not (self.public and self.ssh_cidr):
            raise CourseInputError(
                f"{type(self).__name__} {self.node.path}: {what} needs a host in a public subnet "
                "that admits ssh_cidr; use ssh_command (over Session Manager) instead"
            )


class DockerHost(LabHost):
    """A LabHost that installs Docker and the Compose plugin, and optionally runs a compose file.

    Course Day 1 Lab 1, step 3: Docker installed, enabled at boot, ``ec2-user`` in the ``docker``
    group. Passwords that the course's compose files write in plain text are read from Secrets
    Manager at boot into a root-only ``.env`` beside the compose file instead.

    :param compose_file: a docker-compose file to run at boot. @default ``None`` (Docker only)
    :param compose_env: plain variables for the compose file (names, addresses). @default none
    :param compose_secrets: variable name → secret whose value the variable takes, or
        ``(secret, field)`` for one field of a JSON secret (an RDS secret's ``password``); the
        host's role may read exactly these secrets. @default none
    :param app_files: name → local file, copied beside the compose file (an app's source, which
        the compose file mounts). Inline in user data, so they share EC2's 16 KB. @default none
    :param internet_ports: TCP ports open to 0.0.0.0/0, 80 and 443 only, as for
        :class:`LabHost`. @default ``(80,)`` on a public subnet (the app's HTTP port), ``()`` on
        a private one

    Other props as for :class:`LabHost`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnet: ec2.ISubnet,
        compose_file: Optional[Path] = None,
        compose_env: Optional[Mapping[str, str]] = None,
        compose_secrets: Optional[Mapping[str, SecretSource]] = None,
        app_files: Optional[Mapping[str, Path]] = None,
        internet_ports: Optional[Sequence[int]] = None,
        **kwargs,
    ) -> None:
        # Before the first use of vpc and subnet (is_public below): LabHost checks them too,
        # later. The node is not made yet: its path is the scope's and the id.
        parent = getattr(getattr(scope, "node", None), "path", "")
        where = f"DockerHost {'/'.join(p for p in (parent, construct_id) if p)}"
        require_vpc(where, vpc)
        require_subnet(where, "subnet", subnet)
        require_subnet_of(where, "subnet", subnet, vpc)
        compose_env = _mapping(where, "compose_env", compose_env, "{'DB_HOST': 'db'}")
        compose_secrets = _mapping(
            where, "compose_secrets", compose_secrets, "{'DB_PASSWORD': secret}"
        )
        app_files = _mapping(where, "app_files", app_files, "{'app.py': Path('app.py')}")
        for name, value in compose_env.items():
            require_str(where, f"compose_env[{name!r}]", value)
        # The values go into the instance's user data, which anyone allowed DescribeInstance
        # Attribute reads: the course's rule pack finds it at synth, an importer's app has none.
        for found in scan_variables(dict(compose_env), where):
            raise CourseInputError(
                f"{where}: compose_env[{found.name!r}] looks like a secret, and would be written in "
                "plain text into the instance's user data; pass it as a secret, e.g. "
                f"compose_secrets={{{found.name!r}: secret}}"
            )
        for name, source in compose_secrets.items():
            if not _is_secret_source(source):
                raise CourseInputError(
                    f"{where}: compose_secrets[{name!r}]={shown(source)} is not a secret; pass "
                    f"the secret itself, e.g. compose_secrets={{{name!r}: secret}}, or "
                    f"{{{name!r}: (db.secret, 'password')}} for one field, so the host's role "
                    "may read it"
                )
        if compose_file is None and (compose_env or compose_secrets or app_files):
            raise CourseInputError(
                f"{where}: compose_env/compose_secrets/app_files need a "
                "compose_file"
            )
        for name, path in app_files.items():
            _require_text_file(where, f"app_files[{name!r}]", "app file", path, must_exist=True)
        if compose_file is not None:
            _require_text_file(where, "compose_file", "compose_file", compose_file)
        if internet_ports is None:
            internet_ports = (80,) if is_public(vpc, subnet) else ()
        lines = userdata.install_docker()
        if compose_file is not None:
            try:  # the compose file is read, and refused if bad, once: here
                lines += userdata.compose_up(
                    Path(compose_file),
                    region=Stack.of(scope).region,
                    env=compose_env,
                    secret_env={name: secret_env_source(s) for name, s in compose_secrets.items()},
                    files={name: Path(path) for name, path in app_files.items()},
                )
            except CourseInputError as error:
                raise CourseInputError(f"{where}: {error}") from None
        super().__init__(
            scope,
            construct_id,
            vpc=vpc,
            subnet=subnet,
            user_data_lines=lines,
            internet_ports=internet_ports,
            **kwargs,
        )
        #: The compose file the host runs at boot, if any.
        self.compose_file: Optional[Path] = compose_file
        for source in compose_secrets.values():
            # The role itself, not self: Node would call back into Python for it.
            (source if not isinstance(source, tuple) else source[0]).grant_read(self.role)


#: A secret, or (secret, JSON field) for one field of a JSON secret.
SecretSource = Union[secretsmanager.ISecret, Tuple[secretsmanager.ISecret, str]]


def _mapping(where: str, name: str, value, example: str) -> dict:
    """A dict prop (``None`` for none) whose keys are strings: a list of ``"A=1"`` pairs, or a
    number as a variable name, would fail deep in ``dict()`` or a regular expression."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise CourseInputError(f"{where}: {name}={shown(value)} must be a dict, e.g. {example}")
    for key in value:
        if not isinstance(key, str):
            raise CourseInputError(
                f"{where}: {name} has {shown(key)}, which is not a variable name (a string)"
                if name.startswith("compose")
                else f"{where}: {name} has {shown(key)}, which is not a file name (a string)"
            )
    return dict(value)


def _is_secret(value) -> bool:
    return not isinstance(value, (str, type(None))) and all(
        hasattr(value, a) for a in ("secret_arn", "grant_read")
    )


def _is_secret_source(value) -> bool:
    if isinstance(value, tuple):
        return len(value) == 2 and _is_secret(value[0]) and isinstance(value[1], str)
    return _is_secret(value)


def _require_text_file(where: str, name: str, label: str, path, must_exist: bool = False) -> None:
    """A local text file's path: not a folder, not a binary (its text goes into user data). A
    missing compose file is left to ``userdata.read_compose_file``, which names the fix."""
    if not isinstance(path, (str, os.PathLike)):
        raise CourseInputError(
            f"{where}: {name}={shown(path)} must be a file's path, e.g. "
            "COMPOSE_DIR / 'wordpress.yml'"
        )
    path = Path(path)
    if path.is_dir():
        raise CourseInputError(
            f"{where}: {label} {path} is a folder, not a file; pass a file in it"
        )
    if not path.is_file():
        if must_exist:
            raise CourseInputError(f"{where}: {label} {path} does not exist")
        return
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise CourseInputError(
            f"{where}: {label} {path} is not a text (UTF-8) file; pass "
            + ("a docker-compose.yml" if label == "compose_file" else "a source file")
        ) from None


def secret_env_source(source: SecretSource) -> Union[str, Tuple[str, str]]:
    """What ``userdata.compose_up`` takes: the ARN, or (ARN, field)."""
    if isinstance(source, tuple):
        secret, field = source
        return (secret.secret_arn, field)
    return source.secret_arn


def require_ssh_key(where: str, ssh_key) -> None:
    """``ssh_key`` is a :class:`LabKeyPair` or ``None``: a key pair's name belongs in
    ``key_name``, and CDK's own ``ec2.KeyPair`` is wrapped by name."""
    if ssh_key is None or isinstance(ssh_key, LabKeyPair):
        return
    if isinstance(ssh_key, str):
        raise CourseInputError(
            f"{where}: ssh_key={shown(ssh_key)} is not a LabKeyPair; pass key_name="
            f"{shown(ssh_key)} for an existing EC2 key pair, or a LabKeyPair, e.g. "
            "ssh_key=LabKeyPair(self, 'Key')"
        )
    if hasattr(ssh_key, "key_pair_name"):  # ec2.KeyPair, or one imported by name
        raise CourseInputError(
            f"{where}: ssh_key= is a CDK ec2.KeyPair, not a LabKeyPair; pass its name as "
            "key_name=, or ssh_key=LabKeyPair(self, 'Key', key_name=<its name>)"
        )
    raise CourseInputError(
        f"{where}: ssh_key={shown(ssh_key)} is not a LabKeyPair; pass a LabKeyPair, e.g. "
        "ssh_key=LabKeyPair(self, 'Key'), or key_name= for an existing EC2 key pair"
    )


def is_public(vpc: ec2.IVpc, subnet: ec2.ISubnet) -> bool:
    """Whether ``subnet`` is one of the VPC's public subnets (it routes to an internet gateway)."""
    # By id (a token until deployment, one per subnet): one read a subnet, a path is two.
    return subnet.subnet_id in {s.subnet_id for s in vpc.public_subnets}


_PORT_NAMES = {80: "HTTP", 443: "HTTPS"}


def _describe_ingress(internet_ports: Sequence[int], ssh_cidr: Optional[str]) -> str:
    parts = [f"{_PORT_NAMES.get(p, p)} from anywhere" for p in internet_ports]
    # "from the internet": a bastion or a peer host may be admitted to 22 after construction.
    parts.append(f"SSH from {ssh_cidr}" if ssh_cidr else "no SSH from the internet (Session Manager)")
    return ", ".join(parts)
