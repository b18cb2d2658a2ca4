"""`week5 cleanup`: delete what a course day left in a region, by its tags, in dependency order.

The course's cleanup script (cleanup-day.sh) lists eight steps and writes two. This is all of
them: it finds every resource tagged ``Week=Week5`` and ``Day=<day>`` (and ``Student=<name>``
when given) and deletes it, dependents first, because students click their labs together by
hand and ``cdk destroy`` cannot clean what a stack did not make. It never touches a resource
without those tags. Without ``apply`` it only lists, with what each thing costs an hour.

A deletion that fails on a dependency (an instance still shutting down holds its security
group; a NAT gateway being deleted holds its Elastic IP) is retried in later rounds with
bounded waits; what still fails is reported with the reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from week5.analysis import pricing
from week5.analysis.assembly import tag_dict
from week5.core.catalog import COURSE_DAYS
from week5.core.errors import CourseInputError
from week5.core.settings import parse_student

#: AWS error codes that mean "not yet": something still depends on it, or it is still busy.
RETRYABLE = {
    "DependencyViolation",
    "ResourceInUse",
    "ResourceInUseException",
    "InvalidDBInstanceState",
    "InvalidDBInstanceStateFault",
    "InvalidReplicationGroupState",
    "InvalidParameterValue",
    "IncorrectState",
    "DistributionNotDisabled",
    "BucketNotEmpty",
    "InvalidIPAddress.InUse",
    "AuthFailure.AddressNotReleasable",
}
#: Seconds to wait before each retry round: about five minutes in all, enough for instances to
#: terminate and NAT gateways to go; an RDS instance may take longer and is then reported.
DEFAULT_WAITS = (10, 20, 40, 60, 90, 90)
HOURS_PER_MONTH = 730


@dataclass
class Found:
    """One tagged resource: what it is, its id, its Name tag, what it costs an hour."""

    kind: str
    id: str
    name: str = ""
    hourly: Optional[float] = None
    delete: Callable[[], None] = field(default=lambda: None, repr=False, compare=False)

    def __str__(self) -> str:
        return f"{self.kind} {self.id}" + (f" ({self.name})" if self.name else "")


@dataclass
class Report:
    deleted: List[Found] = field(default_factory=list)
    failed: List[Tuple[Found, str]] = field(default_factory=list)


def parse_day(value: str) -> str:
    days = [f"Day{d}" for d in COURSE_DAYS]
    if value not in days:
        raise CourseInputError(f"--day {value!r}: pass one of {', '.join(days)}, e.g. --day Day1")
    return value


def _error_code(error: Exception) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)


class Cleaner:
    """Finds and deletes one day's course resources in one region.

    ``clients(service)`` returns a boto3 client (a session's ``client`` method); ``price`` maps
    a price key of ``week5/analysis/data/prices.json`` to USD, for the hourly figures.
    """

    def __init__(
        self,
        clients: Callable[[str], Any],
        *,
        region: str,
        day: str,
        student: Optional[str] = None,
        waits: Iterable[float] = DEFAULT_WAITS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.clients = clients
        self.region = region
        self.day = parse_day(day)
        self.student = None if student is None else parse_student(student)
        self.waits = tuple(waits)
        self.sleep = sleep
        self._prices = pricing.load_prices()["prices"]

    # ---- what counts as ours ----

    def wanted(self) -> Dict[str, str]:
        tags = {"Week": "Week5", "Day": self.day}
        if self.student:
            tags["Student"] = self.student
        return tags

    def ours(self, tags: Dict[str, str]) -> bool:
        return all(tags.get(k) == v for k, v in self.wanted().items())

    def ec2_filters(self) -> List[Dict[str, Any]]:
        return [{"Name": f"tag:{k}", "Values": [v]} for k, v in self.wanted().items()]

    def price(self, key: str, count: float = 1.0) -> Optional[float]:
        entry = self._prices.get(key)
        return None if entry is None else entry["usd"] * count

    # ---- finding, in deletion order ----

    def find(self) -> List[Found]:
        found: List[Found] = []
        for step in (
            self._auto_scaling_groups,  # first: a group replaces the instances it loses
            self._instances,
            self._db_instances,
            self._db_snapshots,
            self._caches,
            self._load_balancers,
            self._target_groups,
            self._launch_templates,
            self._buckets,
            self._nat_gateways,
            self._addresses,
            self._network_interfaces,
            self._security_groups,
            self._subnets,
            self._route_tables,
            self._internet_gateways,
            self._vpcs,
            self._volumes,
            self._images,
            self._snapshots,
            self._distributions,
        ):
            found += step()
        return found

    def _auto_scaling_groups(self) -> List[Found]:
        client = self.clients("autoscaling")
        groups = client.describe_auto_scaling_groups()["AutoScalingGroups"]
        return [
            Found(
                "Auto Scaling group",
                g["AutoScalingGroupName"],
                delete=lambda g=g: client.delete_auto_scaling_group(
                    AutoScalingGroupName=g["AutoScalingGroupName"], ForceDelete=True
                ),
            )
            for g in groups
            if self.ours(tag_dict(g.get("Tags")))
        ]

    def _instances(self) -> List[Found]:
        ec2 = self.clients("ec2")
        states = ["pending", "running", "stopping", "stopped"]
        pages = ec2.describe_instances(
            Filters=self.ec2_filters() + [{"Name": "instance-state-name", "Values": states}]
        )["Reservations"]
        return [
            Found(
                "EC2 instance",
                i["InstanceId"],
                tag_dict(i.get("Tags")).get("Name", ""),
                self.price(f"ec2:{i['InstanceType']}"),
                delete=lambda i=i: ec2.terminate_instances(InstanceIds=[i["InstanceId"]]),
            )
            for r in pages
            for i in r["Instances"]
        ]

    def _db_instances(self) -> List[Found]:
        rds = self.clients("rds")
        found = []
        for db in rds.describe_db_instances()["DBInstances"]:
            if db.get("DBInstanceStatus") == "deleting" or not self.ours(
                tag_dict(db.get("TagList"))
            ):
                continue
            az = "multi-az" if db.get("MultiAZ") else "single-az"
            key = f"rds:{db.get('Engine')}:{db.get('DBInstanceClass')}:{az}"
            found.append(
                Found(
                    "RDS instance",
                    db["DBInstanceIdentifier"],
                    hourly=self.price(key),
                    delete=lambda db=db: rds.delete_db_instance(
                        DBInstanceIdentifier=db["DBInstanceIdentifier"],
                        SkipFinalSnapshot=True,
                        DeleteAutomatedBackups=True,
                    ),
                )
            )
        return found

    def _db_snapshots(self) -> List[Found]:
        rds = self.clients("rds")
        return [
            Found(
                "RDS snapshot",
                s["DBSnapshotIdentifier"],
                delete=lambda s=s: rds.delete_db_snapshot(
                    DBSnapshotIdentifier=s["DBSnapshotIdentifier"]
                ),
            )
            for s in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
            if self.ours(tag_dict(s.get("TagList")))
        ]

    def _caches(self) -> List[Found]:
        cache = self.clients("elasticache")
        found = []
        for group in cache.describe_replication_groups()["ReplicationGroups"]:
            tags = cache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"]
            if not self.ours(tag_dict(tags)):
                continue
            nodes = len(group.get("MemberClusters") or [None])
            key = f"elasticache:{group.get('Engine', 'redis')}:{group.get('CacheNodeType')}"
            found.append(
                Found(
                    "ElastiCache group",
                    group["ReplicationGroupId"],
                    hourly=self.price(key, nodes),
                    delete=lambda g=group: cache.delete_replication_group(
                        ReplicationGroupId=g["ReplicationGroupId"]
                    ),
                )
            )
        return found

    def _elbv2_tagged(self, arns: List[str]) -> set:
        if not arns:
            return set()
        client = self.clients("elbv2")
        tagged = set()
        for start in range(0, len(arns), 20):  # DescribeTags takes 20 at a time
            for d in client.describe_tags(ResourceArns=arns[start : start + 20])["TagDescriptions"]:
                if self.ours(tag_dict(d.get("Tags"))):
                    tagged.add(d["ResourceArn"])
        return tagged

    def _load_balancers(self) -> List[Found]:
        client = self.clients("elbv2")
        balancers = client.describe_load_balancers()["LoadBalancers"]
        ours = self._elbv2_tagged([b["LoadBalancerArn"] for b in balancers])
        return [
            Found(
                "load balancer",
                b["LoadBalancerName"],
                hourly=self.price("alb") if b.get("Type", "application") == "application" else None,
                delete=lambda b=b: client.delete_load_balancer(
                    LoadBalancerArn=b["LoadBalancerArn"]
                ),
            )
            for b in balancers
            if b["LoadBalancerArn"] in ours
        ]

    def _target_groups(self) -> List[Found]:
        client = self.clients("elbv2")
        groups = client.describe_target_groups()["TargetGroups"]
        ours = self._elbv2_tagged([g["TargetGroupArn"] for g in groups])
        return [
            Found(
                "target group",
                g["TargetGroupName"],
                hourly=0.0,
                delete=lambda g=g: client.delete_target_group(TargetGroupArn=g["TargetGroupArn"]),
            )
            for g in groups
            if g["TargetGroupArn"] in ours
        ]

    def _launch_templates(self) -> List[Found]:
        ec2 = self.clients("ec2")
        templates = ec2.describe_launch_templates(Filters=self.ec2_filters())["LaunchTemplates"]
        return [
            Found(
                "launch template",
                t["LaunchTemplateId"],
                t.get("LaunchTemplateName", ""),
                0.0,
                delete=lambda t=t: ec2.delete_launch_template(
                    LaunchTemplateId=t["LaunchTemplateId"]
                ),
            )
            for t in templates
        ]

    def _buckets(self) -> List[Found]:
        s3 = self.clients("s3")
        found = []
        for bucket in s3.list_buckets()["Buckets"]:
            name = bucket["Name"]
            try:
                location = s3.get_bucket_location(Bucket=name).get("LocationConstraint")
                if (location or "us-east-1") != self.region:
                    continue
                tags = s3.get_bucket_tagging(Bucket=name)["TagSet"]
            except Exception as error:  # NoSuchTagSet: untagged, so not ours
                if _error_code(error) in ("NoSuchTagSet", "NoSuchBucket", "AccessDenied"):
                    continue
                raise
            if self.ours(tag_dict(tags)):
                found.append(
                    Found("S3 bucket", name, delete=lambda n=name: self._empty_and_delete(n))
                )
        return found

    def _empty_and_delete(self, name: str) -> None:
        """Every version and delete marker first: a versioned bucket is not empty until then."""
        s3 = self.clients("s3")
        paginator = s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=name):
            keys = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if keys:
                s3.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
        s3.delete_bucket(Bucket=name)

    def _nat_gateways(self) -> List[Found]:
        ec2 = self.clients("ec2")
        gateways = ec2.describe_nat_gateways(
            Filter=self.ec2_filters() + [{"Name": "state", "Values": ["pending", "available"]}]
        )["NatGateways"]
        return [
            Found(
                "NAT gateway",
                g["NatGatewayId"],
                tag_dict(g.get("Tags")).get("Name", ""),
                self.price("nat-gateway"),
                delete=lambda g=g: ec2.delete_nat_gateway(NatGatewayId=g["NatGatewayId"]),
            )
            for g in gateways
        ]

    def _addresses(self) -> List[Found]:
        ec2 = self.clients("ec2")

        def release(address):
            if address.get("AssociationId"):
                ec2.disassociate_address(AssociationId=address["AssociationId"])
            ec2.release_address(AllocationId=address["AllocationId"])

        return [
            Found(
                "Elastic IP",
                a.get("AllocationId", a.get("PublicIp", "")),
                a.get("PublicIp", ""),
                self.price("public-ipv4"),
                delete=lambda a=a: release(a),
            )
            for a in ec2.describe_addresses(Filters=self.ec2_filters())["Addresses"]
        ]

    def _ec2_simple(self, kind, describe, key, id_key, delete_call, extra=()) -> List[Found]:
        ec2 = self.clients("ec2")
        items = getattr(ec2, describe)(Filters=self.ec2_filters() + list(extra))[key]
        return [
            Found(
                kind,
                item[id_key],
                tag_dict(item.get("Tags")).get("Name", ""),
                0.0,
                delete=lambda item=item: getattr(ec2, delete_call)(**{id_key: item[id_key]}),
            )
            for item in items
        ]

    def _network_interfaces(self) -> List[Found]:
        return self._ec2_simple(
            "network interface",
            "describe_network_interfaces",
            "NetworkInterfaces",
            "NetworkInterfaceId",
            "delete_network_interface",
            [{"Name": "status", "Values": ["available"]}],
        )

    def _security_groups(self) -> List[Found]:
        groups = self._ec2_simple(
            "security group",
            "describe_security_groups",
            "SecurityGroups",
            "GroupId",
            "delete_security_group",
        )
        return [g for g in groups if g.name != "default"]

    def _subnets(self) -> List[Found]:
        return self._ec2_simple(
            "subnet", "describe_subnets", "Subnets", "SubnetId", "delete_subnet"
        )

    def _route_tables(self) -> List[Found]:
        ec2 = self.clients("ec2")
        found = []
        for table in ec2.describe_route_tables(Filters=self.ec2_filters())["RouteTables"]:
            associations = table.get("Associations", [])
            if any(a.get("Main") for a in associations):
                continue  # the VPC's main table goes with the VPC

            def delete(table=table, associations=associations):
                for a in associations:
                    ec2.disassociate_route_table(AssociationId=a["RouteTableAssociationId"])
                ec2.delete_route_table(RouteTableId=table["RouteTableId"])

            name = tag_dict(table.get("Tags")).get("Name", "")
            found.append(Found("route table", table["RouteTableId"], name, 0.0, delete=delete))
        return found

    def _internet_gateways(self) -> List[Found]:
        ec2 = self.clients("ec2")

        def delete(gateway):
            for attachment in gateway.get("Attachments", []):
                ec2.detach_internet_gateway(
                    InternetGatewayId=gateway["InternetGatewayId"], VpcId=attachment["VpcId"]
                )
            ec2.delete_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"])

        return [
            Found(
                "internet gateway",
                g["InternetGatewayId"],
                tag_dict(g.get("Tags")).get("Name", ""),
                0.0,
                delete=lambda g=g: delete(g),
            )
            for g in ec2.describe_internet_gateways(Filters=self.ec2_filters())["InternetGateways"]
        ]

    def _vpcs(self) -> List[Found]:
        return self._ec2_simple("VPC", "describe_vpcs", "Vpcs", "VpcId", "delete_vpc")

    def _volumes(self) -> List[Found]:
        ec2 = self.clients("ec2")
        volumes = ec2.describe_volumes(
            Filters=self.ec2_filters() + [{"Name": "status", "Values": ["available"]}]
        )["Volumes"]
        return [
            Found(
                "EBS volume",
                v["VolumeId"],
                tag_dict(v.get("Tags")).get("Name", ""),
                self.price(f"ebs:{v.get('VolumeType', 'gp3')}", v.get("Size", 0) / HOURS_PER_MONTH),
                delete=lambda v=v: ec2.delete_volume(VolumeId=v["VolumeId"]),
            )
            for v in volumes
        ]

    def _images(self) -> List[Found]:
        ec2 = self.clients("ec2")

        def delete(image):
            ec2.deregister_image(ImageId=image["ImageId"])
            for mapping in image.get("BlockDeviceMappings", []):
                snapshot_id = mapping.get("Ebs", {}).get("SnapshotId")
                if snapshot_id:
                    ec2.delete_snapshot(SnapshotId=snapshot_id)

        images = ec2.describe_images(Owners=["self"], Filters=self.ec2_filters())["Images"]
        return [
            Found("AMI", i["ImageId"], i.get("Name", ""), delete=lambda i=i: delete(i))
            for i in images
        ]

    def _snapshots(self) -> List[Found]:
        ec2 = self.clients("ec2")
        snapshots = ec2.describe_snapshots(OwnerIds=["self"], Filters=self.ec2_filters())[
            "Snapshots"
        ]
        return [
            Found(
                "EBS snapshot",
                s["SnapshotId"],
                delete=lambda s=s: ec2.delete_snapshot(SnapshotId=s["SnapshotId"]),
            )
            for s in snapshots
        ]

    def _distributions(self) -> List[Found]:
        cloudfront = self.clients("cloudfront")
        listing = cloudfront.list_distributions().get("DistributionList", {})
        found = []
        for item in listing.get("Items", []) or []:
            tags = cloudfront.list_tags_for_resource(Resource=item["ARN"])["Tags"].get("Items", [])
            if self.ours(tag_dict(tags)):
                found.append(
                    Found(
                        "CloudFront distribution",
                        item["Id"],
                        item.get("DomainName", ""),
                        delete=lambda i=item: self._disable_then_delete(i["Id"]),
                    )
                )
        return found

    def _disable_then_delete(self, distribution_id: str) -> None:
        """Disable first; CloudFront deletes only a disabled, deployed distribution, so the
        delete is retried in later rounds (DistributionNotDisabled)."""
        cloudfront = self.clients("cloudfront")
        reply = cloudfront.get_distribution_config(Id=distribution_id)
        config, etag = reply["DistributionConfig"], reply["ETag"]
        if config.get("Enabled"):
            config["Enabled"] = False
            etag = cloudfront.update_distribution(
                Id=distribution_id, IfMatch=etag, DistributionConfig=config
            )["ETag"]
        cloudfront.delete_distribution(Id=distribution_id, IfMatch=etag)

    # ---- deleting ----

    def apply(
        self, found: Optional[List[Found]] = None, say: Callable[[str], None] = print
    ) -> Report:
        """Delete ``found`` (default: what :meth:`find` finds) in order, retrying what fails on
        a dependency after each wait of ``waits``."""
        pending = list(self.find() if found is None else found)
        report = Report()
        last_error: Dict[str, str] = {}
        for round_number in range(len(self.waits) + 1):
            retry = []
            for item in pending:
                try:
                    item.delete()
                except Exception as error:
                    code = _error_code(error)
                    last_error[item.id] = f"{code}: {error}"
                    if code in RETRYABLE:
                        retry.append(item)
                    else:
                        report.failed.append((item, last_error[item.id]))
                    continue
                report.deleted.append(item)
                say(f"  deleted {item}")
            pending = retry
            if not pending or round_number == len(self.waits):
                break
            wait = self.waits[round_number]
            say(f"  {len(pending)} not deletable yet (dependencies); retrying in {wait:.0f} s")
            self.sleep(wait)
        report.failed += [(item, last_error[item.id]) for item in pending]
        return report


def format_found(found: List[Found]) -> str:
    """One line per resource with its hourly cost, and the total."""
    if not found:
        return "Nothing tagged for this day (and student) in this region."
    width = max(len(f.kind) for f in found)
    lines = []
    for item in found:
        cost = "not priced" if item.hourly is None else f"${item.hourly:.4f}/h"
        lines.append(f"  {item.kind:<{width}}  {item.id:<24}  {cost:>12}  {item.name}".rstrip())
    priced = sum(f.hourly for f in found if f.hourly is not None)
    lines.append(f"  {len(found)} resource(s), ${priced:.4f}/h where priced")
    return "\n".join(lines)
