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
