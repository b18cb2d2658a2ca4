"""Every lab deployed with the real CDK CLI into moto's server (a local AWS emulator), and what
the emulator then holds checked against the course's facts and the template."""

import argparse
import dataclasses
import importlib
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, by_name, error_lines, props, resources

from stacks.catalog import CATALOG
from week5.analysis.diagram import width
from week5.cli import local as local_command
from week5.operations import local

#: One worker runs every test of the session's shared emulator (tests/emulated_labs.py).
pytestmark = pytest.mark.xdist_group("emulator")

BIN = Path(sys.executable).parent
README = ROOT / "README.md"
#: Labs the emulator takes: every one, with week5's moto models (week5/operations/moto_models).
DEPLOYABLE = tuple(CATALOG.ids)


@pytest.fixture(scope="session")
def local_aws(emulated_labs):
    """What `week5 local` read back of each lab deployed into the session's emulator."""
    return emulated_labs.results


def test_the_readme_table_is_what_the_emulator_does(local_aws):
    text = README.read_text()
    block = re.search(
        r"<!-- local-coverage:start -->\n(.*?)\n<!-- local-coverage:end -->", text, re.S
    )
    assert block, "README.md lacks the local-coverage block"
    expected = local_command.format_coverage_table(
        {k: local.coverage_of(v) for k, v in local_aws.items()}
    )
    assert block.group(1) == expected, "stale: paste `week5 local --coverage` into README.md"


def test_the_labs_that_deploy_are_the_ones_listed(local_aws):
    deployed = tuple(k for k, v in local_aws.items() if not isinstance(v, str))
    assert deployed == DEPLOYABLE
    for lab_id, result in local_aws.items():
        if isinstance(result, str):  # a lab it cannot take: the reason names the resource
            assert re.match(r"^AWS::\w+::\w+ \w+: ", result), result


#: The port a database's Endpoint.Port resolves to (a rule from grant_connect names it so).
ENGINE_PORTS = {"mysql": 3306, "postgres": 5432}


def port_of(template, port):
    """A rule's port: a number, or a database's ``Endpoint.Port``, which is its engine's."""
    if isinstance(port, dict):
        logical_id, attribute = port["Fn::GetAtt"]
        assert attribute == "Endpoint.Port", port
        return ENGINE_PORTS[template["Resources"][logical_id]["Properties"]["Engine"]]
    return port


def prefix_list_of(back, source):
    """A rule's prefix list: the id the deploy-time lookup (a custom resource) found, which the
    read-back shows; the template only names the lookup."""
    if source is None:
        return None
    assert source["Fn::GetAtt"][1] == "PrefixLists.0.PrefixListId", source
    found = {s for g in back.security_groups for _, s in g["ingress"] if str(s).startswith("pl-")}
    assert len(found) == 1, found
    return found.pop()


@pytest.mark.parametrize("lab_id", DEPLOYABLE)
def test_subnets_routes_and_ingress_are_the_templates(local_aws, app, lab_id):
    back, t = local_aws[lab_id], app.templates[lab_id]
    assert {s["name"]: (s["cidr"], s["az"]) for s in back.subnets} == {
        name: (p["CidrBlock"], p["AvailabilityZone"])
        for name, p in by_name(t, "AWS::EC2::Subnet").items()
    }
    for subnet in back.subnets:
        expected = "igw-" if "public" in subnet["name"] else "nat-"
        assert subnet["default_route"].startswith(expected) or (
            "public" not in subnet["name"] and not resources(t, "AWS::EC2::NatGateway")
        ), subnet
    for group in back.security_groups:
        sg = group["logical_id"]
        inline = t["Resources"][sg]["Properties"].get("SecurityGroupIngress", [])
        separate = [
            p
            for p in props(t, "AWS::EC2::SecurityGroupIngress")
            if p["GroupId"] == {"Fn::GetAtt": [sg, "GroupId"]}
        ]
        template_rules = sorted(
            (
                (
                    f"icmp type {r['FromPort']}"
                    if r["IpProtocol"] == "icmp"
                    else port_of(t, r["FromPort"]),
                    r.get("CidrIp")
                    or prefix_list_of(back, r.get("SourcePrefixListId"))
                    or r["SourceSecurityGroupId"]["Fn::GetAtt"][0],
                )
                for r in inline + separate
            ),
            key=str,
        )
        assert group["ingress"] == template_rules, sg


@pytest.mark.parametrize("lab_id", DEPLOYABLE)
def test_instances_and_scaling_are_the_templates(local_aws, app, lab_id):
    back, t = local_aws[lab_id], app.templates[lab_id]
    assert sorted((i["name"], i["type"]) for i in back.instances) == sorted(
        (name, p["InstanceType"]) for name, p in by_name(t, "AWS::EC2::Instance").items()
    )
    assert sorted((g["min"], g["max"]) for g in back.auto_scaling_groups) == sorted(
        (int(p["MinSize"]), int(p["MaxSize"]))
        for p in props(t, "AWS::AutoScaling::AutoScalingGroup")
    )


def test_day1_lab1_course_facts(local_aws):
    back = local_aws["Day1Lab1"]
    assert [(s["name"], s["cidr"], s["az"]) for s in back.subnets] == [
        ("week5-day1-public-subnet", "10.0.1.0/24", "ap-northeast-2a")
    ]
    assert back.vpcs[0]["cidr"] == "10.0.0.0/16"
    (host,) = back.instances
    assert host["type"] == "t3.micro"
    # SSH stays closed without ssh_cidr: only the web port is open.
    (group,) = back.security_groups
    assert group["ingress"] == [(80, "0.0.0.0/0")]


def test_day1_lab2_course_facts(local_aws):
    back = local_aws["Day1Lab2"]
    routes = {s["name"]: s["default_route"][:4] for s in back.subnets}
    assert routes == {
        "week5-day1-public-subnet-a": "igw-",
        "week5-day1-public-subnet-b": "igw-",
        "week5-day1-private-subnet-a": "nat-",
        "week5-day1-private-subnet-b": "nat-",
    }
    assert back.coverage.summary == "full"


def test_day4_lab1_course_facts(local_aws):
    back = local_aws["Day4Lab1"]
    (alb,) = back.load_balancers
    assert alb["scheme"] == "internet-facing"
    assert alb["subnets"] == ["week5-day4-public-subnet-a", "week5-day4-public-subnet-b"]
    assert alb["listeners"] == [("HTTP", 80)] and alb["target_groups"] == [("HTTP", 80, "/")]
    (group,) = back.auto_scaling_groups
    assert (group["min"], group["max"], group["health_check"]) == (2, 4, "ELB")
    # Step 3 on the emulator: the group's two instances, one in each AZ's private subnet.
    assert group["subnets"] == ["week5-day4-private-subnet-a", "week5-day4-private-subnet-b"]
    assert group["instances_by_az"] == {"ap-northeast-2a": 1, "ap-northeast-2b": 1}
    assert group["logical_id"].startswith("WebAsg")  # named in the printout (two in Day4Challenge)
    assert back.coverage.skipped == {
        "AWS::AutoScaling::ScalingPolicy": 1,
        "AWS::EC2::SecurityGroupEgress": 1,
    }


def test_day2_lab1_volume_and_shared_files_as_the_guide_has_them(local_aws):
    """The stores the lab is about, in the read-back (it showed neither): an encrypted gp3
    volume of 1 GiB on host A as /dev/sdf, and an encrypted EFS with a mount target in each
    private subnet."""
    back = local_aws["Day2Lab1"]
    (volume,) = back.volumes
    assert (volume["type"], volume["size"], volume["encrypted"], volume["az"]) == (
        "gp3", 1, True, "ap-northeast-2a"
    )
    assert volume["attached"] == [("week5-day2-host-a", "/dev/sdf")]
    (files,) = back.file_systems
    assert files["encrypted"] and files["mount_targets"] == [
        "week5-day2-private-subnet-a", "week5-day2-private-subnet-b"
    ]
    printed = local_command.format_read_back("Day2Lab1", back)
    assert "Volumes (EBS)" in printed and "attached to week5-day2-host-a as /dev/sdf" in printed


def test_functions_that_do_not_run_here_are_named_and_destroy_is_not_overpromised(local_aws):
    """Day2Lab1's snapshot clean-up is a custom resource whose Lambda the emulator does not run:
    a snapshot taken by hand stayed after destroy, where the printout said destroy removes
    all of it (a student's trial)."""
    back = local_aws["Day2Lab1"]
    assert back.functions_not_run == {"Custom::Week5SnapshotCleanup": 1}
    lines = local_command.format_read_back("Day2Lab1", back).splitlines()
    # The deployed lab gets the note test_local_lab_notes.py reads word for word.
    assert local_command.destroy_note(back.functions_not_run) + "." in lines
    assert local_command.DESTROY_HERE + "." not in lines
    # Day2Lab2's site upload and bucket emptying are CDK's own custom resources, named too.
    assert set(local_aws["Day2Lab2"].functions_not_run) == {
        "Custom::CDKBucketDeployment", "Custom::S3AutoDeleteObjects"
    }


def test_day3_lab2_cache_as_the_guide_has_it(local_aws):
    (cache,) = local_aws["Day3Lab2"].caches
    assert (cache["node_type"], cache["nodes"], cache["tls"], cache["auth"]) == (
        "cache.t3.micro", 1, True, True
    )
    assert "TLS on, AUTH on" in local_command.format_read_back("Day3Lab2", local_aws["Day3Lab2"])


@pytest.mark.parametrize("lab_id", DEPLOYABLE)
def test_every_output_has_the_emulators_value_or_names_what_it_skipped(local_aws, app, lab_id):
    back, t = local_aws[lab_id], app.templates[lab_id]
    assert [(o["key"], o["description"]) for o in back.outputs] == [
        (key, output.get("Description", "")) for key, output in t.get("Outputs", {}).items()
    ]
    for output in back.outputs:
        assert output["value"] is not None or output["skipped"], output
        assert "None" not in str(output["value"]), output


def test_day1_lab2_outputs_name_what_the_emulator_made(local_aws, emulated_labs):
    """The guide's steps, followed with the emulator's outputs: the key's parameter, the
    bastion's and the private host's ids, the web servers' addresses."""
    back = local_aws["Day1Lab2"]
    values = {o["key"]: o["value"] for o in back.outputs}
    ec2 = emulated_labs.clients("ec2")
    key_id = re.search(r"--name /ec2/keypair/(key-\w+) ", values["KeyCommand"]).group(1)
    (key,) = ec2.describe_key_pairs(KeyNames=["week5-instructor-Day1Lab2-SshKey"])["KeyPairs"]
    assert key["KeyPairId"] == key_id
    private_key = emulated_labs.clients("ssm").get_parameter(
        Name=f"/ec2/keypair/{key_id}", WithDecryption=True
    )["Parameter"]["Value"]
    assert private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    instances = {i["name"]: i["id"] for i in back.instances}
    assert values["BastionSsmCommand"].endswith(
        f"--target {instances['week5-day1-bastion']}"
    )
    assert values["PrivateHostSsmCommand"].endswith(
        f"--target {instances['week5-day1-private']}"
    )
    reservations = ec2.describe_instances(
        InstanceIds=[instances["week5-day1-web1"], instances["week5-day1-web2"]]
    )["Reservations"]
    public_ips = {i["PublicIpAddress"] for r in reservations for i in r["Instances"]}
    assert {values["Web1Url"], values["Web2Url"]} == {f"http://{ip}" for ip in public_ips}


def test_read_back_printout_ends_with_the_outputs_for_the_guide(local_aws, app):
    back = local_aws["Day1Lab2"]
    lines = local_command.format_read_back("Day1Lab2", back).splitlines()
    start = lines.index(local_command.outputs_header(back))
    assert lines[start - 1] == "" and lines[start - 2] == local_command.DESTROY_HERE + "."
    printed = lines[start + 1 :]
    expected = []
    for key, output in app.templates["Day1Lab2"]["Outputs"].items():
        value = next(o["value"] for o in back.outputs if o["key"] == key)
        expected += [f"  {key}: {output['Description']}", f"    {value}"]
    assert printed == expected


def test_an_output_the_emulator_cannot_resolve_says_why():
    back = _read_back(["week5-day2-public-subnet-a"], ["web"])
    back.outputs = [
        {"key": "Url", "description": "the site", "value": "http://54.0.0.1", "skipped": []},
        {
            "key": "ScheduleArn",
            "description": "",
            "value": None,
            "skipped": ["AWS::Scheduler::Schedule StopAtNight"],
        },
    ]
    text = local_command.format_read_back("Day2Lab1", back)
    header = local_command.outputs_header(back)
    for said in ("made up: they may be someone else's", "`aws ssm start-session` fails"):
        assert said in header
    # Day2Lab1 sends no Run Command and has no group: its header says nothing of them.
    for unsaid in ("`aws ssm send-command`", "scaling policy"):
        assert unsaid not in header
    assert text.endswith(
        f"\n\n{header}\n"
        "  Url: the site\n"
        "    http://54.0.0.1\n"
        "  ScheduleArn\n"
        "    (no value here: it names AWS::Scheduler::Schedule StopAtNight, which the emulator "
        "skips; AWS gives one)"
    )


def test_the_header_says_only_what_the_lab_has(local_aws, app):
    """A trial of Day 1 read about targets, LoadTestCommand, scaling and failover above outputs
    that have none of them; Day 4's lab has each of them."""
    day1 = local_command.outputs_header(local_aws["Day1Lab2"])
    assert day1.startswith(local_command.OUTPUTS_HEADER_START)
    for absent in ("healthy", "LoadTestCommand", "scaling", "draining", "failover", "alarm"):
        assert absent not in day1, absent
    assert day1.endswith("the other API calls work)")
    day4 = local_command.outputs_header(local_aws["Day4Lab1"])
    for present in ('"healthy"', "LoadTestCommand loads nothing", "no scaling policy acts",
                    "without draining"):  # fmt: skip
        assert present in day4, present
    # Day 4's lab has no alarm of its own (target tracking's are AWS's); Day 5's has them.
    assert "no alarm goes off" not in day4
    assert "no alarm goes off" in local_command.outputs_header(
        local_aws["Day5Lab1"], app.templates["Day5Lab1"]
    )


def test_read_back_printout_names_what_was_skipped_and_that_destroy_works_here(local_aws):
    text = local_command.format_read_back("Day4Lab1", local_aws["Day4Lab1"])
    assert "Not modelled by the emulator" in text and "AWS::AutoScaling::ScalingPolicy x1" in text
    assert (
        "cdk destroy removes all of it, on the emulator as on AWS: with --keep, destroy the lab "
        "there and check that nothing is left." in text.splitlines()
    )


def test_keep_says_how_to_destroy_the_lab_there_and_check_that_nothing_is_left(emulated_labs):
    """The commands tests/test_emulator_labs.py runs at the end: one `cdk destroy`, after which
    the cleanup of each day finds nothing. The deploy's context names the same stack."""
    emulator = local.Emulator(
        54321, argparse.Namespace(pid=4242), Path("/tmp/week5-moto-x y/moto.log")
    )
    kims = dataclasses.replace(emulated_labs.labs["Day1Lab2"], stack_name="week5-kim-Day1Lab2")
    text = local_command.format_keep(
        emulator, kims, ["student=kim"], windows=False, checks=["aws ec2 describe-vpcs"]
    )
    assert text.splitlines() == [
        "The emulator keeps running (pid 4242). Point the AWS CLI (and .venv/bin/week5 status, "
        "audit, cleanup) at it:",
        "  export AWS_ENDPOINT_URL=http://localhost:54321 AWS_ACCESS_KEY_ID=testing "
        "AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-northeast-2",
        "  .venv/bin/week5 status --student kim",
        "What the lab made, from the AWS CLI (the guide's URLs, SSH and Session Manager reach "
        "nothing here; these answer):",
        "  aws ec2 describe-vpcs",
        "When you are done, destroy the lab there as on AWS, then check that nothing of Day1 is "
        "left (cleanup lists it; without --apply it deletes nothing):",
        "  python3 scripts/cdk.py destroy Day1Lab2 -c student=kim --force",
        "  .venv/bin/week5 cleanup --day Day1 --student kim",
        "Stop it and remove its log with: kill 4242 && rm -r '/tmp/week5-moto-x y'",
    ]


def test_keep_speaks_powershell_on_windows(emulated_labs):
    """시작하기.md sends Windows students to `.venv\\Scripts\\week5 local ... --keep`, whose
    printout gave them bash's `export`, `kill` and `rm` (a student trial)."""
    emulator = local.Emulator(
        54321, argparse.Namespace(pid=4242), Path("C:/Temp/week5-moto-x/moto.log")
    )
    kims = dataclasses.replace(emulated_labs.labs["Day1Lab2"], stack_name="week5-kim-Day1Lab2")
    lines = local_command.format_keep(emulator, kims, ["student=kim"], windows=True).splitlines()
    assert lines[1] == (
        '  $env:AWS_ENDPOINT_URL = "http://localhost:54321"; $env:AWS_ACCESS_KEY_ID = "testing"; '
        '$env:AWS_SECRET_ACCESS_KEY = "testing"; $env:AWS_DEFAULT_REGION = "ap-northeast-2"'
    )
    assert lines[2] == "  .venv\\Scripts\\week5 status --student kim"
    assert lines[4:] == [
        "  py scripts\\cdk.py destroy Day1Lab2 -c student=kim --force",
        "  .venv\\Scripts\\week5 cleanup --day Day1 --student kim",
        'Stop it and remove its log with: Stop-Process -Id 4242; Remove-Item -Recurse '
        '"C:/Temp/week5-moto-x"',
    ]
    assert not any(word in "\n".join(lines) for word in ("export ", "kill ", "rm -r"))


def test_a_taken_port_is_one_clear_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(local.LocalError, match=f"port {port} is in use: pass another"):
            local.start_emulator(BIN, port)


def test_the_emulator_starts_whatever_aws_profile_says_stops_and_its_log_can_go(monkeypatch):
    """moto needs no AWS settings: AWS_PROFILE=nonexistent stopped it at start
    (ProfileNotFound, only in its log). Stopping it leaves no process, and a run that worked
    then removes the log's folder. (One emulator for both: each start costs 2 s of CPU.)"""
    monkeypatch.setenv("AWS_PROFILE", "nonexistent")
    emulator = local.start_emulator(BIN)
    try:
        assert emulator.process.poll() is None
        # The read-back's clients take no profile either (they failed with ProfileNotFound).
        clients = importlib.import_module("week5.operations.local.emulator").clients
        vpcs = clients(emulator.endpoint)("ec2").describe_vpcs()["Vpcs"]
        assert [vpc["IsDefault"] for vpc in vpcs] == [True]  # moto's default VPC
    finally:
        emulator.stop()
    assert emulator.process.poll() is not None
    assert not local.port_in_use(emulator.port)
    assert emulator.log_path.is_file()
    emulator.remove_log()
    assert not emulator.log_path.parent.exists()


def test_cli_refuses_a_taken_port_and_a_lab_with_coverage_before_synthesizing():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = run_week5("local", "Day1Lab1", "--port", str(port))
    assert (taken.returncode, error_lines(taken.stderr)) == (2, [
        f"week5: --port {port} is in use: pass another, or leave --port out for a free one"
    ])  # fmt: skip
    both = run_week5("local", "Day1Lab1", "--coverage")
    assert (both.returncode, error_lines(both.stderr)) == (2, [
        "week5: --coverage deploys every lab: drop 'Day1Lab1', or drop --coverage to deploy "
        "that lab alone"
    ])  # fmt: skip
    assert "synthesizing" not in taken.stderr + both.stderr


def test_coverage_without_a_lab_runs_and_a_lab_alone_gets_the_default(monkeypatch):
    """The lab's default must not count as a lab given with --coverage (it was refused)."""
    from week5.cli import main

    seen = []
    monkeypatch.setattr(local_command, "run_coverage", lambda args: seen.append(args.lab) or 0)
    assert main(["local", "--coverage"]) == 0 and seen == [None]

    class Named(Exception):
        """Stops the command where it names the lab to synthesize."""

    def require(lab):
        raise Named(lab)

    monkeypatch.setattr(local_command, "lab_to_build", lambda lab, students, command: require(lab))
    with pytest.raises(Named, match=f"^{local_command.DEFAULT_LOCAL_LAB}$"):
        main(["local"])


def test_a_missing_emulator_says_to_run_setup(tmp_path):
    with pytest.raises(local.LocalError, match="moto_server.*missing: run scripts/setup"):
        local.start_emulator(tmp_path)


def run_week5(*args):
    return subprocess.run(
        [sys.executable, "-m", "week5", *args], cwd=ROOT, capture_output=True, text=True
    )


#: --port values refused, each with how the one line shows it.
REFUSED_PORTS = {
    "arabic-indic": ("٣٠٠٠", "'٣٠٠٠'"),  # int() reads other scripts' digits
    "full-width": ("３０００", "'３０００'"),
    "float": ("3000.0", "'3000.0'"),
    "sign": ("+3000", "'+3000'"),
    "space": (" 3000", "' 3000'"),
    "5000 nines": ("9" * 5000, f"'{'9' * 37}...'"),  # int() refuses over 4,300 digits
}


@pytest.mark.parametrize("port, shown", REFUSED_PORTS.values(), ids=REFUSED_PORTS)
def test_a_port_in_other_than_a_few_ascii_digits_is_refused(port, shown):
    """int() reads Arabic-Indic and full-width digits, and refuses over 4,300 digits; the
    emulator is given a few ASCII digits only, and the line shows at most 40 characters."""
    with pytest.raises(argparse.ArgumentTypeError, match="pick one from 1024 to 65535"):
        local_command.emulator_port(port)
    assert local_command.emulator_port("3000") == 3000
    refused = run_week5("local", "--port", port)
    assert refused.returncode == 2
    assert error_lines(refused.stderr) == [
        f"week5: local: argument --port: {shown} is not a port the emulator can listen on; "
        "pick one from 1024 to 65535, or leave --port out for a free one "
        "(see `week5 local --help`)"
    ]


def test_cli_refuses_a_wrong_lab_before_starting_anything():
    malformed = run_week5("local", "day4lab1")
    assert malformed.returncode == 2
    assert "is not a lab id: Day<1-5><Lab1|Lab2|Case|Challenge>" in malformed.stderr
    unknown = run_week5("local", "Day5Lab2")
    assert unknown.returncode == 2
    assert error_lines(unknown.stderr) == [
        f"week5: unknown lab 'Day5Lab2'; valid labs: {', '.join(CATALOG.ids)}"
    ]


def test_class_mode_takes_a_students_copy_and_refuses_a_bare_lab_before_synthesis():
    """As `week5 labs` lists a class's labs (Day1Lab1-kim): a bare id in class mode, or a copy
    without it, was refused after 6 s of synthesis, naming an id `local` then refused (a
    hostile trial). The copy itself deploys (tests/test_local_deploy.py's path)."""
    bare = run_week5("local", "Day1Lab1", "-c", "students=kim,lee")
    assert bare.returncode == 2
    assert error_lines(bare.stderr) == [
        "week5: Day1Lab1: in class mode (-c students=kim,lee) each student has a copy, "
        "Day1Lab1-kim to Day1Lab1-lee; pass one, e.g. week5 local Day1Lab1-kim"
    ]
    alone = run_week5("local", "Day1Lab1-kim")
    assert alone.returncode == 2
    assert error_lines(alone.stderr) == [
        "week5: Day1Lab1-kim is kim's copy of Day1Lab1 in class mode: pass it with -c students "
        "naming kim (e.g. -c students=kim), or pass Day1Lab1 alone"
    ]
    assert "synthesizing" not in bare.stderr + alone.stderr


def _read_back(subnet_names, instance_names):
    subnets = [
        {"id": f"subnet-{n}", "name": name, "cidr": f"10.0.{n}.0/24", "az": "ap-northeast-2a",
         "default_route": "igw-1"}
        for n, name in enumerate(subnet_names)
    ]  # fmt: skip
    instances = [
        {"id": f"i-{n}", "name": name, "type": "t3.micro", "subnet": subnet_names[-1]}
        for n, name in enumerate(instance_names)
    ]  # fmt: skip
    return local.ReadBack(
        stack_name="Day1Lab2-kim",
        coverage=local.Coverage(9, 10, {"AWS::EC2::SecurityGroupEgress": 1}),
        subnets=subnets,
        vpcs=[{"id": "vpc-1", "cidr": "10.0.0.0/16", "name": "week5-day1-vpc"}],
        security_groups=[{"id": "sg-1", "logical_id": "WebSg", "ingress": [(80, "0.0.0.0/0")]}],
        instances=instances,
        load_balancers=[],
        auto_scaling_groups=[],
        databases=[],
    )


def test_read_back_printout_keeps_the_course_columns():
    """Names up to 34 columns: the columns the printout has always had."""
    names = ["week5-day1-public-subnet-a", "week5-day1-private-subnet-a"]
    text = local_command.format_read_back("Day1Lab2", _read_back(names, ["web"]))
    lines = text.splitlines()
    assert lines[:4] == [
        "Day1Lab2: stack Day1Lab2-kim on the local emulator",
        "VPC week5-day1-vpc  10.0.0.0/16",
        f"  subnet {names[0]:34s} {'10.0.0.0/24':15s} ap-northeast-2a  0.0.0.0/0 -> igw-1",
        f"  subnet {names[1]:34s} {'10.0.1.0/24':15s} ap-northeast-2a  0.0.0.0/0 -> igw-1",
    ]
    assert f"  {'web':34s} {'t3.micro':10s} in {names[1]}" in lines
    assert "Created locally: 9 of 10 resources." in lines


def test_read_back_printout_lines_up_a_name_longer_than_its_column():
    names = ["week5-day1-a-subnet-name-longer-than-thirty-four", "short"]
    text = local_command.format_read_back("Day1Lab2", _read_back(names, ["web", "데이터베이스"]))
    subnet_lines = [line for line in text.splitlines() if line.startswith("  subnet ")]
    assert len({line.index("10.0.") for line in subnet_lines}) == 1
    instance_lines = [line for line in text.splitlines() if "t3.micro" in line]
    assert len({width(line[: line.index("t3.micro")]) for line in instance_lines}) == 1


def _call(clients, command: str):
    """Run one `aws ...` check line through boto3 as the AWS CLI would: the operation and each
    option by botocore's model (an unknown one fails here), `--query`/`--output` left to the
    CLI. `aws s3 ls s3://B` is the CLI's own command: ListObjectsV2 of B."""
    import shlex

    from botocore import xform_name

    words = shlex.split(command)
    assert words[0] == "aws", command
    if words[1:3] == ["s3", "ls"]:
        return clients("s3").list_objects_v2(Bucket=words[3].removeprefix("s3://"))
    client = clients(words[1])
    model = client.meta.service_model
    operation = next(
        (o for o in model.operation_names if xform_name(o, "-") == words[2]), None
    )
    assert operation, f"{words[1]} has no operation {words[2]}: {command}"
    members = model.operation_model(operation).input_shape.members
    params, key = {}, None
    for word in words[3:]:
        if word.startswith("--"):
            key = word[2:]
            continue
        if key in ("query", "output"):
            continue
        name = next((m for m in members if xform_name(m, "-") == key), None)
        assert name, f"{words[1]} {words[2]} has no option --{key}: {command}"
        if members[name].type_name == "list":
            params.setdefault(name, []).append(word)
        else:
            params[name] = word
    if not words[2].startswith(("describe-", "get-", "list-")):
        return None  # a step that changes the account (create-snapshot): its model checked
    return getattr(client, xform_name(operation))(**params)


def test_each_lab_gets_aws_cli_checks_that_answer_on_the_emulator(emulated_labs, local_aws):
    """A student trial: on the emulator a guide's URL, SSH or Session Manager reaches nothing
    and the guides said what to do instead for no step; `--keep` printed `aws ec2
    describe-vpcs` even for Day2Lab2, which has no VPC. Each lab gets the AWS CLI commands for
    what it made, and each answers there."""
    day2_site, day4 = local_aws["Day2Lab2"].checks, local_aws["Day4Lab1"].checks
    assert not any("describe-vpcs" in c for c in day2_site)
    assert [c.split()[1:3] for c in day2_site] == [["s3", "ls"], ["cloudfront", "get-distribution"]]
    assert [c.split()[1:3] for c in day4] == [
        ["ec2", "describe-vpcs"],
        ["autoscaling", "describe-auto-scaling-groups"],
        ["elbv2", "describe-target-health"],
    ]
    assert any(c.startswith("aws ec2 describe-volumes --volume-ids vol-")
               for c in local_aws["Day2Lab1"].checks)  # fmt: skip
    for lab_id, back in local_aws.items():
        for command in back.checks:
            _call(emulated_labs.clients, command)


def test_another_region_is_refused_before_synthesis(capsys):
    """A re-trial: `week5 local Day1Lab1 -c region=ap-northeast-1 -c azs=...` failed its deploy
    with the bootstrap's "SsmParameterNotFound", read as the emulator not taking the lab."""
    from week5.cli import main

    code = main(["local", "Day1Lab1", "-c", "region=ap-northeast-1", "-c",
                 "azs=ap-northeast-1a,ap-northeast-1c"])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "week5: -c region='ap-northeast-1': the emulator deploys in ap-northeast-2, the course's "
        "region, only; drop -c region (and -c azs) for week5 local"
    ]
