// RUN: tessel-opt %s -split-input-file -tile-form-scopes -verify-diagnostics

// What tile-form-scopes does not take is an error at the op, naming it.

#id = affine_map<(d0, d1) -> (d0, d1)>
// An op outside the tensor-level subset.
func.func @unsupported_op(%x: tensor<8x64xf32>) -> tensor<64x8xf32> {
  %e = tensor.empty() : tensor<64x8xf32>
  // expected-error @below {{tile-form-scopes: unsupported op 'linalg.transpose' in a tensor-level function}}
  %t = linalg.transpose ins(%x : tensor<8x64xf32>) outs(%e : tensor<64x8xf32>) permutation = [1, 0]
  return %t : tensor<64x8xf32>
}

// -----

// The cube has no f16 accumulator.
func.func @f16_matmul_into_f16(%a: tensor<8x64xf16>, %b: tensor<64x32xf16>) -> tensor<8x32xf16> {
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<8x32xf16>
  %z = linalg.fill ins(%zero : f16) outs(%e : tensor<8x32xf16>) -> tensor<8x32xf16>
  // expected-error @below {{tile-form-scopes: the cube multiplies bf16, f16 or f32 operands into f32, or i8 into i32; found 'f16' x 'f16' -> 'f16'}}
  %y = linalg.matmul ins(%a, %b : tensor<8x64xf16>, tensor<64x32xf16>) outs(%z : tensor<8x32xf16>) -> tensor<8x32xf16>
  return %y : tensor<8x32xf16>
}

// -----

// A matmul accumulating into something other than zeros.
func.func @matmul_nonzero_init(%a: tensor<8x64xbf16>, %b: tensor<64x32xbf16>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  // expected-error @below {{tile-form-scopes: linalg.matmul must accumulate into a zero linalg.fill}}
  %y = linalg.matmul ins(%a, %b : tensor<8x64xbf16>, tensor<64x32xbf16>) outs(%c : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// A transposed access (d1, d0) is not a broadcast.
func.func @transposed_input(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %e = tensor.empty() : tensor<64x64xf32>
  // expected-error @below {{tile-form-scopes: unsupported linalg.generic: input indexing map is not the identity or a broadcast of a size-1 row or column}}
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

// A reduction along the rows (a column sum).
func.func @column_reduction(%x: tensor<8x64xf32>) -> tensor<1x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x64xf32>) -> tensor<1x64xf32>
  // expected-error @below {{tile-form-scopes: unsupported linalg.generic: only elementwise ops and reductions along the last dimension are supported}}
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<8x64xf32>) outs(%z : tensor<1x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// Integer arithmetic (integers are only converted, never computed on).
func.func @integer_add(%x: tensor<8x64xi32>) -> tensor<8x64xi32> {
  %e = tensor.empty() : tensor<8x64xi32>
  // expected-error @below {{tile-form-scopes: unsupported linalg.generic: body op 'arith.addi' has no tile equivalent}}
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x64xi32>) outs(%e : tensor<8x64xi32>) {
  ^bb0(%a: i32, %o: i32):
    %s = arith.addi %a, %a : i32
    linalg.yield %s : i32
  } -> tensor<8x64xi32>
  return %y : tensor<8x64xi32>
}

// -----

// A body op with no tile equivalent.
func.func @no_tile_op(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %e = tensor.empty() : tensor<8x64xf32>
  // expected-error @below {{tile-form-scopes: unsupported linalg.generic: body op 'math.tanh' has no tile equivalent}}
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.tanh %a : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// Tensors are 2-D (tessel.graph flattens leading dimensions into rows).
// expected-error @below {{tile-form-scopes: argument #0 must be a static 2-D tensor, found 'tensor<2x4x64xf32>'}}
func.func @rank3(%x: tensor<2x4x64xf32>) -> tensor<2x4x64xf32> {
  return %x : tensor<2x4x64xf32>
}

// -----

// Concatenation along rows.
func.func @row_insert(%x: tensor<4x64xf32>) -> tensor<8x64xf32> {
  %e = tensor.empty() : tensor<8x64xf32>
  // expected-error @below {{tile-form-scopes: tensor.insert_slice must cover every row (concatenation along rows is not supported)}}
  %y = tensor.insert_slice %x into %e[4, 0] [4, 64] [1, 1] : tensor<4x64xf32> into tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// Every third column.
func.func @stride_3(%x: tensor<4x96xf32>) -> tensor<4x32xf32> {
  // expected-error @below {{tile-form-scopes: column stride 3 (only 1, or 2 for even/odd columns)}}
  %y = tensor.extract_slice %x[0, 0] [4, 32] [1, 3] : tensor<4x96xf32> to tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

// Reading columns nothing was inserted into.
func.func @read_empty(%x: tensor<4x32xf32>) -> tensor<4x64xf32> {
  // expected-error @below {{tile-form-scopes: reads columns [32, 64) of an uninitialised tensor.empty}}
  %e = tensor.empty() : tensor<4x64xf32>
  %y = tensor.insert_slice %x into %e[0, 0] [4, 32] [1, 1] : tensor<4x32xf32> into tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

// A reshape that is not one collapse to 1-D then one expand.
func.func @bad_reshape(%x: tensor<4x64xf32>) -> (tensor<8x32xf32>, tensor<16x16xf32>) {
  // expected-error @below {{tile-form-scopes: a reshape must be tensor.collapse_shape of a 2-D tensor to 1-D followed by tensor.expand_shape to 2-D}}
  %f = tensor.collapse_shape %x [[0, 1]] : tensor<4x64xf32> into tensor<256xf32>
  %g = tensor.expand_shape %f [[0, 1]] output_shape [8, 32] : tensor<256xf32> into tensor<8x32xf32>
  %h = tensor.expand_shape %f [[0, 1]] output_shape [16, 16] : tensor<256xf32> into tensor<16x16xf32>
  return %g, %h : tensor<8x32xf32>, tensor<16x16xf32>
}

// -----

// A transposed lhs (d0, d1, d2) -> (d2, d0) is not formed (only the rhs).
func.func @matmul_lhs_transposed(%a: tensor<64x8xbf16>, %b: tensor<64x32xbf16>) -> tensor<8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  // expected-error @below {{tile-form-scopes: linalg.matmul with indexing maps other than the default or a transposed rhs (d0, d1, d2) -> (d1, d2) is not supported}}
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%a, %b : tensor<64x8xbf16>, tensor<64x32xbf16>) outs(%z : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}
