"""docs/labs/: the generated lab guides and pictures are what the templates say today."""

from pathlib import Path

import pytest

from stacks.catalog import CATALOG
from stacks.guides import GUIDES
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
    assert "| Step 2: Bastion Host" in guide and "`BastionPair(" in guide
    assert "$0.135 (강의 자료: $0.15)" in guide
    assert "aws ec2 delete-nat-gateway" in guide  # the README's command for the lab
    assert "콘솔에서 만든 NAT 게이트웨이" in guide
    assert "scripts/cdk deploy Day1Lab2 -c student=<이름>" in guide
    index = files["index.md"]
    assert all(f"[{lab_id}]({lab_id}.md)" in index for lab_id in CATALOG.ids)
