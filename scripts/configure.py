#!/usr/bin/env python3
"""Configure Tessel's CMake build against the MLIR/LLVM 22 wheels in the venv.

Uses ccache and lld when the machine has them; never requires them.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def find_lld() -> str | None:
    found = shutil.which("ld.lld")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/llvm-*/bin/ld.lld"), reverse=True)
    return candidates[0] if candidates else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--build-type", default="Release")
    args = parser.parse_args()

    site = Path(sysconfig.get_paths()["purelib"])
    venv_bin = Path(sys.executable).parent
    cmake = venv_bin / "cmake"
    defs = {
        "CMAKE_BUILD_TYPE": args.build_type,
        "MLIR_DIR": site / "mlir/lib/cmake/mlir",
        "LLVM_DIR": site / "llvm/lib/cmake/llvm",
        "Python3_EXECUTABLE": sys.executable,
        "Python_EXECUTABLE": sys.executable,
        "LLVM_EXTERNAL_LIT": venv_bin / "lit",
        "CMAKE_MAKE_PROGRAM": venv_bin / "ninja",
        "nanobind_DIR": site / "nanobind/cmake",
        "CMAKE_EXPORT_COMPILE_COMMANDS": "ON",
    }
    notes = []
    ccache = shutil.which("ccache")
    if ccache:
        # Paths under the checkout (sources, the venv's MLIR headers) hash
        # relative to it, so another clone of the same sources hits the
        # cache too; a CCACHE_BASEDIR the user set wins. The precompiled
        # header (cmake/TesselPCH.cmake) is cached only with these
        # sloppiness settings (ccache's manual, "Precompiled headers").
        launcher = ccache
        env_tool = shutil.which("env")
        if env_tool:
            settings = ["CCACHE_SLOPPINESS=pch_defines,time_macros,"
                        "include_file_mtime,include_file_ctime"]
            if "CCACHE_BASEDIR" not in os.environ:
                settings.append(f"CCACHE_BASEDIR={ROOT}")
            launcher = ";".join([env_tool, *settings, ccache])
        defs["CMAKE_CXX_COMPILER_LAUNCHER"] = launcher
        defs["CMAKE_C_COMPILER_LAUNCHER"] = launcher
        notes.append("ccache")
    lld = find_lld()
    if lld:
        flags = f"-fuse-ld=lld -B{Path(lld).parent}"
        for kind in ("EXE", "SHARED", "MODULE"):
            defs[f"CMAKE_{kind}_LINKER_FLAGS"] = flags
        notes.append(f"lld ({lld})")
    print(f"    speed-ups: {', '.join(notes) if notes else 'none found'}",
          flush=True)
    cmd = [str(cmake), "-G", "Ninja", "-S", str(ROOT), "-B", str(args.build)]
    cmd += [f"-D{k}={v}" for k, v in defs.items()]
    env = dict(os.environ)
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
        print("configure failed", file=sys.stderr)
        return result.returncode
    print(f"    configured {args.build}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
