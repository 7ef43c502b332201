// The NPU path of TileMathOps.td. tile.fmod / tile.fmods are PTO-ISA's
// TFMOD / TFMODS (float only on a2a3); sine and cosine have no PTO-ISA
// instruction and tile.rem / tile.rems (TREM / TREMS) need a scratch tile
// placement does not reserve yet: each is an error at the op (the CPU
// simulation runs them all).
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

func.func @rem_on_the_npu(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{the NPU back end does not emit tile.rem yet (PTO-ISA TREM is not in Tessel's emitter}}
      %r = tile.rem %x, %x : !tile.tile<16x64xf32>
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

func.func @rems_on_the_npu(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %s = arith.constant 3.0 : f32
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{the NPU back end does not emit tile.rems yet (PTO-ISA TREMS}}
      %r = tile.rems %x, %s : !tile.tile<16x64xf32>
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
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
