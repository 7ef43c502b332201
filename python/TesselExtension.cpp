//===- TesselExtension.cpp - Tessel's Python extension --------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The `_tessel` extension: the tile type, the placement attribute and the
// target figures for Python. (Registration into every Context is done by
// SiteInitialize.cpp, which must not import tessel.mlir.ir while it loads.)
//
//===----------------------------------------------------------------------===//

#include "tessel-c/Tessel.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir/Bindings/Python/Nanobind.h"
#include "mlir/Bindings/Python/NanobindAdaptors.h"
#include "nanobind/stl/string.h"
#include "nanobind/stl/vector.h"
#include "mlir/CAPI/IR.h"

#include "tile/TileDialect.h"

#include "mlir/IR/Diagnostics.h"

namespace nb = nanobind;
using namespace mlir::python::nanobind_adaptors;

static nb::dict bufferDict(const TesselBufferSpec &b) {
  nb::dict d;
  d["physical_bytes"] = b.physicalBytes;
  d["usable_bytes"] = b.usableBytes;
  d["align_bytes"] = b.alignBytes;
  return d;
}

static nb::dict targetDict(const TesselTargetInfo &t) {
  nb::dict d;
  d["name"] = std::string(t.name.data, t.name.length);
  d["chips"] = std::string(t.chips.data, t.chips.length);
  nb::dict buffers;
  buffers["ub"] = bufferDict(t.ub);
  buffers["l1"] = bufferDict(t.l1);
  buffers["l0a"] = bufferDict(t.l0a);
  buffers["l0b"] = bufferDict(t.l0b);
  buffers["l0c"] = bufferDict(t.l0c);
  d["buffers"] = buffers;
  d["cube_cores"] = t.cubeCores;
  d["vector_cores"] = t.vectorCores;
  d["core_counts_verified"] = t.coreCountsVerified;
  d["has_l0c_to_ub"] = t.hasL0CToUB;
  d["hbm_nominal_bytes_per_sec"] = t.hbmNominalBytesPerSec;
  d["hbm_effective_bytes_per_sec"] = t.hbmEffectiveBytesPerSec;
  d["cube_clock_hz"] = t.cubeClockHz;
  // {"bf16": ("f32", 4096), ...}: operand type -> (accumulator, MACs/cycle)
  nb::dict cube;
  for (intptr_t i = 0; i < t.numCubeDtypes; ++i) {
    const TesselCubeDtype &c = t.cubeDtypes[i];
    cube[nb::str(c.operand.data, c.operand.length)] = nb::make_tuple(
        nb::str(c.accumulator.data, c.accumulator.length), c.macsPerCycle);
  }
  d["cube_dtypes"] = cube;
  d["task_dispatch_sec"] = t.taskDispatchSec;
  d["vector_repeat_bytes"] = t.vectorRepeatBytes;
  return d;
}

NB_MODULE(_tessel, m) {
  m.doc() = "Tessel: the tile type, the placement attribute, target figures";

  m.def(
      "targets",
      []() {
        nb::list out;
        for (intptr_t i = 0, e = tesselGetNumTargets(); i < e; ++i) {
          TesselTargetInfo info;
          tesselGetTarget(i, &info);
          out.append(targetDict(info));
        }
        return out;
      },
      "The figures of every known target, as dicts.");

  m.def(
      "tile_storage_bytes",
      [](MlirType tileType, const std::string &kind,
         const std::string &target) {
        int64_t bytes = tesselGetTileStorageBytes(
            tileType, mlirStringRefCreate(kind.data(), kind.size()),
            mlirStringRefCreate(target.data(), target.size()));
        if (bytes < 0)
          throw nb::value_error("expected a tile type, a buffer kind (ub, "
                                "l1, l0a, l0b, l0c) and a known target");
        return bytes;
      },
      nb::arg("tile_type"), nb::arg("kind"), nb::arg("target"),
      "Bytes of one copy of a tile of `tile_type` in buffer `kind` of "
      "`target`, aligned as the placement aligns it "
      "(tessel/Analysis/TileLayout.h).");

  m.def(
      "vector_op_extra_bytes",
      [](const std::string &opName, std::vector<MlirType> operands,
         MlirType result, const std::string &target) {
        MlirContext ctx = mlirTypeGetContext(result);
        int64_t bytes = tesselGetVectorOpExtraBytes(
            ctx, mlirStringRefCreate(opName.data(), opName.size()),
            static_cast<intptr_t>(operands.size()), operands.data(), result,
            mlirStringRefCreate(target.data(), target.size()));
        if (bytes < 0)
          throw nb::value_error("expected a registered op name and a known "
                                "target");
        return bytes;
      },
      nb::arg("op_name"), nb::arg("operand_types"), nb::arg("result_type"),
      nb::arg("target"),
      "UB bytes the op needs beyond its tiles' own storage: its scratch "
      "tile, a row reduction's source view "
      "(tessel/Analysis/TileLayout.h, getVectorOpExtraBytes).");

  m.def(
      "gm_traffic",
      [](MlirOperation op) {
        int64_t read = 0, written = 0;
        tesselCountGmTraffic(op, &read, &written);
        return nb::make_tuple(read, written);
      },
      nb::arg("op"),
      "(bytes read, bytes written) between GM and the chip by one run of "
      "`op` (tessel/Analysis/GmTraffic.h).");

  m.def(
      "schedule_model",
      [](MlirOperation op, const std::string &target) {
        std::string text;
        MlirLogicalResult result = tesselModelSchedule(
            op, mlirStringRefCreate(target.data(), target.size()),
            [](MlirStringRef s, void *user) {
              static_cast<std::string *>(user)->append(s.data, s.length);
            },
            &text);
        if (mlirLogicalResultIsFailure(result))
          throw nb::value_error(("schedule_model takes a func.func and a "
                                 "known target, got target '" +
                                 target + "'")
                                    .c_str());
        return text;
      },
      nb::arg("func"), nb::arg("target"),
      "The modelled NPU time of a func.func of scheduled tile IR on "
      "`target`, as JSON text (tessel/Analysis/ScheduleCost.h).");

  m.def(
      "translate_to_pto",
      [](MlirOperation op) {
        std::string text;
        MlirLogicalResult result = tesselTranslateTileToPTO(
            op,
            [](MlirStringRef s, void *user) {
              static_cast<std::string *>(user)->append(s.data, s.length);
            },
            &text);
        if (mlirLogicalResultIsFailure(result))
          throw nb::value_error(
              "the module cannot be translated to PTO-ISA C++ (see the "
              "diagnostics)");
        return text;
      },
      nb::arg("module"),
      "Lowers placed, synchronised tile IR in place to EmitC and returns it "
      "as an Ascend C kernel on PTO-ISA (tessel-translate --tile-to-pto).");

  mlir_type_subclass(
      m, "TileType",
      [](MlirType t) { return llvm::isa<tessel::tile::TileType>(unwrap(t)); })
      .def_classmethod(
          "get",
          [](const nb::object &cls, std::vector<int64_t> shape,
             MlirType elementType, MlirContext ctx) {
            mlir::MLIRContext *context = unwrap(ctx);
            std::string message;
            mlir::ScopedDiagnosticHandler handler(
                context, [&](mlir::Diagnostic &diag) {
                  message = diag.str();
                  return mlir::success();
                });
            auto type = tessel::tile::TileType::getChecked(
                mlir::detail::getDefaultDiagnosticEmitFn(context), context,
                llvm::ArrayRef<int64_t>(shape), unwrap(elementType));
            if (!type)
              throw nb::value_error(message.c_str());
            return cls(wrap(type));
          },
          nb::arg("cls"), nb::arg("shape"), nb::arg("element_type"),
          nb::arg("context") = nb::none(),
          "Builds !tile.tile<shape x element_type>.")
      .def_property_readonly(
          "shape",
          [](MlirType t) {
            auto tile = llvm::cast<tessel::tile::TileType>(unwrap(t));
            return std::vector<int64_t>(tile.getShape().begin(),
                                        tile.getShape().end());
          })
      .def_property_readonly("element_type", [](MlirType t) {
        return wrap(
            llvm::cast<tessel::tile::TileType>(unwrap(t)).getElementType());
      });

  mlir_attribute_subclass(
      m, "PlaceAttr",
      [](MlirAttribute a) {
        return llvm::isa<tessel::tile::PlaceAttr>(unwrap(a));
      })
      .def_property_readonly(
          "kind",
          [](MlirAttribute a) {
            return tessel::tile::stringifyMemoryKind(
                       llvm::cast<tessel::tile::PlaceAttr>(unwrap(a))
                           .getKind())
                .str();
          })
      .def_property_readonly(
          "offset",
          [](MlirAttribute a) {
            return llvm::cast<tessel::tile::PlaceAttr>(unwrap(a)).getOffset();
          })
      .def_property_readonly("slots", [](MlirAttribute a) {
        return llvm::cast<tessel::tile::PlaceAttr>(unwrap(a)).getSlots();
      });
}
