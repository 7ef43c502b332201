# -*- Python -*-
"""lit configuration of Tessel's tests (FileCheck, verify-diagnostics and
Python tests run through the project's own interpreter)."""

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "TESSEL"
# lit 23 refuses execute_external=True: use the internal shell.
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".py"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "lit.local.cfg", "Inputs", "pytest"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tessel_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.tessel_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["tessel-opt", "tessel-translate"], tool_dirs)
config.substitutions.append(("%python", config.python_executable))
config.environment["PYTHONPATH"] = config.tessel_python_root
if config.enable_python:
    config.available_features.add("python")

# The PTO back end's emitted C++ is compiled against the strict reference of
# the PTO-ISA API (runtime/pto) with the host C++ compiler, when there is one.
import shutil  # noqa: E402

_cxx = shutil.which("g++") or shutil.which("clang++")
if _cxx:
    config.available_features.add("cxx")
    _pto_include = os.path.join(os.path.dirname(config.test_source_root),
                                "runtime", "pto", "include")
    config.substitutions.append(
        ("%pto-cxx", f"{_cxx} -std=c++17 -fsyntax-only -Wall -Wextra "
                     f"-Werror -I{_pto_include}"))
