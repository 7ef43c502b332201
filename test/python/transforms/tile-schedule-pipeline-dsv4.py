# RUN: %python -m tessel compile %S/../../../kernels/dsv4/decode_qkv_proj_rope.py::decode_qkv_proj_rope --emit tile > %t.hand.mlir
# RUN: tessel-opt %t.hand.mlir -tile-schedule-pipeline -mlir-print-op-on-diagnostic=false -o %t.hand.sched.mlir 2>&1 | FileCheck %s --check-prefix=HAND-REMARKS
# RUN: FileCheck %s --check-prefix=HAND < %t.hand.sched.mlir
# RUN: tessel-opt %t.hand.sched.mlir -tile-place-buffers -o %t.hand.placed.mlir
# tile-npu-pipeline is exactly scheduling followed by placement:
# RUN: tessel-opt %t.hand.mlir -tile-npu-pipeline -o %t.hand.npu.mlir 2>%t.remarks
# RUN: diff %t.hand.placed.mlir %t.hand.npu.mlir
# RUN: %python -m tessel compile %S/../../../kernels/dsv4/decode_qkv_proj_rope_naive.py::decode_qkv_proj_rope_naive --emit tile > %t.naive.mlir
# RUN: tessel-opt %t.naive.mlir -tile-schedule-pipeline -mlir-print-op-on-diagnostic=false -o %t.naive.sched.mlir 2>&1 | FileCheck %s --check-prefix=NAIVE-REMARKS
# RUN: FileCheck %s --check-prefix=NAIVE < %t.naive.sched.mlir
# RUN: tessel-opt %t.naive.sched.mlir -tile-place-buffers -o /dev/null
#
# The scheduling pipeline (tile-split-mixed-scopes, canonicalize, cse,
# tile-pipeline-loops) over the IR the frontend makes of the two DSV4
# decode-QKV kernels, for a2a3. The output must verify (tessel-opt prints
# nothing otherwise) and be placeable by tile-place-buffers.
#
# Hand-scheduled kernel: every core_group scope gets a kind; q_up_proj does
# an int8 matmul (cube) then dequantises it (vector), so it is split: each of
# its 128 blocks stages one 8x256xi32 accumulator (8192 bytes; 1 MiB in
# all). Its loops are already tile.pipeline, so no loop remark.
# HAND-REMARKS: remark: scope 'q_down_proj': cube ops only, runs on cube cores
# HAND-REMARKS: remark: scope 'q_norm_quant': no cube ops, runs on vector cores
# HAND-REMARKS: remark: scope 'q_up_proj': mixed cube and vector ops split into 'q_up_proj_cube' and 'q_up_proj_vector' meeting in GM: 1 staged tile, 8192 bytes per block, 1048576 bytes in all
# HAND-REMARKS: remark: scope 'q_head_norm': no cube ops, runs on vector cores
# HAND-REMARKS: remark: scope 'q_rope': no cube ops, runs on vector cores
# HAND-REMARKS: remark: scope 'kv_proj': cube ops only, runs on cube cores
# HAND-REMARKS: remark: scope 'kv_norm': no cube ops, runs on vector cores
# HAND-REMARKS: remark: scope 'kv_rope': no cube ops, runs on vector cores
# HAND-REMARKS-NOT: remark
# HAND-NOT: core_group
# HAND: %[[ST:.*]] = tile.alloc_gm name("q_up_proj_stage0") : memref<128x8x256xi32>
# HAND: tile.spmd 128 name("q_up_proj_cube") (%[[B:.*]]) {
# HAND-NEXT: tile.at cube {
# HAND: tile.matmul_acc
# HAND: tile.store %{{.*}}, %[[ST]][%[[B]], %{{.*}}, %{{.*}}] : !tile.tile<8x256xi32>, memref<128x8x256xi32>
# HAND: tile.spmd 128 name("q_up_proj_vector") (%[[B2:.*]]) {
# HAND-NEXT: tile.at vector {
# HAND: %[[L:.*]] = tile.load %[[ST]][%[[B2]], %{{.*}}, %{{.*}}] : memref<128x8x256xi32> -> !tile.tile<8x256xi32>
# HAND-NEXT: tile.cast %[[L]] none : !tile.tile<8x256xi32> -> !tile.tile<8x256xf32>
# HAND-NOT: core_group
#
# Naive kernel: 14 unnamed scopes, none mixed (it goes through GM between
# every cube and vector step); its 7 scf.for loops all load from GM and fit
# doubled, so all become 2-stage pipelines. The cube K loops hold an
# 8x128xbf16 lhs (2048 bytes) and a 128x128xbf16 rhs (32768 bytes) per
# stage: 2 x 34816 = 69632 bytes of L1; the int8 one 2 x (1024 + 16384) =
# 34816 bytes.
# NAIVE-REMARKS-COUNT-14: remark: scope 'spmd': {{(no cube ops, runs on vector cores|cube ops only, runs on cube cores)}}
# NAIVE-REMARKS: remark: pipelined loop in scope 'spmd': 2 stages, footprint 69632 bytes of 524288 (cube L1)
# NAIVE-REMARKS: remark: pipelined loop in scope 'spmd': 2 stages, footprint 34816 bytes of 524288 (cube L1)
# NAIVE-REMARKS-NOT: not pipelined
# NAIVE-NOT: scf.for
# NAIVE-NOT: core_group
# NAIVE-COUNT-7: tile.pipeline {{.*}} stages(2)
# NAIVE-NOT: scf.for
