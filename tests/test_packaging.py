"""A pip-installed week5 carries every file its constructs read from Path(__file__)."""

import fnmatch
import subprocess
import tomllib

from support import ROOT


def glob_match(path: str, pattern: str) -> bool:
    """setuptools' glob: ``*`` stays within one folder."""
    parts, wanted = path.split("/"), pattern.split("/")
    return len(parts) == len(wanted) and all(map(fnmatch.fnmatch, parts, wanted))


def test_every_data_file_of_the_library_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["week5"]
    tracked = subprocess.run(
        ["git", "ls-files", "week5"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    missing = []
    for path in tracked:
        relative = path.removeprefix("week5/")
        folder = (ROOT / path).parent
        is_module = path.endswith(".py") and (folder / "__init__.py").is_file()
        if not is_module and not any(glob_match(relative, p) for p in patterns):
            missing.append(path)
    assert missing == [], "add these to [tool.setuptools.package-data] in pyproject.toml"


#: A CDK app of someone else's: two of the course's constructs, from the installed wheel.
TWO_CONSTRUCT_APP = """
import json, sys
import aws_cdk as cdk
from week5.assets import COMPOSE_DIR
from week5.constructs import DockerHost, MultiAzVpc

app = cdk.App(outdir=sys.argv[1])
stack = cdk.Stack(app, "Blog", env=cdk.Environment(region="ap-northeast-2"))
net = MultiAzVpc(stack, "Net")
DockerHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0],
           compose_file=COMPOSE_DIR / "wordpress.yml")
template = app.synth().get_stack_by_name("Blog").template
print(json.dumps(sorted({r["Type"] for r in template["Resources"].values()})))
"""


def test_the_wheel_installs_into_a_fresh_venv_and_synthesizes_an_app(tmp_path):
    """`pip install` of the wheel brings aws-cdk-lib, constructs and cdk-nag (pyproject's
    ranges, resolved to requirements.txt's pins), and an app outside this checkout builds a VPC
    and a Docker host from it, compose file included."""
    import json
    import os
    import sys

    import shutil

    # Build from a copy: pip builds in the source tree, and this one's build/ is not the test's.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "week5", source / "week5",
        ignore=shutil.ignore_patterns("node_modules", "__pycache__", "*.pyc"),
    )
    shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    wheels = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    [wheel] = wheels.glob("week5_cdk-*.whl")
    venv = tmp_path / "venv"
    # This venv's pip installs into the fresh one (--python): it needs no pip of its own
    # (ensurepip's copy took 3.3 s of CPU here, and installing through it 1.5 s more; 2026-11-28).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
         "--disable-pip-version-check", "--no-compile", "-c", str(ROOT / "requirements.txt"),
         str(wheel)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    (tmp_path / "app.py").write_text(TWO_CONSTRUCT_APP)
    env = {**os.environ, "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    # Without CDK's CloudFormation validation, which changes no template (the session's app of
    # every lab runs it on the labs these constructs build): the app took 6.9 s of CPU with it
    # and 3.0 s without (/usr/bin/time on the installed venv's python app.py, 2026-11-28).
    env["CDK_VALIDATION"] = "false"
    run = subprocess.run(
        [str(python), "app.py", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    types = json.loads(run.stdout.strip().splitlines()[-1])
    assert {"AWS::EC2::VPC", "AWS::EC2::NatGateway", "AWS::EC2::Instance"} <= set(types)
    where = subprocess.run(
        [str(python), "-c", "import week5; print(week5.__file__)"],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=True,
    ).stdout
    assert str(venv) in where  # the wheel's copy, not this checkout's
