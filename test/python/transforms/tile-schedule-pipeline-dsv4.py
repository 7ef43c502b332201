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
# tile-fuse-scopes fuses q_head_norm and q_rope (64 blocks each; q_rope's
# loop loads qrope_gm[t0, 64 (h0 + j)], j in [0, 8), 64 columns: with h0 =
# 8 (b % 8) that is 512 (b % 8) + 64 j, inside one 512-column period, as
# q_head_norm's stores are, so only block b touches them); recomputing
# qrope_gm would cost more than staging it. kv_norm and kv_rope fuse too and
# krope_gm is forwarded. q_up_proj_vector (128 blocks of 256 columns) and
# q_head_norm (64 blocks of 8 tokens x 8 heads) do not match.
# HAND-REMARKS: remark: scopes 'q_down_proj' and 'q_norm_quant' not fused: different core kinds (cube and vector)
# HAND-REMARKS: remark: scopes 'q_up_proj_cube' and 'q_up_proj_vector' not fused: different core kinds (cube and vector)
# HAND-REMARKS: remark: scopes 'q_up_proj_vector' and 'q_head_norm' not fused: different decomposition (128 and 64 blocks); regrouping the 128 blocks by 2 does not help
# HAND-REMARKS: remark: scopes 'q_head_norm' and 'q_rope' fused into 'q_head_norm_q_rope': 64 blocks on vector cores
# HAND-REMARKS: remark: GM intermediate 'qrope_gm' of scope 'q_head_norm_q_rope' kept: recomputing it at its 1 load would move
# HAND-REMARKS: remark: scopes 'q_head_norm_q_rope' and 'kv_proj' not fused: different core kinds (vector and cube)
# HAND-REMARKS: remark: scopes 'kv_proj' and 'kv_norm' not fused: different core kinds (cube and vector)
# HAND-REMARKS: remark: scopes 'kv_norm' and 'kv_rope' fused into 'kv_norm_kv_rope': 8 blocks on vector cores
# HAND-REMARKS: remark: GM intermediate 'krope_gm' of scope 'kv_norm_kv_rope' forwarded on chip: store and 1 load removed
# tile-tile-scopes (a2a3: 24 cube cores, 48 vector cores) groups by the
# modelled makespan (the per-pipe model, docs/perf-model.md); the hand
# kernel's scopes
# already have one token row per block at T = 8 but re-tiling them does not
# pay.
# HAND-REMARKS: remark: scope 'q_down_proj' not grouped: 16 blocks on 24 cube cores
# HAND-REMARKS: remark: scope 'q_up_proj_cube': 128 blocks grouped by 8 into 16 tasks
# The blocks of a cube task share qr's K steps: their K pipelines are
# jammed four at a time (four 8x256xi32 accumulators, two slots each, in
# L0C's 128 KiB), as scf.for loops, the 2 stages restored after.
# HAND-REMARKS: remark: scope 'q_up_proj_cube': blocks of a task jammed by 4 into one pass of their inner loops
# HAND-REMARKS: remark: scope 'q_up_proj_vector': 128 blocks grouped by 4 into 32 tasks
# HAND-REMARKS: remark: scope 'q_head_norm_q_rope': 64 blocks grouped by 2 into 32 tasks
# The two blocks of a q_head_norm_q_rope task are the same 1-token row of 16
# heads: jammed, they load the token's cos and sin once.
# HAND-REMARKS: remark: scope 'q_head_norm_q_rope': blocks of a task jammed by 2 into one pass of their inner loops: GM traffic 57600 -> 57472 bytes per task
# HAND-REMARKS: remark: scope 'kv_proj' not grouped: 8 blocks on 24 cube cores
# The remaining group loop loads from GM and fits doubled, so
# tile-pipeline-loops (run after) pipelines it:
# HAND-REMARKS: remark: pipelined loop in scope 'q_up_proj_vector': 2 stages, footprint 34880 bytes of 188416 (vector UB)
# HAND-REMARKS-NOT: remark
# HAND-NOT: core_group
# HAND: %[[ST:.*]] = tile.alloc_gm name("q_up_proj_stage0") : memref<128x8x256xi32>
# Grouped: the cube half runs old blocks 8 * blk + i, four at a time
# jammed in one K pipeline (one qr load, four wq_b loads and accumulators
# per step) inside the group loop; the vector half runs 4 * blk + i in a
# group loop (pipelined).
# HAND: tile.spmd 16 name("q_up_proj_cube") (%[[B:.*]]) {
# HAND-NEXT: tile.at cube {
# HAND: tile.pipeline {{.*}} stages(2) iter_args({{.*}}) -> (!tile.tile<8x256xi32>, !tile.tile<8x256xi32>, !tile.tile<8x256xi32>, !tile.tile<8x256xi32>) {
# HAND: %[[Q:.*]] = tile.load %arg11
# HAND-COUNT-4: tile.matmul_acc %{{.*}}, %[[Q]], %{{.*}}
# HAND-COUNT-4: tile.store %{{.*}}, %[[ST]][%{{.*}}, %{{.*}}, %{{.*}}] : !tile.tile<8x256xi32>, memref<128x8x256xi32>
# HAND: tile.spmd 32 name("q_up_proj_vector") (%[[B2:.*]]) {
# HAND-NEXT: tile.at vector {
# HAND: tile.pipeline %[[I2:.*]] = %{{.*}} to %[[C4:.*]] step %{{.*}} stages(2) {
# HAND-NEXT: %[[S2:.*]] = arith.muli %[[B2]], %[[C4]] : index
# HAND-NEXT: %[[OLD2:.*]] = arith.addi %[[S2]], %[[I2]] : index
# HAND: %[[L:.*]] = tile.load %[[ST]][%[[OLD2]], %{{.*}}, %{{.*}}] : memref<128x8x256xi32> -> !tile.tile<8x256xi32>
# HAND-NEXT: tile.cast %[[L]] none : !tile.tile<8x256xi32> -> !tile.tile<8x256xf32>
# HAND-NOT: core_group
#
# Naive kernel: 14 scopes named after their stage, none mixed (it goes
# through GM between every cube and vector step).
# NAIVE-REMARKS-COUNT-14: remark: scope '{{[a-z_]+}}': {{(no cube ops, runs on vector cores|cube ops only, runs on cube cores)}}
# tile-fuse-scopes fuses the three runs of vector scopes, regrouping the
# per-chunk grids (T x QL / 128 = 64, T x H x HD / 128 = 2048 blocks) to the
# per-token or per-head ones (8, 512): block t then runs the chunks of token
# t in a loop, whose offsets 128 c stay inside the token's row.
# NAIVE-REMARKS: remark: scopes 'q_down_proj' and 'q_rms_stats' not fused: different core kinds (cube and vector)
# NAIVE-REMARKS: remark: scopes 'q_rms_stats' and 'q_norm' fused into 'q_rms_stats_q_norm': 8 blocks on vector cores (the 64 blocks of 'q_norm' regrouped by 8 consecutive ones)
# NAIVE-REMARKS: remark: GM intermediate 'qrs_gm' of scope 'q_rms_stats_q_norm' forwarded on chip
# NAIVE-REMARKS: remark: scopes 'q_rms_stats_q_norm' and 'q_amax' fused into 'q_rms_stats_q_norm_q_amax': 8 blocks on vector cores
# The normalisation loop stores r chunk by chunk and the amax loop reads the
# same chunks: the loops fuse and each iteration takes its own stored chunk.
# NAIVE-REMARKS: remark: loops of scope 'q_rms_stats_q_norm_q_amax' fused
# NAIVE-REMARKS: remark: scope 'q_rms_stats_q_norm_q_amax': 1 load of GM intermediates forwarded from the store before it in the same loop iteration
# NAIVE-REMARKS: remark: scopes 'q_rms_stats_q_norm_q_amax' and 'q_quant' fused into 'q_rms_stats_q_norm_q_amax_q_quant': 8 blocks on vector cores (the 64 blocks of 'q_quant' regrouped by 8 consecutive ones)
# NAIVE-REMARKS: remark: GM intermediate 'qs_gm' of scope 'q_rms_stats_q_norm_q_amax_q_quant' forwarded on chip
# The quantisation loop reads r after the amax is known: recomputing r there
# (a_gm and gamma, 768 bytes a chunk) costs less than staging it (512 bytes
# written and 512 read a chunk).
# NAIVE-REMARKS: remark: GM intermediate 'r_gm' of scope 'q_rms_stats_q_norm_q_amax_q_quant' recomputed at its 1 load: GM traffic 19460 -> 17412 bytes per block
# NAIVE-REMARKS: remark: scopes 'q_up_proj' and 'q_dequant' not fused: different core kinds (cube and vector)
# NAIVE-REMARKS: remark: scopes 'q_dequant' and 'q_head_stats' fused into 'q_dequant_q_head_stats': 512 blocks on vector cores (the 2048 blocks of 'q_dequant' regrouped by 4 consecutive ones)
# NAIVE-REMARKS: remark: loops of scope 'q_dequant_q_head_stats' fused
# NAIVE-REMARKS: remark: scope 'q_dequant_q_head_stats': 1 load of GM intermediates forwarded
# NAIVE-REMARKS: remark: GM intermediate 'hrs_gm' of scope 'q_dequant_q_head_stats_q_head_norm' forwarded on chip
# NAIVE-REMARKS: remark: GM intermediate 'qf_gm' of scope 'q_dequant_q_head_stats_q_head_norm' kept: a load reads another slice than the store writes
# NAIVE-REMARKS: remark: GM intermediate 'qrope_gm' of scope 'q_dequant_q_head_stats_q_head_norm_q_rope' forwarded on chip
# NAIVE-REMARKS: remark: GM intermediate 'krs_gm' of scope 'kv_rms_stats_kv_norm' forwarded on chip
# NAIVE-REMARKS: remark: GM intermediate 'krope_gm' of scope 'kv_rms_stats_kv_norm_kv_rope' forwarded on chip
# tile-tile-scopes: the int8 up-projection's 256 blocks group by 16 and the
# blocks of a task share their lhs (qr) K steps, so they are jammed 8 at a
# time; the
# per-head scope takes 8 token rows per block (the per-column wq_b_scale is
# then read once per 8 tokens) and groups by 2.
# NAIVE-REMARKS: remark: scope 'q_up_proj': 256 blocks grouped by 16 into 16 tasks
# NAIVE-REMARKS: remark: scope 'q_up_proj': blocks of a task jammed by 8 into one pass of their inner loops
# NAIVE-REMARKS: remark: scope 'q_dequant_q_head_stats_q_head_norm_q_rope': 8 token rows per block, 512 -> 64 blocks
# NAIVE-REMARKS: remark: scope 'q_dequant_q_head_stats_q_head_norm_q_rope': 64 blocks grouped by 2 into 32 tasks
# NAIVE-REMARKS-NOT: not pipelined
# NAIVE-NOT: core_group
# 6 scopes; 4 GM intermediates.
# NAIVE-COUNT-4: tile.alloc_gm
# NAIVE-COUNT-6: tile.spmd
# NAIVE-NOT: tile.spmd
# NAIVE-NOT: tile.alloc_gm
# Every loop is pipelined: none is left sequential.
# NAIVE-LOOPS-NOT: scf.for
# NAIVE-LOOPS: tile.pipeline {{.*}} stages(2)
