"""The package's folders are its layers, and imports flow one way through them.

``week5`` ← ``stacks`` ← ``app.py``; inside ``week5``, each layer imports only the layers
below it. Lazy imports inside functions count: they are imports all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "week5"

#: Lowest first. A module may import its own layer and those before it.
LAYERS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("core", ("week5.core",)),
    ("template analysis", ("week5.analysis",)),
    # Synthesis support (cdk-nag wiring, tagging, the app builder) is below the constructs,
    # which acknowledge their findings through it.
    ("CDK synthesis", ("week5.synth",)),
    ("CDK constructs", ("week5.constructs",)),
    ("AWS operations", ("week5.operations",)),
    ("command line", ("week5.cli", "week5.__main__")),
)
#: Shipped to AWS as they are (demo apps, Lambda code): they stand alone, outside the layers;
#: ``week5.assets`` itself only names their folders.
STANDALONE = "week5.assets"
#: Third-party packages a layer must not import, and why.
FORBIDDEN = {
    "core": ("aws_cdk", "constructs", "cdk_nag", "jsii", "boto3", "botocore", "moto"),
    # JSON in, JSON or text out: usable on any template, from any tool, without Node or AWS.
    "template analysis": ("aws_cdk", "constructs", "cdk_nag", "jsii", "boto3", "botocore", "moto"),
    # What runs during `cdk synth` never calls AWS.
    "CDK synthesis": ("boto3", "botocore", "moto"),
    "CDK constructs": ("boto3", "botocore", "moto"),
    # Operations talk to AWS; they synthesize through the CDK CLI, not in-process.
    "AWS operations": ("aws_cdk", "constructs", "cdk_nag", "jsii"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    if module == STANDALONE:
        return 0  # folder paths only: any layer may ask where an asset is
    for index, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{module} is in no layer: add its folder to LAYERS")


def imports(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, module) for every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            yield node.lineno, base
            for alias in node.names:  # `from week5.analysis import pricing` imports a module
                yield node.lineno, f"{base}.{alias.name}"


def library_modules() -> List[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "node_modules" not in p.parts)


def _is_week5_module(name: str) -> bool:
    if not (name == "week5" or name.startswith("week5.")):
        return False
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def violations() -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {"upward": [], "third-party": [], "stacks": []}
    for path in library_modules():
        module = module_name(path)
        if module == "week5" or module.startswith(STANDALONE + "."):
            continue
        own = layer_of(module)
        own_name = LAYERS[own][0]
        where = f"{path.relative_to(ROOT)}"
        for line, name in imports(path):
            top = name.split(".")[0]
            if top in ("stacks", "app", "instructor_app"):
                found["stacks"].append(f"{where}:{line} imports {name}")
            if top in FORBIDDEN.get(own_name, ()):
                found["third-party"].append(f"{where}:{line} ({own_name}) imports {name}")
            if _is_week5_module(name) and name != "week5":
                theirs = layer_of(name)
                if theirs > own:
                    found["upward"].append(
                        f"{where}:{line} ({own_name}) imports {name} ({LAYERS[theirs][0]})"
                    )
    return found


@pytest.fixture(scope="module")
def found():
    return violations()


def test_no_layer_imports_a_layer_above_it(found):
    assert found["upward"] == []


def test_layers_keep_to_their_dependencies(found):
    """Template analysis imports neither aws_cdk nor boto3; synthesis never calls AWS."""
    assert found["third-party"] == []


def test_the_library_never_imports_the_stacks_or_the_apps(found):
    assert found["stacks"] == []


def test_the_shipped_apps_stand_alone():
    """The demo apps run on lab hosts, where no week5 package is installed."""
    for path in (PACKAGE / "assets").rglob("*.py"):
        if "node_modules" in path.parts or path.name == "__init__.py":
            continue
        named = [name for _, name in imports(path) if name.split(".")[0] == "week5"]
        assert named == [], f"{path.relative_to(ROOT)} imports {named}"


#: What a lab's stack must not import: the apps above it, what talks to AWS (a stack is built
#: during `cdk synth`, which never calls AWS), and the library's layers that do.
STACKS_FORBIDDEN = ("app", "instructor_app", "boto3", "botocore", "moto")
STACKS_FORBIDDEN_LAYERS = ("week5.operations", "week5.cli")


def test_stacks_import_only_the_library_below_aws_and_each_other():
    for path in sorted((ROOT / "stacks").glob("*.py")):
        for line, name in imports(path):
            assert name.split(".")[0] not in STACKS_FORBIDDEN, f"{path.name}:{line}: {name}"
            assert not any(
                name == layer or name.startswith(layer + ".") for layer in STACKS_FORBIDDEN_LAYERS
            ), f"{path.name}:{line}: {name}"


def test_every_folder_of_the_package_is_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    named = {prefix.split(".")[1] for _, prefixes in LAYERS for prefix in prefixes}
    named.add(STANDALONE.split(".")[1])
    assert folders <= named, f"folders in no layer: {sorted(folders - named)}"


def test_the_check_itself_finds_an_upward_import(tmp_path, monkeypatch):
    """A layer importing one above it is caught (the test is not vacuous)."""
    fake = tmp_path / "week5" / "analysis"
    fake.mkdir(parents=True)
    (tmp_path / "week5" / "operations").mkdir()
    (tmp_path / "week5" / "operations" / "cleanup.py").write_text("")
    (fake / "bad.py").write_text("from week5.operations import cleanup\nimport boto3\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "week5")
    found = violations()
    assert found["upward"] == [
        "week5/analysis/bad.py:1 (template analysis) imports week5.operations.cleanup "
        "(AWS operations)"
    ]
    assert found["third-party"] == ["week5/analysis/bad.py:2 (template analysis) imports boto3"]
