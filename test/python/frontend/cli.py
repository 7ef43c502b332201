# RUN: %python -m tessel compile %s::rows --emit tile | FileCheck %s
# RUN: %python -m tessel compile %s::rows --target a5 --debug-info | FileCheck %s --check-prefix=LOC
# RUN: not %python -m tessel compile %s::mismatch 2>&1 | FileCheck %s --check-prefix=ERR
#
# The `tessel compile FILE.py::KERNEL` command: prints the IR of a stage;
# a compile error prints file:line:col, the source line, a caret and
# expected/found, and exits with status 1.

import tessel.language as pl


# CHECK: module attributes {tile.target = #tile.target<a2a3>}
# CHECK-LABEL: func.func @rows
# CHECK: tile.spmd 2 name("rows")
# CHECK: tile.exp
# LOC: module attributes {tile.target = #tile.target<a5>}
# LOC: tile.exp {{.*}} loc(#[[L:.*]])
# LOC: #[[L]] = loc("{{.*}}cli.py":[[# @LINE + 6]]:27)
@pl.jit
def rows(x: pl.Tensor[[8, 16], pl.FP32],
         y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    for b in pl.spmd(2, name_hint="rows"):
        r0 = b * 4
        y[r0:r0 + 4, :] = pl.exp(x[r0:r0 + 4, :])


# ERR: cli.py:[[# @LINE + 9]]:35: error: shape mismatch in pl.sub
# ERR-NEXT: y[:, :] = pl.sub(x[:, :], x[0:4, :])
# ERR-NEXT: ^~~~~~~~~{{$}}
# ERR-NEXT: expected: [8, 16] (the shape of lhs)
# ERR-NEXT: found:    [4, 16] (rhs)
@pl.jit
def mismatch(x: pl.Tensor[[8, 16], pl.FP32],
             y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    for b in pl.spmd(1):
        y[:, :] = pl.sub(x[:, :], x[0:4, :])
