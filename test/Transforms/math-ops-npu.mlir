// The NPU path of TileMathOps.td. tile.fmod / tile.fmods / tile.rem /
// tile.rems are PTO-ISA's TFMOD / TFMODS / TREM / TREMS (float only on
// a2a3: half is an error there); sine and cosine have no PTO-ISA
// instruction: an error at the op (the CPU simulation runs them).
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -verify-diagnostics

func.func @sin_on_the_npu(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{PTO-ISA has no sine instruction (no TSIN in pto-isa), so the NPU back end cannot emit tile.sin on a2a3; the CPU simulation runs it}}
      %s = tile.sin %x : !tile.tile<16x64xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

func.func @cos_on_the_npu(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{PTO-ISA has no cosine instruction (no TCOS in pto-isa)}}
      %s = tile.cos %x : !tile.tile<16x64xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

// pto-isa's a2a3 TREM / TREMS take float only (a5 also half).
func.func @f16_rem_on_a2a3(%a: memref<16x64xf16>, %o: memref<16x64xf16>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
      // expected-error @below {{TREM takes f32 tiles on a2a3, not 'f16'; cast to f32 first}}
      %r = tile.rem %x, %x : !tile.tile<16x64xf16>
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x64xf16>, memref<16x64xf16>
    }
  }
  return
}

// -----

// pto-isa's a2a3 TFMOD takes float only (a5 also half).
func.func @f16_fmod_on_a2a3(%a: memref<16x64xf16>, %o: memref<16x64xf16>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
      // expected-error @below {{TFMOD takes f32 tiles on a2a3, not 'f16'; cast to f32 first}}
      %r = tile.fmod %x, %x : !tile.tile<16x64xf16>
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x64xf16>, memref<16x64xf16>
    }
  }
  return
}
