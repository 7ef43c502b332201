# RUN: %python %s | FileCheck %s
#
# Builds tile IR from Python with the generated op builders and the
# convenience classes of tessel.mlir.dialects.tile (region ops that create
# their body, context managers, `full` from Python numbers), verifies it,
# prints it and re-parses the print; checks that malformed IR and malformed
# types raise instead of aborting; reads the target figures.

from tessel.mlir import ir
from tessel.mlir.dialects import arith, func, tile
import tessel.targets


def run(f):
    print(f"\nTEST: {f.__name__}")
    with ir.Context(), ir.Location.unknown():
        f()
    return f


def T(rows, cols, element):
    return tile.TileType.get([rows, cols], element)


# The kv RMSNorm stage: 8 blocks x 16 rows, a 16-step pipeline over 32-column
# slices carrying the running sum of squares, then the scale by rsqrt and
# gamma, a RoPE-style even/odd shuffle, and the bf16 store.
# CHECK-LABEL: TEST: kv_rms_kernel
# CHECK: module attributes {tile.target = #tile.target<a2a3>}
# CHECK: func.func @kv_rms(%[[KV:.*]]: memref<128x512xf32>, %[[GAMMA:.*]]: memref<512xbf16>, %[[OUT:.*]]: memref<128x512xbf16>)
# CHECK: tile.spmd 8 name("kv_rms_norm") (%[[B:.*]]) {
# CHECK-NEXT: tile.at vector {
# CHECK: %[[T0:.*]] = arith.muli %[[B]], %{{.*}} : index
# CHECK: %[[ZERO:.*]] = tile.full 0.000000e+00 : !tile.tile<16x1xf32>
# CHECK: %[[SQ:.*]] = tile.pipeline %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} stages(2) iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (!tile.tile<16x1xf32>) {
# CHECK: %[[COL:.*]] = arith.muli %[[J]], %{{.*}} : index
# CHECK: %[[X:.*]] = tile.load %[[KV]][%[[T0]], %[[COL]]] : memref<128x512xf32> -> !tile.tile<16x32xf32>
# CHECK: %[[X2:.*]] = tile.mul %[[X]], %[[X]] : !tile.tile<16x32xf32>
# CHECK: %[[RS:.*]] = tile.row_sum %[[X2]] : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
# CHECK: %[[N:.*]] = tile.add %[[ACC]], %[[RS]] : !tile.tile<16x1xf32>
# CHECK: tile.yield %[[N]] : !tile.tile<16x1xf32>
# CHECK: tile.adds %[[SQ]], %{{.*}} : !tile.tile<16x1xf32>
# CHECK: tile.rsqrt
# CHECK: tile.load %[[GAMMA]][%{{.*}}] : memref<512xbf16> -> !tile.tile<1x32xbf16>
# CHECK: tile.cast %{{.*}} none : !tile.tile<1x32xbf16> -> !tile.tile<1x32xf32>
# CHECK: tile.row_expand_mul %{{.*}}, %{{.*}} : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
# CHECK: tile.col_expand_mul %{{.*}}, %{{.*}} : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
# CHECK: tile.gather %{{.*}} p0101 : !tile.tile<16x32xf32> -> !tile.tile<16x16xf32>
# CHECK: tile.scatter %{{.*}} into %{{.*}} p1010 : !tile.tile<16x16xf32> -> !tile.tile<16x32xf32>
# CHECK: tile.cast %{{.*}} rint : !tile.tile<16x32xf32> -> !tile.tile<16x32xbf16>
# CHECK: tile.store %{{.*}}, %[[OUT]][%[[T0]], %{{.*}}] : !tile.tile<16x32xbf16>, memref<128x512xbf16>
# CHECK: verified: True
# CHECK: reparsed: True
# CHECK: pipeline iter_args: 1, results: 1, stages: 2
@run
def kv_rms_kernel():
    f32, bf16, idx = ir.F32Type.get(), ir.BF16Type.get(), ir.IndexType.get()
    module = ir.Module.create()
    module.operation.attributes["tile.target"] = tile.target_attr("a2a3")
    kv_t = ir.MemRefType.get([128, 512], f32)
    gamma_t = ir.MemRefType.get([512], bf16)
    out_t = ir.MemRefType.get([128, 512], bf16)
    with ir.InsertionPoint(module.body):
        fn = func.FuncOp("kv_rms", ir.FunctionType.get([kv_t, gamma_t, out_t],
                                                       []))
        entry = fn.add_entry_block()
        with ir.InsertionPoint(entry):
            kv, gamma, out = entry.arguments
            c0, c1, c16, c32 = (arith.constant(idx, v) for v in (0, 1, 16, 32))
            with tile.SpmdOp(8, name="kv_rms_norm") as b:
                with tile.AtOp(tile.CoreKind.vector):
                    t0 = arith.muli(b, c16)
                    zero = tile.full(T(16, 1, f32), 0.0)
                    loop = tile.PipelineOp(c0, c16, c1, stages=2,
                                           iter_args=[zero])
                    with loop as (j, acc):
                        col = arith.muli(j, c32)
                        x = tile.load(T(16, 32, f32), kv, [t0, col])
                        x2 = tile.mul(x, x)
                        rs = tile.row_sum(T(16, 1, f32), x2)
                        tile.yield_([tile.add(acc, rs)])
                    eps = arith.constant(f32, 1.0e-6)
                    r = tile.rsqrt(tile.adds(loop.results[0], eps))
                    g = tile.load(T(1, 32, bf16), gamma, [c0])
                    gf = tile.cast(T(1, 32, f32), g, tile.RoundMode.none)
                    x = tile.load(T(16, 32, f32), kv, [t0, c0])
                    y = tile.row_expand_mul(x, r)
                    z = tile.col_expand_mul(y, gf)
                    e = tile.gather(T(16, 16, f32), z, tile.MaskPattern.p0101)
                    w = tile.scatter(e, z, tile.MaskPattern.p1010)
                    zb = tile.cast(T(16, 32, bf16), w, tile.RoundMode.rint)
                    tile.store(zb, out, [t0, c0])
            func.ReturnOp([])
    print(module)
    print("verified:", module.operation.verify())
    again = ir.Module.parse(str(module))
    print("reparsed:", str(again) == str(module))
    print(f"pipeline iter_args: {len(loop.inner_iter_args)}, "
          f"results: {len(loop.results)}, stages: {loop.stages.value}")


# A cube scope with every matmul dtype rule, a pipeline without iter_args, a
# core_group scope and GM scratch allocated outside the spmd.
# CHECK-LABEL: TEST: cube_kernel
# CHECK: %[[S:.*]] = tile.alloc_gm name("scratch") : memref<16x128xf32>
# CHECK: tile.spmd 2 (%{{.*}}) {
# CHECK-NEXT: tile.at cube {
# CHECK: tile.pipeline %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} stages(2) {
# CHECK: tile.matmul %{{.*}}, %{{.*}} : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
# CHECK: tile.matmul_acc %{{.*}}, %{{.*}}, %{{.*}} : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
# CHECK: tile.store %{{.*}}, %[[S]][%{{.*}}, %{{.*}}] : !tile.tile<16x128xf32>, memref<16x128xf32>
# CHECK: tile.matmul %{{.*}}, %{{.*}} : !tile.tile<16x16xi8>, !tile.tile<16x16xi8> -> !tile.tile<16x16xi32>
# CHECK: tile.at core_group {
# CHECK: tile.full -7 : !tile.tile<4x4xi8>
# CHECK: verified: True
@run
def cube_kernel():
    f32, bf16, idx = ir.F32Type.get(), ir.BF16Type.get(), ir.IndexType.get()
    i8, i32 = ir.IntegerType.get_signless(8), ir.IntegerType.get_signless(32)
    module = ir.Module.create()
    a_t = ir.MemRefType.get([16, 64], bf16)
    b_t = ir.MemRefType.get([64, 128], bf16)
    q_t = ir.MemRefType.get([16, 16], i8)
    with ir.InsertionPoint(module.body):
        fn = func.FuncOp("mm", ir.FunctionType.get([a_t, b_t, q_t], []))
        entry = fn.add_entry_block()
        with ir.InsertionPoint(entry):
            a, b, q = entry.arguments
            c0, c1, c4 = (arith.constant(idx, v) for v in (0, 1, 4))
            scratch = tile.alloc_gm(ir.MemRefType.get([16, 128], f32),
                                    name="scratch")
            with tile.SpmdOp(2):
                with tile.AtOp(tile.CoreKind.cube):
                    with tile.PipelineOp(c0, c4, c1, stages=2):
                        x = tile.load(T(16, 64, bf16), a, [c0, c0])
                        y = tile.load(T(64, 128, bf16), b, [c0, c0])
                        m = tile.matmul(T(16, 128, f32), x, y)
                        n = tile.matmul_acc(m, x, y)
                        tile.store(n, scratch, [c0, c0])
                    qx = tile.load(T(16, 16, i8), q, [c0, c0])
                    tile.matmul(T(16, 16, i32), qx, qx)
                with tile.AtOp(tile.CoreKind.core_group):
                    tile.full(T(4, 4, i8), -7)
            func.ReturnOp([])
    print(module)
    print("verified:", module.operation.verify())


# Malformed IR built from Python is reported by the verifier as an
# exception; a malformed type or value is refused before it reaches C++.
# CHECK-LABEL: TEST: errors_raise
# CHECK: is a cube op and cannot run in a vector scope
# CHECK: core scope is here
# CHECK: rank 1: tile must be 2-D, got rank 1
# CHECK: zero: tile dimensions must be positive, got 0
# CHECK: f64: tile element type must be bf16, f16, f32, i8, i32 or i64, got 'f64'
# CHECK: i8 full: value 300 does not fit in i8: expected [-128, 127]
# CHECK: f16 full: value 70000.0 does not fit in f16
# CHECK: unknown target: unknown target 'a9'; expected one of a2a3, a5
@run
def errors_raise():
    f16, f32, f64 = ir.F16Type.get(), ir.F32Type.get(), ir.F64Type.get()
    i8 = ir.IntegerType.get_signless(8)
    module = ir.Module.create()
    with ir.InsertionPoint(module.body):
        fn = func.FuncOp("bad", ir.FunctionType.get([], []))
        with ir.InsertionPoint(fn.add_entry_block()):
            with tile.SpmdOp(1):
                with tile.AtOp(tile.CoreKind.vector):
                    x = tile.full(T(16, 16, f16), 1.0)
                    tile.matmul(T(16, 16, f32), x, x)
            func.ReturnOp([])
    try:
        module.operation.verify()
        print("verified?!")
    except ir.MLIRError as e:
        print(e)
        for note in e.error_diagnostics[0].notes:
            print(note.message)

    for name, shape, elt in [("rank 1", [16], f32), ("zero", [0, 4], f32),
                             ("f64", [4, 4], f64)]:
        try:
            tile.TileType.get(shape, elt)
            print(name, "accepted?!")
        except ir.MLIRError as e:
            print(f"{name}: {e.error_diagnostics[0].message}")

    with ir.InsertionPoint(module.body):
        for name, ty, value in [("i8 full", T(1, 1, i8), 300),
                                ("f16 full", T(1, 1, f16), 70000.0)]:
            try:
                tile.full(ty, value)
                print(name, "accepted?!")
            except ValueError as e:
                print(f"{name}: {e}")
    try:
        tessel.targets.get("a9")
    except KeyError as e:
        print("unknown target:", e.args[0])


# The attribute helpers, and the placement read back through PlaceAttr.
# CHECK-LABEL: TEST: attributes
# CHECK: #tile.target<a5>
# CHECK: tile.load %{{.*}}[%{{.*}}, %{{.*}}] {place = #tile.place<ub, 1024, slots = 2>} : memref<16x32xf32> -> !tile.tile<16x32xf32>
# CHECK: place: ub at 1024 bytes, 2 slots
# CHECK: single slot: #tile.place<l0c, 0>
# CHECK: bad place: tiles cannot be placed in gm; expected ub, l1, l0a, l0b or l0c
@run
def attributes():
    f32, idx = ir.F32Type.get(), ir.IndexType.get()
    print(tile.target_attr("a5"))
    module = ir.Module.create()
    a_t = ir.MemRefType.get([16, 32], f32)
    with ir.InsertionPoint(module.body):
        fn = func.FuncOp("placed", ir.FunctionType.get([a_t], []))
        entry = fn.add_entry_block()
        with ir.InsertionPoint(entry):
            c0 = arith.constant(idx, 0)
            with tile.spmd(1):
                with tile.at(tile.CoreKind.vector):
                    x = tile.load(T(16, 32, f32), entry.arguments[0], [c0, c0])
                    x.owner.attributes["place"] = tile.place_attr("ub", 1024, 2)
            func.ReturnOp([])
    assert module.operation.verify()
    print(x.owner)
    place = tile.PlaceAttr(x.owner.attributes["place"])
    print(f"place: {place.kind} at {place.offset} bytes, {place.slots} slots")
    print("single slot:", tile.place_attr("l0c", 0))
    try:
        tile.place_attr("gm", 0)
    except ir.MLIRError as e:
        print("bad place:", e.error_diagnostics[0].message)


# The figures of the targets come from the one C++ definition.
# CHECK-LABEL: TEST: target_figures
# CHECK: a2a3 ub usable 188416 of 196608 bytes, align 32
# CHECK: a2a3 cores: 24 cube, 48 vector
# CHECK: targets: a2a3, a5
# CHECK: a5 ub usable <= physical: True
@run
def target_figures():
    a2a3 = tessel.targets.get("a2a3")
    ub = a2a3["buffers"]["ub"]
    print(f"a2a3 ub usable {ub['usable_bytes']} of {ub['physical_bytes']} "
          f"bytes, align {ub['align_bytes']}")
    print(f"a2a3 cores: {a2a3['cube_cores']} cube, "
          f"{a2a3['vector_cores']} vector")
    print("targets:", ", ".join(sorted(tessel.targets.all_targets())))
    a5 = tessel.targets.get("a5")["buffers"]["ub"]
    print("a5 ub usable <= physical:",
          a5["usable_bytes"] <= a5["physical_bytes"])


# Partial tiles: tile.load / tile.store / tile.fillpad with a valid shape of
# a constant and a runtime extent (the builders' `valid=`), and the full
# forms without one.
# CHECK-LABEL: TEST: partial_tiles
# CHECK: %[[P:.*]] = tile.load %{{.*}}[%{{.*}}, %{{.*}}] valid [4, %[[N:.*]]] : memref<4x64xf32> -> !tile.tile<16x32xf32>
# CHECK: %[[F:.*]] = tile.fillpad %[[P]] valid [4, %[[N]]] min : !tile.tile<16x32xf32>
# CHECK: tile.store %[[F]], %{{.*}}[%{{.*}}, %{{.*}}] valid [4, 32] : !tile.tile<16x32xf32>, memref<4x64xf32>
# CHECK: tile.store %[[F]], %{{.*}}[%{{.*}}, %{{.*}}] : !tile.tile<16x32xf32>, memref<16x64xf32>
# CHECK: verified: True
# CHECK: reparsed: True
@run
def partial_tiles():
    f32, idx = ir.F32Type.get(), ir.IndexType.get()
    module = ir.Module.create()
    small = ir.MemRefType.get([4, 64], f32)
    big = ir.MemRefType.get([16, 64], f32)
    with ir.InsertionPoint(module.body):
        fn = func.FuncOp("partial", ir.FunctionType.get(
            [small, small, big, idx], []))
        entry = fn.add_entry_block()
        with ir.InsertionPoint(entry):
            x, y, z, n = entry.arguments
            c0 = arith.constant(idx, 0)
            with tile.SpmdOp(1):
                with tile.AtOp(tile.CoreKind.vector):
                    p = tile.load(T(16, 32, f32), x, [c0, c0], valid=[4, n])
                    f = tile.fillpad(p, [4, n], tile.PadValue.min)
                    tile.store(f, y, [c0, c0], valid=[4, 32])
                    tile.store(f, z, [c0, c0])
            func.ReturnOp([])
    print(module)
    print("verified:", module.operation.verify())
    again = ir.Module.parse(str(module))
    print("reparsed:", str(again) == str(module))
