"""`RunConfig`: PyPTO's run configuration, as Tessel reads it.

``kernel(*tensors, config=RunConfig(platform="a5sim"))`` picks the target
chip and the backend of a call from PyPTO's platform names:

| platform | target | backend |
|---|---|---|
| `a2a3sim` (default) | a2a3 | the CPU simulation (`cpu`) |
| `a5sim` | a5 | the CPU simulation (`cpu`) |
| `a2a3` | a2a3 | the emitted PTO-ISA kernel on the strict reference (`pto`) |
| `a5` | a5 | the emitted PTO-ISA kernel on the strict reference (`pto`) |

The hardware platforms run the NPU back end's source on the host reference
of the PTO-ISA API (runtime/pto), the closest this build has to a device.
PyPTO's other options (device_id, rtol, atol, strategy, dump and save
options, ...) are accepted and kept in `options`; Tessel does not use them.
"""

from __future__ import annotations

from ..errors import ArgumentError

#: PyPTO platform -> (Tessel target, backend).
PLATFORMS = {"a2a3sim": ("a2a3", "cpu"), "a5sim": ("a5", "cpu"),
             "a2a3": ("a2a3", "pto"), "a5": ("a5", "pto")}


class RunConfig:
    """How a kernel call runs: `platform` (see the module docstring)."""

    def __init__(self, platform: str = "a2a3sim", **options):
        if platform not in PLATFORMS:
            raise ArgumentError(f"RunConfig: unknown platform {platform!r}; "
                                f"expected one of {', '.join(PLATFORMS)}")
        self.platform = platform
        self.options = options

    @property
    def target(self) -> str:
        return PLATFORMS[self.platform][0]

    @property
    def backend(self) -> str:
        return PLATFORMS[self.platform][1]

    def __repr__(self) -> str:
        return f"RunConfig(platform={self.platform!r})"
