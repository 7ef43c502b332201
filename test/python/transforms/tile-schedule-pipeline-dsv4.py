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
# RUN: FileCheck %s --check-prefix=NAIVE-LOOPS < %t.naive.sched.mlir
# RUN: tessel-opt %t.naive.sched.mlir -tile-place-buffers -o /dev/null
#
# The scheduling pipeline (tile-split-mixed-scopes, canonicalize, cse,
# tile-fuse-scopes, canonicalize, cse, tile-tile-scopes, tile-pipeline-loops)
# over the IR the frontend makes of the two DSV4
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
# tile-fuse-scopes fuses kv_norm and kv_rope (8 blocks each; kv_rope reads
# krope_gm[b, 0:64], what block b of kv_norm stored, so the tile is
# forwarded). q_head_norm and q_rope stay apart: q_rope's reads of
# qrope_gm are not the slices the same block of q_head_norm wrote.
# HAND-REMARKS: remark: scopes 'q_down_proj' and 'q_norm_quant' not fused: different decomposition (16 and 8 blocks)
# HAND-REMARKS: remark: scopes 'q_up_proj_cube' and 'q_up_proj_vector' not fused: different core kinds (cube and vector)
# HAND-REMARKS: remark: scopes 'q_up_proj_vector' and 'q_head_norm' not fused: different decomposition (128 and 64 blocks)
# HAND-REMARKS: remark: scopes 'q_head_norm' and 'q_rope' not fused: cross-block dependency on 'qrope_gm': a block may touch what another block wrote
# HAND-REMARKS: remark: scopes 'q_rope' and 'kv_proj' not fused: different decomposition (64 and 8 blocks)
# HAND-REMARKS: remark: scopes 'kv_proj' and 'kv_norm' not fused: different core kinds (cube and vector)
# HAND-REMARKS: remark: scopes 'kv_norm' and 'kv_rope' fused into 'kv_norm_kv_rope': 8 blocks on vector cores
# HAND-REMARKS: remark: GM intermediate 'krope_gm' of scope 'kv_norm_kv_rope' forwarded on chip: store and 1 load removed
# tile-tile-scopes (a2a3: 24 cube cores, 48 vector cores) groups only the
# two halves of q_up_proj, 128 blocks each: 128 / 4 = 32 >= 24 cube tasks
# (128 / 8 = 16 < 24), 128 / 2 = 64 >= 48 vector tasks (128 / 4 = 32 < 48).
# 64 blocks have no divisor leaving 48 tasks (64 / 2 = 32).
# HAND-REMARKS: remark: scope 'q_down_proj' not grouped: 16 blocks, no more than the 24 cube cores
# HAND-REMARKS: remark: scope 'q_norm_quant' not grouped: 8 blocks, no more than the 48 vector cores
# HAND-REMARKS: remark: scope 'q_up_proj_cube': 128 blocks grouped by 4 into 32 tasks (cube cores: 24)
# HAND-REMARKS: remark: scope 'q_up_proj_vector': 128 blocks grouped by 2 into 64 tasks (vector cores: 48)
# HAND-REMARKS: remark: scope 'q_head_norm' not grouped: no divisor of 64 blocks leaves at least 48 tasks (vector cores)
# HAND-REMARKS: remark: scope 'q_rope' not grouped: no divisor of 64 blocks leaves at least 48 tasks (vector cores)
# HAND-REMARKS: remark: scope 'kv_proj' not grouped: 8 blocks, no more than the 24 cube cores
# HAND-REMARKS: remark: scope 'kv_norm_kv_rope' not grouped: 8 blocks, no more than the 48 vector cores
# The two new group loops load from GM and fit doubled, so
# tile-pipeline-loops (run after) pipelines them:
# HAND-REMARKS: remark: pipelined loop in scope 'q_up_proj_cube': 2 stages, footprint 24576 bytes of 131072 (cube L0C)
# HAND-REMARKS: remark: pipelined loop in scope 'q_up_proj_vector': 2 stages, footprint 34880 bytes of 188416 (vector UB)
# HAND-REMARKS-NOT: remark
# HAND-NOT: core_group
# HAND: %[[ST:.*]] = tile.alloc_gm name("q_up_proj_stage0") : memref<128x8x256xi32>
# Grouped: the cube half runs old blocks 4 * blk + i, the vector half
# 2 * blk + i, each i in a group loop (pipelined).
# HAND: tile.spmd 32 name("q_up_proj_cube") (%[[B:.*]]) {
# HAND-NEXT: tile.at cube {
# HAND: tile.pipeline %[[I:.*]] = %{{.*}} to %[[C4:.*]] step %{{.*}} stages(2) {
# HAND-NEXT: %[[S:.*]] = arith.muli %[[B]], %[[C4]] : index
# HAND-NEXT: %[[OLD:.*]] = arith.addi %[[S]], %[[I]] : index
# HAND: tile.matmul_acc
# HAND: tile.store %{{.*}}, %[[ST]][%[[OLD]], %{{.*}}, %{{.*}}] : !tile.tile<8x256xi32>, memref<128x8x256xi32>
# HAND: tile.spmd 64 name("q_up_proj_vector") (%[[B2:.*]]) {
# HAND-NEXT: tile.at vector {
# HAND: tile.pipeline %[[I2:.*]] = %{{.*}} to %[[C2:.*]] step %{{.*}} stages(2) {
# HAND-NEXT: %[[S2:.*]] = arith.muli %[[B2]], %[[C2]] : index
# HAND-NEXT: %[[OLD2:.*]] = arith.addi %[[S2]], %[[I2]] : index
# HAND: %[[L:.*]] = tile.load %[[ST]][%[[OLD2]], %{{.*}}, %{{.*}}] : memref<128x8x256xi32> -> !tile.tile<8x256xi32>
# HAND-NEXT: tile.cast %[[L]] none : !tile.tile<8x256xi32> -> !tile.tile<8x256xf32>
# HAND-NOT: core_group
#
# Naive kernel: 14 unnamed scopes, none mixed (it goes through GM between
# every cube and vector step); its 7 scf.for loops all load from GM and fit
# doubled, so all become 2-stage pipelines. The cube K loops hold an
# 8x128xbf16 lhs (2048 bytes) and a 128x128xbf16 rhs (32768 bytes) per
# stage: 2 x 34816 = 69632 bytes of L1; the int8 one 2 x (1024 + 16384) =
# 34816 bytes.
# tile-fuse-scopes fuses the two runs of scopes with one grid and one core
# kind: the per-head statistics, norm and RoPE (8 tokens x 64 heads = 512
# blocks; hrs_gm[t, h] and qrope_gm[t, 64 h .. +64) are read by the block
# that wrote them, and the two writes to q, columns 512 h + [0, 448) and
# 512 h + [448, 512), pin t = b / 64 and h = b % 64); and the kv statistics,
# norm and RoPE (8 blocks, one token each). The four intermediates between
# them are forwarded: 11 - 4 = 7 GM tensors stay.
# NAIVE-REMARKS-COUNT-14: remark: scope 'spmd': {{(no cube ops, runs on vector cores|cube ops only, runs on cube cores)}}
# NAIVE-REMARKS: remark: scopes 'spmd' and 'spmd' not fused: different core kinds (cube and vector)
# NAIVE-REMARKS: remark: scopes 'spmd' and 'spmd' fused into 'spmd': 512 blocks on vector cores
# NAIVE-REMARKS: remark: GM intermediate 'hrs_gm' of scope 'spmd' forwarded on chip
# NAIVE-REMARKS: remark: scopes 'spmd' and 'spmd' fused into 'spmd': 512 blocks on vector cores
# NAIVE-REMARKS: remark: GM intermediate 'qrope_gm' of scope 'spmd' forwarded on chip
# NAIVE-REMARKS: remark: scopes 'spmd' and 'spmd' fused into 'spmd': 8 blocks on vector cores
# NAIVE-REMARKS: remark: GM intermediate 'krs_gm' of scope 'spmd' forwarded on chip
# NAIVE-REMARKS: remark: scopes 'spmd' and 'spmd' fused into 'spmd': 8 blocks on vector cores
# NAIVE-REMARKS: remark: GM intermediate 'krope_gm' of scope 'spmd' forwarded on chip
# tile-tile-scopes then groups the three scopes with many blocks (T = 8):
# the int8 up-projection, 256 cube blocks / 8 = 32 >= 24 (/ 16 = 16 < 24);
# the dequant, 8 x 256 = 2048 vector blocks / 32 = 64 >= 48 (/ 64 = 32);
# the fused per-head scope, 512 blocks / 8 = 64 >= 48 (/ 16 = 32).
# The 64-block scopes (8 tokens x 8 chunks) stay: 64 / 2 = 32 < 48.
# NAIVE-REMARKS: remark: scope 'spmd' not grouped: no divisor of 64 blocks leaves at least 48 tasks (vector cores)
# NAIVE-REMARKS: remark: scope 'spmd': 256 blocks grouped by 8 into 32 tasks (cube cores: 24)
# NAIVE-REMARKS: remark: scope 'spmd': 2048 blocks grouped by 32 into 64 tasks (vector cores: 48)
# NAIVE-REMARKS: remark: scope 'spmd': 512 blocks grouped by 8 into 64 tasks (vector cores: 48)
# NAIVE-REMARKS: remark: pipelined loop in scope 'spmd': 2 stages, footprint 69632 bytes of 524288 (cube L1)
# NAIVE-REMARKS: remark: pipelined loop in scope 'spmd': 2 stages, footprint 34816 bytes of 524288 (cube L1)
# NAIVE-REMARKS-NOT: not pipelined
# NAIVE-NOT: core_group
# 10 scopes; 7 GM intermediates.
# NAIVE-COUNT-7: tile.alloc_gm
# NAIVE-COUNT-10: tile.spmd
# NAIVE-NOT: tile.spmd
# NAIVE-NOT: tile.alloc_gm
# The 7 loops of the kernel and the 3 group loops: 10 pipelines, and no
# loop left sequential.
# NAIVE-LOOPS-NOT: scf.for
# NAIVE-LOOPS-COUNT-10: tile.pipeline {{.*}} stages(2)
# NAIVE-LOOPS-NOT: tile.pipeline
