#===- TesselPCH.cmake - Precompiled upstream headers ---------*- CMake -*-===//
#
# Most of a Tessel translation unit's compile time is parsing MLIR's headers
# (measured on FuseScopes.cpp: 59 % parsing, 18 % template instantiation).
# One precompiled header of the upstream headers (TesselUpstreamHeaders.h),
# built once and reused by every library of the same compile flags, halves
# the user time of a typical source file. TESSEL_PCH=OFF turns it off.
#
#===----------------------------------------------------------------------===//

option(TESSEL_PCH "Precompile the upstream MLIR/LLVM headers" ON)

# The object libraries add_mlir_library makes (obj.<name>) share one set of
# flags; the first one owns the precompiled header, the others reuse it.
function(tessel_precompile_headers owner)
  if(NOT TESSEL_PCH)
    return()
  endif()
  target_precompile_headers(obj.${owner} PRIVATE
    ${PROJECT_SOURCE_DIR}/cmake/TesselUpstreamHeaders.h)
  foreach(lib ${ARGN})
    if(TARGET obj.${lib})
      target_precompile_headers(obj.${lib} REUSE_FROM obj.${owner})
    endif()
  endforeach()
endfunction()
