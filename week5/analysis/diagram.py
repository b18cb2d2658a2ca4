"""Draw a lab's architecture from its synthesized template (see :mod:`week5.analysis.topology`).

:func:`render_text` draws the course's own box style (region, VPC with CIDR, one column per AZ,
public and private subnets with CIDRs and what runs in them, the internet gateway, what sits
outside the VPC) and lists the traffic paths under it, for terminals and Markdown.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Dict, List, Sequence

from week5.analysis.topology import INTERNET, Subnet, Topology


def width(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def box(lines: Sequence[str], inner: int = 0) -> List[str]:
    """``lines`` in a box, padded to ``inner`` columns (or the widest line)."""
    inner = max([inner] + [width(line) for line in lines])
    out = ["┌" + "─" * (inner + 2) + "┐"]
    out += [f"│ {line}{' ' * (inner - width(line))} │" for line in lines]
    out.append("└" + "─" * (inner + 2) + "┘")
    return out


def side_by_side(blocks: Sequence[List[str]], gap: int = 2) -> List[str]:
    """Blocks next to each other, top-aligned; shorter ones padded with blank lines."""
    widths = [max((width(line) for line in block), default=0) for block in blocks]
    height = max((len(block) for block in blocks), default=0)
    rows = []
    for index in range(height):
        cells = []
        for block, block_width in zip(blocks, widths):
            line = block[index] if index < len(block) else ""
            cells.append(line + " " * (block_width - width(line)))
        rows.append((" " * gap).join(cells).rstrip())
    return rows


def az_label(az: str) -> str:
    return f"AZ-{az[-1].upper()} ({az})" if az and az != "?" else "AZ ?"


def subnet_lines(subnet: Subnet) -> List[str]:
    lines = [az_label(subnet.az), f"{subnet.tier} {subnet.cidr}", subnet.name]
    return lines + [f" [{node.text}]" for node in subnet.nodes]


def render_text(topology: Topology, title: str = "") -> str:
    """The course's box diagram, then one line per traffic path."""
    region_lines: List[str] = []
    for vpc in topology.vpcs:
        azs = vpc.azs
        cells: Dict[tuple, List[Subnet]] = {}
        for subnet in vpc.subnets:
            cells.setdefault((subnet.tier, subnet.az), []).append(subnet)
        column_width = {
            az: max(
                width(line)
                for subnet in vpc.subnets
                if subnet.az == az
                for line in subnet_lines(subnet)
            )
            for az in azs
        }
        grid: List[str] = []
        for tier in ("Public", "Private"):
            columns = []
            for az in azs:
                stack: List[str] = []
                for subnet in cells.get((tier, az), []):
                    stack += box(subnet_lines(subnet), column_width[az])
                columns.append(stack or [" " * (column_width[az] + 4)])
            if any(cells.get((tier, az)) for az in azs):
                grid += side_by_side(columns)
        vpc_lines = [f"VPC {vpc.name} ({vpc.cidr})", *grid]
        if vpc.internet_gateway:
            vpc_lines.append("Internet Gateway")
        region_lines += box(vpc_lines)
    if topology.outside:
        region_lines.append("Outside the VPC:")
        by_kind: Dict[str, List[str]] = {}
        for node in topology.outside:
            by_kind.setdefault(node.kind, []).append(node.label)
        region_lines += [f"  [{kind}] {', '.join(labels)}" for kind, labels in by_kind.items()]
    heading = f"AWS Cloud ({topology.region})" + (f" - {title}" if title else "")
    lines = box([heading, *region_lines])
    spanning = _spanning_lines(topology)
    if spanning:
        # Drawn in each subnet it may use (a subnet group's, an ALB's), a one-node cache read as
        # two (a student's trial).
        lines += ["", "One resource each, drawn in every subnet it may use:"]
        lines += [f"  {line}" for line in spanning]
    paths = [_path_line(topology, edge) for edge in topology.edges]
    if paths:
        lines += ["", "Traffic:"] + [f"  {line}" for line in paths]
    return "\n".join(lines) + "\n"


def _spanning_lines(topology: Topology) -> List[str]:
    """A line per node that sits in more than one subnet: its kind, label and those subnets."""
    lines = []
    for vpc in topology.vpcs:
        spans: Dict[str, List[Subnet]] = {}
        nodes = {}
        for subnet in vpc.subnets:
            for node in subnet.nodes:
                spans.setdefault(node.id, []).append(subnet)
                nodes[node.id] = node
        for node_id, subnets in spans.items():
            if len(subnets) > 1:
                node = nodes[node_id]
                names = ", ".join(subnet.name for subnet in subnets)
                lines.append(f"{f'{node.kind} {node.label}'.strip()}: {names}")
    return lines


def _path_line(topology: Topology, edge: tuple) -> str:
    src, dst, label = edge

    def name(node_id: str) -> str:
        if node_id == INTERNET:
            return INTERNET
        node = topology.node(node_id)
        return f"{node.kind} {node.label}".strip() if node else node_id

    port = label[:1].isdigit() or label in ("all", "?")
    suffix = f" (port {label})" if port else f" ({label})"
    return f"{name(src)} → {name(dst)}{suffix}"


# ---- pictures: the same topology with AWS's icons, through `diagrams` and Graphviz ----

#: The icon of each node kind (module, class in ``diagrams.aws``).
ICONS = {
    "EC2": ("compute", "EC2"),
    "NAT instance": ("compute", "EC2"),
    "Auto Scaling": ("compute", "EC2AutoScaling"),
    "NAT Gateway": ("network", "NATGateway"),
    "ALB": ("network", "ElbApplicationLoadBalancer"),
    "CloudFront": ("network", "CloudFront"),
    "API Gateway": ("network", "APIGateway"),
    "RDS": ("database", "RDS"),
    "RDS replica": ("database", "RDS"),
    "ElastiCache": ("database", "ElastiCache"),
    "EFS": ("storage", "EFS"),
    "EBS": ("storage", "ElasticBlockStoreEBSVolume"),
    "Lambda": ("compute", "Lambda"),
    "S3": ("storage", "S3"),
    "Secrets Manager": ("security", "SecretsManager"),
    "WAF": ("security", "WAF"),
    "SNS": ("integration", "SNS"),
    "EventBridge Scheduler": ("integration", "Eventbridge"),
    "CloudWatch": ("management", "Cloudwatch"),
    "Parameter Store": ("management", "SystemsManagerParameterStore"),
    "Internet": ("general", "Users"),
    "Internet Gateway": ("network", "InternetGateway"),
}

_GRAPH = {"fontsize": "20", "pad": "0.4", "nodesep": "0.9", "ranksep": "0.9", "splines": "spline"}
_NODE = {"fontsize": "11"}
_EDGE = {"fontsize": "10"}


def render_picture(topology: Topology, stem, title: str, formats=("png", "svg")) -> str:
    """Draw ``topology`` to ``<stem>.png`` and ``<stem>.svg``; return the Graphviz source with
    its install paths made stable (what a staleness test compares).

    The same topology gives byte-identical files: nodes are numbered in the order they are drawn
    (``diagrams`` would name them with random uuids, which Graphviz writes into the SVG). The
    SVG carries its icons as data URIs, so it shows them on GitHub and in any browser.

    Clusters nest region, VPC, AZ and subnet. A node in one subnet sits in that subnet; a node
    that spans subnets (an ALB, an Auto Scaling group, a database or cache in its subnet group)
    sits once in the VPC, with the subnets it spans in its label, so each edge has one end.
    """
    with tempfile.TemporaryDirectory(prefix="week5-diagram-") as folder:
        # `diagrams` writes its Graphviz source to ``filename`` and deletes it after rendering:
        # given the user's path, it destroyed whatever file was there (-o /etc/passwd did).
        drawn_at = Path(folder) / "picture"
        source = _draw(topology, drawn_at, title, formats)
        for fmt in formats:
            target = Path(f"{stem}.{fmt}")
            data = (drawn_at.parent / f"picture.{fmt}").read_bytes()
            if fmt == "svg":
                data = embed_images(data.decode("utf-8")).encode("utf-8")
            target.write_bytes(data)
    return source


def _draw(topology: Topology, stem: Path, title: str, formats) -> str:
    """:func:`render_picture`'s drawing, into ``stem.<format>`` (a private folder's)."""
    import importlib
    import itertools

    import diagrams
    from diagrams import Cluster, Diagram, Edge

    serial = itertools.count(1)

    def next_id() -> str:
        return f"n{next(serial)}"

    def draw(kind: str, label: str):
        """``kind``'s icon with ``label``, in the cluster being drawn."""
        module, name = ICONS.get(kind, ("general", "General"))
        return getattr(importlib.import_module(f"diagrams.aws.{module}"), name)(
            label, nodeid=next_id()
        )

    drawn = {}
    with Diagram(
        title,
        filename=str(stem),
        outformat=list(formats),
        show=False,
        direction="TB",
        graph_attr=_GRAPH,
        node_attr=_NODE,
        edge_attr=_EDGE,
    ) as picture:
        internet = draw("Internet", "Internet")
        drawn["Internet"] = internet
        with Cluster(f"AWS Cloud ({topology.region})"):
            for vpc in topology.vpcs:
                spans: Dict[str, List[Subnet]] = {}
                for subnet in vpc.subnets:
                    for node in subnet.nodes:
                        spans.setdefault(node.id, []).append(subnet)
                with Cluster(f"VPC {vpc.name}\n{vpc.cidr}"):
                    if vpc.internet_gateway:
                        drawn[f"{vpc.id}/igw"] = draw("Internet Gateway", "Internet Gateway")
                    for az in vpc.azs:
                        with Cluster(az_label(az)):
                            for subnet in (s for s in vpc.subnets if s.az == az):
                                with Cluster(f"{subnet.tier} {subnet.cidr}\n{subnet.name}"):
                                    for node in subnet.nodes:
                                        if len(spans[node.id]) == 1:
                                            drawn[node.id] = draw(node.kind, _node_label(node))
                                    if not any(len(spans[n.id]) == 1 for n in subnet.nodes):
                                        _spacer(next_id())
                    # Nodes that span subnets, grouped by the subnets they span.
                    groups: Dict[tuple, List] = {}
                    for node_id, subnets in spans.items():
                        if len(subnets) > 1:
                            node = next(n for n in subnets[0].nodes if n.id == node_id)
                            groups.setdefault(tuple(subnets_key(subnets)), []).append(node)
                    for key, nodes in groups.items():
                        tiers = sorted({tier for tier, _ in key}, reverse=True)
                        cidrs = ", ".join(cidr for _, cidr in key)
                        with Cluster(f"{' + '.join(tiers)} subnets, across AZs\n{cidrs}"):
                            for node in nodes:
                                drawn[node.id] = draw(node.kind, _node_label(node))
            outside: Dict[str, List] = {}
            for node in topology.outside:
                outside.setdefault(node.kind, []).append(node)
            if outside:
                with Cluster("Outside the VPC"):
                    for kind, nodes in outside.items():
                        if len(nodes) == 1:
                            drawn[nodes[0].id] = draw(kind, _node_label(nodes[0]))
                        else:  # one icon per kind: twelve parameters are one idea
                            shared = draw(kind, f"{kind} × {len(nodes)}")
                            for node in nodes:
                                drawn[node.id] = shared
        # Traffic from the internet into a VPC enters through its gateway; NATs leave by it.
        gateway_of = {}
        for vpc in topology.vpcs:
            igw = drawn.get(f"{vpc.id}/igw")
            if igw is None:
                continue
            internet >> Edge(color="gray40") >> igw
            for subnet in vpc.subnets:
                for node in subnet.nodes:
                    gateway_of[node.id] = igw
                    if node.kind in ("NAT Gateway", "NAT instance") and node.id in drawn:
                        (
                            drawn[node.id]
                            >> Edge(label="egress", style="dashed", color="gray50")
                            >> igw
                        )
        for src, dst, label in topology.edges:
            if dst not in drawn:
                continue
            start = drawn.get(src) if src != INTERNET else gateway_of.get(dst, internet)
            if start is not None:
                style = "solid" if label[:1].isdigit() or label == "all" else "dashed"
                start >> Edge(label=label, color="darkgreen", style=style) >> drawn[dst]
        source = picture.dot.source
    return source.replace(str(Path(diagrams.__file__).parent.parent), "<diagrams>")


#: An SVG ``<image>``'s reference; Graphviz writes the icon's file path there.
_IMAGE_HREF = re.compile(r'(<image\b[^>]*?\b(?:xlink:)?href=")([^"]*)(")')


def embed_images(svg: str) -> str:
    """``svg`` with each ``<image>`` file path replaced by the file as a ``data:`` URI: a path
    into this machine's virtualenv shows nothing on GitHub, in a clone or in a browser's
    ``<img>`` (which loads no outside files from an SVG)."""

    def inline(match: re.Match) -> str:
        href = html.unescape(match.group(2))
        if href.startswith(("data:", "#")):
            return match.group(0)
        path = Path(href)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"{match.group(1)}data:{mime};base64,{data}{match.group(3)}"

    return _IMAGE_HREF.sub(inline, svg)


def subnets_key(subnets) -> List[tuple]:
    return [(s.tier, s.cidr) for s in subnets]


def _node_label(node) -> str:
    """Kind, the last two parts of its name, detail: short enough not to collide."""
    name = "/".join(node.label.split("/")[-2:])
    label = f"{node.kind}\n{name}" if name else node.kind
    detail = node.detail
    if len(detail) > 22:  # two short lines, so neighbours' labels do not touch
        detail = detail.replace(" ", "\n", 1)
    return label + (f"\n{detail}" if detail else "")


def _spacer(node_id: str) -> None:
    """An empty subnet still shows as a box: Graphviz drops empty clusters."""
    from diagrams.generic.blank import Blank

    Blank("", nodeid=node_id, width="0.3", height="0.3")
