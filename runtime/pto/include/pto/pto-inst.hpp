//===- pto/pto-inst.hpp - Tessel's CPU reference of pto-isa -----*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// A header-only, strict CPU reference of the subset of the pto-isa tile
// instruction API (hw-native-sys/pto-isa) that Tessel's code generator
// emits. An emitted kernel includes <pto/pto-inst.hpp>; with
// `-I runtime/pto/include` it gets this reference instead of the real
// headers and runs on the CPU:
//
//  * every instruction executes eagerly, in program order, with the bit-exact
//    numerics of Tessel's CPU simulation (docs/numerics.md);
//  * every instruction runs on its pipe, and the happens-before relation of
//    the hardware (in-order pipes, an unordered vector pipe, set_flag /
//    wait_flag, pipe_barrier) is tracked with vector clocks, so that any
//    missing synchronisation is reported whatever the timing;
//  * buffer capacities, alignment, element types and valid shapes are
//    checked; see runtime/pto/README.md for the full list.
//
// The target is a2a3 unless PTO_REF_TARGET_A5 is defined.
// `TESSEL_PTO_REFERENCE` is defined so that an emitted file can select its
// CPU entry point.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_PTO_INST_HPP
#define PTO_PTO_INST_HPP

#ifndef TESSEL_PTO_REFERENCE
#define TESSEL_PTO_REFERENCE 1
#endif

#include "pto/ref/config.hpp"
#include "pto/ref/float_formats.hpp"
#include "pto/ref/types.hpp"
#include "pto/ref/diag.hpp"
#include "pto/ref/clocks.hpp"
#include "pto/ref/memory.hpp"
#include "pto/ref/instr.hpp"
#include "pto/ref/sync.hpp"
#include "pto/ref/tile.hpp"
#include "pto/ref/numerics.hpp"
#include "pto/ref/casts.hpp"
#include "pto/ref/vector_ops.hpp"
#include "pto/ref/data_movement.hpp"
#include "pto/ref/catalog_ops.hpp"
#include "pto/ref/compare_ops.hpp"
#include "pto/ref/sort_ops.hpp"
#include "pto/ref/cube_ops.hpp"
#include "pto/ref/run.hpp"

#endif // PTO_PTO_INST_HPP
