// RUN: tessel-opt %s -tile-pipeline-loops=stages=3 -mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=THREE
// RUN: tessel-opt %s -tile-pipeline-loops=stages=4 -mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=FOUR
// RUN: tessel-opt %s -tile-pipeline-loops=target=a5 -mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=A5

// The `stages` and `target` options. The loop's one tile is 1x15680xf32 =
// 62720 bytes (a multiple of 32). On a2a3 (188416 usable UB bytes) three
// slots take 3 x 62720 = 188160 bytes and fit; four take 250880 and do not.
// On a5 with the default two stages: 2 x 62720 = 125440 bytes, checked
// against a5's usable UB (245760 bytes, TargetInfo).
// THREE: remark: pipelined loop in scope 'copy': 3 stages, footprint 188160 bytes of 188416 (vector UB)
// THREE: tile.pipeline {{.*}} stages(3)
// FOUR: remark: loop in scope 'copy' not pipelined: 4 stages need 250880 > 188416 bytes of vector UB
// FOUR: scf.for
// FOUR-NOT: tile.pipeline
// A5: remark: pipelined loop in scope 'copy': 2 stages, footprint 125440 bytes of 245760 (vector UB)
// A5: tile.pipeline {{.*}} stages(2)
func.func @options(%a: memref<4x15680xf32>, %o: memref<4x15680xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  tile.spmd 1 name("copy") (%b) {
    tile.at vector {
      scf.for %i = %c0 to %c4 step %c1 {
        %x = tile.load %a[%i, %c0] : memref<4x15680xf32> -> !tile.tile<1x15680xf32>
        tile.store %x, %o[%i, %c0] : !tile.tile<1x15680xf32>, memref<4x15680xf32>
      }
    }
  }
  return
}
