// Fills of an accumulator (L0C) tile the NPU cannot make: the vector unit
// does not write L0C, and only a zero whose every reader is a matmul_acc's
// accumulator is dropped (its first matmul is a TMATMUL). Each is an error
// at the fill saying what to write instead; the CPU simulation runs them.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -verify-diagnostics

// A non-zero start (1.0): the accumulator is 1 + sum_k x_k w_k.
func.func @nonzero_fill(%a: memref<16x256xbf16>, %w: memref<256x32xbf16>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      // expected-error @below {{'tile.full' op cannot run on the a2a3 NPU: a fill of a matmul accumulator (an l0c tile) has no NPU instruction (the vector unit cannot write l0c); the back end only drops a zero accumulator whose every use is the accumulator of a matmul_acc (directly, or through a loop's iter_arg in a loop that runs): start with a zero (pl.full(..., 0.0) / pl.create_tensor) read only by pl.matmul_acc, or add the fill to the matmul's result in a vector tile}}
      %z = tile.full 1.0 : !tile.tile<16x32xf32>
      // expected-remark @below {{pipelined loop}}
      %acc = scf.for %k = %c0 to %c4 step %c1 iter_args(%c = %z) -> (!tile.tile<16x32xf32>) {
        %kk = arith.muli %k, %c64 : index
        %x = tile.load %a[%c0, %kk] : memref<16x256xbf16> -> !tile.tile<16x64xbf16>
        %y = tile.load %w[%kk, %c0] : memref<256x32xbf16> -> !tile.tile<64x32xbf16>
        %m = tile.matmul_acc %c, %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
        scf.yield %m : !tile.tile<16x32xf32>
      }
      tile.store %acc, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// The zero also flows past the matmul_acc: in iteration 2 the else branch
// yields the accumulator unchanged, and with k == 0 skipped too the zero
// itself would be stored. A reader other than matmul_acc: an error.
func.func @zero_passed_through(%a: memref<16x256xbf16>, %w: memref<256x32xbf16>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      // expected-error @below {{'tile.full' op cannot run on the a2a3 NPU: a fill of a matmul accumulator (an l0c tile) has no NPU instruction}}
      %z = tile.full 0.0 : !tile.tile<16x32xf32>
      // expected-remark @below {{pipelined loop}}
      %acc = scf.for %k = %c0 to %c4 step %c1 iter_args(%c = %z) -> (!tile.tile<16x32xf32>) {
        %kk = arith.muli %k, %c64 : index
        %x = tile.load %a[%c0, %kk] : memref<16x256xbf16> -> !tile.tile<16x64xbf16>
        %y = tile.load %w[%kk, %c0] : memref<256x32xbf16> -> !tile.tile<64x32xbf16>
        %keep = arith.cmpi ne, %k, %c2 : index
        %m = scf.if %keep -> (!tile.tile<16x32xf32>) {
          %p = tile.matmul_acc %c, %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
          scf.yield %p : !tile.tile<16x32xf32>
        } else {
          scf.yield %c : !tile.tile<16x32xf32>
        }
        scf.yield %m : !tile.tile<16x32xf32>
      }
      tile.store %acc, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// A K loop of no iteration (0 to 0): its result is the zero itself.
func.func @no_iteration(%a: memref<16x256xbf16>, %w: memref<256x32xbf16>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      // expected-error @below {{'tile.full' op cannot run on the a2a3 NPU: a fill of a matmul accumulator (an l0c tile) has no NPU instruction}}
      %z = tile.full 0.0 : !tile.tile<16x32xf32>
      %acc = tile.pipeline %k = %c0 to %c0 step %c1 stages(1) iter_args(%c = %z) -> (!tile.tile<16x32xf32>) {
        %kk = arith.muli %k, %c64 : index
        %x = tile.load %a[%c0, %kk] : memref<16x256xbf16> -> !tile.tile<16x64xbf16>
        %y = tile.load %w[%kk, %c0] : memref<256x32xbf16> -> !tile.tile<64x32xbf16>
        %m = tile.matmul_acc %c, %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
        tile.yield %m : !tile.tile<16x32xf32>
      }
      tile.store %acc, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}
