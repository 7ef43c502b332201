// RUN: tessel-opt %s -split-input-file -tile-split-matmul-k -verify-diagnostics | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-split-matmul-k=target=a5 -verify-diagnostics | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-split-matmul-k -tile-place-buffers -verify-diagnostics | FileCheck %s --check-prefix=PLACED

// tile-split-matmul-k: L0A and L0B are 64 KiB (65536 bytes) on a2a3 and a5
// alike (TargetInfo), so both RUN lines give the same steps.
//
// f32 [16, 2048] x [2048, 16]: the lhs is 16 * 2048 * 4 = 131072 bytes, the
// rhs (L0B: K rows in 32-byte blocks, N in 16-column fractals) also 131072.
// A K step of Ks needs 16 * Ks * 4 bytes in each: Ks <= 1024, and 2048 / 2
// = 1024 divides K and is a multiple of 16 (the f32 K granule: 16 fractal
// rows, 8 floats a 32-byte block) -> 2 steps of 1024. The first step is a
// tile.matmul, the second a tile.matmul_acc on it.
// CHECK-LABEL: func.func @f32_two_steps
// CHECK: %[[A:.*]] = tile.load
// CHECK: %[[B:.*]] = tile.load
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[A0:.*]] = tile.extract %[[A]][%[[C0]], %[[C0]]] : !tile.tile<16x2048xf32> -> !tile.tile<16x1024xf32>
// CHECK: %[[B0:.*]] = tile.extract %[[B]][%[[C0]], %[[C0]]] : !tile.tile<2048x16xf32> -> !tile.tile<1024x16xf32>
// CHECK: %[[M0:.*]] = tile.matmul %[[A0]], %[[B0]] : !tile.tile<16x1024xf32>, !tile.tile<1024x16xf32> -> !tile.tile<16x16xf32>
// CHECK: %[[C1024:.*]] = arith.constant 1024 : index
// CHECK: %[[A1:.*]] = tile.extract %[[A]][%[[C0]], %[[C1024]]]
// CHECK: %[[B1:.*]] = tile.extract %[[B]][%[[C1024]], %[[C0]]]
// CHECK: %[[M1:.*]] = tile.matmul_acc %[[M0]], %[[A1]], %[[B1]] : !tile.tile<16x1024xf32>, !tile.tile<1024x16xf32> -> !tile.tile<16x16xf32>
// CHECK-NOT: tile.matmul
// CHECK: tile.store %[[M1]]
// The windows are placed in L0A / L0B (each 65536 bytes at offset 0: the
// second step's reuse the first's bytes once its matmul has read them);
// the product stays in L0C, accumulated in place.
// PLACED-LABEL: func.func @f32_two_steps
// PLACED: tile.extract {{.*}} {place = #tile.place<l0a, 0>} : !tile.tile<16x2048xf32> -> !tile.tile<16x1024xf32>
// PLACED: tile.extract {{.*}} {place = #tile.place<l0b, 0>} : !tile.tile<2048x16xf32> -> !tile.tile<1024x16xf32>
// PLACED: tile.matmul {{.*}} {place = #tile.place<l0c, 0>}
// PLACED: tile.extract {{.*}} {place = #tile.place<l0a, 0>}
// PLACED: tile.extract {{.*}} {place = #tile.place<l0b, 0>}
// PLACED: tile.matmul_acc {{.*}} {place = #tile.place<l0c, 0>}
func.func @f32_two_steps(%x: memref<16x2048xf32>, %w: memref<2048x16xf32>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<16x2048xf32> -> !tile.tile<16x2048xf32>
      %b = tile.load %w[%c0, %c0] : memref<2048x16xf32> -> !tile.tile<2048x16xf32>
      // expected-remark @below {{matmul split along K into 2 steps of 1024 (lhs [16, 2048] f32 is 131072 bytes > cube L0A 65536; rhs [2048, 16] f32 is 131072 bytes > cube L0B 65536)}}
      %m = tile.matmul %a, %b : !tile.tile<16x2048xf32>, !tile.tile<2048x16xf32> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// b_trans f32, the gate projection's shape: x [16, 2048] @ w.T with w
// stored [32, 2048]. The rhs multiplies as [2048, 32]: 2048 * 32 * 4 =
// 262144 bytes, so Ks * 32 * 4 <= 65536 -> Ks <= 512: 4 steps of 512 (the
// lhs [16, 512] is then 32768 bytes). The rhs windows are K columns of the
// stored [32, 2048] tile.
// CHECK-LABEL: func.func @b_trans_four_steps
// CHECK: tile.load
// CHECK: tile.load
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: tile.extract %{{.*}}[%[[C0]], %[[C0]]] : !tile.tile<32x2048xf32> -> !tile.tile<32x512xf32>
// CHECK: tile.matmul %{{.*}}, %{{.*}} b_trans : !tile.tile<16x512xf32>, !tile.tile<32x512xf32> -> !tile.tile<16x32xf32>
// CHECK: %[[C512:.*]] = arith.constant 512 : index
// CHECK: tile.extract %{{.*}}[%[[C0]], %[[C512]]] : !tile.tile<16x2048xf32> -> !tile.tile<16x512xf32>
// CHECK: tile.extract %{{.*}}[%[[C0]], %[[C512]]] : !tile.tile<32x2048xf32> -> !tile.tile<32x512xf32>
// CHECK: tile.matmul_acc {{.*}} b_trans
// CHECK: tile.matmul_acc {{.*}} b_trans
// CHECK: %[[C1536:.*]] = arith.constant 1536 : index
// CHECK: tile.extract %{{.*}}[%[[C0]], %[[C1536]]] : !tile.tile<32x2048xf32> -> !tile.tile<32x512xf32>
// CHECK: tile.matmul_acc {{.*}} b_trans
// CHECK-NOT: tile.matmul
// PLACED-LABEL: func.func @b_trans_four_steps
// PLACED: tile.extract {{.*}} {place = #tile.place<l0b, 0>} : !tile.tile<32x2048xf32> -> !tile.tile<32x512xf32>
func.func @b_trans_four_steps(%x: memref<16x2048xf32>, %w: memref<32x2048xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<16x2048xf32> -> !tile.tile<16x2048xf32>
      %b = tile.load %w[%c0, %c0] : memref<32x2048xf32> -> !tile.tile<32x2048xf32>
      // expected-remark @below {{matmul split along K into 4 steps of 512 (lhs [16, 2048] f32 is 131072 bytes > cube L0A 65536; rhs [2048, 32] f32 is 262144 bytes > cube L0B 65536)}}
      %m = tile.matmul %a, %b b_trans : !tile.tile<16x2048xf32>, !tile.tile<32x2048xf32> -> !tile.tile<16x32xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// a_trans bf16 with an accumulator: the lhs is stored [K, M] = [4096, 16]
// and multiplies as [16, 4096]: 16 * 4096 * 2 = 131072 bytes; the rhs
// [4096, 16] bf16 too. Ks * 16 * 2 <= 65536 -> Ks <= 2048: 2 steps, the lhs
// windows K rows of the stored tile. The first step keeps the original
// accumulator (tile.matmul_acc on %c).
// CHECK-LABEL: func.func @a_trans_acc
// CHECK: %[[C:.*]] = tile.full
// CHECK: tile.load
// CHECK: tile.load
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[A0:.*]] = tile.extract %{{.*}}[%[[C0]], %[[C0]]] : !tile.tile<4096x16xbf16> -> !tile.tile<2048x16xbf16>
// CHECK: %[[M0:.*]] = tile.matmul_acc %[[C]], %[[A0]], %{{.*}} a_trans : !tile.tile<2048x16xbf16>, !tile.tile<2048x16xbf16> -> !tile.tile<16x16xf32>
// CHECK: %[[C2048:.*]] = arith.constant 2048 : index
// CHECK: tile.extract %{{.*}}[%[[C2048]], %[[C0]]] : !tile.tile<4096x16xbf16> -> !tile.tile<2048x16xbf16>
// CHECK: tile.extract %{{.*}}[%[[C2048]], %[[C0]]] : !tile.tile<4096x16xbf16> -> !tile.tile<2048x16xbf16>
// CHECK: tile.matmul_acc %[[M0]], {{.*}} a_trans
func.func @a_trans_acc(%x: memref<4096x16xbf16>, %w: memref<4096x16xbf16>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %c = tile.full 1.0 : !tile.tile<16x16xf32>
      %a = tile.load %x[%c0, %c0] : memref<4096x16xbf16> -> !tile.tile<4096x16xbf16>
      %b = tile.load %w[%c0, %c0] : memref<4096x16xbf16> -> !tile.tile<4096x16xbf16>
      // expected-remark @below {{matmul split along K into 2 steps of 2048 (lhs [16, 4096] bf16 is 131072 bytes > cube L0A 65536; rhs [4096, 16] bf16 is 131072 bytes > cube L0B 65536)}}
      %m = tile.matmul_acc %c, %a, %b a_trans : !tile.tile<4096x16xbf16>, !tile.tile<4096x16xbf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// int8 -> i32: the lhs [32, 4096] is 131072 bytes; the rhs [4096, 16] is
// 65536 and fits L0B alone. Ks * 32 <= 65536 -> Ks <= 2048, a multiple of
// 32 (the int8 K granule: 32 one-byte elements a block) -> 2 steps.
// CHECK-LABEL: func.func @int8_lhs_only
// CHECK: tile.extract {{.*}} : !tile.tile<32x4096xi8> -> !tile.tile<32x2048xi8>
// CHECK: tile.extract {{.*}} : !tile.tile<4096x16xi8> -> !tile.tile<2048x16xi8>
// CHECK: tile.matmul {{.*}} -> !tile.tile<32x16xi32>
// CHECK: tile.matmul_acc {{.*}} -> !tile.tile<32x16xi32>
func.func @int8_lhs_only(%x: memref<32x4096xi8>, %w: memref<4096x16xi8>, %o: memref<32x16xi32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<32x4096xi8> -> !tile.tile<32x4096xi8>
      %b = tile.load %w[%c0, %c0] : memref<4096x16xi8> -> !tile.tile<4096x16xi8>
      // expected-remark @below {{matmul split along K into 2 steps of 2048 (lhs [32, 4096] i8 is 131072 bytes > cube L0A 65536)}}
      %m = tile.matmul %a, %b : !tile.tile<32x4096xi8>, !tile.tile<4096x16xi8> -> !tile.tile<32x16xi32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<32x16xi32>, memref<32x16xi32>
    }
  }
  return
}

// -----

// An operand that is already a window (a tile subscript) is split from the
// window's source: its steps are at the window's offset plus k0 (here a
// runtime column %j + 0 and %j + 1024 of a [16, 4096] tile).
// CHECK-LABEL: func.func @window_of_window
// CHECK: %[[A:.*]] = tile.load
// CHECK: tile.extract %[[A]][%{{.*}}, %[[J:.*]]] : !tile.tile<16x4096xf32> -> !tile.tile<16x1024xf32>
// CHECK: %[[C1024:.*]] = arith.constant 1024 : index
// CHECK: %[[J1:.*]] = arith.addi %[[J]], %[[C1024]] : index
// CHECK: tile.extract %[[A]][%{{.*}}, %[[J1]]] : !tile.tile<16x4096xf32> -> !tile.tile<16x1024xf32>
// CHECK-NOT: !tile.tile<16x2048xf32>
func.func @window_of_window(%x: memref<16x4096xf32>, %w: memref<2048x16xf32>, %o: memref<16x16xf32>, %j: index) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<16x4096xf32> -> !tile.tile<16x4096xf32>
      %s = tile.extract %a[%c0, %j] : !tile.tile<16x4096xf32> -> !tile.tile<16x2048xf32>
      %b = tile.load %w[%c0, %c0] : memref<2048x16xf32> -> !tile.tile<2048x16xf32>
      // expected-remark @below {{matmul split along K into 2 steps of 1024}}
      %m = tile.matmul %s, %b : !tile.tile<16x2048xf32>, !tile.tile<2048x16xf32> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// Operands that fit are left alone: [16, 1024] f32 is exactly 65536 bytes.
// CHECK-LABEL: func.func @fits
// CHECK-NOT: tile.extract
// CHECK: tile.matmul
// CHECK-NOT: tile.extract
func.func @fits(%x: memref<16x1024xf32>, %w: memref<1024x16xf32>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<16x1024xf32> -> !tile.tile<16x1024xf32>
      %b = tile.load %w[%c0, %c0] : memref<1024x16xf32> -> !tile.tile<1024x16xf32>
      %m = tile.matmul %a, %b : !tile.tile<16x1024xf32>, !tile.tile<1024x16xf32> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// A loop-carried accumulator: both steps of an iteration accumulate in
// place over the iter_arg's L0C storage (1024 bytes at 0), so the pipeline
// yields a value already in its carried storage (no copy). The windows stay
// one slot each, though the body is staged (2 stages of the 131072-byte
// loads fill L1's 524288 bytes).
// CHECK-LABEL: func.func @carried
// CHECK: tile.matmul_acc %{{.*}}, %{{.*}}, %{{.*}} b_trans
// CHECK: tile.matmul_acc
// PLACED-LABEL: func.func @carried
// PLACED: tile.pipeline {{.*}}places = [#tile.place<l0c, 0>]
// PLACED: tile.extract {{.*}} {place = #tile.place<l0a, 0>}
// PLACED: tile.matmul_acc {{.*}} {place = #tile.place<l0c, 0>}
// PLACED: tile.extract {{.*}} {place = #tile.place<l0a, 0>}
// PLACED: tile.matmul_acc {{.*}} {place = #tile.place<l0c, 0>}
// PLACED-NEXT: tile.yield
func.func @carried(%x: memref<16x4096xf32>, %w: memref<16x4096xf32>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c2048 = arith.constant 2048 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      %r = tile.pipeline %k = %c0 to %c2 step %c1 stages(2) iter_args(%acc = %z) -> (!tile.tile<16x16xf32>) {
        %kk = arith.muli %k, %c2048 : index
        %a = tile.load %x[%c0, %kk] : memref<16x4096xf32> -> !tile.tile<16x2048xf32>
        %b = tile.load %w[%c0, %kk] : memref<16x4096xf32> -> !tile.tile<16x2048xf32>
        // expected-remark @below {{matmul split along K into 2 steps of 1024}}
        %m = tile.matmul_acc %acc, %a, %b b_trans : !tile.tile<16x2048xf32>, !tile.tile<16x2048xf32> -> !tile.tile<16x16xf32>
        tile.yield %m : !tile.tile<16x16xf32>
      }
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}
