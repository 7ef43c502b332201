"""Compiles each //=SPLIT=-separated C++ source of a file with the command
given (the reference's -fsyntax-only compile of emitted kernels); exits
non-zero with the compiler's output on the first failure."""

import shlex
import subprocess
import sys
import tempfile

text = open(sys.argv[1]).read()
command = shlex.split(sys.argv[2])
for i, part in enumerate(text.split("//=SPLIT=")):
    if "AICORE" not in part:
        continue
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
        f.write(part)
    result = subprocess.run(command + [f.name], capture_output=True,
                            text=True)
    if result.returncode != 0:
        sys.stderr.write(f"split {i} does not compile:\n{result.stderr}")
        sys.exit(1)
print("all splits compile")
