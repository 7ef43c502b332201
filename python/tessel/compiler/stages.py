"""The compilation stages `--emit` and `kernel.ir(stage=...)` can stop at.

Each stage is a pass pipeline (the textual form `PassManager.parse` takes,
with `{target}` replaced by the target name; literal braces doubled) run on the output of the
stage before it; the first stage, `tile`, is the IR the frontend builds,
verified. Adding a stage is one line in `STAGES`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str
    pipeline: str      # run on the previous stage's output ("" = nothing)
    description: str


STAGES: list[Stage] = [
    Stage("tile", "", "the tile IR the frontend builds, verified"),
    # `scheduled` then `placed` is exactly tile-npu-pipeline{target=...}.
    Stage("scheduled", "builtin.module(tile-schedule-pipeline{{target={target}}})",
          "scheduled for the target: mixed cube/vector scopes split through "
          "GM (A2/A3), consecutive scopes with one grid fused (GM "
          "intermediates between them forwarded on chip), scopes with more "
          "blocks than cores grouped into fewer tasks, loops that load from "
          "GM pipelined where the multiplied buffers fit"),
    Stage("placed", "builtin.module(tile-place-buffers{{target={target}}})",
          "every tile placed at an offset in its on-chip buffer (UB, L1, "
          "L0C), with one slot per pipeline stage for tiles handed from "
          "one pipe to another"),
    Stage("llvm", "builtin.module(tile-cpu-pipeline)",
          "the placed program lowered to the LLVM dialect for the CPU "
          "simulation (what tessel.runtime.CpuKernel runs)"),
]


def scheduled_stage() -> str:
    """The last stage before the CPU lowering: the schedule the NPU would
    run, whose statistics the kernel runner reports."""
    names = stage_names()
    return names[names.index("llvm") - 1]


def stage_names() -> list[str]:
    return [s.name for s in STAGES]


def get_stage(name: str) -> Stage:
    for s in STAGES:
        if s.name == name:
            return s
    raise KeyError(name)


def stages_through(name: str) -> list[Stage]:
    """The stages to run, in order, to reach stage `name`."""
    out = []
    for s in STAGES:
        out.append(s)
        if s.name == name:
            return out
    raise KeyError(name)
