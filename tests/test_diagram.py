"""`week5 diagram`: the course's box style from a template (golden for Day1Lab2), and pictures."""

import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

from week5.analysis.diagram import render_picture, render_text
from week5.analysis.topology import extract

GOLDEN = Path(__file__).resolve().parent / "golden" / "day1_lab2_diagram.txt"


@pytest.fixture(scope="module")
def day1_lab2(app):
    return render_text(extract(app.templates["Day1Lab2"]), "Day1Lab2")


def test_day1_lab2_text_diagram_is_the_golden_one(day1_lab2):
    assert day1_lab2 == GOLDEN.read_text(encoding="utf-8")


def test_day1_lab2_shows_the_course_diagram(day1_lab2):
    """Four subnets with CIDRs and AZs, the NAT gateway in Public-A, the bastion and the host."""
    lines = day1_lab2.splitlines()
    row = next(i for i, line in enumerate(lines) if "Public 10.0.1.0/24" in line)
    assert "AZ-A (ap-northeast-2a)" in lines[row - 1] and "AZ-B (ap-northeast-2b)" in lines[row - 1]
    assert "Public 10.0.2.0/24" in lines[row]
    private = next(i for i, line in enumerate(lines) if "Private 10.0.11.0/24" in line)
    assert "Private 10.0.12.0/24" in lines[private] and private > row
    public_a = [line.split("│  ┌")[0] for line in lines[row : private - 1]]
    assert any("[NAT Gateway]" in line for line in public_a)
    assert any("week5-day1-bastion (t3.micro)" in line for line in public_a)
    private_a = [line.split("│  ┌")[0] for line in lines[private:]]
    assert any("[EC2 week5-day1-private (t3.micro)]" in line for line in private_a)
    assert "  EC2 week5-day1-bastion → EC2 week5-day1-private (port 22)" in lines
    assert "VPC week5-day1-vpc (10.0.0.0/16)" in day1_lab2 and "Internet Gateway" in day1_lab2


def test_every_box_line_is_as_wide_as_its_box(app):
    for lab_id, template in app.templates.items():
        text = render_text(extract(template), lab_id)
        box = [line for line in text.splitlines() if line.startswith(("┌", "│", "└"))]
        assert len({len(line) for line in box}) == 1, lab_id


def test_picture_is_drawn_with_a_stable_source(app, tmp_path):
    topology = extract(app.templates["Day4Lab1"])
    first = render_picture(topology, tmp_path / "a", "Day4Lab1")
    second = render_picture(topology, tmp_path / "b", "Day4Lab1")
    assert first == second  # random node ids and install paths are normalised
    assert (tmp_path / "a.png").stat().st_size > 10_000
    assert (tmp_path / "a.svg").read_text().startswith("<?xml")
    assert 'label="VPC week5-day4-vpc\n10.0.0.0/16"' in first
    assert "Public subnets, across AZs" in first and "elb-application-load-balancer" in first


def week5(*args):
    return subprocess.run(
        [sys.executable, "-m", "week5", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_the_command_draws_text_and_pictures(app, tmp_path):
    text = week5("diagram", "Day1Lab2", "--assembly", str(app.outdir))
    assert text.returncode == 0, text.stderr
    assert text.stdout == render_text(
        extract(app.templates["Day1Lab2"]), "Day1Lab2: 멀티 AZ 네트워크"
    )
    picture = week5(
        "diagram",
        "Day2Lab2",
        "--assembly",
        str(app.outdir),
        "--format",
        "picture",
        "-o",
        str(tmp_path / "site"),
    )
    assert picture.returncode == 0, picture.stderr
    assert (tmp_path / "site.png").is_file() and (tmp_path / "site.svg").is_file()


def test_the_pictures_have_a_font_with_hangul():
    """Graphviz renders the guides' Korean titles only with a Hangul font (else boxes):
    scripts/setup installs one (fonts-noto-cjk)."""
    families = subprocess.run(
        ["fc-list", ":lang=ko", "family"], capture_output=True, text=True, check=True
    ).stdout
    assert families.strip(), "no font with Hangul: run scripts/setup (fonts-noto-cjk)"
