"""LabStack: the stack every lab builds on (region, AZs, stack name, tags, catalog metadata)."""

from __future__ import annotations

from typing import Any, List

from aws_cdk import Environment, Stack
from constructs import Construct

from week5.core.catalog import LAB_METADATA_KEY, Lab
from week5.core.settings import DEFAULT_REGION, DEFAULT_STUDENT, CourseSettings
from week5.synth.nag import acknowledge
from week5.synth.tagging import apply_course_tags, course_tags


def stack_name_for(lab: Lab, settings: CourseSettings) -> str:
    """``week5-<student>-<lab id>``: twelve students can deploy one lab in one account."""
    return f"week5-{settings.student}-{lab.lab_id}"


def construct_id_for(lab: Lab, settings: CourseSettings) -> str:
    """The lab id (``cdk deploy Day1Lab1``), or in class mode ``Day1Lab1-kim`` per student."""
    return f"{lab.lab_id}-{settings.student}" if settings.class_mode else lab.lab_id


class LabStack(Stack):
    """A course lab: construct id = lab id (``cdk deploy Day1Lab1``), stack name per student.

    The region comes from ``settings`` (default ap-northeast-2); another region, chosen with
    ``-c region``, is acknowledged for the Week5-SeoulRegion rule. The account is left to the
    CLI's credentials, so one template serves every student account. The AZs are the course's
    (ap-northeast-2a, ap-northeast-2b; context ``azs`` overrides) rather than a lookup, so the
    template is the same with or without credentials and matches the course's diagrams.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings, **kwargs: Any):
        super().__init__(
            scope,
            construct_id_for(lab, settings),
            stack_name=stack_name_for(lab, settings),
            env=Environment(region=settings.region),
            description=(
                f"Week 5 {lab.day_tag} {lab.kind}: {lab.title_en} - student {settings.student}"
            ),
            # The stack itself carries the course tags too (with explicitStackTags, Tags.of
            # reaches only resources): `week5 status` and the console find a lab's stack by them.
            tags=course_tags(lab.day, lab.kind, settings.student),
            **kwargs,
        )
        self.lab = lab
        self.settings = settings
        self.course_tags = apply_course_tags(self, lab.day, lab.kind, settings.student)
        if settings.region != DEFAULT_REGION:
            acknowledge(
                self,
                f"Week5-SeoulRegion[{settings.region}]",
                f"region {settings.region} was chosen on purpose with -c region; the course's "
                "prices, AZ names and cost figures are Seoul's",
            )
        self.template_options.metadata = {
            LAB_METADATA_KEY: {
                "LabId": lab.lab_id,
                "Day": lab.day_tag,
                "Lab": lab.kind,
                "TitleKo": lab.title_ko,
                "TitleEn": lab.title_en,
                # A string: CloudFormation metadata takes no floats (cfn-lint E4002).
                "CourseCostUsd": (
                    None if lab.course_cost_usd is None else f"{lab.course_cost_usd:.2f}"
                ),
                "Student": settings.student,
            }
        }

    @property
    def availability_zones(self) -> List[str]:
        return list(self.settings.azs)

    @property
    def name_prefix(self) -> str:
        """Name-tag prefix: ``week5-day1`` for the default student, as the console steps write
        it, and ``week5-day1-kim`` for student kim, so that in one account (class mode, or
        twelve students deploying the same lab) every student's VPC, subnets and hosts carry
        names of their own."""
        day = f"week5-{self.lab.day_tag.lower()}"
        student = self.settings.student
        return day if student == DEFAULT_STUDENT else f"{day}-{student}"
