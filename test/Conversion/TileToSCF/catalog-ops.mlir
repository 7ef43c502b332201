// The CPU lowering of TileCatalogOps.td.
//
// tile.cmp packs 8 predicates per byte: each group of 8 columns selects
// the weights [1, 2, 4, ..., 128] where the predicate holds and ORs them
// (x = [1, 5, 3, 0, 9, 9, 9, 9], y = 4, lt: bits 0, 2, 3 -> 0b00001101 = 13).
// tile.sel tests bit k of the byte with (byte >> k) & 1.
//
// RUN: tessel-opt %s -split-input-file -convert-tile-to-scf | FileCheck %s

// CHECK-LABEL: func.func @compare_select
// CHECK:         %[[P:.*]] = arith.cmpf olt, %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK:         %[[W:.*]] = arith.constant dense<[1, 2, 4, 8, 16, 32, 64, 128]> : vector<8xi32>
// CHECK:         %[[B:.*]] = arith.select %[[P]], %[[W]], %{{.*}} : vector<8xi1>, vector<8xi32>
// CHECK:         %[[OR:.*]] = vector.reduction <or>, %[[B]] : vector<8xi32> into i32
// CHECK:         %[[BYTE:.*]] = arith.trunci %[[OR]] : i32 to i8
// CHECK:         memref.store %[[BYTE]]
// CHECK:         %[[K:.*]] = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7]> : vector<8xi32>
// CHECK:         arith.shrui %{{.*}}, %[[K]] : vector<8xi32>
// CHECK:         %[[SEL:.*]] = arith.cmpi ne
// CHECK:         arith.select %[[SEL]], %{{.*}}, %{{.*}} : vector<8xi1>, vector<8xf32>
// CHECK-NOT:     tile.
func.func @compare_select(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      %m = tile.cmp %x, %x lt : !tile.tile<16x64xf32> -> !tile.tile<16x32xi8>
      %s = tile.sel %m, %x, %x : !tile.tile<16x32xi8>, !tile.tile<16x64xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

// i8 bitwise ops compute on the sign-extended i32 and keep the low byte.
// A shift amount outside [0, 8) gives 0 (shl) or shifts by 31 (shr: the
// sign fill of the sign-extended value).
// CHECK-LABEL: func.func @bitwise_i8
// CHECK:         arith.extsi %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK:         arith.andi %{{.*}} : vector<16xi32>
// CHECK:         arith.trunci %{{.*}} : vector<16xi32> to vector<16xi8>
// CHECK:         %[[IN:.*]] = arith.cmpi ult, %[[AMT:.*]], %{{.*}} : vector<16xi32>
// CHECK:         %[[SAFE:.*]] = arith.select %[[IN]], %[[AMT]], %{{.*}}
// CHECK:         arith.shrsi %{{.*}}, %[[SAFE]] : vector<16xi32>
// CHECK:         arith.extsi %{{.*}} : i8 to i32
// CHECK:         arith.shli
// CHECK-NOT:     tile.
func.func @bitwise_i8(%a: memref<8x16xi8>, %o: memref<8x16xi8>) {
  %c0 = arith.constant 0 : index
  %k = arith.constant 3 : i8
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<8x16xi8> -> !tile.tile<8x16xi8>
      %y = tile.and %x, %x : !tile.tile<8x16xi8>
      %z = tile.shr %y, %x : !tile.tile<8x16xi8>
      %w = tile.shls %z, %k : !tile.tile<8x16xi8>
      tile.store %w, %o[%c0, %c0] : !tile.tile<8x16xi8>, memref<8x16xi8>
    }
  }
  return
}

// -----

// Column sums run down the rows in order (an scf.for over rows 1..15
// carrying the 16-lane accumulator); arg-reductions carry (best, index) and
// replace on a strict comparison (ogt), so the first maximum wins ties.
// CHECK-LABEL: func.func @column_reductions
// CHECK:         scf.for %{{.*}} = %c1{{.*}} to %c16{{.*}} step %c1{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (vector<16xf32>)
// CHECK:           arith.addf %[[ACC]], %{{.*}} : vector<16xf32>
// CHECK:         scf.for {{.*}} iter_args(%[[BEST:.*]] = %{{.*}}, %[[IDX:.*]] = %{{.*}}) -> (vector<16xf32>, vector<16xi32>)
// CHECK:           %[[TAKE:.*]] = arith.cmpf ogt, %{{.*}}, %[[BEST]] : vector<16xf32>
// CHECK:           arith.select %[[TAKE]], %{{.*}}, %[[IDX]] : vector<16xi1>, vector<16xi32>
// CHECK-NOT:     tile.
func.func @column_reductions(%a: memref<16x32xf32>, %o: memref<1x32xf32>, %p: memref<1x32xi32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %s = tile.col_sum %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<1x32xf32>, memref<1x32xf32>
      %i = tile.col_argmax %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xi32>
      tile.store %i, %p[%c0, %c0] : !tile.tile<1x32xi32>, memref<1x32xi32>
    }
  }
  return
}

// -----

// reinterpret_view copies bytes with vector bitcasts (16 f32 -> 32 f16).
// CHECK-LABEL: func.func @reinterpret
// CHECK:         vector.bitcast %{{.*}} : vector<16xf32> to vector<32xf16>
// CHECK-NOT:     tile.
func.func @reinterpret(%a: memref<8x16xf32>, %o: memref<8x32xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<8x16xf32> -> !tile.tile<8x16xf32>
      %h = tile.reinterpret_view %x : !tile.tile<8x16xf32> -> !tile.tile<8x32xf16>
      tile.store %h, %o[%c0, %c0] : !tile.tile<8x32xf16>, memref<8x32xf16>
    }
  }
  return
}
