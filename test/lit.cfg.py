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
