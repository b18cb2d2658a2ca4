"""Day 1: AWS basics and networking (VPC, subnets, IGW, NAT, security groups, EC2 with Docker)."""

from __future__ import annotations

from typing import Dict

from aws_cdk import CfnOutput, Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from week5.assets import COMPOSE_DIR
from week5.constructs.bastion import BastionPair, add_jump_outputs
from week5.constructs.host import DEFAULT_TUNNEL_PORT, SSH_PORT, DockerHost, LabHost
from week5.constructs.key_pair import LabKeyPair
from week5.constructs.secret import generated_password
from week5.constructs.userdata import web_page
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.core.catalog import Lab
from week5.core.settings import CourseSettings
from week5.synth.lab import LabStack

MYSQL_PORT = 3306


def wordpress_passwords(stack: LabStack) -> Dict[str, secretsmanager.ISecret]:
    """The two passwords the course's WordPress compose file writes in plain text."""
    lab_id = stack.lab.lab_id
    return {
        "WORDPRESS_DB_PASSWORD": generated_password(
            stack, "WordpressDbPassword", description=f"{lab_id}: WordPress user's MySQL password"
        ),
        "MYSQL_ROOT_PASSWORD": generated_password(
            stack, "MysqlRootPassword", description=f"{lab_id}: MySQL root password"
        ),
    }


#: SiteUrl's description. The URL is the public IP the host had when the stack was deployed: a
#: stop and start gives it another (no Elastic IP, which bills while the host is stopped), and
#: WordPress answers there too, since its compose file takes the address from each request.
SITE_URL_DESCRIPTION = (
    "WordPress 사이트 주소 (배포 때의 퍼블릭 IP: 인스턴스를 중지 후 시작하면 새 퍼블릭 IP로 접속)"
)


def _site_url(host: LabHost) -> str:
    """``http://<public IP>``: the IP at deployment (outputs are not updated after it)."""
    return Fn.join("", ["http://", host.public_ip])


def _ssh_key(stack: LabStack) -> LabKeyPair:
    """The lab's key pair: ``-c key_name``'s, else one the stack creates (named after the stack,
    so each student's differs), with the outputs that save its private key."""
    key = LabKeyPair(stack, "SshKey", key_name=stack.settings.key_name)
    key.add_outputs(stack)
    return key


class Day1Lab1Stack(LabStack):
    """Day 1 Lab 1 - VPC & EC2 기본 구성: a Docker host running WordPress in a public subnet.

    Step 1: VPC 10.0.0.0/16 (``week5-day1-vpc``), public subnet 10.0.1.0/24 in AZ-A
    (``week5-day1-public-subnet``), internet gateway, route 0.0.0.0/0 → IGW.
    Step 2: security group: HTTP 80 from anywhere, SSH only from ``ssh_cidr`` (none without it),
    all outbound. Step 3: t3.micro, Amazon Linux 2023, public IP, user data that installs Docker;
    beyond the console steps, it runs the course's Session 4 WordPress compose file, with its
    passwords generated in Secrets Manager. Step 4: ``PublicIp`` (4.1); the host accepts the
    stack's key pair, ``KeyCommand`` saves its private key and ``SshCommand`` logs in as
    ``ec2-user`` over Session Manager with no port 22 open (4.2; with ``ssh_cidr``,
    ``SshDirectCommand`` is the course's own ``ssh -i key.pem ec2-user@<public-ip>``), where
    ``docker --version`` answers (4.3). ``SiteUrl`` shows WordPress.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self,
            "Network",
            availability_zones=settings.azs[:1],
            private_subnet_cidrs=(),
            name_prefix=self.name_prefix,
        )
        passwords = wordpress_passwords(self)
        #: The key pair the host accepts (course step 4: ``ssh -i key.pem``).
        self.ssh_key: LabKeyPair = _ssh_key(self)
        self.host = DockerHost(
            self,
            "WebHost",
            vpc=self.network.vpc,
            subnet=self.network.public_subnets[0],
            compose_file=COMPOSE_DIR / "wordpress.yml",
            compose_secrets=passwords,
            ssh_cidr=settings.ssh_cidr,
            ssh_key=self.ssh_key,
            name=f"{self.name_prefix}-web",
        )
        CfnOutput(self, "SiteUrl", value=_site_url(self.host), description=SITE_URL_DESCRIPTION)
        CfnOutput(
            self, "InstanceId", value=self.host.instance.instance_id, description="EC2 인스턴스 ID"
        )
        CfnOutput(
            self,
            "SsmCommand",
            value=self.host.ssm_command,
            description="Session Manager로 셸 열기 (SSH 키 없이)",
        )
        CfnOutput(
            self, "PublicIp", value=self.host.public_ip, description="Step 4.1: EC2 퍼블릭 IP"
        )
        CfnOutput(
            self,
            "SshCommand",
            value=self.host.ssh_command,
            description="Step 4.2: SSH 접속 (Session Manager 경유, 22번 포트를 열지 않음); "
            "접속 후 Step 4.3 docker --version",
        )
        if settings.ssh_cidr:
            CfnOutput(
                self,
                "SshDirectCommand",
                value=self.host.ssh_direct_command,
                description=f"Step 4.2 그대로: 퍼블릭 IP로 SSH ({settings.ssh_cidr}에서만)",
            )


class Day1Lab2Stack(LabStack):
    """Day 1 Lab 2 - 멀티 AZ 네트워크: four subnets in two AZs, one NAT gateway, a bastion.

    Step 1: Public-A 10.0.1.0/24 and Private-A 10.0.11.0/24 in AZ-A, Public-B 10.0.2.0/24 and
    Private-B 10.0.12.0/24 in AZ-B; IGW; one NAT gateway in Public-A (the course's diagram draws
    it in Private-A, its steps put it in Public-A: a NAT gateway must live in a public subnet);
    public route tables → IGW, private route tables → NAT. The VPC L2 gives each subnet its own
    route table with the same routes the course's shared "Public RT" and "Private RT" hold.
    Step 2: bastion in Public-A, private host in Private-A that admits SSH only from the bastion;
    all hosts accept the stack's key pair (``KeyCommand`` saves it), and ``SshCommand``
    reaches the private host through the bastion, the bastion reached over Session Manager, so
    "Bastion 통해 Private 접근 테스트" needs no port 22 open to anyone (``ssh_cidr`` adds the
    direct way, ``SshDirectCommand``). Step 3: one web server in each public subnet, each page
    naming its instance and AZ (``Web1Url``, ``Web2Url``).
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self, "Network", nat=NatMode.SINGLE_GATEWAY, name_prefix=self.name_prefix
        )
        vpc = self.network.vpc
        #: The key pair every host accepts.
        self.ssh_key: LabKeyPair = _ssh_key(self)
        self.bastion_pair = BastionPair(
            self,
            "BastionPair",
            vpc=vpc,
            ssh_cidr=settings.ssh_cidr,
            ssh_key=self.ssh_key,
            name_prefix=self.name_prefix,
        )
        # Written here, not in the pair: an output inside a construct gets its path and a hash
        # in its id (BastionPairSshCommandE2614A3A), and the guide names these ids.
        pair = self.bastion_pair
        add_jump_outputs(
            self,
            pair.bastion,
            pair.private_host,
            ssh=(
                "SshCommand",
                "Bastion을 거쳐 Private 인스턴스에 SSH (Linux/macOS; Bastion은 Session "
                "Manager로, 22번 포트를 열지 않음)",
            ),
            jump_ssh=(
                "BastionSshCommand",
                "Bastion에 SSH (Session Manager 경유, 22번 포트를 열지 않음)",
            ),
            tunnel=(
                "PrivateHostTunnelCommand",
                "Windows PowerShell 창 1: Bastion을 거쳐 "
                f"localhost:{DEFAULT_TUNNEL_PORT} → Private 인스턴스 22번 (열어 둔 채로)",
            ),
            tunnel_ssh=(
                "PrivateHostTunnelSshCommand",
                "Windows PowerShell 창 2: 그 터널로 Private 인스턴스에 SSH",
            ),
            jump_ssm=("BastionSsmCommand", "Bastion에 Session Manager로 셸 열기"),
            ssm=("PrivateHostSsmCommand", "Private 인스턴스에 Session Manager로 셸 열기"),
            jump_ssh_direct=(
                "BastionSshDirectCommand",
                f"Bastion의 퍼블릭 IP로 SSH ({settings.ssh_cidr}에서만)",
            ),
            ssh_direct=(
                "SshDirectCommand",
                f"Bastion의 퍼블릭 IP를 거쳐 Private 인스턴스에 SSH ({settings.ssh_cidr}에서만)",
            ),
        )
        self.web_servers = []
        for index, subnet in enumerate(self.network.public_subnets, start=1):
            web = LabHost(
                self,
                f"Web{index}",
                vpc=vpc,
                subnet=subnet,
                user_data_lines=web_page(),
                internet_ports=(80,),
                ssh_key=self.ssh_key,
                name=f"{self.name_prefix}-web{index}",
            )
            web.connections.allow_from(
                self.bastion_pair.bastion, ec2.Port.tcp(SSH_PORT), "SSH from the bastion only"
            )
            self.web_servers.append(web)
            CfnOutput(
                self,
                f"Web{index}Url",
                value=_site_url(web),
                description=f"Step 3: 웹 서버 {index}의 페이지 (인스턴스와 AZ를 보여 줌)",
            )


class Day1CaseStack(LabStack):
    """Day 1 Session 4 case - 블로그 플랫폼: WordPress in a public subnet, MySQL in a private one.

    "사용자 → Internet Gateway → Public Subnet (EC2 + Docker) → Private Subnet (MySQL)": the
    course starts with MySQL in a container on a private host instead of RDS. Security groups
    80 / 22 / 3306: HTTP from anywhere to the web host, SSH per ``ssh_cidr`` to the web host and
    from the web host to the MySQL host, 3306 to the MySQL host from the web host's security
    group only. The private host pulls its image through a NAT instance (course FAQ: the cheaper
    NAT; a t4g.nano costs a tenth of a NAT gateway). Both hosts accept the stack's key pair:
    ``WordpressSshCommand`` reaches the WordPress host over Session Manager, ``MysqlSshCommand``
    the MySQL host through it (the case's SSH arrow), with no port 22 open to the internet.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self,
            "Network",
            availability_zones=settings.azs[:1],
            nat=NatMode.INSTANCE,
            name_prefix=self.name_prefix,
        )
        vpc = self.network.vpc
        passwords = wordpress_passwords(self)
        #: The key pair both hosts accept.
        self.ssh_key: LabKeyPair = _ssh_key(self)
        self.db_host = DockerHost(
            self,
            "MysqlHost",
            vpc=vpc,
            subnet=self.network.private_subnets[0],
            compose_file=COMPOSE_DIR / "mysql.yml",
            compose_secrets=passwords,
            default_port=MYSQL_PORT,
            ssh_key=self.ssh_key,
            name=f"{self.name_prefix}-mysql",
        )
        self.web_host = DockerHost(
            self,
            "WordpressHost",
            vpc=vpc,
            subnet=self.network.public_subnets[0],
            compose_file=COMPOSE_DIR / "wordpress-web.yml",
            compose_env={"WORDPRESS_DB_HOST": self.db_host.private_ip},
            compose_secrets={"WORDPRESS_DB_PASSWORD": passwords["WORDPRESS_DB_PASSWORD"]},
            ssh_cidr=settings.ssh_cidr,
            ssh_key=self.ssh_key,
            name=f"{self.name_prefix}-wordpress",
        )
        # WordPress → MySQL (3306), and SSH (22) from the WordPress host: the case's arrows.
        self.db_host.connections.allow_default_port_from(
            self.web_host, "MySQL from the WordPress host only"
        )
        self.db_host.connections.allow_from(
            self.web_host, ec2.Port.tcp(SSH_PORT), "SSH from the WordPress host only"
        )
        CfnOutput(
            self, "SiteUrl", value=_site_url(self.web_host), description=SITE_URL_DESCRIPTION
        )
        # Over Session Manager, and with ssh_cidr through the WordPress host's public IP.
        add_jump_outputs(
            self,
            self.web_host,
            self.db_host,
            jump_ssm=("WordpressSsmCommand", "WordPress 호스트에 Session Manager로 셸 열기"),
            ssm=("MysqlSsmCommand", "MySQL 호스트에 Session Manager로 셸 열기"),
            jump_ssh=(
                "WordpressSshCommand",
                "WordPress 호스트에 SSH (Session Manager 경유, 22번 포트를 열지 않음)",
            ),
            ssh=("MysqlSshCommand", "WordPress 호스트를 거쳐 MySQL 호스트에 SSH (Linux/macOS)"),
            tunnel=(
                "MysqlTunnelCommand",
                "Windows PowerShell 창 1: WordPress 호스트를 거쳐 "
                f"localhost:{DEFAULT_TUNNEL_PORT} → MySQL 호스트 22번 (열어 둔 채로)",
            ),
            tunnel_ssh=(
                "MysqlTunnelSshCommand",
                "Windows PowerShell 창 2: 그 터널로 MySQL 호스트에 SSH",
            ),
            jump_ssh_direct=(
                "WordpressSshDirectCommand",
                f"WordPress 호스트의 퍼블릭 IP로 SSH ({settings.ssh_cidr}에서만)",
            ),
            ssh_direct=(
                "MysqlSshDirectCommand",
                "WordPress 호스트의 퍼블릭 IP를 거쳐 MySQL 호스트에 SSH "
                f"({settings.ssh_cidr}에서만)",
            ),
        )
