"""Data types, tensor annotations and enumerations of the `pl` surface.

These objects are plain Python values: the frontend reads them while it
compiles a kernel (annotations, `dtype=` arguments, `level=`), they never
compute anything themselves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class DataType:
    """An element type (`pl.BF16`, `pl.FP32`, ...).

    `mlir` is the MLIR type spelling (``bf16``, ``f32``, ``i8``), `torch`
    the name of the matching `torch` dtype. Types PyPTO has but Tessel's
    tiles do not (INT64, FP8, ...) exist so that a ported kernel gets a
    precise error naming them; `supported` tells them apart.
    """

    __slots__ = ("name", "mlir", "torch", "bits", "is_float", "supported")

    def __init__(self, name: str, mlir: str | None, torch: str | None,
                 bits: int, is_float: bool, supported: bool):
        self.name = name
        self.mlir = mlir
        self.torch = torch
        self.bits = bits
        self.is_float = is_float
        self.supported = supported

    @property
    def is_int(self) -> bool:
        return not self.is_float

    @property
    def bytes(self) -> int:
        return self.bits // 8

    def torch_dtype(self):
        """The matching `torch.dtype` (imports torch)."""
        import torch
        return getattr(torch, self.torch)

    def __repr__(self) -> str:
        return f"pl.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


BF16 = DataType("BF16", "bf16", "bfloat16", 16, True, True)
FP16 = DataType("FP16", "f16", "float16", 16, True, True)
FP32 = DataType("FP32", "f32", "float32", 32, True, True)
INT8 = DataType("INT8", "i8", "int8", 8, False, True)
INT32 = DataType("INT32", "i32", "int32", 32, False, True)
# PyPTO names Tessel does not support (yet): using one is a compile error.
INT4 = DataType("INT4", None, None, 4, False, False)
INT16 = DataType("INT16", None, "int16", 16, False, False)
# 64-bit integer tiles (i64): loads, stores, subscripts, index gather /
# scatter and casts to and from INT32, on the CPU simulation.
INT64 = DataType("INT64", "i64", "int64", 64, False, True)
UINT8 = DataType("UINT8", None, "uint8", 8, False, False)
UINT16 = DataType("UINT16", None, None, 16, False, False)
# UINT32 tiles are i32 tiles in the IR (the same bits); the frontend keeps
# the signedness and allows only the ops that do not depend on it.
UINT32 = DataType("UINT32", "i32", "uint32", 32, False, True)
UINT64 = DataType("UINT64", None, None, 64, False, False)
FP8E4M3FN = DataType("FP8E4M3FN", None, "float8_e4m3fn", 8, True, False)
FP8E5M2 = DataType("FP8E5M2", None, "float8_e5m2", 8, True, False)
FP8E8M0 = DataType("FP8E8M0", None, None, 8, True, False)
FP4 = DataType("FP4", None, None, 4, True, False)
HF4 = DataType("HF4", None, None, 4, True, False)
HF8 = DataType("HF8", None, None, 8, True, False)
UINT4 = DataType("UINT4", None, None, 4, False, False)
BOOL = DataType("BOOL", None, "bool", 8, False, False)
# PyPTO's index type (64-bit): as a tile element the same i64 as INT64.
INDEX = DataType("INDEX", "i64", "int64", 64, False, True)
# A task handle (pl.Scalar[pl.TASK_ID], pl.array.create), never an element.
TASK_ID = DataType("TASK_ID", None, None, 64, False, False)

ALL_DTYPES = (BF16, FP16, FP32, INT8, INT32, INT4, INT16, INT64, UINT8,
              UINT16, UINT32, UINT64, FP8E4M3FN, FP8E5M2, FP8E8M0, FP4, HF4,
              HF8, UINT4, BOOL, INDEX, TASK_ID)
SUPPORTED_DTYPES = tuple(d for d in ALL_DTYPES if d.supported)


def _dtype_by_name(name: str) -> DataType:
    for d in ALL_DTYPES:
        if d.name == name:
            return d
    raise KeyError(name)


def dtype_from_torch(torch_dtype) -> DataType | None:
    """The `pl` dtype of a `torch.dtype`, or None when Tessel has none."""
    name = str(torch_dtype).removeprefix("torch.")
    for d in SUPPORTED_DTYPES:
        if d.torch == name:
            return d
    return None


class TensorLayout(enum.Enum):
    """GM tensor layouts PyPTO names; Tessel's GM tensors are row-major (ND)."""
    ND = "ND"
    DN = "DN"
    NZ = "NZ"


ND = TensorLayout.ND
DN = TensorLayout.DN
NZ = TensorLayout.NZ


class DynVar:
    """A dimension bound at call time: ``T = pl.dynamic("T")``.

    Used in parameter annotations (``pl.Tensor[[T, 64], pl.FP32]``) or bound
    with ``x.bind_dynamic(0, T)`` in the kernel body, it takes the extent of
    the call's tensor; every use must agree. The kernel is specialised on
    the bound value (compiled once per value, cached), and inside it `T` is
    a compile-time integer. Identity matters, not the name: reuse the
    object for one dimension.
    """

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"pl.dynamic({self.name!r})"


def dynamic(name: str) -> DynVar:
    """``pl.dynamic(name)``: a new dimension bound at call time (`DynVar`)."""
    if not isinstance(name, str) or not name:
        from ..errors import CompileError  # noqa: F401
        import inspect
        from ..frontend.errors import make_error
        frame = inspect.currentframe().f_back
        raise make_error(f"pl.dynamic takes the dimension's name as a "
                         f"string, got {name!r}", frame.f_code.co_filename,
                         frame.f_lineno, 1, help='write T = pl.dynamic("T")')
    return DynVar(name)


@dataclass(frozen=True)
class TensorSpec:
    """What `pl.Tensor[[d0, d1], DTYPE]` evaluates to.

    `shape` and `dtype` are None for a bare `pl.Tensor` (allowed on
    `@pl.jit.inline` helpers, not on kernels).
    """
    shape: tuple | None
    dtype: DataType | None
    layout: TensorLayout = TensorLayout.ND

    @property
    def dynamic(self) -> bool:
        """Whether a dimension is a `DynVar` (bound at call time)."""
        return self.shape is not None and any(isinstance(d, DynVar)
                                              for d in self.shape)

    def __repr__(self) -> str:
        if self.shape is None:
            return "pl.Tensor"
        return f"pl.Tensor[{list(self.shape)}, {self.dtype!r}]"


@dataclass(frozen=True)
class ParamSpec:
    """`pl.Out[...]` / `pl.InOut[...]`: a tensor parameter the kernel writes."""
    tensor: TensorSpec
    direction: str  # "out" or "inout"

    def __repr__(self) -> str:
        wrapper = "Out" if self.direction == "out" else "InOut"
        return f"pl.{wrapper}[{self.tensor!r}]"


@dataclass(frozen=True)
class ScalarSpec:
    """`pl.Scalar[DTYPE]`: a scalar kernel parameter (not supported yet)."""
    dtype: DataType | None


@dataclass(frozen=True)
class TileSpec:
    """`pl.Tile[[m, n], DTYPE]`, an annotation of a tile variable."""
    shape: tuple | None
    dtype: DataType | None

    def __repr__(self) -> str:
        if self.shape is None:
            return "pl.Tile"
        return f"pl.Tile[{list(self.shape)}, {self.dtype!r}]"


@dataclass(frozen=True)
class TensorView:
    """PyPTO's view annotation, the third item of ``pl.Tensor[shape, DTYPE,
    pl.TensorView(valid_shape=[...], layout=pl.TensorLayout.ND)]``: the
    parameter's layout and the valid region the caller's tensor has.
    Tessel takes the layout from it and checks the valid shape's form; the
    valid region a load reads comes from the load (`valid_shape=`) or from
    a view the caller sliced with a run-time extent, not from this
    annotation. Strides are not supported."""
    valid_shape: tuple | list | None = None
    layout: TensorLayout = TensorLayout.ND
    stride: tuple | list | None = None


def _view_layout(kind: str, view: TensorView, shape) -> TensorLayout:
    if view.stride is not None:
        raise TypeError(f"pl.{kind}: pl.TensorView(stride=...) is not "
                        f"supported (Tessel's tensors are dense)")
    if view.valid_shape is not None:
        valid = view.valid_shape
        if not isinstance(valid, (list, tuple)) or len(valid) != len(shape):
            raise TypeError(f"pl.{kind}: pl.TensorView valid_shape must "
                            f"have {len(shape)} dimensions, got {valid!r}")
        for d in valid:
            if not isinstance(d, DynVar) and (
                    isinstance(d, bool) or not isinstance(d, int) or d < 0):
                raise TypeError(f"pl.{kind}: pl.TensorView valid_shape must "
                                f"be integers or pl.dynamic dimensions, got "
                                f"{d!r}")
    return view.layout


def _spec_args(kind: str, item) -> tuple[tuple, DataType, TensorLayout]:
    if not isinstance(item, tuple) or len(item) not in (2, 3):
        raise TypeError(f"pl.{kind} takes [shape, dtype], e.g. "
                        f"pl.{kind}[[16, 32], pl.FP32]; got {item!r}")
    shape, dtype = item[0], item[1]
    layout = item[2] if len(item) == 3 else TensorLayout.ND
    if isinstance(layout, TensorView) and isinstance(shape, (list, tuple)):
        layout = _view_layout(kind, layout, shape)
    if not isinstance(shape, (list, tuple)):
        raise TypeError(f"pl.{kind} shape must be a list of integers, got "
                        f"{shape!r}")
    for d in shape:
        if isinstance(d, DynVar):
            continue
        if isinstance(d, bool) or not isinstance(d, int):
            raise TypeError(f"pl.{kind} shape must be compile-time integers "
                            f"or pl.dynamic dimensions, got {d!r} in "
                            f"{list(shape)}")
        if d <= 0:
            raise TypeError(f"pl.{kind} dimensions must be positive, got {d} "
                            f"in {list(shape)}")
    if not isinstance(dtype, DataType):
        raise TypeError(f"pl.{kind} dtype must be a pl dtype such as "
                        f"pl.FP32, got {dtype!r}")
    if not isinstance(layout, TensorLayout):
        raise TypeError(f"pl.{kind} layout must be pl.ND, pl.DN or pl.NZ, got "
                        f"{layout!r}")
    return tuple(shape), dtype, layout


@dataclass(frozen=True)
class InvalidSpec:
    """A malformed annotation (`pl.Tensor[16, pl.FP32]`); the frontend
    reports `message` at the annotation when it compiles the kernel."""
    message: str

    def __repr__(self) -> str:
        return "an invalid annotation"


class Tensor:
    """A global-memory tensor annotation: ``pl.Tensor[[d0, d1, ...], DTYPE]``.

    Kernel parameters annotated this way are inputs in GM; wrap the
    annotation in `pl.Out[...]` for outputs. Shapes are compile-time
    integers (module-level constants and closure variables are fine).
    """

    def __class_getitem__(cls, item) -> TensorSpec:
        try:
            shape, dtype, layout = _spec_args("Tensor", item)
        except TypeError as e:
            return InvalidSpec(str(e))
        return TensorSpec(shape, dtype, layout)


class Tile:
    """A tile annotation, ``pl.Tile[[m, n], DTYPE]`` (optional on variables)."""

    def __class_getitem__(cls, item) -> TileSpec:
        try:
            shape, dtype, _ = _spec_args("Tile", item)
        except TypeError as e:
            return InvalidSpec(str(e))
        return TileSpec(shape, dtype)


def _as_tensor_spec(kind: str, item):
    if item is Tensor:
        return TensorSpec(None, None)
    if isinstance(item, InvalidSpec):
        return item
    if not isinstance(item, TensorSpec):
        return InvalidSpec(f"pl.{kind}[...] wraps a pl.Tensor[[...], DTYPE] "
                           f"annotation, got {item!r}")
    return item


class Out:
    """An output parameter: ``pl.Out[pl.Tensor[[d0, d1], DTYPE]]``.

    The kernel writes it (slice assignment ``out[a:b, c:d] = tile``);
    storing into a parameter that is not `Out`/`InOut` is a compile error.
    """

    def __class_getitem__(cls, item) -> ParamSpec:
        spec = _as_tensor_spec("Out", item)
        return spec if isinstance(spec, InvalidSpec) else ParamSpec(spec, "out")


class InOut:
    """A parameter the kernel both reads and writes."""

    def __class_getitem__(cls, item) -> ParamSpec:
        spec = _as_tensor_spec("InOut", item)
        return spec if isinstance(spec, InvalidSpec) else ParamSpec(spec,
                                                                    "inout")


class Scalar:
    """A scalar parameter annotation, ``pl.Scalar[DTYPE]`` (not supported yet)."""

    def __class_getitem__(cls, item) -> ScalarSpec:
        return ScalarSpec(item if isinstance(item, DataType) else None)


class Level(enum.Enum):
    """Hierarchy levels of `pl.at(level=...)`.

    Tessel maps the three core levels to `tile.at` kinds: `AIV` (one vector
    core) -> ``vector``, `AIC` (one cube core) -> ``cube``, `CORE_GROUP`
    (a group of cube and vector cores) -> ``core_group``. `VECTOR` and
    `CUBE` are aliases of `AIV` and `AIC`. The other PyPTO levels are above
    a core and cannot be the level of a core scope.
    """
    AIV = "AIV"
    AIC = "AIC"
    CORE_GROUP = "CORE_GROUP"
    CHIP_DIE = "CHIP_DIE"
    CHIP = "CHIP"
    HOST = "HOST"
    CLUSTER_0 = "CLUSTER_0"
    CLUSTER_1 = "CLUSTER_1"
    CLUSTER_2 = "CLUSTER_2"
    GLOBAL = "GLOBAL"
    VECTOR = "AIV"
    CUBE = "AIC"

    def __repr__(self) -> str:
        return f"pl.Level.{self.name}"


class MemorySpace(enum.Enum):
    """Where a tile lives (`pl.MemorySpace`, also spelled `pl.Mem`).

    `DDR` is global memory (where `pl.Tensor` lives); `Vec` the vector
    core's Unified Buffer, `Mat` the cube's L1, `Left` / `Right` its matmul
    operand buffers L0A / L0B, `Acc` its accumulator L0C. Tessel places
    tiles itself; an explicit space (`pl.load(..., target_memory=...)`,
    `pl.move`, `pl.create_tile`) is checked against that placement and
    the target's capacities. `Bias` exists so that PyPTO kernels using it
    get a precise error: Tessel has no bias buffer.
    """
    DDR = "DDR"
    Vec = "Vec"
    Mat = "Mat"
    Left = "Left"
    Right = "Right"
    Acc = "Acc"
    Bias = "Bias"

    @property
    def kind(self) -> str | None:
        """The tile dialect's memory kind (`#tile.memory<...>`)."""
        return _MEMORY_KIND[self.name]

    @property
    def buffer(self) -> str:
        """How diagnostics name the hardware buffer."""
        return _MEMORY_BUFFER[self.name]

    def __repr__(self) -> str:
        return f"pl.MemorySpace.{self.name}"


_MEMORY_KIND = {"DDR": "gm", "Vec": "ub", "Mat": "l1", "Left": "l0a",
                "Right": "l0b", "Acc": "l0c", "Bias": None}
_MEMORY_BUFFER = {"DDR": "GM", "Vec": "UB", "Mat": "L1", "Left": "L0A",
                  "Right": "L0B", "Acc": "L0C", "Bias": "the bias buffer"}

#: PyPTO's second name of the same enum.
Mem = MemorySpace


class AtomicType(enum.Enum):
    """The combine mode of `pl.assemble(..., atomic=...)`: `None_`
    overwrites, `Add` adds atomically into global memory."""
    None_ = 0
    Add = 1

    def __repr__(self) -> str:
        return f"pl.AtomicType.{self.name}"


class MaskPattern(enum.Enum):
    """Fixed column patterns of `pl.gather` / `pl.tensor.scatter`:
    `P0101` selects the even columns (0, 2, 4, ...), `P1010` the odd ones."""
    P0101 = 1
    P1010 = 2

    def __repr__(self) -> str:
        return f"pl.tile.MaskPattern.{self.name}"
