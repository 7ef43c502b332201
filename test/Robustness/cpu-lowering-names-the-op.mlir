// RUN: tessel-opt %s -split-input-file -tile-cpu-pipeline -verify-diagnostics
// RUN: not tessel-opt %s -split-input-file -tile-cpu-pipeline=threads=0 2>&1 | FileCheck %s --check-prefix=THREADS
// RUN: not tessel-opt %s -split-input-file -tile-cpu-pipeline=threads=-1 2>&1 | FileCheck %s --check-prefix=THREADS-NEG

// What the CPU lowering cannot lower is named at its location (issue 17:
// mutants accepted by -tile-npu-pipeline were rejected with only "failed to
// legalize operation 'func.func'"), and a thread count below 1 is an error
// (it was accepted silently).

// THREADS: error: threads must be at least 1, got 0
// THREADS-NEG: error: threads must be at least 1, got -1

// expected-error @below {{cannot lower @takes_a_tile to the CPU simulation: argument #0 has type '!tile.tile<16x16xf32>', which has no LLVM form (functions take and return memrefs and scalars)}}
func.func private @takes_a_tile(!tile.tile<16x16xf32>)

// -----

// expected-error @below {{cannot lower @returns_a_tile to the CPU simulation: result #0 has type '!tile.tile<16x16xf32>', which has no LLVM form (functions take and return memrefs and scalars)}}
func.func private @returns_a_tile() -> !tile.tile<16x16xf32>
