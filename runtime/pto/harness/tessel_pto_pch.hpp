//===- tessel_pto_pch.hpp - What every emitted kernel's build parses ------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The headers tessel_pto_main.cpp includes before the emitted kernel: the
// reference and the standard headers it uses. python/tessel/runtime/pto.py
// precompiles this file once per compiler, flags and reference (GCC only)
// and builds each kernel with `-include` of it; the code generated is the
// same with or without it.
//
//===----------------------------------------------------------------------===//

#include <pto/pto-inst.hpp>

#include <climits>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
