"""`week5 diagram`: the course's box style from a template (golden for Day1Lab2), and pictures."""

import base64
import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import diagrams
import pytest
from support import ROOT

from week5.analysis.diagram import render_picture, render_text
from week5.analysis.topology import extract

GOLDEN = Path(__file__).resolve().parent / "golden" / "day1_lab2_diagram.txt"
#: Where `diagrams` is installed: its icons are under resources/.
INSTALL = Path(diagrams.__file__).resolve().parent.parent
ICON = re.compile(r'image="([^"]+)"')  # a node's icon in the Graphviz source
HREF = ("href", "{http://www.w3.org/1999/xlink}href")
PNG = "data:image/png;base64,"


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


@pytest.fixture(scope="module")
def drawn(app, tmp_path_factory):
    """Day4Lab1 drawn twice, into two folders: (source, folder) for each."""
    topology = extract(app.templates["Day4Lab1"])
    folders = [tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")]
    return [
        (render_picture(topology, folder / "Day4Lab1", "Day4Lab1"), folder) for folder in folders
    ]


def test_picture_is_drawn_with_a_stable_source(drawn):
    (first, folder), (second, _) = drawn
    assert first == second  # node ids and install paths do not depend on the run
    assert (folder / "Day4Lab1.png").stat().st_size > 10_000
    assert (folder / "Day4Lab1.svg").read_text().startswith("<?xml")
    assert 'label="VPC week5-day4-vpc\n10.0.0.0/16"' in first
    assert "Public subnets, across AZs" in first and "elb-application-load-balancer" in first


def test_the_same_topology_draws_byte_identical_files(drawn):
    """Else every `scripts/docs` run shows all the pictures as changed."""
    (_, first), (_, second) = drawn
    for name in ("Day4Lab1.svg", "Day4Lab1.png"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def icon_files(source: str):
    """The icon file of each node in the Graphviz source, in the order of the source."""
    return [Path(path.replace("<diagrams>", str(INSTALL))) for path in ICON.findall(source)]


def svg_links(svg: str):
    """The link of each ``<image>`` of ``svg`` in document order, and every link in it."""
    root = ElementTree.fromstring(svg)
    links = [
        value for element in root.iter() for key, value in element.attrib.items() if key in HREF
    ]
    images = root.findall(".//svg:image", {"svg": "http://www.w3.org/2000/svg"})
    return [image.attrib[HREF[1]] for image in images], links


def decoded(link: str) -> bytes:
    assert link.startswith(PNG), link[:80]
    return base64.b64decode(link[len(PNG) :])


def test_the_svg_carries_its_icons_and_names_no_file(drawn):
    """A path into this machine's virtualenv shows no icon on GitHub or in a clone: each icon
    is inside the SVG, the very bytes of the node's icon file."""
    (source, folder), _ = drawn
    svg = (folder / "Day4Lab1.svg").read_text(encoding="utf-8")
    images, links = svg_links(svg)
    icons = icon_files(source)
    assert len(icons) == 8 and len(images) == len(icons)
    assert links and all(link.startswith(("data:", "#")) for link in links)
    assert "site-packages" not in svg and str(ROOT) not in svg
    shown = sorted(decoded(link) for link in images)
    assert shown == sorted(path.read_bytes() for path in icons)


#: Each ``<image>`` of the SVG: how many of its pixels the SVG shown as an ``<img>`` (as GitHub
#: shows it, loading no outside file) paints otherwise than the same SVG without its images.
PAINTED = """async ({ full, bare }) => {
  const load = (text) => new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("the SVG does not load as an image"));
    img.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(text)));
  });
  const [withIcons, without] = [await load(full), await load(bare)];
  const width = withIcons.naturalWidth, height = withIcons.naturalHeight;
  const pixels = (img) => {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0, width, height);
    return context.getImageData(0, 0, width, height).data;
  };
  const [a, b] = [pixels(withIcons), pixels(without)];
  const svg = new DOMParser().parseFromString(full, "image/svg+xml").documentElement;
  svg.style.width = width + "px";
  svg.style.height = height + "px";
  document.body.style.margin = "0";
  document.body.replaceChildren(svg);
  return [...svg.querySelectorAll("image")].map((image) => {
    const box = image.getBoundingClientRect();
    let painted = 0;
    for (let y = Math.ceil(box.top); y < Math.floor(box.bottom); y++) {
      for (let x = Math.ceil(box.left); x < Math.floor(box.right); x++) {
        const at = (y * width + x) * 4;
        if ([0, 1, 2, 3].some((channel) => a[at + channel] !== b[at + channel])) painted++;
      }
    }
    return { painted, area: Math.floor(box.width) * Math.floor(box.height) };
  });
}"""


def test_a_browser_shows_every_icon_of_the_svg(drawn, page):
    """Chromium shows the SVG as an <img>, as GitHub does: every icon paints pixels in its box
    (a spacer's blank icon paints none)."""
    (_, folder), _ = drawn
    full = (folder / "Day4Lab1.svg").read_text(encoding="utf-8")
    bare = re.sub(r"<image\b[^>]*/>", "", full)
    boxes = page.evaluate(PAINTED, {"full": full, "bare": bare})
    images, _ = svg_links(full)
    assert len(boxes) == len(images) == 8
    blank = (INSTALL / "resources" / "generic" / "blank" / "blank.png").read_bytes()
    icons = [decoded(link) for link in images]
    assert 0 < icons.count(blank) < len(icons)
    for box, icon in zip(boxes, icons):
        if icon == blank:
            assert box["painted"] == 0, box
        else:  # the thinnest AWS icons here (users, Auto Scaling) paint a fifth of their box
            assert box["painted"] > box["area"] // 10, box


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


def _refused_before_synthesis(monkeypatch, capsys, args):
    """``week5 diagram`` with ``args``: its exit code and stderr lines; it must stop before
    synthesizing (a synthesis would fail the test)."""
    import week5.cli.diagram as diagram_cli
    from week5.cli import main

    def no_synthesis(*_args, **_kwargs):
        raise AssertionError("synthesized before refusing")

    monkeypatch.setattr(diagram_cli, "synthesized_lab", no_synthesis)
    code = main(["diagram", "Day2Lab2", "--format", "picture", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def test_a_picture_without_the_diagrams_package_is_one_line_before_synthesis(
    monkeypatch, capsys
):
    """The student set-up installs neither `diagrams` nor Graphviz: it was a traceback."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "diagrams" else real(name, *a)
    )
    code, out, err = _refused_before_synthesis(monkeypatch, capsys, [])
    assert (code, out) == (2, "")
    assert err == [
        "week5: --format picture needs the diagrams package and Graphviz, which scripts/setup "
        "installs (the student set-up does not); drop --format picture for the text diagram"
    ]


def test_a_picture_without_graphviz_or_into_a_missing_folder_is_one_line(
    monkeypatch, capsys, tmp_path
):
    import week5.cli.diagram as diagram_cli

    code, _, err = _refused_before_synthesis(
        monkeypatch, capsys, ["-o", str(tmp_path / "missing" / "site")]
    )
    assert code == 2 and err == [
        f"week5: -o {str(tmp_path / 'missing' / 'site')!r}: {str(tmp_path / 'missing')!r} "
        "does not exist; make it first, or pass e.g. -o docs/x"
    ]
    monkeypatch.setattr(diagram_cli.shutil, "which", lambda name: None)
    code, _, err = _refused_before_synthesis(monkeypatch, capsys, [])
    assert code == 2 and len(err) == 1 and "needs Graphviz (no `dot` on PATH)" in err[0]


@pytest.mark.parametrize(
    "output, says",
    [
        ("", "give a file path without extension"),
        (" ", "give a file path without extension"),
        ("{tmp}/", "give a file path without extension"),
        ("{tmp}", "give a file path without extension"),  # an existing folder
        ("{tmp}/" + "a" * 300, "not a usable file name"),
        ("a" * 100_000, "not a usable file name"),
        ("{tmp}/two\nlines", "not a usable file name"),
        ("{tmp}/" + "b" * 300 + "/x", "not a usable path (File name too long)"),
        ("{tmp}/taken", "taken.svg' is a folder; pass another path"),  # a traceback, PNG written
    ],
)
def test_picture_paths_that_cannot_be_written_are_one_line(
    monkeypatch, capsys, tmp_path, output, says
):
    (tmp_path / "taken.svg").mkdir()
    code, out, err = _refused_before_synthesis(
        monkeypatch, capsys, ["-o", output.replace("{tmp}", str(tmp_path))]
    )
    assert (code, out, len(err)) == (2, "", 1) and says in err[0], err
    assert len(err[0]) < 300  # a pasted 100,000 characters are not echoed


def test_a_picture_the_folder_refuses_is_one_line(app, monkeypatch, capsys):
    """A hostile trial: `-o /proc/x` (a folder that takes no new files, as root too) was a
    FileNotFoundError traceback after the drawing."""
    from week5.cli import main

    code = main(["diagram", "Day2Lab2", "--assembly", str(app.outdir), "--format", "picture",
                 "-o", "/proc/x"])  # fmt: skip
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    (line,) = captured.err.splitlines()
    assert line.startswith("week5: cannot write '/proc/x") and "pass -o a path in a folder" in line


def test_text_refuses_an_output_path(monkeypatch, capsys):
    from week5.cli import main

    assert main(["diagram", "Day1Lab1", "-o", "x"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "week5: -o 'x': -o is for --format picture"
    ]


def test_a_picture_never_touches_the_file_at_its_path(app, tmp_path):
    """`diagrams` writes its Graphviz source to the path it is given and deletes it: given the
    user's path, `-o /etc/passwd` deleted /etc/passwd. Only <path>.png and <path>.svg change."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    render_picture(extract(app.templates["Day2Lab2"]), victim, "t")
    assert victim.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "victim.txt", "victim.txt.png", "victim.txt.svg"
    ]


def test_a_resource_drawn_in_several_subnets_is_said_to_be_one(app):
    """Day3Lab2's one-node cache sits in both private subnets of its subnet group: a student read
    it as two caches."""
    text = render_text(extract(app.templates["Day3Lab2"]), "Day3Lab2")
    assert text.count("[ElastiCache Cache (redis cache.t3.micro × 1)]") == 2
    tail = text.split("One resource each, drawn in every subnet it may use:\n", 1)[1]
    assert tail.splitlines()[0] == (
        "  ElastiCache Cache: week5-day3-private-subnet-a, week5-day3-private-subnet-b"
    )
    one_subnet = render_text(extract(app.templates["Day1Lab1"]), "Day1Lab1")
    assert "drawn in every subnet" not in one_subnet


def test_cdks_own_functions_are_not_drawn_as_the_labs(app):
    """Day5Lab1's AwsCustomResource singleton (id AWS679f53fa...) was drawn and listed as a
    Lambda of the lab; CDK's Custom:: providers never were."""
    text = render_text(extract(app.templates["Day5Lab1"]), "Day5Lab1")
    assert "AWS679f53fac002430cb0da5b7982bd2287" not in text
    assert "AWS679f53fac002430cb0da5b7982bd2287" in json.dumps(app.templates["Day5Lab1"])
