"""The compiler driver: kernels to modules, pass pipelines, stages, caches.

- `compile_kernel(fn, target, stage)` -> `Compiled` (driver.py)
- `STAGES` the stages `--emit` can stop at (stages.py); adding one is a line
- `JitKernel` / `InlineFunction` what `@pl.jit` / `@pl.jit.inline` return
"""

from .driver import (DEFAULT_TARGET, TARGETS, Compiled,  # noqa: F401
                     compile_kernel)
from .kernel import InlineFunction, JitKernel, Param  # noqa: F401
from .stages import STAGES, Stage, stage_names  # noqa: F401
