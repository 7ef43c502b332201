#!/usr/bin/env python3
"""Run every Tessel test (lit, then pytest) and print one summary.

The last line is `check: N passed, N failed` (and `, N skipped`); the exit
status is non-zero when anything failed. Extra arguments go to pytest
(e.g. `make check CHECK_ARGS="--quick"` skips the slowest kernel cases).

pytest runs on one worker per core (pytest-xdist, `--dist loadgroup`: the
cases that share a compiled kernel carry one `xdist_group`);
`TESSEL_TEST_JOBS=1` runs it in this process.

Like a build system's test cache, a run whose inputs are all unchanged
since the last run that passed completely (every file git sees in the
tree, the installed build, the Python packages, the host compilers, the
TESSEL_* environment and the arguments) reports that run's results and says
so instead of repeating it; `TESSEL_CHECK_CACHE=0` (or `make check
FRESH=1`) always runs everything. A run with any failure is never reused.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def junit_counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from a JUnit XML report."""
    if not path.exists():
        return 0, 0, 0
    passed = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def run(name: str, cmd: list[str], report: Path) -> tuple[int, int, int, int]:
    report.unlink(missing_ok=True)
    start = time.monotonic()
    rc = subprocess.call(cmd, cwd=ROOT)
    passed, failed, skipped = junit_counts(report)
    if rc != 0 and failed == 0 and not (name == "pytest" and rc == 5):
        failed = 1  # the runner itself failed (collection or config error)
    print(f"    {name}: {passed} passed, {failed} failed, {skipped} skipped "
          f"in {time.monotonic() - start:.1f} s", flush=True)
    return passed, failed, skipped, rc


def inputs_digest(build: Path, pytest_args: list[str]) -> str:
    """A digest of everything a test run's outcome depends on."""
    h = hashlib.sha256()

    def add(*parts) -> None:
        for part in parts:
            h.update(part if isinstance(part, bytes) else str(part).encode())
            h.update(b"\0")

    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others",
         "--exclude-standard"], cwd=ROOT, stdout=subprocess.PIPE,
        check=True).stdout.split(b"\0")
    for name in sorted(f for f in files if f):
        path = ROOT / name.decode()
        if path.is_file():
            add(name, path.read_bytes())
    # The installed build: its binaries and libraries (by size and mtime;
    # ninja rewrites what it rebuilds).
    for sub in ("bin", "lib", "python_packages"):
        for top, dirs, names in os.walk(build / sub):  # symlinks not followed
            dirs.sort()
            for name in sorted(names):
                path = Path(top, name)
                if not path.is_symlink() and not name.endswith(".pyc"):
                    st = path.stat()
                    add(path.relative_to(build), st.st_size, st.st_mtime_ns)
    add(sys.version, *pytest_args)
    add(subprocess.run([sys.executable, "-m", "pip", "freeze"],
                       stdout=subprocess.PIPE, text=True).stdout)
    for cxx in ("g++", "clang++"):
        if shutil.which(cxx):
            add(subprocess.run([cxx, "--version"], stdout=subprocess.PIPE,
                               text=True).stdout)
    add(sorted((k, v) for k, v in os.environ.items()
               if k.startswith("TESSEL_")))
    return h.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    args, pytest_args = parser.parse_known_args()
    venv_bin = Path(sys.executable).parent
    reports = args.build / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    # The tests' compiled kernels go to the build tree, not the user's
    # cache (`make clean` removes them; a second run loads them).
    os.environ.setdefault("TESSEL_CACHE_DIR", str(args.build / "kernel-cache"))

    use_cache = os.environ.get("TESSEL_CHECK_CACHE", "1") != "0"
    record = reports / "last-pass.json"
    # A forced run still records its digest for the next run to reuse.
    digest = inputs_digest(args.build, pytest_args)
    if use_cache and record.exists():
        try:
            last = json.loads(record.read_text())
        except ValueError:
            last = {}
        if last.get("digest") == digest:
            print(f"    nothing changed since the passing run of "
                  f"{last['when']} (its lit and pytest results are reused; "
                  f"TESSEL_CHECK_CACHE=0 runs them again)")
            print(f"check: {last['passed']} passed, 0 failed, "
                  f"{last['skipped']} skipped")
            return 0
    record.unlink(missing_ok=True)

    jobs = int(os.environ.get("TESSEL_TEST_JOBS", os.cpu_count() or 1))
    if jobs > 1:
        pytest_args = ["-n", str(jobs), "--dist", "loadgroup", *pytest_args]

    lit = run("lit", [str(venv_bin / "lit"), "-q", "--xunit-xml-output",
                      str(reports / "lit.xml"), str(args.build / "test")],
              reports / "lit.xml")
    py = run("pytest", [sys.executable, "-m", "pytest", "-q",
                        "-p", "no:cacheprovider",
                        f"--junitxml={reports / 'pytest.xml'}", *pytest_args],
             reports / "pytest.xml")
    passed = lit[0] + py[0]
    failed = lit[1] + py[1]
    skipped = lit[2] + py[2]
    print(f"check: {passed} passed, {failed} failed, {skipped} skipped")
    if not failed:
        record.write_text(json.dumps({
            "digest": digest, "passed": passed, "skipped": skipped,
            "when": time.strftime("%Y-%m-%d %H:%M:%S")}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
