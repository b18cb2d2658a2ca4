"""Lab guides in Korean, generated from each lab's synthesized template (``docs/labs/``).

A guide holds the picture and the text diagram (:mod:`week5.analysis.diagram`), what the stack builds
(counted from the template), the cost and time estimates (:mod:`week5.analysis.pricing`,
:mod:`week5.analysis.timing`), the course's console steps mapped to the code that does each, how to
deploy, check and destroy, and what to delete by hand (the README's table). An index page lists
every lab. The words that are not in a template (the goal, the steps) come from a
:class:`LabGuide` per lab, kept beside the stacks.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from week5.analysis import pricing, timing
from week5.analysis.diagram import render_picture, render_text
from week5.analysis.topology import Node, Topology, cdk_hash, console_name, extract, label
from week5.core.errors import shown
from week5.core.settings import DEFAULT_STUDENT

GENERATED = (
    "> 이 문서는 `scripts/docs`가 합성된 CloudFormation 템플릿에서 만듭니다. 직접 고치지 마세요."
)
#: The project's README (in a checkout: guides are written from one).
README = Path(__file__).resolve().parents[2] / "README.md"
#: Where the browser tests keep each lab's page as a student sees it (tests/browser.py).
SCREENSHOTS = README.parent / "docs" / "labs" / "img"


@dataclass(frozen=True)
class LabGuide:
    """What a guide says that a template cannot: the lab's goal (목표) and its console steps,
    each as (what the console step does, the construct and prop that do it)."""

    goal: str
    steps: Tuple[Tuple[str, str], ...]
    #: What a student may have made by hand in this lab, in Korean; the commands that delete
    #: it come from the README's table, so the two cannot drift apart.
    by_hand: str = ""
    #: The course's steps of the 50-minute lab with their minutes, as the course plan gives
    #: them: (("Step 1: VPC 생성", 15), ...). Empty for a Session 4 case study, which the plan
    #: does not divide into timed steps.
    course_steps: Tuple[Tuple[str, int], ...] = ()


def format_minutes(value: float) -> str:
    """``4.5분``, ``20분``: minutes with at most one decimal (``0분``, never ``-0분``)."""
    return f"{round(value, 1) + 0.0:.1f}".rstrip("0").rstrip(".") + "분"  # + 0.0: -0.0 is 0.0


_STEP_NUMBER = re.compile(r"Step (\d+)\b")


def step_rows(guide: LabGuide) -> List[str]:
    """The console-step table: each step, its minutes as the course gives them (on the first
    row of a course step; a later row of the same step says so), and the code that does it."""
    minutes = {
        int(m.group(1)): value
        for step, value in guide.course_steps
        if (m := _STEP_NUMBER.match(step))
    }
    rows = ["| 강의의 콘솔 단계 | 강의 시간 | 이 프로젝트의 코드 |", "|---|---|---|"]
    seen = set()
    for step, code in guide.steps:
        match = _STEP_NUMBER.match(step)
        number = int(match.group(1)) if match else None
        if number in minutes and number not in seen:
            when = format_minutes(minutes[number])
        elif number in minutes:
            when = f"(Step {number}의 {format_minutes(minutes[number])} 안)"
        else:
            when = "-"
        seen.add(number)
        rows.append(f"| {step} | {when} | {code} |")
    return rows


def _slot_table(guide: LabGuide, template: Mapping[str, Any]) -> List[str]:
    """The course's steps with their minutes, then what CloudFormation's create and delete
    take out of the 50-minute slot and what is left for the steps themselves."""
    slot = timing.LAB_SLOT_MINUTES
    took = timing.estimate_duration(template)
    rows: List[str] = []
    if guide.course_steps:
        rows += ["| 강의의 단계 | 강의 시간 |", "|---|---|"]
        rows += [f"| {step} | {format_minutes(minutes)} |" for step, minutes in guide.course_steps]
        total = sum(minutes for _, minutes in guide.course_steps)
        rows += [f"| 합계 | {format_minutes(total)} |", ""]
    else:
        rows += [
            "강의 자료는 이 고객 사례(Session 4)를 시간이 정해진 단계로 나누지 않습니다.",
            "",
        ]
    # Each figure as printed, then what is left of them: the three rows add up to the slot
    # (a student trial added 1.2 + 1.2 + 47.5 from the unrounded figures: 49.9).
    create, delete = round(took.create_min, 1), round(took.delete_min, 1)
    left = round(slot - create - delete, 1)
    rows += [
        f"| CloudFormation ({slot}분 실습 중) | 예상 시간 |",
        "|---|---|",
        f"| 생성 (`cdk deploy`) | {format_minutes(create)} |",
        f"| 삭제 (`cdk destroy`) | {format_minutes(delete)} |",
        f"| 생성과 삭제를 빼고 남는 시간 | {_left_text(left)} |",
    ]
    return rows


def _budget_section(guide: LabGuide, template: Mapping[str, Any]) -> List[str]:
    """The section after the slot table: the time budget (:func:`time_budget`, with create and
    delete as that table prints them); none for a case the plan does not time."""
    if not guide.course_steps:
        return []
    took = timing.estimate_duration(template)
    create, delete = round(took.create_min, 1), round(took.delete_min, 1)
    return [
        "## 생성 + 단계 + 삭제",
        "",
        *_budget(time_budget(guide.course_steps, create, delete)),
        "",
    ]


#: The course plan's step titles whose console work `cdk deploy` does: the step builds what
#: the stack creates (the deploy does them all at once, in its create time). A step title in
#: none of these sets is a hands-on step, counted at the plan's minutes (a student trial:
#: Day3Lab1's guide left 23.2 minutes after create and delete for Steps 2 and 3's 25).
DEPLOY_STEPS = frozenset({
    "VPC 생성", "Security Group 생성", "EC2 인스턴스 생성",  # Day1Lab1
    "Multi-AZ VPC", "Bastion Host", "웹 서버 배포",  # Day1Lab2
    "EBS 볼륨 생성", "EFS 공유 스토리지",  # Day2Lab1
    "S3 버킷 생성", "CloudFront 배포",  # Day2Lab2
    "RDS 인스턴스 생성",  # Day3Lab1
    "ElastiCache 클러스터",  # Day3Lab2
    "Launch Template", "ALB 생성", "Auto Scaling Group",  # Day4Lab1
    "인프라 구축",  # Day4Challenge, Day5Challenge
    "네트워크 구성", "데이터베이스 배포", "애플리케이션 배포",  # Day5Lab1
})  # fmt: skip
#: The step titles `cdk destroy` does.
DESTROY_STEPS = frozenset({"리소스 정리"})
#: The plan's hands-on step titles (a test checks that every lab's steps are in one of the
#: three sets, so a new title is sorted on purpose).
HANDS_ON_STEPS = frozenset({
    "접속 및 확인", "스냅샷 & 복구", "성능 테스트", "데이터베이스 연결", "백업 & 복원",
    "캐싱 로직 구현", "세션 스토어", "아키텍처 설계", "장애 테스트", "검증", "검증 & 최적화",
})  # fmt: skip


@dataclass(frozen=True)
class BudgetRow:
    """One row of a lab's time budget: what it is, the plan's minutes for it (None: the plan
    has no step for it) and the minutes it takes here."""

    what: str
    course: Any
    takes: float

    @property
    def over(self) -> float:
        """How much longer than the plan's minutes it takes (0 when not, or not planned)."""
        return 0.0 if self.course is None else max(0.0, round(self.takes - self.course, 1))


@dataclass(frozen=True)
class TimeBudget:
    """A lab's minutes with this project: `cdk deploy` in place of the steps that build
    (:data:`DEPLOY_STEPS`), the hands-on steps at the plan's minutes, `cdk destroy` in place
    of the clean-up step (or after the steps, when the plan has none)."""

    rows: Tuple[BudgetRow, ...]
    create: float
    delete: float
    slot: int

    @property
    def total(self) -> float:
        return round(sum(row.takes for row in self.rows), 1)

    @property
    def over(self) -> float:
        return max(0.0, round(self.total - self.slot, 1))

    @property
    def deploy(self) -> BudgetRow:
        return next(row for row in self.rows if row.what.startswith("`cdk deploy`"))

    @property
    def destroy(self) -> BudgetRow:
        return next(row for row in self.rows if row.what.startswith("`cdk destroy`"))


def time_budget(
    course_steps: Sequence[Tuple[str, int]], create: float, delete: float
) -> TimeBudget:
    """The lab's time with `cdk deploy` and `cdk destroy` in place of the plan's steps that
    build and clean up (:class:`TimeBudget`); ``create`` and ``delete`` are the minutes as the
    guide prints them. Steps are ``("Step N: title", minutes)`` as :class:`LabGuide` has them."""
    steps = []
    for step, minutes in course_steps:
        number, _, title = step.partition(": ")
        steps.append((number.removeprefix("Step "), title, step, minutes))
    built = [(n, m) for n, title, _, m in steps if title in DEPLOY_STEPS]
    deploy = BudgetRow(
        "`cdk deploy`" + (f" (Step {', '.join(n for n, _ in built)})" if built else ""),
        sum(m for _, m in built) if built else None,
        create,
    )
    rows: List[BudgetRow] = [] if built else [deploy]
    destroyed = False
    for number, title, step, minutes in steps:
        if title in DEPLOY_STEPS:
            rows += [deploy] if number == built[0][0] else []
        elif title in DESTROY_STEPS:
            rows.append(BudgetRow(f"`cdk destroy` (Step {number})", minutes, delete))
            destroyed = True
        else:
            rows.append(BudgetRow(step, minutes, minutes))
    if not destroyed:
        rows.append(BudgetRow("`cdk destroy` (강의 단계에 없음: 실습 끝에)", None, delete))
    return TimeBudget(tuple(rows), create, delete, timing.LAB_SLOT_MINUTES)


def _over(minutes: float) -> str:
    return f"{format_minutes(minutes)} 넘침"


def _budget(budget: TimeBudget) -> List[str]:
    """The time budget as the guide shows it: a table of what takes the lab's minutes with this
    project, then, plainly, where it is longer than the plan and what to do."""
    rows = ["| 이 프로젝트로 하면 | 강의 시간 | 예상 시간 |", "|---|---|---|"]
    for row in budget.rows:
        course = "-" if row.course is None else format_minutes(row.course)
        takes = format_minutes(row.takes) + (f" ({_over(row.over)})" if row.over else "")
        rows.append(f"| {row.what} | {course} | {takes} |")
    total = format_minutes(budget.total) + (f" (**{_over(budget.over)}**)" if budget.over else "")
    rows += [f"| 합계 | {format_minutes(budget.slot)} | {total} |", ""]
    said = []
    before = after = False
    if budget.over:
        before = round(budget.total - budget.create, 1) <= budget.slot
        after = round(budget.total - budget.delete, 1) <= budget.slot
        if before:
            fix = (
                "실습 전 쉬는 시간에 `cdk deploy`를 시작해 두면 생성 "
                f"{format_minutes(budget.create)}이 빠져 맞습니다"
            )
        elif after:
            fix = (
                "마지막 단계가 끝나면 `cdk destroy`를 시작만 하고, 삭제가 끝났는지는 실습 뒤에 "
                "`week5 status`로 확인합니다 (강의 계획: 실습 완료 후 30분 이내 정리)"
            )
        else:
            fix = "수업 전에 배포하고 수업 뒤에 삭제합니다"
        said.append(
            f"**생성 + 단계 + 삭제가 {format_minutes(budget.total)}으로 {budget.slot}분 실습보다 "
            f"{format_minutes(budget.over)} 깁니다.** {fix}."
        )
    deploy, destroy = budget.deploy, budget.destroy
    if deploy.over:
        # One instruction (a student trial read "deploy in the break" and "deploy as the lab
        # starts" in one section): with the break's deploy, Step 1 is the wait for it.
        start = (
            "쉬는 시간에 시작한 배포가 끝나기를 기다리며"
            if before
            else "실습을 시작하자마자 배포하고, 기다리는 동안"
        )
        said.append(
            f"생성({format_minutes(deploy.takes)})이 {deploy.what[len('`cdk deploy` ('):-1]}의 "
            f"{format_minutes(deploy.course)}보다 {format_minutes(deploy.over)} 깁니다: {start} "
            "콘솔에서 만들어지는 것을 확인합니다 (다음 단계는 배포가 끝난 뒤)."
        )
    if destroy.over:
        step = destroy.what[len("`cdk destroy` ("):-1]
        said.append(
            f"삭제({format_minutes(destroy.takes)})가 {step}의 {format_minutes(destroy.course)}"
            f"보다 {format_minutes(destroy.over)} 깁니다: "
            + (
                "앞의 행들이 강의 시간보다 일찍 끝난 만큼 당겨, 앞 단계가 끝나는 대로 "
                f"`cdk destroy`를 {step}보다 {format_minutes(destroy.over)} 일찍 시작합니다 "
                f"(합계 {format_minutes(budget.total)}: {budget.slot}분 안)."
                if not budget.over
                else (
                    "쉬는 시간에 배포했다면 실습 안의 합계가 "
                    f"{format_minutes(round(budget.total - budget.create, 1))}이라 남는 시간에 "
                    "들어갑니다."
                    if before
                    else "위의 방법대로 `cdk destroy`를 시작만 하고 실습 뒤에 확인합니다."
                    if after
                    else "수업 뒤에 삭제합니다."
                )
            )
        )
    if not said:
        said.append(f"생성 + 단계 + 삭제가 {budget.slot}분 안에 들고, 단계마다 강의 시간 안입니다.")
    how = (
        "`cdk deploy`는 만드는 단계를 한꺼번에 대신하고 (생성 시간), 나머지 단계는 강의 시간 "
        "그대로, `cdk destroy`는 정리 단계를 대신합니다 (삭제 시간)."
    )
    return rows + [how, "", *said]


def _left_text(left: float) -> str:
    """What is left of the slot after create and delete, as the time table's cell. When they
    take all of it (``0분``: exactly the slot, once printed "없음 (-0분 넘침)") or more (the
    minutes over), the cell says to deploy before the class and destroy after it."""
    before_and_after = "수업 전에 배포하고 수업 뒤에 삭제"
    if left > 0:
        return format_minutes(left)
    if left == 0:
        return f"{format_minutes(0)} ({before_and_after})"
    return f"없음 ({format_minutes(-left)} 넘침: {before_and_after})"


def manual_cleanup_rows(readme: Path = README) -> Dict[str, Tuple[str, str]]:
    """The README's per-lab table of what to delete by hand: lab → (what, how)."""
    text = readme.read_text(encoding="utf-8")
    block = text.split("<!-- manual-cleanup:start -->")[1].split("<!-- manual-cleanup:end -->")[0]
    rows = {}
    for line in block.splitlines():
        if line.startswith("| `Day"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    return rows


def _listed_as(node: Node, template: Mapping[str, Any], stack: str) -> Tuple[str, str]:
    """(the name to look for in the console, what to know about it): the physical name when the
    template gives one (a parameter's ``/week5-<이름>-Day5Lab1/cloudmart/db-endpoint``, not its
    construct path); a Name tag or construct path the console's list does not show says so, with
    the output that holds the list's name, else how the name begins when that is known (a
    secret's logical id, CDK's hash in it), else the physical ID it is (part of) in the stack's
    Resources tab (:data:`_NAME_IN_PHYSICAL_ID`)."""
    resource = template.get("Resources", {}).get(node.id)
    if not isinstance(resource, Mapping) or not node.label:  # a NAT gateway: no name drawn
        return node.label, ""
    listed = console_name(node.id, dict(resource), stack)
    if listed.shown:
        return listed.name, f"콘솔 목록의 {listed.column}(설명) 열" if listed.column else ""
    what = "이 이름은 " + ("Name 태그" if listed.tag else "코드의 경로")
    made_up = f"{what}; 콘솔 목록에는 CloudFormation이 지은 이름으로 나옴"
    # An output of the resource's Ref holds its physical ID, as the stack's Resources tab does.
    where = _NAME_IN_PHYSICAL_ID.get(resource.get("Type"), "")
    output = next(
        (k for k, o in template.get("Outputs", {}).items() if o.get("Value") == {"Ref": node.id}),
        None,
    )
    if output:  # the stack prints it (Day2Lab2's BucketName, Day5Lab1's AlarmTopicArn)
        return listed.name, f"{made_up}: " + (
            f"출력 `{output}`의 값{where}" if where else f"출력 `{output}`에서 확인"
        )
    if listed.prefix:
        hashed = cdk_hash(node.id)
        return listed.name, f"{made_up}: `{listed.prefix}` 뒤에 임의의 글자" + (
            f" (`{hashed}`: CDK가 논리적 ID에 붙인 해시)" if hashed else ""
        )
    return listed.name, f"{made_up}: 스택의 리소스 탭에서 논리적 ID `{node.id}`의 물리적 ID{where}"


#: Where the console list's name is in the physical ID the stack's Resources tab shows, for a
#: type whose physical ID is more than that name (a student looked for an ALB by its Name tag;
#: its physical ID is its ARN). The other types' physical ID is the name itself.
_NAME_IN_PHYSICAL_ID = {
    # arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "(ARN) 중 `loadbalancer/app/`와 그다음 `/` 사이",
    # name|id|scope: CloudFormation's Ref of a web ACL, as week5's moto model and cleanup take it
    # (week5/operations/moto_models/wafv2_web_acl.py, cleanup/console.py) and compose-x's docs
    # write its identifier. Unverified against AWS's own CloudFormation page (not found with the
    # search tool) or a deployed stack's Resources tab.
    "AWS::WAFv2::WebACL": "(`이름|ID|범위`) 중 첫 `|` 앞",
    # arn:aws:sns:<region>:<account>:<name>
    "AWS::SNS::Topic": "(ARN) 중 마지막 `:` 뒤",
}


def _summary(topology: Topology, template: Mapping[str, Any], stack: str = "") -> List[str]:
    """What the stack builds, a line each, named as the console lists it (:func:`_listed_as`).

    @default ``stack`` "": the stack's name is not known (an Auto Scaling group's listed name
    is then not given)."""
    lines = []
    for vpc in topology.vpcs:
        public = sum(1 for s in vpc.subnets if s.public)
        private = len(vpc.subnets) - public
        azs = ", ".join(vpc.azs)
        lines.append(
            f"VPC `{vpc.name}` ({vpc.cidr}): 서브넷 {len(vpc.subnets)}개 (퍼블릭 {public}, "
            f"프라이빗 {private}), AZ {len(vpc.azs)}개 ({azs})"
            + (", 인터넷 게이트웨이" if vpc.internet_gateway else "")
        )
        seen = set()
        for subnet in vpc.subnets:
            for node in subnet.nodes:
                if node.id in seen:
                    continue
                seen.add(node.id)
                where = [s for s in vpc.subnets if any(n.id == node.id for n in s.nodes)]
                place = ", ".join(f"{s.tier} {s.cidr}" for s in where)
                name, note = _listed_as(node, template, stack)
                text = Node(node.id, node.kind, name, node.detail).text
                lines.append(f"{text} — {place}" + (f" — {note}" if note else ""))
    for node in topology.outside:
        name, note = _listed_as(node, template, stack)
        lines.append(f"{node.kind} `{name}` (VPC 밖)" + (f" — {note}" if note else ""))
    return lines


def _per_hour(usd: float) -> str:
    """As `week5 labs` prints it (rounded to 4 places in its JSON, shown to 3)."""
    return f"{round(usd, 4):.3f}"


def _resource_table(template: Mapping[str, Any]) -> List[str]:
    counts = Counter(
        r["Type"] for r in template["Resources"].values() if r["Type"] != "AWS::CDK::Metadata"
    )
    rows = ["| 리소스 종류 | 개수 |", "|---|---|"]
    rows += [f"| `{rtype}` | {count} |" for rtype, count in sorted(counts.items())]
    return rows


def is_unverified(basis: str) -> bool:
    """Whether a price's basis (prices.json) is an estimate not yet checked against AWS."""
    return "unverified" in basis.lower()


def _cost_table(template: Mapping[str, Any], course_usd) -> List[str]:
    est = pricing.estimate(template)
    took = timing.estimate_duration(template)
    totals = est.totals()
    course = "-" if course_usd is None else f"${course_usd:.2f}"
    rows = [
        "| 항목 | 값 |",
        "|---|---|",
        f"| 시간당 예상 비용 (학생 1명) | ${_per_hour(est.hourly)} (강의 자료: {course}) |",
        f"| 50분 실습 한 번 | ${totals['lab']:.3f} |",
        f"| 12명 반 전체, 시간당 | ${est.hourly * 12:.2f} |",
        f"| 생성 / 삭제 예상 시간 | {took.create_min:.1f}분 / {took.delete_min:.1f}분 |",
        "",
        "| 리소스 | 개수 | 단위 | 단가 (USD) | 시간당 (USD) |",
        "|---|---|---|---|---|",
    ]
    for item in est.items:
        unit_price = "가격 없음" if item.unit_price is None else f"{item.unit_price:g}"
        if item.unit_price is not None and is_unverified(item.basis):
            unit_price += " (추정)"  # `week5 cost` says "unverified": so does the guide
        hourly = "가격 없음" if item.hourly is None else f"{item.hourly:.4f}"
        name = label(item.resource, template["Resources"].get(item.resource, {}))
        rows.append(
            f"| {name} ({item.resource_type}) | {item.count:g} | {item.unit} | "
            f"{unit_price} | {hourly} |"
        )
    return rows


def _blocks_destroy(lab: Any, template: Mapping[str, Any]) -> List[str]:
    """For a lab with subnets: what made by hand in them stops `cdk destroy`, and what names it."""
    if not any(
        isinstance(r, Mapping) and r.get("Type") == "AWS::EC2::Subnet"
        for r in template.get("Resources", {}).values()
    ):
        return []
    return [
        "`cdk destroy` 전에 지웁니다: 실습의 서브넷에 손으로 만든 인스턴스나 네트워크 인터페이스가 "
        "남아 있으면 서브넷을 지울 수 없어 스택이 `DELETE_FAILED`로 끝납니다. 무엇이 막는지는 "
        f"`week5 cleanup --day Day{lab.day} --student <이름>`(기본은 확인만)이 이름으로 알려 줍니다.",
        "",
    ]


def page_screenshots(lab_id: str, folder: Path = SCREENSHOTS) -> List[Tuple[str, str]]:
    """(picture file, caption) of each screenshot the browser tests drew of ``lab_id``'s pages:
    ``<lab>-<page>.png`` beside ``<lab>-<page>.page.txt``, whose first line is ``# caption``."""
    shots = []
    for text in sorted(folder.glob(f"{lab_id}-*.page.txt")):
        caption = text.read_text(encoding="utf-8").splitlines()[0].removeprefix("# ").strip()
        shots.append((text.name.removesuffix(".page.txt") + ".png", caption))
    return shots


def _screenshot_section(screenshots: Sequence[Tuple[str, str]]) -> List[str]:
    if not screenshots:
        return []
    out = [
        "## 잘 되면 이렇게 보입니다",
        "",
        "브라우저로 출력의 주소를 열었을 때의 화면입니다 (테스트가 헤드리스 Chromium으로 같은 "
        "파일을 열어 그립니다). 내 화면과 비교해 보세요.",
        "",
    ]
    for picture, caption in screenshots:
        out += [f"**{caption}**", "", f"![{caption}](img/{picture})", ""]
    return out


def _names_note(lab, diagram: str) -> List[str]:
    """The names drawn are the default deployment's, as the console steps write them; a
    student's carry the student (``week5-day1-kim-vpc``), which the reader should expect."""
    prefix = f"week5-{lab.day_tag.lower()}-"
    if prefix not in diagram:
        return []
    return [
        f"그림과 표의 이름은 기본 배포(`{DEFAULT_STUDENT}`)의 것으로 강의의 콘솔 단계와 같습니다. "
        f"`-c student=<이름>`으로 배포하면 `{prefix}<이름>-vpc`처럼 이름에 학생 이름이 붙습니다 "
        "(한 계정을 여럿이 써도 겹치지 않게).",
        "",
    ]


def _listed_names_note(topology: Topology, template: Mapping[str, Any]) -> List[str]:
    """The diagram draws a Name tag or a construct path where the console's list shows another
    name (a student looked for the ALB ``week5-day5-backend-alb`` and the parameter
    ``CloudMart/DbEndpointParameter``): say so, and that the list below names each as listed."""
    resources = template.get("Resources", {})
    nodes = [n for v in topology.vpcs for s in v.subnets for n in s.nodes] + topology.outside
    tags: List[str] = []
    other = False
    for node in nodes:
        resource = resources.get(node.id)
        if not node.label or not isinstance(resource, Mapping):
            continue
        listed = console_name(node.id, dict(resource))
        if not listed.shown and listed.tag:
            tags += [] if node.label in tags else [node.label]
        other = other or not listed.shown or listed.name != node.label
    if not tags and not other:
        return []
    named = ", ".join(f"`{t}`" for t in tags)
    return [
        (f"그림의 이름 중 Name 태그인 것({named})은 콘솔 목록에 보이는 이름이 아닙니다. " if tags else "")
        + "콘솔 목록에서 그림과 다른 이름으로 보이는 것은 아래 \"무엇을 만드나\"에 그 이름이나 "
        "찾는 법을 적었습니다.",
        "",
    ]


def for_any_student(text: str) -> str:
    """``text`` of the instructor's template as every reader's own stack has it: the guide is
    rendered from ``week5-instructor-<lab>``, a student's names read ``week5-<name>-<lab>``
    (the key file ``KeyCommand`` writes, for one)."""
    return text.replace(f"week5-{DEFAULT_STUDENT}-", "week5-<이름>-")


def render_guide(
    lab,
    template: Mapping[str, Any],
    guide: LabGuide,
    cleanup,
    diagram: str,
    screenshots: Sequence[Tuple[str, str]] = (),
) -> str:
    """One lab's guide (Markdown, Korean). ``lab`` is a catalog ``Lab``; ``screenshots`` are
    :func:`page_screenshots` of it."""
    course = (
        "강의 자료에 없음" if lab.course_cost_usd is None else f"${lab.course_cost_usd:.2f}/시간"
    )
    outputs = template.get("Outputs", {})
    topology = extract(template)
    out = [
        f"# {lab.lab_id} — {lab.title_ko}",
        "",
        GENERATED,
        "",
        f"**목표**: {guide.goal} · **강의 비용**: {course} · **영문**: {lab.title_en}",
        "",
        "## 아키텍처",
        "",
        f"![{lab.lab_id} 아키텍처](img/{lab.lab_id}.svg)",
        "",
        "```text",
        diagram.rstrip("\n"),
        "```",
        "",
        *_names_note(lab, diagram),
        *_listed_names_note(topology, template),
        "## 무엇을 만드나",
        "",
        *[
            f"- {for_any_student(line)}"
            for line in _summary(topology, template, f"week5-{DEFAULT_STUDENT}-{lab.lab_id}")
        ],
        "",
        *_resource_table(template),
        "",
        "## 비용과 시간",
        "",
        *_cost_table(template, lab.course_cost_usd),
        "",
        "항목별 근거와 날짜: `week5 cost "
        + lab.lab_id
        + "`. 가격은 서울 리전 온디맨드, 프리 티어 없음. (추정): AWS 가격표로 아직 확인하지 "
        "않은 단가.",
        "",
        f"## {timing.LAB_SLOT_MINUTES}분 실습 시간",
        "",
        *_slot_table(guide, template),
        "",
        *_budget_section(guide, template),
        "## 콘솔 단계와 코드",
        "",
        *step_rows(guide),
        "",
        "## 배포, 확인, 삭제",
        "",
        "```bash",
        "# Windows: py scripts\\cdk.py ... (시작하기.md)",
        f"python3 scripts/cdk.py deploy {lab.lab_id} -c student=<이름>   "
        f"# 스택: week5-<이름>-{lab.lab_id}",
        f"python3 scripts/cdk.py destroy {lab.lab_id} -c student=<이름>",
        "```",
        "",
    ]
    if outputs:
        out += ["배포가 끝나면 출력(Outputs)으로 확인합니다:", ""]
        for key, output in outputs.items():
            description = for_any_student(output.get("Description") or "")
            out.append(f"- `{key}`" + (f": {description}" if description else ""))
        out.append("")
    out += _screenshot_section(screenshots)
    how = in_korean(cleanup[1])  # README's table is English; the guide is Korean
    out += [
        "## 손으로 지울 것",
        "",
        "`cdk destroy`는 스택이 만든 것을 모두 지웁니다 (과정 규칙 `Week5-*`가 합성할 때 확인).",
        f"실습 중 손으로 만들었다면: {guide.by_hand}",
        "",
        f"지우는 명령: {how}",
        "",
        *_blocks_destroy(lab, template),
        "남은 것 찾기: `aws resourcegroupstaggingapi get-resources --tag-filters "
        "Key=Student,Values=<이름> --region ap-northeast-2` (종료된 인스턴스와 삭제된 NAT "
        "게이트웨이는 한동안 이 목록에 남지만 비용이 없습니다; `week5 status`는 그것들을 빼고 "
        "보여 줍니다)",
        "",
    ]
    return "\n".join(out)


#: The English words around the commands in README's table of what to delete by hand, in the
#: guide's Korean (a student trial read "..., then `aws ...`" in a Korean guide). Commands
#: joined by ", then " are :data:`_THEN_RUN`'s.
_CONNECTIVES = (
    ("disable, then ", "비활성화(disable)한 다음 "),
    ("<the ETag the disabling returned>", "<비활성화 응답의 ETag>"),
    ("tagged: ", "Student 태그를 붙였다면: "),
    (" (it disables, waits and deletes); by hand: disable (",
     " (비활성화하고 기다린 뒤 지웁니다); 손으로는: 비활성화(disable) ("),
    ("its `DistributionConfig` with ", "그 `DistributionConfig`를 "),
    (" saved as `off.json`, ", "로 바꿔 `off.json`에 저장, "),
    ("<its ETag>", "<그 응답의 ETag>"),
    ("), then ", "), 이어서 "),
)  # fmt: skip
#: Commands in a row, each in backquotes, joined by ", then ".
_THEN_RUN = re.compile(r"`[^`]*`(?:, then `[^`]*`)+")


def in_korean(how: str) -> str:
    """A "Delete it with" cell of README's table in the guide's Korean: :data:`_CONNECTIVES`'
    words, and commands in a row as "`A`, 그다음 `B`" or "`A`, 이어서 `B`, 그다음 `C`" (a
    reviewer read Day1Lab2's "`A` 다음 `B` 다음 `C`" as clunky)."""
    for english, korean in _CONNECTIVES:
        how = how.replace(english, korean)

    def in_order(run: re.Match) -> str:
        first, *rest = run.group(0).split(", then ")
        joined = [f", {'그다음' if i == len(rest) - 1 else '이어서'} {c}" for i, c in enumerate(rest)]
        return first + "".join(joined)

    return _THEN_RUN.sub(in_order, how)


def render_index(labs: Sequence, templates: Mapping[str, Mapping[str, Any]]) -> str:
    rows = [
        "# Week 5 실습 가이드",
        "",
        GENERATED,
        "",
        "| 실습 | 제목 | 예상 $/시간 | 강의 $/시간 | 리소스 |",
        "|---|---|---|---|---|",
    ]
    for lab in labs:
        template = templates[lab.lab_id]
        est = pricing.estimate(template)
        course = "-" if lab.course_cost_usd is None else f"${lab.course_cost_usd:.2f}"
        count = sum(1 for r in template["Resources"].values() if r["Type"] != "AWS::CDK::Metadata")
        rows.append(
            f"| [{lab.lab_id}]({lab.lab_id}.md) | {lab.title_ko} | ${_per_hour(est.hourly)} | "
            f"{course} | {count} |"
        )
    estimates = [(lab.lab_id, pricing.estimate(templates[lab.lab_id])) for lab in labs]
    days = pricing.class_day_costs([(i, e.hourly, len(e.not_priced)) for i, e in estimates])
    return "\n".join(rows + ["", *_day_table(days)]) + "\n"


def _dollars(amount: float) -> str:
    return f"${amount:.2f}"


def _day_table(days: Sequence[Mapping[str, Any]]) -> List[str]:
    """The index's day costs: each day's class total (:func:`pricing.class_day_costs`) beside
    the course plan's "일별 예상 비용 (12명 기준)", the labs it sums, where it is above the plan,
    and the Session 4 case it leaves out (as `week5 labs` prints them)."""
    size = pricing.COURSE_CLASS_SIZE
    out = [
        f"## 하루 비용 ({size}명 반)",
        "",
        f"학생 {size}명이 그날의 Lab 1과 Lab 2(또는 Challenge)를 {pricing.LAB_MINUTES}분씩 배포한 "
        "예상 비용을 강의 계획의 \"일별 예상 비용 (12명 기준)\"과 비교합니다 (`week5 labs`가 같은 "
        "표를 출력).",
        "",
        f"| 날 | 합한 실습 | {size}명 합계 | 강의 계획 | 계획과 비교 | 합하지 않은 것 |",
        "|---|---|---|---|---|---|",
    ]
    for day in days:
        if day["course_usd"] is None:
            against = "-"
        elif day["over_usd"] > 0:
            against = f"**{_dollars(day['over_usd'])} 넘음**"
        else:
            against = "계획 안"
        if day["not_priced"]:
            against += f"; 가격 없는 리소스 {day['not_priced']}개는 합계에 없음"
        if not day["complete"]:
            against += "; 그날의 실습 일부만 합함"
        left_out = ", ".join(f"{c['lab']} {_dollars(c['class_usd'])}" for c in day["not_summed"])
        course = "-" if day["course_usd"] is None else _dollars(day["course_usd"])
        out.append(
            f"| {day['day']} | {' + '.join(day['labs']) or '-'} | "
            f"{_dollars(day['class_usd'])} | {course} | {against} | {left_out or '-'} |"
        )
    out += [
        "",
        "합하지 않은 것: Session 4 고객 사례는 오전의 이론 세션이라 강의 계획에서 학생이 배포하지 "
        "않습니다 (금액은 학생 모두가 배포했을 때 더해질 값).",
    ]
    return out


def generate(
    catalog,
    guides: Mapping[str, LabGuide],
    templates: Mapping[str, Dict[str, Any]],
    pictures: bool = True,
    out: Path = None,
    screenshots: Path = SCREENSHOTS,
) -> Dict[str, str]:
    """Every generated file under ``docs/labs/`` (relative path → text). With ``pictures``, the
    PNG and SVG are drawn into ``out/img`` as a side effect and their Graphviz sources returned.
    The browser tests' screenshots are read from ``screenshots``, not drawn here."""
    cleanup = manual_cleanup_rows()
    files: Dict[str, str] = {}
    labs = list(catalog)
    for lab in labs:
        template = templates[lab.lab_id]
        topology = extract(template)
        title = f"{lab.lab_id}: {lab.title_ko}"  # the guides are Korean; set-up installs a Hangul font
        diagram = render_text(topology, f"{lab.lab_id}")
        files[f"{lab.lab_id}.md"] = render_guide(
            lab,
            template,
            guides[lab.lab_id],
            cleanup[lab.lab_id],
            diagram,
            page_screenshots(lab.lab_id, screenshots),
        )
        files[f"img/{lab.lab_id}.txt"] = diagram
        if pictures:
            (out / "img").mkdir(parents=True, exist_ok=True)
            files[f"img/{lab.lab_id}.dot"] = render_picture(
                topology, out / "img" / lab.lab_id, title
            )
    files["index.md"] = render_index(labs, templates)
    return files


class OutFolderError(ValueError):
    """``--out`` names no folder the guides can be written into."""


#: Files that mark a folder as a CDK project's own (the project root): the guides are not
#: written among them, as ``week5 check -o`` keeps an assembly out of a folder of other files.
PROJECT_MARKERS = ("cdk.json", "app.py")


def out_folder(given: str, base: Path | None = None) -> Path:
    """The folder ``--out given`` names, checked before the templates are synthesized (that
    takes seconds a refusal should not cost): not empty, not a file, in a folder that exists
    (it is not made, as ``week5 diagram -o`` does not make one), not a project's own folder
    (one holding :data:`PROJECT_MARKERS`: the guides would land among its files), and one that
    can be written to. Raises :class:`OutFolderError` saying what is wrong and what to pass
    instead.

    ``base`` is the folder a relative ``given`` is taken from: the one the user ran
    ``scripts/docs`` in, which changes into the project root before it runs Python.

    @default ``base`` None: the current folder (``python -m stacks.guides``)."""
    quoted = shown(given, 160)
    if not given.strip():  # '' is the current folder: the guides among the project's files
        raise OutFolderError(
            f"--out {quoted}: give the folder to write the guides into, e.g. --out docs/labs"
        )
    try:
        folder = (Path(base) / given if base else Path(given)).resolve()
        if folder.exists() and not folder.is_dir():
            raise OutFolderError(
                f"--out {quoted}: {shown(str(folder), 160)} is a file; pass a folder for the "
                "guides, e.g. --out docs/labs"
            )
        if not folder.parent.is_dir():
            problem = "is not a folder" if folder.parent.exists() else "does not exist"
            raise OutFolderError(
                f"--out {quoted}: {shown(str(folder.parent), 160)} {problem}; make it first, or "
                "pass e.g. --out docs/labs"
            )
        marker = next((m for m in PROJECT_MARKERS if (folder / m).exists()), None)
        if folder.is_dir() and marker:
            raise OutFolderError(
                f"--out {quoted}: {shown(str(folder), 160)} holds a project's files ({marker}); "
                "pass a folder for the guides alone, e.g. --out docs/labs"
            )
        writable = folder if folder.is_dir() else folder.parent
        if not os.access(writable, os.W_OK | os.X_OK):
            raise OutFolderError(
                f"--out {quoted}: {shown(str(writable), 160)} cannot be written to; pass --out "
                "a folder you can write to"
            )
    except OutFolderError:
        raise
    # A folder name too long for the file system (OSError), a NUL byte (ValueError).
    except (OSError, ValueError) as error:
        why = getattr(error, "strerror", None) or error
        raise OutFolderError(f"--out {quoted}: not a usable path ({why})") from None
    return folder


def write_guides(
    catalog, guides, templates: Mapping[str, Dict[str, Any]], out: Path, pictures: bool = True
) -> List[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generate(catalog, guides, templates, pictures=pictures, out=out).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
