"""The command line's one table renderer: columns line up in a terminal, Hangul included."""

import unicodedata

import pytest

from week5.cli.table import GREEN, RED, RESET, Painted, pad, render_table


def columns(text: str) -> int:
    """Terminal columns, counted independently of the renderer."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def starts(line: str, cell: str) -> int:
    """The terminal column where ``cell`` (the last one of that text) starts in ``line``."""
    return columns(line[: line.rindex(cell)])


def test_pad_counts_terminal_columns():
    assert pad("멀티", 6) == "멀티  "
    assert pad("멀티", 6, ">") == "  멀티"
    assert pad("ab", 4, ">") == "  ab"
    assert pad("toolong", 3) == "toolong"  # never cut


def test_hangul_titles_keep_later_columns_in_line():
    rows = [
        ("Day1Lab1", "VPC & EC2 기본 구성", "$0.10"),
        ("Day1Case", "고객 사례 - 블로그 플랫폼 아키텍처", "-"),
        ("Day4Lab1", "ALB + ASG 구성", "$0.30"),
    ]
    lines = render_table(rows, ("Lab", "Title", "Course $/h")).splitlines()
    assert len(lines) == 2 + len(rows)
    cost_column = {
        starts(line, cell)
        for line, cell in zip(lines, ["Course $/h", "", "$0.10", "-", "$0.30"])
        if cell
    }
    assert len(cost_column) == 1, lines
    # The widest title is 34 columns (26 characters): the column is that wide, plus the gap.
    assert cost_column == {len("Day1Lab1") + 2 + 34 + 2}


def test_header_is_underlined_column_by_column():
    lines = render_table([("a", "bbbb")], ("Lab", "T")).splitlines()
    assert lines == ["Lab  T", "---  ----", "a    bbbb"]


def test_lines_carry_no_trailing_spaces():
    text = render_table([("x", ""), ("longer", "y")], ("A", "B"))
    assert all(line == line.rstrip() for line in text.splitlines())
    assert text.splitlines()[2] == "x"


def test_right_alignment_minimum_widths_indent_and_gap():
    rows = [("EC2 instance", "i-1", "$0.0130/h"), ("VPC", "vpc-1", "not priced")]
    text = render_table(rows, align="<<>", min_widths=(0, 6, 12), indent="  ", gap=" ")
    assert text.splitlines() == [
        "  EC2 instance i-1       $0.0130/h",
        "  VPC          vpc-1    not priced",
    ]


def test_a_cell_wider_than_its_minimum_widens_the_whole_column():
    """An Elastic IP's allocation id (26 characters) against a minimum of 24: every row moves,
    so the next column stays in line."""
    rows = [("EIP", "eipalloc-0123456789abcdef0", "x"), ("VPC", "vpc-1", "y")]
    lines = render_table(rows, min_widths=(0, 24)).splitlines()
    assert starts(lines[0], "x") == starts(lines[1], "y") == 3 + 2 + 26 + 2


def test_painted_cells_are_padded_as_their_text_then_coloured():
    rows = [("Day1Lab1", Painted("ok", GREEN)), ("Day1Case", Painted("1 not priced", RED))]
    lines = render_table(rows, ("Lab", "Verdict")).splitlines()
    assert lines[0] == "Lab       Verdict"
    assert lines[2] == f"Day1Lab1  {GREEN}ok          {RESET}"
    assert lines[3] == f"Day1Case  {RED}1 not priced{RESET}"


def test_markdown_rows_are_unpadded():
    text = render_table(
        [("`Day1Lab1`", "full"), ("`Day9`", "no (멀티)")], ("Lab", "Deploys"), markdown=True
    )
    assert text == "| Lab | Deploys |\n|---|---|\n| `Day1Lab1` | full |\n| `Day9` | no (멀티) |"


@pytest.mark.parametrize("header", [None, ("A",)])
def test_nothing_to_show(header):
    expected = "" if header is None else "A\n-"
    assert render_table([], header) == expected
