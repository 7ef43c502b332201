// The CPU lowering of TileIndexOps.td and of tile.store {atomic_add}:
// scalar loops over the tiles' buffers.
//  - gather_index clamps an out-of-range index to column 0 for the load and
//    selects 0 for it (index -1 or N reads 0);
//  - scatter_index copies dest, then writes each in-range element under an
//    scf.if;
//  - sort32 places each pair at its rank in its block of 32: the number of
//    pairs with a larger key, or the same key and a smaller index (ult),
//    or the same both and an earlier position; keys are the f32 bits with
//    -0 made +0 and negative values' magnitude bits flipped, compared
//    signed (-1.0: 0xBF800000 -> 0xC07FFFFF = -1065353217; -2.0:
//    0xC0000000 -> 0xBFFFFFFF = -1073741825, so -2.0 sorts below -1.0);
//  - mrgsort walks 4 cursors per group of 4 runs and takes the first
//    strictly larger value (cmpf ogt), so ties go to the earlier run;
//  - an atomic store is one memref.atomic_rmw addf per element.
//
// RUN: tessel-opt %s -split-input-file -convert-tile-to-scf | FileCheck %s

// CHECK-LABEL: func.func @gather_scatter
// CHECK:         memref.load
// CHECK:         arith.cmpi sge
// CHECK:         arith.cmpi slt
// CHECK:         arith.select
// CHECK:         arith.index_cast
// CHECK:         memref.load
// CHECK:         arith.select
// CHECK:         memref.store
// CHECK:         memref.copy
// CHECK:         scf.if
// CHECK:           memref.store
// CHECK:         memref.atomic_rmw addf
// CHECK-NOT:     tile.
func.func @gather_scatter(%o: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<4x64xf32>
      %i = tile.arange 0 : !tile.tile<4x8xi32>
      %g = tile.gather_index %x, %i : !tile.tile<4x64xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x8xf32>
      %s = tile.scatter_index %g, %i into %x : !tile.tile<4x8xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x64xf32>
      tile.store %s, %o[%c0, %c0] {atomic_add} : !tile.tile<4x64xf32>, memref<4x64xf32>
    }
  }
  return
}

// -----

// CHECK-LABEL: func.func @sort_merge
// CHECK:         arith.bitcast %{{.*}} : f32 to i32
// CHECK:         scf.for {{.*}} iter_args
// CHECK:           arith.cmpi sgt
// CHECK:           arith.cmpi ult
// CHECK:           scf.yield
// CHECK:         arith.bitcast %{{.*}} : i32 to f32
// CHECK:         scf.for {{.*}} iter_args
// CHECK:           arith.cmpf ogt
// CHECK:           scf.yield
// CHECK-NOT:     tile.
func.func @sort_merge(%o: memref<1x256xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x128xf32>
      %i = tile.arange 0 : !tile.tile<1x128xi32>
      %s = tile.sort32 %x, %i : !tile.tile<1x128xf32>, !tile.tile<1x128xi32> -> !tile.tile<1x256xf32>
      %m = tile.mrgsort %s block_len(64) : !tile.tile<1x256xf32> -> !tile.tile<1x256xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<1x256xf32>, memref<1x256xf32>
    }
  }
  return
}
