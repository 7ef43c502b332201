//===- SiteInitialize.cpp - Register Tessel in every Context --------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Loaded automatically by tessel.mlir._mlir_libs as `_site_initialize_0`:
// registers the tile dialect and the dialects the pipelines use into every
// Context's registry, and every Tessel pass and pipeline with the global pass
// registry (so PassManager.parse knows them).
//
//===----------------------------------------------------------------------===//

#include "tessel-c/Tessel.h"

#include "mlir/Bindings/Python/Nanobind.h"
#include "mlir/Bindings/Python/NanobindAdaptors.h"

NB_MODULE(_site_initialize_0, m) {
  m.doc() = "Registers Tessel's dialects and passes in every Context";
  tesselRegisterAllPasses();
  m.def("register_dialects", [](MlirDialectRegistry registry) {
    tesselRegisterDialects(registry);
  });
}
