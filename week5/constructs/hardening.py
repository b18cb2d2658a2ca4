"""The EC2 hardening every lab instance shares: what the console's defaults leave weak.

``LabHost``, ``HaWebTier``, ``MultiAzVpc`` (its NAT instance), ``LabDatabase`` and the
constructs built on them launch through these helpers, so that every instance requires IMDSv2,
boots Amazon Linux 2023 from an encrypted gp3 root volume, is reached with Session Manager
instead of SSH, and stops its boot script at the first failing line.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Mapping, Optional, Sequence

from aws_cdk import Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from week5.core.errors import CourseInputError
from week5.synth.nag import acknowledge, acknowledge_all

#: The course's instance class: the cheapest that runs Docker and WordPress (Day 1 Lab 1).
DEFAULT_INSTANCE_TYPE = "t3.micro"
#: Amazon Linux 2023's minimum root volume; gp3 is cheaper per GB than gp2 and faster.
DEFAULT_ROOT_VOLUME_GIB = 8
#: EC2's limit on user data, before base64.
USER_DATA_MAX_BYTES = 16384
#: The AWS-managed policy the SSM agent needs for Session Manager.
SSM_POLICY = "AmazonSSMManagedInstanceCore"
#: An EC2 instance type: family, then size (``t3.micro``, ``m7g.2xlarge``, ``c6i.metal``).
INSTANCE_TYPE_RE = re.compile(
    r"^[a-z]+[0-9][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[0-9]+xlarge|metal(-[0-9]+xl)?)$"
)
#: Amazon Linux 2023's root device name.
ROOT_DEVICE = "/dev/xvda"
#: What EC2 refuses in a security group's description (it takes these ASCII characters only).
_NOT_IN_DESCRIPTION = re.compile(r"[^a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]")
#: EC2's limit on a security group's description.
GROUP_DESCRIPTION_MAX = 255
#: IAM's limit on a role's description.
ROLE_DESCRIPTION_MAX = 1000
#: EC2's and IAM's limit on a tag's value (a Name tag).
TAG_VALUE_MAX = 256


#: What a tag's value may hold in the services that check it (ELB, EFS, IAM; EC2 takes any
#: character): letters and digits of any script, spaces, and ``_.:/=+-@``.
TAG_VALUE_RE = re.compile(r"[\w .:/=+\-@]*")
#: What a construct's security group's Name tag adds to the construct's name.
GROUP_NAME_SUFFIX = "-sg"


def name_label(
    where: str, name: Optional[str], node_path: str, group: bool = True, strict: bool = False
) -> str:
    """A construct's Name tag: ``name`` as given, else its construct path. With ``group``, the
    construct's security group is named ``<label>-sg``, so the label must leave room for that in
    a tag's 256 characters; a label that does not fit is refused with the ``name=`` that does.
    With ``strict``, the tag goes to a service that takes only :data:`TAG_VALUE_RE`'s characters
    (EFS): a label with others (``(``, ``;``) is refused, where the deploy would fail."""
    if name is not None and not name.strip():
        raise CourseInputError(
            f"{where}: name={name!r} is blank: the console would list an empty Name; pass a "
            "name, or leave it out for the construct path"
        )
    label = name or node_path
    if strict and not TAG_VALUE_RE.fullmatch(label):
        given = f"name={name!r}" if name else f"the construct path, the default name, {label!r},"
        raise CourseInputError(
            f"{where}: {given} has characters its tags cannot hold; pass name= with letters, "
            "digits, spaces and _.:/=+-@, e.g. name='week5-day2-kim-files'"
        )
    suffix = GROUP_NAME_SUFFIX if group else ""
    if len(label) + len(suffix) > TAG_VALUE_MAX:
        given = f"name is {len(label)} characters" if name else (
            f"the construct path, the default name, is {len(label)} characters"
        )
        what = f"the security group's Name tag (the name and '{suffix}')" if group else "a tag"
        raise CourseInputError(
            f"{where}: {given}; {what} takes {TAG_VALUE_MAX}: pass a name= of "
            f"{TAG_VALUE_MAX - len(suffix)} characters or fewer"
        )
    return label


def describe(label: str, text: str, limit: int = GROUP_DESCRIPTION_MAX) -> str:
    """``<label>: <text>`` as a security group's description (and an IAM role's) takes it:
    ASCII letters, digits, spaces and ``._-:/()#,@[]+=&;{}!$*`` only, ``limit`` characters at
    most.

    The label is a host's name or construct path, which may be in another script (``웹서버``)
    or long: its Name tag keeps it as given (a tag takes any letter), while the description
    drops the characters it cannot hold and shortens the label (ending it ``...``), so the
    stack deploys rather than fail on a field nobody types. A course label (``week5-day1-web``,
    ``Day1Lab1/Web``) is unchanged.
    """
    cleaned = _NOT_IN_DESCRIPTION.sub("", label)
    label = cleaned if cleaned == label else cleaned.strip(" -_/")
    text = _NOT_IN_DESCRIPTION.sub("", text)
    room = limit - len(text) - len(": ")
    if len(label) > room:
        label = label[: max(room - len("..."), 0)] + "..."
    return f"{label}: {text}" if label.strip(".") else text


def require_name_prefix(
    where: str,
    value: str,
    longest: str,
    first: str,
    example: str = "week5-day1",
    default: str = "week5",
) -> None:
    """``name_prefix``: not blank (the Name tags would read ``-vpc``), and short enough that
    the longest Name tag it starts, ``<prefix><longest>``, fits a tag's 256 characters.
    ``first`` is the Name a blank prefix leaves, for the message (``-vpc``); ``example`` and
    ``default`` the construct's own, for its fix."""
    if not value.strip():
        raise CourseInputError(
            f"{where}: name_prefix={value!r} is blank: the Name tags would read "
            f"'{value}{first}' and the like; pass e.g. name_prefix='{example}', or leave it out "
            f"for '{default}'"
        )
    most = TAG_VALUE_MAX - len(longest)
    if len(value) > most:
        raise CourseInputError(
            f"{where}: name_prefix is {len(value)} characters; its longest Name tag "
            f"('<name_prefix>{longest}') takes {TAG_VALUE_MAX}: pass {most} characters or fewer"
        )


def session_manager_role(scope: Construct, construct_id: str, label: str) -> iam.Role:
    """An EC2 role with Session Manager access, the way every lab host is reached."""
    role = iam.Role(
        scope,
        construct_id,
        assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
        description=describe(label, "Session Manager access", ROLE_DESCRIPTION_MAX),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(SSM_POLICY)],
    )
    acknowledge(
        role,
        f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{SSM_POLICY}]",
        "Session Manager replaces SSH from the internet in every lab; AWS keeps this managed "
        "policy current with the SSM agent, which a copied inline policy would not.",
    )
    return role


def boot_script(lines: Sequence[str], where: str) -> ec2.UserData:
    """User data that stops at the first failing line, refused above EC2's 16 KB."""
    user_data = ec2.UserData.for_linux()
    user_data.add_commands("set -euxo pipefail", *lines)
    check_user_data_size(user_data, where)
    return user_data


def check_user_data_size(user_data: ec2.UserData, where: str) -> None:
    """Refuse ``user_data`` above EC2's 16 KB, at synthesis rather than at launch."""
    size = len(user_data.render().encode("utf-8"))
    if size > USER_DATA_MAX_BYTES:
        raise CourseInputError(
            f"{where}: user data is {size} bytes; EC2 takes {USER_DATA_MAX_BYTES}. Ship large "
            "files as an S3 asset instead of inline"
        )


def amazon_linux_2023(instance_class: ec2.InstanceType) -> ec2.IMachineImage:
    """The latest Amazon Linux 2023 for the instance type's architecture (x86_64 or arm64)."""
    arm = instance_class.architecture == ec2.InstanceArchitecture.ARM_64
    return ec2.MachineImage.latest_amazon_linux2023(
        cpu_type=ec2.AmazonLinuxCpuType.ARM_64 if arm else ec2.AmazonLinuxCpuType.X86_64
    )


def encrypted_root_volume(size_gib: int = DEFAULT_ROOT_VOLUME_GIB) -> ec2.BlockDevice:
    """An encrypted gp3 root volume that goes with the instance."""
    return ec2.BlockDevice(
        device_name=ROOT_DEVICE,
        volume=ec2.BlockDeviceVolume.ebs(
            size_gib,
            encrypted=True,
            volume_type=ec2.EbsDeviceVolumeType.GP3,
            delete_on_termination=True,
        ),
    )


def require_imdsv2(instance: ec2.Instance) -> ec2.CfnLaunchTemplate:
    """Require IMDSv2 through a launch template that CloudFormation names.

    ``ec2.Instance(require_imdsv2=True)`` names its launch template, and launch-template names
    are unique per account and region. Its name depends on the importing app's feature flags:
    with ``@aws-cdk/aws-ec2:uniqueImdsv2TemplateName`` (this project's cdk.json sets it) it is
    unique per stack (``Week5Day1Lab1aliceHostLaunchTemplate13CCBB03``); without the flag (an
    app made before the flag, or a bare ``cdk.App()`` with no cdk.json) it is the construct's
    id alone (``HostLaunchTemplate``), the same in every student's copy of a lab and in every
    stack with a ``Host``, so the second deploy in an account fails. The template here has no
    name (CloudFormation makes one), so a construct works in any app whatever its flags. It
    holds only the metadata options: the instance's own tags (and
    ``PropagateTagsToVolumeOnCreation``) name and tag what it launches.
    """
    template = ec2.CfnLaunchTemplate(
        instance,
        "Imdsv2",
        launch_template_data=ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
            metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(http_tokens="required")
        ),
    )
    instance.instance.launch_template = ec2.CfnInstance.LaunchTemplateSpecificationProperty(
        launch_template_id=template.ref,
        version=template.attr_latest_version_number,
    )
    return template


#: The course draws fixed AZs (ap-northeast-2a/2b); CloudFormation's linter warns on that.
COURSE_AZS_ACKNOWLEDGEMENT = MappingProxyType(
    {
        "CloudFormation-Validate::W3010": (
            "The course's diagrams fix the AZs (ap-northeast-2a, ap-northeast-2b) so a "
            "student's console matches the template; context 'azs' changes them."
        )
    }
)
#: Outside Seoul (an importer's app) the same finding, in words true there.
_NAMED_AZS_ACKNOWLEDGEMENT = MappingProxyType(
    {
        "CloudFormation-Validate::W3010": (
            "The construct places its resources in AZs named at synthesis (availability_"
            "zones, or the stack's), so the console matches the template."
        )
    }
)


def azs_acknowledgement(construct: Construct) -> Mapping[str, str]:
    """The W3010 acknowledgement (AZs named in the template) for ``construct``'s stack: the
    course's reason in Seoul, where the labs run, a general one elsewhere."""
    region = Stack.of(construct).region
    in_seoul = not Token.is_unresolved(region) and region == "ap-northeast-2"
    return COURSE_AZS_ACKNOWLEDGEMENT if in_seoul else _NAMED_AZS_ACKNOWLEDGEMENT


def acknowledge_course_azs(construct: Construct) -> None:
    """The course draws fixed AZs (ap-northeast-2a/2b); CloudFormation's linter warns on that.
    A construct that acknowledges other rules too passes :func:`azs_acknowledgement` to
    ``acknowledge_all`` with them."""
    acknowledge_all(construct, azs_acknowledgement(construct))
