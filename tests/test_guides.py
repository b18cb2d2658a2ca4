"""docs/labs/: the generated lab guides and pictures are what the templates say today."""

import re
from pathlib import Path

import pytest

from stacks.catalog import CATALOG
from stacks.guides import GUIDES
from week5.analysis.guide import format_minutes as minutes_text
from week5.analysis.guide import generate

DOCS = Path(__file__).resolve().parent.parent / "docs" / "labs"


@pytest.fixture(scope="module")
def generated(app, tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    return generate(CATALOG, GUIDES, templates=app.templates, pictures=True, out=out), out


def test_every_lab_has_a_guide_and_a_picture(generated):
    files, out = generated
    for lab_id in CATALOG.ids:
        assert f"{lab_id}.md" in files and f"img/{lab_id}.dot" in files
        assert (out / "img" / f"{lab_id}.png").is_file()
        assert (DOCS / "img" / f"{lab_id}.png").is_file()
        assert (DOCS / "img" / f"{lab_id}.svg").is_file()
    assert set(GUIDES) == set(CATALOG.ids)
    assert all(guide.goal and guide.steps and guide.by_hand for guide in GUIDES.values())


def test_the_committed_guides_are_not_stale(generated):
    """Fails when a template, the guide data or the README's clean-up table changed and
    `scripts/docs` was not run."""
    files, _ = generated
    stale = [
        name
        for name, text in files.items()
        if not (DOCS / name).is_file() or (DOCS / name).read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"run scripts/docs; stale: {stale}"


def test_a_guide_maps_the_console_steps_and_says_what_to_clean(generated):
    files, _ = generated
    guide = files["Day1Lab2.md"]
    assert guide.startswith("# Day1Lab2 — 멀티 AZ 네트워크")
    assert "![Day1Lab2 아키텍처](img/Day1Lab2.svg)" in guide
    assert "SSH(22)만 | 15분 | `BastionPair(" in guide  # Step 2's row, with its minutes
    assert "| Step 2.4: Bastion 통해 Private 접근 테스트 | (Step 2의 15분 안) |" in guide
    assert "`BastionPair(" in guide
    assert "$0.135 (강의 자료: $0.15)" in guide
    assert "aws ec2 delete-nat-gateway" in guide  # the README's command for the lab
    # README's English around the commands, in Korean (a student trial: "..., then `aws ...`")
    delete_lines = [line for f in files.values() for line in f.splitlines()
                    if line.startswith("지우는 명령:")]  # fmt: skip
    assert delete_lines and not [line for line in delete_lines if " then " in line]
    # AWS refuses release-address while the gateway is deleting (AuthFailure, about a minute):
    # three commands in order, read as "A, 이어서 B, 그다음 C" (not "A 다음 B 다음 C")
    assert (
        "지우는 명령: `aws ec2 delete-nat-gateway --nat-gateway-id nat-...`, 이어서 "
        "`aws ec2 wait nat-gateway-deleted --nat-gateway-ids nat-...`, 그다음 "
        "`aws ec2 release-address --allocation-id eipalloc-...`\n"
    ) in guide
    # README's placeholder in English, in Korean: the ETag the disabling returned; and the wait
    # (AWS refuses the delete until the disabled distribution is deployed: a trial); how to
    # disable it (a trial found no command for it), and the cleanup that does it all
    assert (
        "지우는 명령: Student 태그를 붙였다면: `.venv/bin/week5 cleanup --day Day2 --student <name> "
        "--apply` (비활성화하고 기다린 뒤 지웁니다); 손으로는: 비활성화(disable) "
        "(`aws cloudfront get-distribution-config --id ...`, 그 `DistributionConfig`를 "
        '`"Enabled": false`로 바꿔 `off.json`에 저장, `aws cloudfront update-distribution --id ... '
        "--distribution-config file://off.json --if-match <그 응답의 ETag>`), 이어서 "
        "`aws cloudfront wait distribution-deployed --id ...`"
        ", 그다음 `aws cloudfront delete-distribution --id ... --if-match <비활성화 응답의 ETag>`;"
    ) in files["Day2Lab2.md"]
    assert not [line for line in delete_lines if "<the " in line or "` 다음 `" in line]
    assert not [line for line in delete_lines if re.search(r"\b(then|by hand|its|with)\b", line)]
    assert "콘솔에서 만든 NAT 게이트웨이" in guide
    # a student trial: after destroy the tagging API still listed terminated instances
    assert "종료된 인스턴스와 삭제된 NAT 게이트웨이는 한동안 이 목록에 남지만" in guide
    # The student's launcher (시작하기.md), which Windows runs too; scripts/cdk is bash.
    assert "python3 scripts/cdk.py deploy Day1Lab2 -c student=<이름>" in guide
    assert "scripts/cdk deploy" not in guide and "py scripts\\cdk.py" in guide
    assert "| Step 2: Bastion Host | 15분 |" in guide and "| 합계 | 50분 |" in guide
    assert "| 생성 (`cdk deploy`) | " in guide and "| 생성과 삭제를 빼고 남는 시간 | " in guide
    index = files["index.md"]
    assert all(f"[{lab_id}]({lab_id}.md)" in index for lab_id in CATALOG.ids)


def test_each_guide_shows_the_course_minutes_and_what_cloudformation_takes(generated, app):
    """The course's steps with their minutes as the course plan gives them, and CloudFormation's
    create and delete time out of the 50-minute slot with what is left."""
    import re

    from week5.analysis import timing

    files, _ = generated
    for lab_id, guide in GUIDES.items():
        text = files[f"{lab_id}.md"]
        section = text.split("## 50분 실습 시간")[1].split("\n## ")[0]
        for step, minutes in guide.course_steps:
            assert f"| {step} | {minutes}분 |" in section, (lab_id, step)
        if guide.course_steps:
            assert sum(m for _, m in guide.course_steps) == timing.LAB_SLOT_MINUTES, lab_id
        took = timing.estimate_duration(app.templates[lab_id])
        create, delete = minutes_text(took.create_min), minutes_text(took.delete_min)
        assert f"| 생성 (`cdk deploy`) | {create} |" in section, lab_id
        assert f"| 삭제 (`cdk destroy`) | {delete} |" in section, lab_id
        # The guide's parts add up to its 50 minutes: each is rounded before it is subtracted.
        left = round(
            timing.LAB_SLOT_MINUTES - round(took.create_min, 1) - round(took.delete_min, 1), 1
        )
        assert re.search(
            r"\| 생성과 삭제를 빼고 남는 시간 \| "
            + (re.escape(minutes_text(left)) if left >= 0 else "없음")
            + r"[ |(]",
            section,
        ), lab_id
        assert "-0분" not in section, lab_id
        # The console-step rows: the first row of course step N shows step N's minutes.
        minutes = {int(step.split()[1].rstrip(":")): m for step, m in guide.course_steps}
        shown = set()
        for step, _ in guide.steps:
            number = re.match(r"Step (\d+)\b", step)
            if number and int(number.group(1)) in minutes and int(number.group(1)) not in shown:
                n = int(number.group(1))
                assert f"| {step} | {minutes[n]}분 |" in text, (lab_id, step)
                shown.add(n)
    labs_with_steps = {k for k, g in GUIDES.items() if g.course_steps}
    # Every lab and challenge (the course times them); the Session 4 case studies are not timed.
    assert labs_with_steps == {k for k in GUIDES if "Case" not in k}
    day1 = files["Day1Lab1.md"]
    assert "| Step 1: VPC 생성 | 15분 |" in day1 and "| Step 4: 접속 및 확인 | 5분 |" in day1


@pytest.mark.parametrize("how, korean", [
    ("`a`, then `b`", "`a`, 그다음 `b`"),
    ("`a`, then `b`, then `c`", "`a`, 이어서 `b`, 그다음 `c`"),
    ("`a`, then `b`, then `c`, then `d`", "`a`, 이어서 `b`, 이어서 `c`, 그다음 `d`"),
    # each run of its own: "; " separates what to delete, not steps of one deletion
    ("`a`, then `b`; `c`, then `d`", "`a`, 그다음 `b`; `c`, 그다음 `d`"),
    ("`a`; `b`", "`a`; `b`"),
    ("disable, then `x --if-match <the ETag the disabling returned>`",
     "비활성화(disable)한 다음 `x --if-match <비활성화 응답의 ETag>`"),
])  # fmt: skip
def test_readmes_delete_commands_read_in_korean_order(how, korean):
    """README's "Delete it with" cells as the guides show them: a reviewer read Day1Lab2's three
    steps as "`A` 다음 `B` 다음 `C`"."""
    from week5.analysis.guide import in_korean

    assert in_korean(how) == korean


def test_a_guide_shows_the_browser_tests_screenshots_under_their_captions(tmp_path):
    from week5.analysis.guide import page_screenshots

    (tmp_path / "Day9Lab1-shop.page.txt").write_text("# 상품 목록\n- main\n", encoding="utf-8")
    (tmp_path / "Day9Lab1-order.page.txt").write_text("# 주문 완료\n- main\n", encoding="utf-8")
    (tmp_path / "Day9Lab10-shop.page.txt").write_text("# 다른 실습\n", encoding="utf-8")
    shots = page_screenshots("Day9Lab1", tmp_path)
    assert shots == [("Day9Lab1-order.png", "주문 완료"), ("Day9Lab1-shop.png", "상품 목록")]
    assert page_screenshots("Day9Lab2", tmp_path) == []


def test_a_guide_names_the_readers_own_files_not_the_instructors(generated):
    """The guides are rendered from the instructor's templates; a student following Day1Lab2's
    KeyCommand gets week5-<name>-Day1Lab2-SshKey.pem, so that is what the guide says."""
    files, _ = generated
    assert "SSH 키를 week5-<이름>-Day1Lab2-SshKey.pem 파일에 저장" in files["Day1Lab2.md"]
    guides = {name: text for name, text in files.items() if name.endswith(".md")}
    assert [name for name, text in guides.items() if "week5-instructor-" in text] == []


def test_a_guide_says_its_names_are_the_default_deployments(generated):
    """The diagram's `week5-day1-vpc` is the instructor's; kim's VPC is `week5-day1-kim-vpc`."""
    files, _ = generated
    assert "`-c student=<이름>`으로 배포하면 `week5-day1-<이름>-vpc`처럼" in files["Day1Lab2.md"]



@pytest.mark.parametrize("command, header, count", [
    ("check", "Course $/h  Resources", r"\s(\d+)\s+(?:pass|FAIL)\s"),  # before cdk-nag's verdict
    ("labs", "Res.  Est $/h", r"\s(\d+)\s+\$\d+\.\d+\s"),  # before the estimate
])  # fmt: skip
def test_the_readmes_catalog_tables_count_the_resources_the_templates_have(
    app, command, header, count
):
    """README's pasted `week5 check` and `week5 labs` outputs go stale when a lab's resources
    change (Day2Lab1 read 43 there while it had 45)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in readme.split("```") if header in b]
    found = {
        line.split()[0]: int(re.search(count, line).group(1))
        for line in block.splitlines()
        if line.split()[:1] and line.split()[0] in app.templates  # a lab's row, not a day's
    }
    expected = {
        lab_id: sum(1 for r in t["Resources"].values() if r["Type"] != "AWS::CDK::Metadata")
        for lab_id, t in app.templates.items()
    }
    assert found == expected, f"stale: paste `week5 {command}` into README.md"


def test_a_guide_marks_the_unit_prices_week5_cost_calls_unverified(generated, app):
    """A student trial read Day3Lab2's cache.t3.micro 0.026 as a checked price while `week5 cost`
    called it an unverified estimate: the guide marks each such unit price (추정)."""
    from week5.analysis.pricing import estimate

    files, _ = generated
    marked = 0
    for lab_id in GUIDES:
        costs = files[f"{lab_id}.md"].split("## 비용과 시간")[1].split("\n## ")[0]
        unverified = [i for i in estimate(app.templates[lab_id]).items
                      if i.unit_price is not None and "unverified" in i.basis.lower()]
        assert costs.count(" (추정) |") == len(unverified), lab_id
        marked += len(unverified)
    assert marked and "| 0.026 (추정) |" in files["Day3Lab2.md"]
    assert "(추정): AWS 가격표로 아직 확인하지 않은 단가." in files["Day3Lab2.md"]


def test_a_guide_with_subnets_says_what_made_by_hand_stops_destroy(generated, app):
    """A student re-trial: a hand-made instance in a lab subnet left the stack DELETE_FAILED and
    no guide said so or where to look: each lab with subnets names it and `week5 cleanup`."""
    files, _ = generated
    for lab_id in GUIDES:
        text = files[f"{lab_id}.md"].split("## 손으로 지울 것")[1].split("\n## ")[0]
        has_subnets = any(r["Type"] == "AWS::EC2::Subnet"
                          for r in app.templates[lab_id]["Resources"].values())  # fmt: skip
        day = lab_id[3]
        said = f"`week5 cleanup --day Day{day} --student <이름>`" in text and "DELETE_FAILED" in text
        assert said == has_subnets, lab_id
    assert "DELETE_FAILED" not in files["Day2Lab2.md"]


#: The plan's timed steps of each lab and challenge (week5-course-rules.md: `Step N: 제목 (M분)`),
#: copied here so that a checkout without ../shared still checks the guides; the copy is
#: checked against the plan where it is.
PLAN_STEPS = {
    "Day1Lab1": (("VPC 생성", 15), ("Security Group 생성", 10), ("EC2 인스턴스 생성", 20),
                 ("접속 및 확인", 5)),
    "Day1Lab2": (("Multi-AZ VPC", 20), ("Bastion Host", 15), ("웹 서버 배포", 10),
                 ("리소스 정리", 5)),
    "Day2Lab1": (("EBS 볼륨 생성", 15), ("스냅샷 & 복구", 20), ("EFS 공유 스토리지", 10),
                 ("리소스 정리", 5)),
    "Day2Lab2": (("S3 버킷 생성", 15), ("CloudFront 배포", 25), ("성능 테스트", 5),
                 ("리소스 정리", 5)),
    "Day3Lab1": (("RDS 인스턴스 생성", 20), ("데이터베이스 연결", 20), ("백업 & 복원", 5),
                 ("리소스 정리", 5)),
    "Day3Lab2": (("ElastiCache 클러스터", 15), ("캐싱 로직 구현", 25), ("세션 스토어", 5),
                 ("리소스 정리", 5)),
    "Day4Lab1": (("Launch Template", 10), ("ALB 생성", 15), ("Auto Scaling Group", 20),
                 ("리소스 정리", 5)),
    "Day4Challenge": (("아키텍처 설계", 10), ("인프라 구축", 30), ("장애 테스트", 5),
                      ("리소스 정리", 5)),
    "Day5Lab1": (("네트워크 구성", 10), ("데이터베이스 배포", 15), ("애플리케이션 배포", 20),
                 ("검증", 5)),
    "Day5Challenge": (("아키텍처 설계", 10), ("인프라 구축", 30), ("검증 & 최적화", 5),
                      ("리소스 정리", 5)),
}  # fmt: skip


def plan_heading(lab_id: str) -> str:
    """The plan's ``#### `` heading of a lab or challenge: ``Lab 1: <제목> (14:00-14:50)``."""
    lab = CATALOG.get(lab_id)
    kind = f"Lab {lab.kind[3:]}" if lab.kind.startswith("Lab") else lab.kind
    slot = "14:00-14:50" if lab.kind == "Lab1" else "15:00-15:50"
    return f"{kind}: {lab.title_ko} ({slot})"


def plan_timed_steps(lab_id: str):
    """The ``Step N: 제목 (M분)`` lines of the lab's section of the plan, in its order."""
    from lab_outputs import plan_section

    found = re.findall(
        r"^Step (\d+): (.+?) \((\d+)분\)\s*$", plan_section(plan_heading(lab_id)), flags=re.M
    )
    return [(int(n), title, int(minutes)) for n, title, minutes in found]


def test_each_guides_course_steps_are_the_plans_number_title_and_minutes():
    """A course-step audit: swapping Day3Lab2's 15 and 25 minutes passed (only the sum was
    checked), and five labs' tests listed their step numbers by hand. Each guide's
    ``course_steps`` is the plan's steps, one for one: number, title and minutes, in order; and
    every ``Step N`` its console rows name is one of them."""
    from lab_outputs import COURSE_PLAN

    timed = {lab_id for lab_id, guide in GUIDES.items() if guide.course_steps}
    assert timed == set(PLAN_STEPS)
    for lab_id in sorted(timed):
        expected = [(n, title, m) for n, (title, m) in enumerate(PLAN_STEPS[lab_id], start=1)]
        if COURSE_PLAN.exists():
            assert plan_timed_steps(lab_id) == expected, f"{lab_id}: the plan changed"
        given = []
        for step, minutes in GUIDES[lab_id].course_steps:
            match = re.fullmatch(r"Step (\d+): (.+)", step)
            assert match, (lab_id, step)
            given.append((int(match.group(1)), match.group(2), minutes))
        assert given == expected, lab_id
        numbers = {n for n, _, _ in expected}
        for step, _ in GUIDES[lab_id].steps:
            number = re.match(r"Step (\d+)", step)
            assert not number or int(number.group(1)) in numbers, (lab_id, step)


@pytest.mark.parametrize("lab_id", ["Day3Lab1", "Day5Lab1"])
def test_a_guide_whose_deploy_outlasts_step_1_says_what_to_do_while_it_runs(app, lab_id):
    """A course-step audit: Day3Lab1's `cdk deploy` (about 21 minutes) outlasts Step 1's 20, and
    Day5Lab1's (about 26) builds Steps 1-3 at once; neither guide said what a student does
    while it runs. Its Step 1 row says: deploy at once, what to look at in the console meanwhile,
    and that the next hands-on step waits for the end."""
    from week5.analysis import timing

    guide = GUIDES[lab_id]
    took = timing.estimate_duration(app.templates[lab_id]).create_min
    first = guide.course_steps[0][1]
    assert took > first, (lab_id, took)  # the reason for the text below
    (step_1,) = [code for step, code in guide.steps if step.startswith("Step 1:")]
    said = step_1.split("배포가 도는 동안:", 1)
    assert len(said) == 2, f"{lab_id}: Step 1 says nothing of the time the deploy takes"
    assert f"Step 1의 {first}분보다 길" in said[1] and "시작하자마자" in said[1]
    assert "콘솔" in said[1] and said[1].endswith("배포가 끝난 뒤")


def test_day2_lab1s_guide_says_what_to_snapshot_compare_and_when_the_mount_command_appears():
    """A student trial: Step 2's "EBS 스냅샷 생성" had no command, hello.txt came from nowhere
    and `RestoredMountCommand` was named but missing from the outputs list."""
    (code,) = [code for step, code in GUIDES["Day2Lab1"].steps if step.startswith("Step 2:")]
    assert "`SnapshotCommand`" in code and "Key=Week,Value=Week5" in code
    assert "부팅 스크립트가 첫 부팅 때 /data/hello.txt에" in code
    assert "`sha256sum /data/hello.txt /restored/hello.txt`" in code
    assert "그 배포의 출력에 `RestoredMountCommand`가 생깁니다 (처음 배포의 출력 목록에는 없음)" in code


def test_day3_lab1s_guide_restores_what_it_deletes_after_the_restore():
    """A course-step audit: DeleteSnapshotCommand said "복원을 확인한 뒤" and the clean-up named
    a restored database, but no step restored one."""
    rows = dict(GUIDES["Day3Lab1"].steps)
    # Not a row of Step 3 (the guide would say "Step 3의 5분 안"): the restore takes longer.
    restore = rows["선택: 백업 & 복원 — 스냅샷에서 새 DB로 복원 (Step 3의 5분 밖)"]
    assert "`RestoreDbCommand`" in restore and "`RestoredDbEndpointCommand`" in restore
    assert "5분 안에 끝나지 않고" in restore and "$0.03/시간" in restore
    assert "`DeleteRestoredDbCommand`" in rows["Step 4: 리소스 정리"]
    assert "DELETE_FAILED" in rows["Step 4: 리소스 정리"]
