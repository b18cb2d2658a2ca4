"""Synthesized cloud assemblies kept in ``<project>/.week5-cache/``, reused while nothing that
decides the templates has changed.

``cdk synth`` pays about 2.5 s of fixed start-up (the CLI, Python, the jsii kernel) plus about
0.6 s per lab, every time. A command on the same inputs as an earlier one reads the assembly
that synthesis wrote instead. An entry is a plain cloud assembly (``manifest.json`` and the
templates) in a folder named by the sha256 of the inputs, :func:`assembly_key`:

- the project's sources, read in full (237 files, 1.9 MB; the whole key takes 7 to 12 ms with
  the files in the page cache on 2 shared cores): ``app.py``, ``cdk.json`` (the app command and
  the feature flags), ``cdk.context.json`` (``week5 init --student``'s name, and any context a
  user wrote there), and every file under ``stacks/`` and ``week5/``: the stacks, the
  constructs, the rules that gate the synthesis, and the assets the constructs read or upload
  (compose files, the demo apps, the sites, the Lambda code). One that cannot be read (a
  symlink loop, no read permission) counts by its name and the error. Not
  ``__pycache__`` (compiled from what is hashed) nor the demo apps' ``node_modules``, which no
  asset takes (``exclude=["node_modules"]``; pyproject's package-data leaves them out too);
- the user's ``~/.cdk.json``: the CLI adds its context to every app's;
- the context given on the command line, ``labs=`` included, in its order;
- the Python that runs ``app.py`` (the first ``python`` on the synth's PATH, and this
  interpreter's version) and every distribution installed for it, by name and version (the
  ``*.dist-info`` folder names: 1 ms, where reading each one's metadata takes 160 ms). That
  covers aws-cdk-lib, constructs, cdk-nag, jsii and the ``aws-cdk.asset-*`` packages whose
  Lambda layers the labs bundle; any other install also misses once, which is the safe side;
- the Node toolchain from ``node_modules``: the CDK CLI's and Node's versions;
- environment variables that CDK, jsii, Python's imports or the project's own synthesis read:
  ``CDK_*``, ``JSII_*``, ``PYTHONPATH``, ``WEEK5_*``. Not credentials or ``AWS_REGION``: every
  lab sets its region from context and leaves its account to deploy time (``week5.synth.lab``),
  so no template depends on them. Not ``CDK_VALIDATION`` either: CDK's CloudFormation validation
  only checks the templates (they are byte for byte the same with it and without), so the entry
  records whether it ran (:data:`RECORD_FILE`) instead. A command that validates never takes an
  entry that did not (it synthesizes afresh and the validated assembly replaces it); a command
  that only reads the templates takes either.

An input outside that list (a system library, say) is what ``--no-cache`` is for: it synthesizes
afresh and the new assembly replaces the entry.

Entries are written whole or not at all: a synthesis writes into a ``tmp-*`` folder in the
cache and is renamed to its key when it succeeds, so a reader never sees half an assembly, and
two commands storing one key at once both end with a complete entry (the second keeps the
first's). A failed synthesis stores nothing. The newest :data:`KEEP_ENTRIES` entries, by last
use, are kept. An entry is read-only for its callers: one that writes into an assembly
(``cdk deploy`` leaves zips and locks there) takes a copy (:func:`working_copy`).

A damaged cache gives one line and a fresh synthesis, not a failed command: an entry whose
manifest, or a JSON file it names for a stack (a template, an asset manifest, a metadata file),
cannot be read is synthesized afresh and replaced (:func:`week5.cli.synthesis.cached_synthesis`
says so in one line; the assets themselves, zips and folders, are not read), anything else
under a key's name is removed when the entry is stored, a cache that fails midway (a full disk)
synthesizes into a temporary folder, and a cache the user cannot write in still answers from
its entries.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from week5.cli.errors import reason

#: The cache's folder in the project (git-ignored).
CACHE_DIR = ".week5-cache"
#: Entries kept, newest use first: a full assembly and a handful of one-lab ones.
KEEP_ENTRIES = 8
#: An entry's folder name: its key, a sha256 in hex (:func:`key_for`).
ENTRY_NAME = re.compile(r"[0-9a-f]{64}")
#: A ``tmp-*`` folder this old is a synthesis that died; pruning removes it.
STALE_STAGING_S = 3600.0
#: Bumped when what goes into the key changes, so an older entry never answers.
KEY_VERSION = b"week5-assembly-cache 1\n"

#: Project files and folders whose contents decide the templates (see the module docstring).
SOURCE_FILES = ("app.py", "cdk.json", "cdk.context.json")
SOURCE_FOLDERS = ("stacks", "week5")
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules"})
#: Node packages whose versions decide the synthesis: the CLI, and the Node it runs on.
NODE_PACKAGES = ("aws-cdk", "node")
ENV_PREFIXES = ("CDK_", "JSII_", "WEEK5_")
ENV_NAMES = ("PYTHONPATH",)
#: Read by the synthesis but not in the key: the entry records it (see the module docstring).
ENV_RECORDED = ("CDK_VALIDATION",)
#: In each entry, beside the assembly (CDK reads only the files its manifest names): how it was
#: synthesized, ``{"cdk_validation": true}`` when CDK's CloudFormation validation ran.
RECORD_FILE = "week5-synthesis.json"


def cache_dir(root: Path) -> Path:
    return root / CACHE_DIR


def source_files(root: Path) -> Iterator[Path]:
    """The project's files that decide the templates, in a fixed order."""
    for name in SOURCE_FILES:
        yield root / name
    for folder in SOURCE_FOLDERS:
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_FOLDERS)
            for name in sorted(filenames):
                if not name.endswith(".pyc"):
                    yield Path(dirpath) / name


def installed_distributions(paths: Iterable[str]) -> List[str]:
    """``name-version.dist-info`` (and ``.egg-info``) folder names on ``paths``, sorted."""
    found = set()
    for entry in paths:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip, or a path that does not exist
            continue
        found.update(n for n in names if n.endswith((".dist-info", ".egg-info")))
    return sorted(found)


def node_versions(root: Path) -> List[str]:
    """``package@version`` of the pinned Node tools (``absent`` when not installed)."""
    versions = []
    for package in NODE_PACKAGES:
        manifest = root / "node_modules" / package / "package.json"
        try:
            version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError):
            version = "absent"
        versions.append(f"{package}@{version}")
    return versions


def project_state(
    root: Path,
    *,
    python: str = "python",
    environ: Optional[Mapping[str, str]] = None,
    sys_path: Optional[Sequence[str]] = None,
) -> bytes:
    """The digest of every input but the command's context (the module docstring lists them
    and says why): computed once, then combined with each context :func:`key_for` tries.

    ``python`` is what runs ``app.py`` (the first ``python`` on the synthesis's PATH);
    ``environ`` and ``sys_path`` default to this process's."""
    environ = os.environ if environ is None else environ
    digest = hashlib.sha256(KEY_VERSION)

    def add(label: str, value: bytes) -> None:
        # Length-prefixed, so no two different input lists hash alike.
        digest.update(f"{label}\0{len(value)}\0".encode("utf-8", "surrogateescape"))
        digest.update(value)

    for path in source_files(root):
        name = path.relative_to(root).as_posix()
        try:
            add(f"file:{name}", path.read_bytes())
        except FileNotFoundError:  # cdk.context.json appears with `week5 init`
            add(f"no file:{name}", b"")
        except OSError as error:
            # A symlink loop, a file without read permission: a marker, not a traceback for
            # every command (the synthesis says what it makes of the file); the key still
            # changes when the file becomes readable.
            add(f"unreadable:{name}:{error.errno}", b"")
    user_config = Path.home() / ".cdk.json"
    try:
        add("user cdk.json", user_config.read_bytes() if user_config.is_file() else b"")
    except OSError as error:
        add(f"unreadable:~/.cdk.json:{error.errno}", b"")
    add("python", f"{python}\n{sys.version}".encode("utf-8", "surrogateescape"))
    for name in installed_distributions(sys.path if sys_path is None else sys_path):
        add("distribution", name.encode("utf-8", "surrogateescape"))
    for version in node_versions(root):
        add("node package", version.encode())
    for name in sorted(environ):
        if name in ENV_RECORDED:
            continue
        if name.startswith(ENV_PREFIXES) or name in ENV_NAMES:
            add(f"env:{name}", environ[name].encode("utf-8", "surrogateescape"))
    return digest.digest()


def key_for(state: bytes, context: Sequence[str]) -> str:
    """The entry's name (sha256, hex) for a synthesis with ``context`` (``labs=`` included, in
    the order given) on the inputs ``state`` summarizes."""
    digest = hashlib.sha256(state)
    for item in context:
        value = item.encode("utf-8", "surrogateescape")
        digest.update(f"context\0{len(value)}\0".encode())
        digest.update(value)
    return digest.hexdigest()


def assembly_key(root: Path, context: Sequence[str], **state_inputs) -> str:
    """:func:`key_for` ``context`` on the project's :func:`project_state`."""
    return key_for(project_state(root, **state_inputs), context)


def was_validated(entry: Path) -> bool:
    """Whether CDK's CloudFormation validation ran in the synthesis that wrote ``entry``. An
    entry without a readable record (stored before there was one) counts as not validated: the
    safe side, it costs one synthesis."""
    try:
        record = json.loads((entry / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record.get("cdk_validation") is True


def is_whole(entry: Path) -> bool:
    """Whether ``entry`` is a stored entry: a folder with its ``manifest.json`` (renamed in whole,
    so the rest is there). Not a file, a link that loops or dangles, a folder without one, nor
    one this user cannot open (another user's, mode 0700)."""
    try:
        return (entry / "manifest.json").is_file()
    except OSError:
        return False


def lookup(root: Path, key: str, validated: bool = False) -> Optional[Path]:
    """The entry for ``key``, marked as just used (pruning keeps the most recently used);
    ``None`` when there is none, or with ``validated`` when its synthesis skipped CDK's
    CloudFormation validation."""
    entry = cache_dir(root) / key
    if not is_whole(entry):
        return None
    if validated and not was_validated(entry):
        return None
    try:
        os.utime(entry)
    except FileNotFoundError:  # pruned by another command a moment ago
        return None
    except OSError:
        # A read-only cache (a checkout without write access): the entry still answers, only
        # its use is not marked (pruning is the writable cache's).
        if not is_whole(entry):
            return None
    return entry


class CacheUnavailable(Exception):
    """The cache's folder cannot be created or written in (a read-only checkout, say)."""


class CacheFailed(Exception):
    """Storing an entry failed on the cache's own files after its synthesis (a full disk, a
    folder in the cache this user cannot replace); the text says why, ``errno`` is the
    OSError's. Not what the synthesis raises: that is the synthesis's error, not the cache's."""

    def __init__(self, error: OSError) -> None:
        super().__init__(reason(error))
        self.errno = error.errno


def store(
    root: Path,
    key: str,
    synthesize: Callable[[Path], None],
    replace: bool = False,
    validated: bool = False,
) -> Path:
    """Run ``synthesize(folder)`` into a fresh folder of the cache and keep what it wrote as the
    entry for ``key``, recording whether CDK's CloudFormation validation ran in it
    (``validated``); returns the entry. An entry another command stored meanwhile stays (same
    inputs, same assembly) unless ``replace`` (``--no-cache``: the user doubts it) or this
    synthesis validated and that one did not. (If one is renamed in between, the first stays:
    at worst a later check synthesizes again.)

    Raises :class:`CacheUnavailable` before ``synthesize`` runs when the cache cannot be
    written, what ``synthesize`` raises as it is, and :class:`CacheFailed` when storing its
    assembly fails, leaving nothing behind either way. Whatever is at the key's name that is
    not a whole entry is removed."""
    folder = cache_dir(root)
    try:
        folder.mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="tmp-", dir=folder))
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # as `cdk synth -o` makes it, not mkdtemp's 0700
    except OSError as error:
        raise CacheUnavailable(f"{folder}: {reason(error)}") from None
    try:
        synthesize(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        (staging / RECORD_FILE).write_text(json.dumps({"cdk_validation": validated}) + "\n")
        entry = folder / key
        if os.path.lexists(entry) and (
            not is_whole(entry) or replace or (validated and not was_validated(entry))
        ):
            # Renamed away first: a rename onto a folder with files in it fails, and so does
            # one onto a file or a link. Whatever is there that is not a whole entry (a folder
            # without a manifest, a file, a dangling or looping link) goes too.
            old = Path(tempfile.mkdtemp(prefix="tmp-", dir=folder))
            os.replace(entry, old / key)
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.rename(staging, entry)
        except OSError:
            if not is_whole(entry):
                raise
            shutil.rmtree(staging, ignore_errors=True)  # another command stored it first
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):
            raise CacheFailed(error) from error
        raise
    try:
        prune(root)
    except OSError:  # a folder in the cache it cannot list: the entry is kept all the same
        pass
    return entry


def entries(root: Path) -> List[Path]:
    """The cache's entries, most recently used first."""
    folder = cache_dir(root)
    if not folder.is_dir():
        return []
    found: List[Tuple[float, Path]] = []
    for path in folder.iterdir():
        # Only folders named by a key: .week5-cache/lint/ (week5.cli.lint_cache) lives
        # beside the entries and must neither take a slot nor be pruned with them.
        if not ENTRY_NAME.fullmatch(path.name) or not path.is_dir():
            continue
        try:
            found.append((path.stat().st_mtime, path))
        except OSError:
            continue
    return [path for _, path in sorted(found, key=lambda pair: pair[0], reverse=True)]


def prune(root: Path, keep: Optional[int] = None) -> None:
    """Remove all but the ``keep`` (:data:`KEEP_ENTRIES`) most recently used entries, and dead
    syntheses' folders."""
    for old in entries(root)[KEEP_ENTRIES if keep is None else keep :]:
        shutil.rmtree(old, ignore_errors=True)
    now = time.time()
    for path in cache_dir(root).glob("tmp-*"):
        try:
            if now - path.stat().st_mtime > STALE_STAGING_S:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def working_copy(entry: Path, into: Path) -> Path:
    """A copy of ``entry`` under ``into`` for a caller that writes into its assembly."""
    copy = into / "assembly"
    shutil.copytree(entry, copy, symlinks=True)
    return copy


def age_text(entry: Path) -> str:
    """How long ago ``entry`` was synthesized, for the user: ``12 s``, ``5 min``, ``3 h``."""
    try:
        seconds = time.time() - (entry / "manifest.json").stat().st_mtime
    except OSError:
        return "?"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"
