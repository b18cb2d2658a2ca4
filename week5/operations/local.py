"""Deploy labs into moto's server, a local AWS emulator, and read back what it really holds.

The real CDK CLI deploys the real synthesized templates; nothing in a template changes for the
emulator. moto creates the network, EC2, ELBv2, Auto Scaling, RDS, S3, IAM, SSM and more, and
skips other types (ElastiCache, CloudFront, Secrets Manager, alarms, ...) while still reporting
CREATE_COMPLETE, so the read-back compares the template with what the emulator holds and names
what it skipped. ``cdk destroy`` is not exercised: moto cannot delete several EC2 types.
"""

from __future__ import annotations

import collections
import ipaddress
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from week5.analysis.assembly import referenced_ids
from week5.core.progress import run_with_progress

#: The account the emulator pretends to be, and the course's region.
LOCAL_ACCOUNT = "123456789012"
LOCAL_REGION = "ap-northeast-2"
#: How long the emulator may take to answer after it starts.
START_TIMEOUT_S = 30.0
NOT_TESTED_HERE = (
    "cdk destroy is not exercised on the emulator (moto cannot delete several EC2 types); "
    "on AWS, cdk destroy removes everything listed above"
)


class LocalError(Exception):
    """A problem with the local emulator, said in one line."""


@dataclass
class Emulator:
    """A running moto server; ``endpoint`` is what AWS_ENDPOINT_URL takes."""

    port: int
    process: subprocess.Popen
    log_path: Path
    #: Leave it running when the command ends (``week5 local --keep``).
    keep: bool = False

    @property
    def endpoint(self) -> str:
        # "localhost", not 127.0.0.1: moto reads path-style template URLs only for localhost.
        return f"http://localhost:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_emulator(bin_dir: Path, port: Optional[int] = None) -> Emulator:
    """Start moto's server on ``port`` (a free one when None) and wait until it answers."""
    moto = shutil.which("moto_server", path=str(bin_dir))
    if moto is None:
        raise LocalError("the emulator (moto_server) is missing: run scripts/setup")
    if port is not None and port_in_use(port):
        raise LocalError(f"port {port} is in use: pass another with --port, or leave it out")
    port = port or free_port()
    log_path = Path(tempfile.mkdtemp(prefix="week5-moto-")) / "moto.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [moto, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
        )
    emulator = Emulator(port, process, log_path)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LocalError(
                f"the emulator failed to start (exit {process.returncode}); its log: {log_path}"
            )
        try:
            with urllib.request.urlopen(f"{emulator.endpoint}/moto-api/", timeout=1):
                return emulator
        except OSError:
            time.sleep(0.2)
    emulator.stop()
    raise LocalError(
        f"the emulator did not answer within {START_TIMEOUT_S:.0f} s; its log: {log_path}"
    )


def emulator_env(base_env: Mapping[str, str], emulator: Emulator) -> Dict[str, str]:
    """The CLI's and boto3's environment: fake credentials, the region, the emulator's URL."""
    env = {k: v for k, v in base_env.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=LOCAL_REGION,
        AWS_REGION=LOCAL_REGION,
        AWS_ENDPOINT_URL=emulator.endpoint,
    )
    return env


def bootstrap(env: Mapping[str, str]) -> float:
    """``cdk bootstrap`` into the emulator; returns seconds taken."""
    # From an empty folder: in the project, the CLI would synthesize every lab first.
    with tempfile.TemporaryDirectory() as empty:
        result, seconds = run_with_progress(
            ["cdk", "bootstrap", "--no-notices", f"aws://{LOCAL_ACCOUNT}/{LOCAL_REGION}"],
            cwd=Path(empty),
            env=env,
            doing="bootstrapping the emulator",
        )
    if result.returncode != 0:
        raise LocalError(f"cdk bootstrap failed: {_failure(result.stdout + result.stderr)}")
    return seconds


def deploy(assembly: Path, lab_id: str, env: Mapping[str, str]) -> Tuple[Optional[str], float]:
    """``cdk deploy`` one lab of a synthesized assembly; returns (error or None, seconds)."""
    result, seconds = run_with_progress(
        [
            "cdk",
            "deploy",
            "--app",
            str(assembly),
            lab_id,
            "--require-approval",
            "never",
            "--no-notices",
        ],
        cwd=assembly.parent,
        env=env,
        doing=f"deploying {lab_id}",
    )
    if result.returncode != 0:
        return _failure(result.stdout + result.stderr), seconds
    return None, seconds


def failed_resource(endpoint: str, stack_name: str) -> Optional[str]:
    """``Type LogicalId: reason`` of the first resource the emulator failed to create."""
    cfn = _clients(endpoint)("cloudformation")
    try:
        events = cfn.describe_stack_events(StackName=stack_name)["StackEvents"]
    except Exception:  # no stack: the change set itself was refused (the message names it)
        return None
    for event in reversed(events):  # oldest first
        if event["ResourceStatus"].endswith("FAILED") and event.get("LogicalResourceId") not in (
            None,
            stack_name,
        ):
            reason = event.get("ResourceStatusReason", "")
            return f"{event['ResourceType']} {event['LogicalResourceId']}: {reason}"
    return None


#: Types moto's CloudFormation skips (created on AWS); a Ref to one resolves to nothing here.
SKIPPED_TYPES = (
    "AWS::ElastiCache::",
    "AWS::CloudFront::",
    "AWS::S3::BucketPolicy",
    "AWS::SecretsManager::",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::CloudWatch::Alarm",
    "AWS::Budgets::",
    "AWS::Backup::",
)


def explain_failure(template: Mapping[str, Any], error: str) -> str:
    """Name the template's resource behind an emulator error, where the error does not."""
    resources = template["Resources"]
    match = re.search(r"undefined resource (\w+)", error)
    if match and match.group(1) in resources:
        name = match.group(1)
        return f"{resources[name]['Type']} {name}: {error}"
    if "Policy statement must contain resources" in error:
        for name, resource in resources.items():
            if resource["Type"] != "AWS::IAM::Policy":
                continue
            skipped = [
                f"{resources[r]['Type']} {r}"
                for r in referenced_ids(resource["Properties"]["PolicyDocument"])
                if r in resources and resources[r]["Type"].startswith(SKIPPED_TYPES)
            ]
            if skipped:
                return (
                    f"AWS::IAM::Policy {name}: {error} (it grants on {skipped[0]}, which the "
                    "emulator skips, so the statement has no resource left)"
                )
    if "DBInstanceIdentifier is not a valid identifier" in error:
        unnamed = [
            n
            for n, r in resources.items()
            if r["Type"] == "AWS::RDS::DBInstance" and "DBInstanceIdentifier" not in r["Properties"]
        ]
        if unnamed:
            return (
                f"AWS::RDS::DBInstance {unnamed[0]}: the name the emulator generates for it is "
                "refused by its own RDS check (AWS generates a valid one)"
            )
    return error


def deploy_and_read(
    emulator: Emulator, assembly: Path, lab: Any, env: Mapping[str, str]
) -> Tuple[Any, float]:
    """Deploy one lab of ``assembly`` (a ``SynthesizedLab``) and read it back.

    Returns (``ReadBack``, or the one-line reason the emulator cannot take the lab, naming the
    resource; deploy seconds).
    """
    error, seconds = deploy(assembly, lab.lab_id, env)
    if error:
        error = failed_resource(emulator.endpoint, lab.stack_name) or error
        return explain_failure(lab.template, error), seconds
    return read_back(emulator.endpoint, lab.stack_name, lab.template), seconds


def _failure(output: str) -> str:
    """The line of the CLI's output that names what failed."""
    for pattern in (r"CREATE_FAILED\s*\|\s*(\S+)\s*\|\s*(\S+)\s*(.*)", r"‣\s*(.+)", r"❌\s*(.+)"):
        match = re.search(pattern, output)
        if match:
            return " ".join(part.strip() for part in match.groups() if part).strip()
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


@dataclass
class Coverage:
    """How much of a template the emulator created; ``skipped`` counts the rest by type."""

    created: int
    total: int
    skipped: Dict[str, int] = field(default_factory=dict)
    error: Optional[str] = None

    @property
    def summary(self) -> str:
        if self.error:
            return f"no ({self.error})"
        if self.created == self.total:
            return "full"
        return f"partial ({self.created} of {self.total} resources)"


def coverage(template: Mapping[str, Any], created_logical_ids: Sequence[str]) -> Coverage:
    resources = {
        k: r["Type"] for k, r in template["Resources"].items() if r["Type"] != "AWS::CDK::Metadata"
    }
    created = set(created_logical_ids) & set(resources)
    skipped = collections.Counter(t for k, t in resources.items() if k not in created)
    return Coverage(len(created), len(resources), dict(sorted(skipped.items())))


@dataclass
class ReadBack:
    """What the emulator holds for one stack, in the terms of the course's diagrams."""

    stack_name: str
    coverage: Coverage
    subnets: List[Dict[str, Any]]
    vpcs: List[Dict[str, Any]]
    security_groups: List[Dict[str, Any]]
    instances: List[Dict[str, Any]]
    load_balancers: List[Dict[str, Any]]
    auto_scaling_groups: List[Dict[str, Any]]
    databases: List[Dict[str, Any]]
    #: How long reading it back took.
    seconds: float = 0.0


def _clients(endpoint: str):
    import boto3  # only here: `week5 check` needs no AWS SDK

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=LOCAL_REGION
    )
    return lambda service: session.client(service, endpoint_url=endpoint)


def _name(tags: Optional[List[Dict[str, str]]]) -> str:
    return next((t["Value"] for t in tags or [] if t["Key"] == "Name"), "")


def read_back(endpoint: str, stack_name: str, template: Mapping[str, Any]) -> ReadBack:
    """Read the stack's resources back from the emulator with boto3."""
    started = time.monotonic()
    client = _clients(endpoint)
    cfn = client("cloudformation")
    summaries = cfn.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    physical = {
        s["LogicalResourceId"]: s["PhysicalResourceId"]
        for s in summaries
        if s.get("LogicalResourceId")
    }
    by_type: Dict[str, List[str]] = collections.defaultdict(list)
    for logical_id, resource in template["Resources"].items():
        if logical_id in physical:
            by_type[resource["Type"]].append(physical[logical_id])
    group_names = {
        physical[k]: k
        for k, r in template["Resources"].items()
        if k in physical and r["Type"] == "AWS::EC2::SecurityGroup"
    }

    ec2 = client("ec2")
    vpcs = []
    if by_type["AWS::EC2::VPC"]:
        for vpc in ec2.describe_vpcs(VpcIds=by_type["AWS::EC2::VPC"])["Vpcs"]:
            vpcs.append(
                {"id": vpc["VpcId"], "cidr": vpc["CidrBlock"], "name": _name(vpc.get("Tags"))}
            )
    subnets = []
    if by_type["AWS::EC2::Subnet"]:
        # moto keeps no associations on its route tables: pair them as the template does.
        table_of = {}
        for resource in template["Resources"].values():
            if resource["Type"] == "AWS::EC2::SubnetRouteTableAssociation":
                p = resource["Properties"]
                subnet_ref, table_ref = p["SubnetId"].get("Ref"), p["RouteTableId"].get("Ref")
                if subnet_ref in physical and table_ref in physical:
                    table_of[physical[subnet_ref]] = physical[table_ref]
        targets = {}
        if table_of:
            route_tables = ec2.describe_route_tables(RouteTableIds=sorted(set(table_of.values())))
            for table in route_tables["RouteTables"]:
                default = next(
                    (r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"),
                    {},
                )
                targets[table["RouteTableId"]] = (
                    default.get("GatewayId")
                    or default.get("NatGatewayId")
                    or default.get("InstanceId")
                    or default.get("NetworkInterfaceId")
                    or "none (local only)"
                )
        route_of = {subnet: targets.get(table, "none") for subnet, table in table_of.items()}
        for subnet in ec2.describe_subnets(SubnetIds=by_type["AWS::EC2::Subnet"])["Subnets"]:
            subnets.append(
                {
                    "id": subnet["SubnetId"],
                    "name": _name(subnet.get("Tags")),
                    "cidr": subnet["CidrBlock"],
                    "az": subnet["AvailabilityZone"],
                    "default_route": route_of.get(subnet["SubnetId"], "none"),
                }
            )
        subnets.sort(key=lambda s: ipaddress.ip_network(s["cidr"]))
    security_groups = []
    if by_type["AWS::EC2::SecurityGroup"]:
        for group in ec2.describe_security_groups(GroupIds=by_type["AWS::EC2::SecurityGroup"])[
            "SecurityGroups"
        ]:
            rules = []
            for permission in group["IpPermissions"]:
                port = permission.get("FromPort")
                for ip_range in permission.get("IpRanges", []):
                    rules.append((port, ip_range["CidrIp"]))
                for pair in permission.get("UserIdGroupPairs", []):
                    rules.append((port, group_names.get(pair["GroupId"], pair["GroupId"])))
            security_groups.append(
                {
                    "id": group["GroupId"],
                    "logical_id": group_names.get(group["GroupId"], ""),
                    "ingress": sorted(rules, key=str),
                }
            )
        security_groups.sort(key=lambda g: g["logical_id"])
    instances = []
    if by_type["AWS::EC2::Instance"]:
        reservations = ec2.describe_instances(InstanceIds=by_type["AWS::EC2::Instance"])[
            "Reservations"
        ]
        subnet_names = {s["id"]: s["name"] for s in subnets}
        intended = {}  # instance id -> the subnet the template puts it in
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] == "AWS::EC2::Instance" and logical_id in physical:
                p = resource["Properties"]
                ref = p.get("SubnetId") or p.get("NetworkInterfaces", [{}])[0].get("SubnetId", {})
                subnet = physical.get(ref.get("Ref", "") if isinstance(ref, dict) else "")
                intended[physical[logical_id]] = subnet_names.get(subnet, subnet)
        for reservation in reservations:
            for instance in reservation["Instances"]:
                instances.append(
                    {
                        "id": instance["InstanceId"],
                        "name": _name(instance.get("Tags")),
                        "type": instance["InstanceType"],
                        "subnet": subnet_names.get(
                            instance.get("SubnetId"), instance.get("SubnetId")
                        ),
                        "template_subnet": intended.get(instance["InstanceId"]),
                    }
                )
        instances.sort(key=lambda i: i["name"])
    load_balancers = []
    if by_type["AWS::ElasticLoadBalancingV2::LoadBalancer"]:
        elbv2 = client("elbv2")
        subnet_names = {s["id"]: s["name"] for s in subnets}
        for lb in elbv2.describe_load_balancers(
            LoadBalancerArns=by_type["AWS::ElasticLoadBalancingV2::LoadBalancer"]
        )["LoadBalancers"]:
            listeners = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
            groups = elbv2.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])[
                "TargetGroups"
            ]
            load_balancers.append(
                {
                    "name": lb["LoadBalancerName"],
                    "scheme": lb["Scheme"],
                    "subnets": sorted(
                        subnet_names.get(z["SubnetId"], z["SubnetId"])
                        for z in lb["AvailabilityZones"]
                    ),
                    "listeners": sorted((x["Protocol"], x["Port"]) for x in listeners),
                    "target_groups": sorted(
                        (g["Protocol"], g["Port"], g.get("HealthCheckPath", "")) for g in groups
                    ),
                }
            )
        load_balancers.sort(key=lambda lb: lb["scheme"])
    auto_scaling_groups = []
    if by_type["AWS::AutoScaling::AutoScalingGroup"]:
        autoscaling = client("autoscaling")
        for group in autoscaling.describe_auto_scaling_groups(
            AutoScalingGroupNames=by_type["AWS::AutoScaling::AutoScalingGroup"]
        )["AutoScalingGroups"]:
            auto_scaling_groups.append(
                {
                    "name": group["AutoScalingGroupName"],
                    "min": group["MinSize"],
                    "max": group["MaxSize"],
                    "desired": group["DesiredCapacity"],
                    "health_check": group["HealthCheckType"],
                }
            )
    databases = []
    if by_type["AWS::RDS::DBInstance"]:
        rds = client("rds")
        for db_id in by_type["AWS::RDS::DBInstance"]:
            for db in rds.describe_db_instances(DBInstanceIdentifier=db_id)["DBInstances"]:
                databases.append(
                    {
                        "id": db["DBInstanceIdentifier"],
                        "engine": db["Engine"],
                        "class": db["DBInstanceClass"],
                        "multi_az": db["MultiAZ"],
                        "replica_of": db.get("ReadReplicaSourceDBInstanceIdentifier"),
                    }
                )
    return ReadBack(
        stack_name=stack_name,
        coverage=coverage(template, list(physical)),
        vpcs=vpcs,
        subnets=subnets,
        security_groups=security_groups,
        instances=instances,
        load_balancers=load_balancers,
        auto_scaling_groups=auto_scaling_groups,
        databases=databases,
        seconds=time.monotonic() - started,
    )


def format_read_back(lab_id: str, back: ReadBack) -> str:
    lines = [f"{lab_id}: stack {back.stack_name} on the local emulator"]
    for vpc in back.vpcs:
        lines.append(f"VPC {vpc['name'] or vpc['id']}  {vpc['cidr']}")
    for s in back.subnets:
        lines.append(
            f"  subnet {s['name'] or s['id']:34s} {s['cidr']:15s} {s['az']}  0.0.0.0/0 -> {s['default_route']}"
        )
    if back.security_groups:
        lines.append("Security groups (ingress)")
        for g in back.security_groups:
            rules = (
                ", ".join(
                    f"{port if port is not None else 'all'} from {source}"
                    for port, source in g["ingress"]
                )
                or "none"
            )
            lines.append(f"  {g['logical_id'] or g['id']}: {rules}")
    if back.instances:
        lines.append("Instances")
        for i in back.instances:
            where = i["subnet"]
            if i["template_subnet"] and i["template_subnet"] != i["subnet"]:
                # moto ignores a subnet given through NetworkInterfaces (public-IP hosts).
                where = f"{i['template_subnet']} (moto put it in its default subnet)"
            lines.append(f"  {i['name'] or i['id']:34s} {i['type']:10s} in {where}")
    if back.load_balancers:
        lines.append("Load balancers")
        for lb in back.load_balancers:
            listeners = ", ".join(f"{p} {port}" for p, port in lb["listeners"])
            groups = ", ".join(
                f"{p} {port} health {path or '-'}" for p, port, path in lb["target_groups"]
            )
            lines.append(
                f"  {lb['scheme']} ALB in {', '.join(lb['subnets'])}; listeners: {listeners}; targets: {groups}"
            )
    if back.auto_scaling_groups:
        lines.append("Auto Scaling groups")
        for g in back.auto_scaling_groups:
            lines.append(
                f"  min {g['min']} / max {g['max']} / desired {g['desired']}, {g['health_check']} health checks"
            )
    if back.databases:
        lines.append("Databases")
        for db in back.databases:
            role = f", replica of {db['replica_of']}" if db["replica_of"] else ""
            lines.append(f"  {db['engine']} {db['class']} Multi-AZ {db['multi_az']}{role}")
    c = back.coverage
    lines.append(f"Created locally: {c.created} of {c.total} resources.")
    if c.skipped:
        skipped = ", ".join(f"{t} x{n}" for t, n in c.skipped.items())
        lines.append(f"Not modelled by the emulator (AWS creates them; skipped here): {skipped}")
    lines.append(NOT_TESTED_HERE + ".")
    return "\n".join(lines)


def coverage_of(result: Any) -> Coverage:
    """The coverage of a ``deploy_and_read`` result: a read-back's, or "no" with the reason."""
    return Coverage(0, 0, error=result) if isinstance(result, str) else result.coverage


def format_coverage_table(results: Mapping[str, Coverage]) -> str:
    """The README's table: per lab, whether it deploys locally."""
    rows = ["| Lab | Deploys locally |", "|---|---|"]
    rows += [f"| `{lab_id}` | {c.summary} |" for lab_id, c in results.items()]
    return "\n".join(rows)
