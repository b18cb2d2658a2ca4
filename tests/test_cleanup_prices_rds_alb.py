"""`week5 cleanup`'s hourly figures for an RDS instance and an ALB, beside `week5 cost`'s: an
RDS instance bills its class and its allocated storage (Day3Lab1's Multi-AZ db.t3.micro with
20 GB of gp3 is $0.0827/h in `week5 cost`, was $0.0755/h in cleanup, its storage left out); an
ALB made without a Scheme is internet-facing (AWS's default), with its public addresses."""

import pytest
from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner

from week5.analysis import pricing

REGION = "ap-northeast-2"

#: The module's clients, one per service: each test's fresh moto answers them.
CLIENTS = Clients(REGION)

PRICES = pricing.load_prices()


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


def found_by_id(clients):
    return {f.id: f for f in quiet_cleaner(clients.client, "Day3").find()}


def table_hourly(key, count=1):
    """``count`` units of a price-table entry for an hour, from the table itself."""
    entry = PRICES["prices"][key]
    per_month = PRICES["hours_per_month"]
    return entry["usd"] * count / (per_month if entry["unit"].endswith("-month") else 1)


@pytest.mark.parametrize("multi_az", [False, True], ids=["single-az", "multi-az"])
@pytest.mark.parametrize("storage_type", ["gp3", "gp2"])
def test_an_rds_instance_is_priced_with_its_storage_as_week5_cost_prices_it(
    aws, multi_az, storage_type
):
    """Class + allocated GB x the storage's GB-month price / hours a month (Multi-AZ's storage
    at its Multi-AZ price), the same figure `week5 cost` gives the same template resource."""
    properties = {
        "Engine": "postgres", "DBInstanceClass": "db.t3.micro", "AllocatedStorage": "20",
        "StorageType": storage_type, "MultiAZ": multi_az,
    }  # fmt: skip
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier="kim-db",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        StorageType=storage_type,
        MultiAZ=multi_az,
        MasterUsername="lab",
        MasterUserPassword="moto-only-password",  # never deployed
        Tags=course_tags("Day3"),
    )
    hourly = found_by_id(aws)["kim-db"].hourly

    az = "multi-az" if multi_az else "single-az"
    storage = table_hourly(f"rds-gp3:{az}", 20)
    assert storage > 0
    assert hourly == pytest.approx(table_hourly(f"rds:postgres:db.t3.micro:{az}") + storage)
    template = {"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": properties}}}
    assert hourly == pytest.approx(pricing.estimate(template).hourly)


def test_day3_lab1s_database_costs_what_week5_cost_says(aws):
    """The trial's case: Day3Lab1's Multi-AZ db.t3.micro PostgreSQL with 20 GB of gp3, its
    line as `cleanup --json` rounds it (usd_per_hour): class + Multi-AZ storage, not the
    class alone (the stack's $0.0827 and $0.0755 differed by exactly that storage)."""
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier="kim-db", Engine="postgres", DBInstanceClass="db.t3.micro",
        AllocatedStorage=20, StorageType="gp3", MultiAZ=True, MasterUsername="lab",
        MasterUserPassword="moto-only-password", Tags=course_tags("Day3"),
    )  # fmt: skip
    assert found_by_id(aws)["kim-db"].to_json()["usd_per_hour"] == round(
        table_hourly("rds:postgres:db.t3.micro:multi-az") + table_hourly("rds-gp3:multi-az", 20),
        6,  # README: each usd_per_hour "rounded to 6 places", in every list
    )


def test_a_stopped_rds_instance_bills_its_storage_only(aws):
    """AWS bills no instance hours while an instance is stopped (a student stops it to save),
    only its storage."""
    rds = aws.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="kim-db", Engine="postgres", DBInstanceClass="db.t3.micro",
        AllocatedStorage=20, StorageType="gp3", MasterUsername="lab",
        MasterUserPassword="moto-only-password", Tags=course_tags("Day3"),
    )  # fmt: skip
    rds.stop_db_instance(DBInstanceIdentifier="kim-db")
    assert found_by_id(aws)["kim-db"].hourly == pytest.approx(
        table_hourly("rds-gp3:single-az", 20)
    )


def test_an_rds_instance_whose_storage_type_has_no_price_is_not_priced(aws):
    """io1 (provisioned IOPS) is not in the price table: "not priced" (None), never its class
    alone, which would read as the whole figure."""
    assert "rds-io1:single-az" not in PRICES["prices"]
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier="kim-db", Engine="postgres", DBInstanceClass="db.t3.micro",
        AllocatedStorage=100, StorageType="io1", Iops=1000, MasterUsername="lab",
        MasterUserPassword="moto-only-password", Tags=course_tags("Day3"),
    )  # fmt: skip
    found = found_by_id(aws)["kim-db"]
    assert found.hourly is None
    assert found.to_json()["usd_per_hour"] is None


def two_subnets(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"{REGION}{zone}"
        )["Subnet"]["SubnetId"]
        for n, zone in ((1, "a"), (2, "b"))
    ]


def test_an_alb_made_without_a_scheme_is_priced_internet_facing(aws):
    """AWS makes an ALB internet-facing when no Scheme is given; the emulator (moto) then
    answers without a Scheme at all: priced with its two public IPv4 addresses, as `week5
    cost` prices a template's ALB without a Scheme."""
    subnets = two_subnets(aws.client("ec2"))
    elbv2 = aws.client("elbv2")
    elbv2.create_load_balancer(
        Name="kim-web", Subnets=subnets, Type="application", Tags=course_tags("Day3")
    )
    (listed,) = elbv2.describe_load_balancers()["LoadBalancers"]
    assert "Scheme" not in listed  # the case in question, as the emulator answers it
    hourly = found_by_id(aws)["kim-web"].hourly
    assert hourly == pytest.approx(table_hourly("alb") + table_hourly("public-ipv4", 2))

    template = {
        "Resources": {
            "Alb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Subnets": ["a", "b"]},  # no Scheme
            }
        }
    }
    estimate = pricing.estimate(template)
    assumed = sum(i.hourly for i in estimate.items if i.price_key == "alb-lcu")
    assert hourly == pytest.approx(estimate.hourly - assumed)  # less the LCUs it assumes


def test_an_internal_alb_stays_priced_without_addresses(aws):
    subnets = two_subnets(aws.client("ec2"))
    aws.client("elbv2").create_load_balancer(
        Name="kim-internal", Subnets=subnets, Scheme="internal", Type="application",
        Tags=course_tags("Day3"),
    )  # fmt: skip
    assert found_by_id(aws)["kim-internal"].hourly == pytest.approx(table_hourly("alb"))
