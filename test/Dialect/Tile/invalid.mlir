// Every verifier and parser error of the tile dialect, one case per split:
// the types and attributes, the nesting rules of the scopes, the memory
// accesses, every illegal cast, the shape rules of the compute ops and the
// ODS constraints the dialect relies on.
//
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// The tile type
//===----------------------------------------------------------------------===//

// A tile is M x N: 16 alone is rank 1.
// expected-error @below {{tile must be 2-D, got rank 1}}
func.func private @tile_of_rank_1_is_rejected(!tile.tile<16xf32>)

// -----

// 2 x 16 x 32 is rank 3.
// expected-error @below {{tile must be 2-D, got rank 3}}
func.func private @tile_of_rank_3_is_rejected(!tile.tile<2x16x32xf32>)

// -----

// 0 x 16 holds no elements.
// expected-error @below {{tile dimensions must be positive, got 0}}
func.func private @tile_with_zero_rows_is_rejected(!tile.tile<0x16xf32>)

// -----

// expected-error @below {{tile dimensions must be positive, got 0}}
func.func private @tile_with_zero_columns_is_rejected(!tile.tile<16x0xf32>)

// -----

// 2^62 x 2^62 elements would overflow every size computation; the type stops
// at 2^31 bytes.
// expected-error @below {{tile size must be at most 2147483648 bytes, got 4611686018427387904 x 4611686018427387904 x 4 bytes}}
func.func private @tile_of_2_pow_124_elements_is_rejected(!tile.tile<4611686018427387904x4611686018427387904xf32>)

// -----

// 65536 x 16384 x 2 bytes = 2^31 bytes is the largest tile; one more row is
// too much.
// expected-error @below {{tile size must be at most 2147483648 bytes, got 65537 x 16384 x 2 bytes}}
func.func private @tile_one_row_over_2_gib_is_rejected(!tile.tile<65536x16384xbf16>, !tile.tile<65537x16384xbf16>)

// -----

// expected-error @below {{tile element type must be bf16, f16, f32, i8, i32 or i64, got 'f64'}}
func.func private @tile_of_f64_is_rejected(!tile.tile<16x16xf64>)

// -----

// expected-error @below {{tile element type must be bf16, f16, f32, i8, i32 or i64, got 'i16'}}
func.func private @tile_of_i16_is_rejected(!tile.tile<16x16xi16>)

// -----

// expected-error @below {{tile element type must be bf16, f16, f32, i8, i32 or i64, got 'ui8'}}
func.func private @tile_of_unsigned_i8_is_rejected(!tile.tile<16x16xui8>)

// -----

// Shapes are static.
// expected-error @below {{expected static shape}}
func.func private @tile_with_dynamic_dimension_is_rejected(!tile.tile<?x16xf32>)

// -----

// expected-error @below {{expected 'x' in dimension list}}
func.func private @tile_without_element_type_is_rejected(!tile.tile<16x16>)

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

// -----

// expected-error @below {{tiles cannot be placed in gm; expected ub, l1, l0a, l0b or l0c}}
func.func private @placement_in_gm_is_rejected() attributes {p = #tile.place<gm, 0>}

// -----

// expected-error @below {{placement offset must be non-negative, got -32 bytes}}
func.func private @negative_placement_offset_is_rejected() attributes {p = #tile.place<ub, -32>}

// -----

// expected-error @below {{placement needs at least one slot, got 0}}
func.func private @placement_with_zero_slots_is_rejected() attributes {p = #tile.place<ub, 0, slots = 0>}

// -----

// expected-error @below {{expected ::tessel::tile::MemoryKind to be one of: gm, ub, l1, l0a, l0b, l0c}}
// expected-error @below {{failed to parse Tile_MemoryKindAttr parameter 'value'}}
func.func private @unknown_memory_is_rejected() attributes {m = #tile.memory<l2>}

// -----

// expected-error @below {{expected ::tessel::tile::Target to be one of: a2a3, a5}}
// expected-error @below {{failed to parse Tile_TargetAttr parameter 'value'}}
func.func private @unknown_target_is_rejected() attributes {tile.target = #tile.target<a9>}

// -----

// tile.target names a chip with the enum attribute.
// expected-error @below {{tile.target must be a #tile.target attribute (a2a3 or a5), got "a2a3"}}
func.func private @string_target_is_rejected() attributes {tile.target = "a2a3"}

// -----

// expected-error @below {{tile.target must be a #tile.target attribute (a2a3 or a5), got #tile.memory<ub>}}
module attributes {tile.target = #tile.memory<ub>} {
}

//===----------------------------------------------------------------------===//
// tile.spmd
//===----------------------------------------------------------------------===//

// -----

func.func @spmd_with_zero_blocks_is_rejected() {
  // expected-error @below {{expected a positive block count, got 0}}
  tile.spmd 0 (%b) {
  }
  return
}

// -----

func.func @spmd_with_negative_blocks_is_rejected() {
  // expected-error @below {{expected a positive block count, got -4}}
  tile.spmd -4 (%b) {
  }
  return
}

// -----

// The generic form reaches the attribute constraint.
func.func @spmd_with_zero_blocks_in_generic_form_is_rejected() {
  // expected-error @below {{attribute 'blocks' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  "tile.spmd"() <{blocks = 0 : i64}> ({
  ^bb0(%b: index):
    "tile.yield"() : () -> ()
  }) : () -> ()
  return
}

// -----

func.func @spmd_without_block_index_is_rejected() {
  // expected-error @below {{expected '('}}
  tile.spmd 2 {
  }
  return
}

// -----

func.func @spmd_body_with_two_arguments_is_rejected() {
  // expected-error @below {{body must take exactly one argument (the block index), got 2}}
  "tile.spmd"() <{blocks = 2 : i64}> ({
  ^bb0(%b: index, %c: index):
    "tile.yield"() : () -> ()
  }) : () -> ()
  return
}

// -----

func.func @spmd_block_index_of_type_i32_is_rejected() {
  // expected-error @below {{block index must be index, got 'i32'}}
  "tile.spmd"() <{blocks = 2 : i64}> ({
  ^bb0(%b: i32):
    "tile.yield"() : () -> ()
  }) : () -> ()
  return
}

// -----

func.func @spmd_nested_in_spmd_is_rejected() {
  // expected-note @below {{enclosing tile.spmd is here}}
  tile.spmd 2 (%b) {
    // expected-error @below {{cannot be nested in another tile.spmd}}
    tile.spmd 2 (%c) {
    }
  }
  return
}

// -----

func.func @spmd_nested_in_at_is_rejected() {
  // expected-note @below {{enclosing tile.at is here}}
  tile.at vector {
    // expected-error @below {{cannot be nested in a tile.at core scope}}
    tile.spmd 2 (%c) {
    }
  }
  return
}

// -----

func.func @spmd_yielding_a_value_is_rejected() {
  tile.spmd 2 (%b) {
    // expected-error @below {{in 'tile.spmd' must not yield values, got 1}}
    tile.yield %b : index
  }
  return
}

//===----------------------------------------------------------------------===//
// tile.at
//===----------------------------------------------------------------------===//

// -----

func.func @at_outside_spmd_is_rejected() {
  // expected-error @below {{must be nested in a tile.spmd}}
  tile.at vector {
  }
  return
}

// -----

func.func @at_nested_in_at_is_rejected() {
  tile.spmd 2 (%b) {
    // expected-note @below {{enclosing tile.at is here}}
    tile.at core_group {
      // expected-error @below {{cannot be nested in another tile.at}}
      tile.at vector {
      }
    }
  }
  return
}

// -----

func.func @at_body_with_arguments_is_rejected() {
  tile.spmd 2 (%b) {
    // expected-error @below {{body must not take arguments, got 1}}
    "tile.at"() <{kind = 0 : i32}> ({
    ^bb0(%x: index):
      "tile.yield"() : () -> ()
    }) : () -> ()
  }
  return
}

// -----

func.func @at_with_unknown_core_kind_is_rejected() {
  tile.spmd 2 (%b) {
    // expected-error @below {{expected string or keyword containing one of the following enum values for attribute 'kind' [vector, cube, core_group]}}
    tile.at gpu {
    }
  }
  return
}

// -----

func.func @at_yielding_a_value_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{in 'tile.at' must not yield values, got 1}}
      tile.yield %b : index
    }
  }
  return
}

// -----

func.func @matmul_in_vector_scope_is_rejected(%a: memref<16x16xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    // expected-note @below {{core scope is here}}
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x16xf16> -> !tile.tile<16x16xf16>
      // expected-error @below {{is a cube op and cannot run in a vector scope}}
      %m = tile.matmul %x, %x : !tile.tile<16x16xf16>, !tile.tile<16x16xf16> -> !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

func.func @matmul_acc_in_vector_scope_is_rejected(%a: memref<16x16xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    // expected-note @below {{core scope is here}}
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x16xf16> -> !tile.tile<16x16xf16>
      %acc = tile.full 0.0 : !tile.tile<16x16xf32>
      // expected-error @below {{is a cube op and cannot run in a vector scope}}
      %m = tile.matmul_acc %acc, %x, %x : !tile.tile<16x16xf16>, !tile.tile<16x16xf16> -> !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

func.func @exp_in_cube_scope_is_rejected() {
  tile.spmd 2 (%b) {
    // expected-note @below {{core scope is here}}
    tile.at cube {
      %x = tile.full 1.0 : !tile.tile<16x16xf32>
      // expected-error @below {{is a vector op and cannot run in a cube scope}}
      %y = tile.exp %x : !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

// The scope rule reaches into nested pipelines.
func.func @cast_in_pipeline_in_cube_scope_is_rejected(%lb: index, %ub: index, %s: index) {
  tile.spmd 2 (%b) {
    // expected-note @below {{core scope is here}}
    tile.at cube {
      tile.pipeline %i = %lb to %ub step %s stages(2) {
        %x = tile.full 1.0 : !tile.tile<16x16xf32>
        // expected-error @below {{is a vector op and cannot run in a cube scope}}
        %y = tile.cast %x rint : !tile.tile<16x16xf32> -> !tile.tile<16x16xf16>
      }
    }
  }
  return
}

// -----

func.func @tile_from_outside_the_scope_is_rejected(%t: !tile.tile<16x16xf32>) {
  tile.spmd 2 (%b) {
    // expected-note @below {{core scope is here}}
    tile.at vector {
      // expected-error @below {{uses a tile defined outside its tile.at scope; tiles never leave the core scope that made them}}
      %y = tile.exp %t : !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

// A pipeline carrying a tile into the scope is a use too.
func.func @tile_carried_into_the_scope_is_rejected(%t: !tile.tile<1x16xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  tile.spmd 2 (%b) {
    // expected-note @below {{core scope is here}}
    tile.at vector {
      // expected-error @below {{uses a tile defined outside its tile.at scope}}
      %r = tile.pipeline %i = %c0 to %n step %c1 stages(2) iter_args(%acc = %t) -> (!tile.tile<1x16xf32>) {
        tile.yield %acc : !tile.tile<1x16xf32>
      }
    }
  }
  return
}

// -----

func.func @full_outside_at_is_rejected() {
  tile.spmd 2 (%b) {
    // expected-error @below {{'tile.full' op must be nested in a tile.at core scope}}
    %x = tile.full 1.0 : !tile.tile<16x16xf32>
  }
  return
}

// -----

func.func @load_outside_spmd_is_rejected(%a: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.load' op must be nested in a tile.at core scope}}
  %x = tile.load %a[%c0, %c0] : memref<16x16xf32> -> !tile.tile<16x16xf32>
  return
}

// -----

func.func @exp_outside_at_is_rejected(%t: !tile.tile<16x16xf32>) {
  // expected-error @below {{'tile.exp' op must be nested in a tile.at core scope}}
  %y = tile.exp %t : !tile.tile<16x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// tile.pipeline and tile.yield
//===----------------------------------------------------------------------===//

// -----

func.func @pipeline_with_zero_step_is_rejected(%n: index) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{step must be positive, got 0}}
      tile.pipeline %i = %c0 to %n step %c0 stages(2) {
      }
    }
  }
  return
}

// -----

func.func @pipeline_with_negative_step_is_rejected(%n: index) {
  %c0 = arith.constant 0 : index
  %cm2 = arith.constant -2 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{step must be positive, got -2}}
      tile.pipeline %i = %c0 to %n step %cm2 stages(2) {
      }
    }
  }
  return
}

// -----

func.func @pipeline_with_zero_stages_is_rejected(%n: index, %s: index) {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{attribute 'stages' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
      tile.pipeline %i = %n to %n step %s stages(0) {
      }
    }
  }
  return
}

// -----

func.func @pipeline_without_stages_is_rejected(%n: index) {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{expected 'stages'}}
      tile.pipeline %i = %n to %n step %n {
      }
    }
  }
  return
}

// -----

// Two iter_args, one result type.
func.func @pipeline_with_more_iter_args_than_types_is_rejected(%n: index) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<1x16xf32>
      // expected-error @below {{iter_args has 2 values but the result list has 1 types}}
      %r = tile.pipeline %i = %n to %n step %n stages(2) iter_args(%a = %z, %c = %z) -> (!tile.tile<1x16xf32>) {
        tile.yield %a : !tile.tile<1x16xf32>
      }
    }
  }
  return
}

// -----

// The init is f32 but the loop claims to carry f16.
func.func @pipeline_init_of_another_type_is_rejected(%n: index) {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-note @below {{prior use here}}
      %z = tile.full 0.0 : !tile.tile<1x16xf32>
      // expected-error @below {{use of value '%z' expects different type than prior uses: '!tile.tile<1x16xf16>' vs '!tile.tile<1x16xf32>'}}
      %r = tile.pipeline %i = %n to %n step %n stages(2) iter_args(%a = %z) -> (!tile.tile<1x16xf16>) {
        tile.yield %a : !tile.tile<1x16xf16>
      }
    }
  }
  return
}

// -----

func.func @pipeline_yielding_another_type_is_rejected(%n: index) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<1x16xf32>
      // expected-note @below {{tile.pipeline is here}}
      %r = tile.pipeline %i = %n to %n step %n stages(2) iter_args(%a = %z) -> (!tile.tile<1x16xf32>) {
        %h = tile.cast %a rint : !tile.tile<1x16xf32> -> !tile.tile<1x16xf16>
        // expected-error @below {{yielded value #0 has type '!tile.tile<1x16xf16>' but the enclosing tile.pipeline carries '!tile.tile<1x16xf32>'}}
        tile.yield %h : !tile.tile<1x16xf16>
      }
    }
  }
  return
}

// -----

func.func @pipeline_yielding_two_values_for_one_is_rejected(%n: index) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<1x16xf32>
      // expected-note @below {{tile.pipeline is here}}
      %r = tile.pipeline %i = %n to %n step %n stages(2) iter_args(%a = %z) -> (!tile.tile<1x16xf32>) {
        // expected-error @below {{yields 2 values but the enclosing tile.pipeline carries 1}}
        tile.yield %a, %a : !tile.tile<1x16xf32>, !tile.tile<1x16xf32>
      }
    }
  }
  return
}

// -----

// Without iter_args the loop carries nothing.
func.func @pipeline_without_iter_args_yielding_is_rejected(%n: index) {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-note @below {{tile.pipeline is here}}
      tile.pipeline %i = %n to %n step %n stages(2) {
        // expected-error @below {{yields 1 values but the enclosing tile.pipeline carries 0}}
        tile.yield %i : index
      }
    }
  }
  return
}

// -----

// A loop with iter_args needs an explicit yield; the implicit one is empty.
func.func @pipeline_with_iter_args_but_no_yield_is_rejected(%n: index) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<1x16xf32>
      // expected-error @below {{yields 0 values but the enclosing tile.pipeline carries 1}}
      // expected-note @below {{tile.pipeline is here}}
      %r = tile.pipeline %i = %n to %n step %n stages(2) iter_args(%a = %z) -> (!tile.tile<1x16xf32>) {
      }
    }
  }
  return
}

// -----

func.func @pipeline_with_fewer_results_than_iter_args_is_rejected(%n: index, %t: !tile.tile<1x1xf32>) {
  // expected-error @below {{has 1 iter_args but 0 results}}
  "tile.pipeline"(%n, %n, %n, %t) <{stages = 2 : i64}> ({
  ^bb0(%i: index, %a: !tile.tile<1x1xf32>):
    "tile.yield"(%a) : (!tile.tile<1x1xf32>) -> ()
  }) : (index, index, index, !tile.tile<1x1xf32>) -> ()
  return
}

// -----

func.func @pipeline_result_of_another_type_is_rejected(%n: index, %t: !tile.tile<1x1xf32>) {
  // expected-error @below {{iter_arg #0 has type '!tile.tile<1x1xf32>' but result #0 has type '!tile.tile<1x1xf16>'}}
  %r = "tile.pipeline"(%n, %n, %n, %t) <{stages = 2 : i64}> ({
  ^bb0(%i: index, %a: !tile.tile<1x1xf32>):
    "tile.yield"(%a) : (!tile.tile<1x1xf32>) -> ()
  }) : (index, index, index, !tile.tile<1x1xf32>) -> !tile.tile<1x1xf16>
  return
}

// -----

// Used to crash: a body without the induction variable.
func.func @pipeline_body_without_induction_variable_is_rejected(%n: index) {
  // expected-error @below {{body must take the induction variable and 0 iter_args (1 arguments), got 0}}
  "tile.pipeline"(%n, %n, %n) <{stages = 2 : i64}> ({
  ^bb0:
    "tile.yield"() : () -> ()
  }) : (index, index, index) -> ()
  return
}

// -----

func.func @pipeline_induction_variable_of_type_i32_is_rejected(%n: index) {
  // expected-error @below {{induction variable must be index, got 'i32'}}
  "tile.pipeline"(%n, %n, %n) <{stages = 2 : i64}> ({
  ^bb0(%i: i32):
    "tile.yield"() : () -> ()
  }) : (index, index, index) -> ()
  return
}

// -----

func.func @pipeline_region_iter_arg_of_another_type_is_rejected(%n: index, %t: !tile.tile<1x1xf32>) {
  // expected-error @below {{region iter_arg #0 has type '!tile.tile<1x1xf16>' but result #0 has type '!tile.tile<1x1xf32>'}}
  %r = "tile.pipeline"(%n, %n, %n, %t) <{stages = 2 : i64}> ({
  ^bb0(%i: index, %a: !tile.tile<1x1xf16>):
    "tile.yield"(%t) : (!tile.tile<1x1xf32>) -> ()
  }) : (index, index, index, !tile.tile<1x1xf32>) -> !tile.tile<1x1xf32>
  return
}

// -----

func.func @pipeline_bounds_of_type_i32_are_rejected(%n: i32) {
  // expected-error @below {{operand #0 must be index, but got 'i32'}}
  "tile.pipeline"(%n, %n, %n) <{stages = 2 : i64}> ({
  ^bb0(%i: index):
    "tile.yield"() : () -> ()
  }) : (i32, i32, i32) -> ()
  return
}

// -----

func.func @yield_in_a_function_is_rejected() {
  // expected-error @below {{expects parent op to be one of 'tile.spmd, tile.at, tile.pipeline'}}
  tile.yield
}

//===----------------------------------------------------------------------===//
// tile.alloc_gm
//===----------------------------------------------------------------------===//

// -----

func.func @alloc_gm_inside_spmd_is_rejected() {
  // expected-note @below {{enclosing tile.spmd is here}}
  tile.spmd 2 (%b) {
    // expected-error @below {{must be outside every tile.spmd: GM scratch lives for the whole kernel}}
    %s = tile.alloc_gm : memref<8x32xf32>
  }
  return
}

// -----

func.func @alloc_gm_of_f64_is_rejected() {
  // expected-error @below {{element type must be bf16, f16, f32, i8, i32 or i64, got 'f64'}}
  %s = tile.alloc_gm : memref<8x32xf64>
  return
}

// -----

func.func @alloc_gm_of_dynamic_shape_is_rejected() {
  // expected-error @below {{result #0 must be statically shaped memref of any type values, but got 'memref<?x32xf32>'}}
  %s = tile.alloc_gm : memref<?x32xf32>
  return
}

//===----------------------------------------------------------------------===//
// tile.load and tile.store
//===----------------------------------------------------------------------===//

// -----

func.func @load_with_one_index_into_2d_memref_is_rejected(%a: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{expected 2 indices for 'memref<64x32xf32>', got 1}}
      %x = tile.load %a[%c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @store_with_three_indices_into_2d_memref_is_rejected(%a: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 0.0 : !tile.tile<16x32xf32>
      // expected-error @below {{expected 2 indices for 'memref<64x32xf32>', got 3}}
      tile.store %x, %a[%c0, %c0, %c0] : !tile.tile<16x32xf32>, memref<64x32xf32>
    }
  }
  return
}

// -----

func.func @load_of_other_element_type_is_rejected(%a: memref<64x32xbf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{element type mismatch: memref holds 'bf16' but the tile holds 'f32'}}
      %x = tile.load %a[%c0, %c0] : memref<64x32xbf16> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @store_of_other_element_type_is_rejected(%a: memref<64x32xbf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 0.0 : !tile.tile<16x32xf32>
      // expected-error @below {{element type mismatch: memref holds 'bf16' but the tile holds 'f32'}}
      tile.store %x, %a[%c0, %c0] : !tile.tile<16x32xf32>, memref<64x32xbf16>
    }
  }
  return
}

// -----

// Rows 56 .. 71 of a 64-row memref: 56 + 16 = 72 > 64.
func.func @load_past_the_last_row_is_rejected(%a: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c56 = arith.constant 56 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{slice [16, 32] at offset 56 is out of bounds of 'memref<64x32xf32>' in dimension 0: 56 + 16 > 64}}
      %x = tile.load %a[%c56, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// Columns 8 .. 39 of a 32-column memref: 8 + 32 = 40 > 32.
func.func @store_past_the_last_column_is_rejected(%a: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 0.0 : !tile.tile<16x32xf32>
      // expected-error @below {{slice [16, 32] at offset 8 is out of bounds of 'memref<64x32xf32>' in dimension 1: 8 + 32 > 32}}
      tile.store %x, %a[%b, %c8] : !tile.tile<16x32xf32>, memref<64x32xf32>
    }
  }
  return
}

// -----

// The unit leading dimension of a rank-3 slice is checked too: 4 + 1 > 4.
func.func @load_past_the_leading_dimension_is_rejected(%a: memref<4x64x128xf16>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{slice [1, 64, 128] at offset 4 is out of bounds of 'memref<4x64x128xf16>' in dimension 0: 4 + 1 > 4}}
      %x = tile.load %a[%c4, %c0, %c0] : memref<4x64x128xf16> -> !tile.tile<64x128xf16>
    }
  }
  return
}

// -----

// 1-D: elements 500 .. 531 of 512: 500 + 32 > 512.
func.func @load_past_the_end_of_1d_memref_is_rejected(%g: memref<512xbf16>) {
  %c500 = arith.constant 500 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{slice [32] at offset 500 is out of bounds of 'memref<512xbf16>' in dimension 0: 500 + 32 > 512}}
      %x = tile.load %g[%c500] : memref<512xbf16> -> !tile.tile<1x32xbf16>
    }
  }
  return
}

// -----

func.func @load_at_negative_index_is_rejected(%a: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %cm1 = arith.constant -1 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{index 0 must be non-negative, got -1}}
      %x = tile.load %a[%cm1, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// An offset near the top of int64 must not overflow the bounds check.
func.func @load_at_huge_index_is_rejected(%a: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %big = arith.constant 9223372036854775807 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{slice [16, 32] at offset 9223372036854775807 is out of bounds}}
      %x = tile.load %a[%big, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// 128 rows do not fit a 64-row memref at any offset.
func.func @load_larger_than_memref_is_rejected(%a: memref<64x32xf32>, %i: index) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{slice [128, 32] does not fit 'memref<64x32xf32>' in dimension 0: 128 > 64}}
      %x = tile.load %a[%i, %c0] : memref<64x32xf32> -> !tile.tile<128x32xf32>
    }
  }
  return
}

// -----

func.func @store_larger_than_memref_is_rejected(%a: memref<64x32xf32>, %i: index) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 0.0 : !tile.tile<16x64xf32>
      // expected-error @below {{slice [16, 64] does not fit 'memref<64x32xf32>' in dimension 1: 64 > 32}}
      tile.store %x, %a[%i, %i] : !tile.tile<16x64xf32>, memref<64x32xf32>
    }
  }
  return
}

// -----

// A 1-D memref is a single row: the tile must be 1 x N.
func.func @load_of_4_rows_from_1d_memref_is_rejected(%g: memref<512xbf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{a 1-D memref holds 1 x N tiles, got a 4 x 32 tile}}
      %x = tile.load %g[%c0] : memref<512xbf16> -> !tile.tile<4x32xbf16>
    }
  }
  return
}

// -----

func.func @store_of_2_rows_into_1d_memref_is_rejected(%g: memref<512xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 0.0 : !tile.tile<2x32xf32>
      // expected-error @below {{a 1-D memref holds 1 x N tiles, got a 2 x 32 tile}}
      tile.store %x, %g[%c0] : !tile.tile<2x32xf32>, memref<512xf32>
    }
  }
  return
}

// -----

func.func @load_from_0d_memref_is_rejected(%s: memref<f32>) {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{expected a memref of rank 1 or more, got 'memref<f32>'}}
      %x = tile.load %s[] : memref<f32> -> !tile.tile<1x1xf32>
    }
  }
  return
}

// -----

func.func @load_from_dynamic_memref_is_rejected(%a: memref<?x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{operand #0 must be statically shaped memref of any type values, but got 'memref<?x32xf32>'}}
      %x = tile.load %a[%c0, %c0] : memref<?x32xf32> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @load_into_a_non_tile_is_rejected(%a: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{result #0 must be tile, but got 'vector<16x32xf32>'}}
      %x = tile.load %a[%c0, %c0] : memref<64x32xf32> -> vector<16x32xf32>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// tile.full and tile.reshape
//===----------------------------------------------------------------------===//

// -----

func.func @full_of_float_for_integer_tile_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{expected an integer value for a tile of 'i32'}}
      %x = tile.full 1.5 : !tile.tile<16x32xi32>
    }
  }
  return
}

// -----

func.func @full_of_inf_for_integer_tile_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{expected an integer value for a tile of 'i8'}}
      %x = tile.full -inf : !tile.tile<16x32xi8>
    }
  }
  return
}

// -----

// i8 holds [-128, 127].
func.func @full_of_128_for_i8_tile_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{value 128 does not fit in 'i8': expected [-128, 127]}}
      %x = tile.full 128 : !tile.tile<16x32xi8>
    }
  }
  return
}

// -----

func.func @full_of_minus_129_for_i8_tile_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{value -129 does not fit in 'i8': expected [-128, 127]}}
      %x = tile.full -129 : !tile.tile<16x32xi8>
    }
  }
  return
}

// -----

// 2^31 = 2147483648 is one past the largest i32.
func.func @full_of_2_pow_31_for_i32_tile_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{value 2147483648 does not fit in 'i32': expected [-2147483648, 2147483647]}}
      %x = tile.full 2147483648 : !tile.tile<16x32xi32>
    }
  }
  return
}

// -----

// A literal wider than 64 bits (used to crash the parser).
func.func @full_of_huge_integer_for_i32_tile_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{value -99999999999999999999999 does not fit in 'i32'}}
      %x = tile.full -99999999999999999999999 : !tile.tile<16x32xi32>
    }
  }
  return
}

// -----

// 1e40 > 3.40282e+38, the largest f32 (used to crash the parser).
func.func @full_of_huge_integer_for_f32_tile_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{value 10000000000000000000000000000000000000000 does not fit in 'f32': its largest finite value is 3.40282347E+38}}
      %x = tile.full 10000000000000000000000000000000000000000 : !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// 70000 > 65504, the largest f16.
func.func @full_of_70000_for_f16_tile_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{value -70000 does not fit in 'f16': its largest finite value is 65504}}
      %x = tile.full -70000.0 : !tile.tile<16x32xf16>
    }
  }
  return
}

// -----

// 1e400 is beyond even the f64 range (1.8e308).
func.func @full_of_1e400_for_f32_tile_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{value does not fit in 'f32': its largest finite value is 3.40282347E+38}}
      %x = tile.full 1.0e400 : !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @full_of_double_minus_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{expected a number}}
      %x = tile.full --1 : !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @full_of_non_tile_type_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{expected a tile type, got 'f32'}}
      %x = tile.full 1.0 : f32
    }
  }
  return
}

// -----

func.func @full_without_value_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{expected floating point literal}}
      %x = tile.full : !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// The generic form can spell a value of another type.
func.func @full_value_of_other_type_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{value of type 'f64' does not match the element type 'f32'}}
      %x = "tile.full"() <{value = 1.0 : f64}> : () -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// 16 x 1 = 16 elements, 4 x 8 = 32.
func.func @reshape_changing_element_count_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x1xf32>
      // expected-error @below {{element count changes: [16, 1] has 16 elements, [4, 8] has 32}}
      %y = tile.reshape %x : !tile.tile<16x1xf32> -> !tile.tile<4x8xf32>
    }
  }
  return
}

// -----

func.func @reshape_changing_element_type_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x1xf32>
      // expected-error @below {{cannot change the element type: 'f32' -> 'f16'}}
      %y = tile.reshape %x : !tile.tile<16x1xf32> -> !tile.tile<1x16xf16>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// tile.cast: every illegal (from, to) pair and every illegal mode of a legal
// pair
//===----------------------------------------------------------------------===//

// -----

func.func @cast_changing_shape_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      // expected-error @below {{cannot change the shape: [16, 32] -> [32, 16]}}
      %y = tile.cast %x rint : !tile.tile<16x32xf32> -> !tile.tile<32x16xf16>
    }
  }
  return
}

// -----

func.func @cast_bf16_to_bf16_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xbf16>
      // expected-error @below {{no 'bf16' -> 'bf16' conversion on the vector unit; expected 'bf16' -> one of 'f32'}}
      %y = tile.cast %x rint : !tile.tile<8x32xbf16> -> !tile.tile<8x32xbf16>
    }
  }
  return
}

// -----

func.func @cast_bf16_to_f16_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xbf16>
      // expected-error @below {{no 'bf16' -> 'f16' conversion on the vector unit; expected 'bf16' -> one of 'f32'}}
      %y = tile.cast %x rint : !tile.tile<8x32xbf16> -> !tile.tile<8x32xf16>
    }
  }
  return
}

// -----

func.func @cast_bf16_to_i8_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xbf16>
      // expected-error @below {{no 'bf16' -> 'i8' conversion on the vector unit; expected 'bf16' -> one of 'f32'}}
      %y = tile.cast %x rint : !tile.tile<8x32xbf16> -> !tile.tile<8x32xi8>
    }
  }
  return
}

// -----

func.func @cast_bf16_to_i32_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xbf16>
      // expected-error @below {{no 'bf16' -> 'i32' conversion on the vector unit; expected 'bf16' -> one of 'f32'}}
      %y = tile.cast %x rint : !tile.tile<8x32xbf16> -> !tile.tile<8x32xi32>
    }
  }
  return
}

// -----

func.func @cast_f16_to_bf16_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf16>
      // expected-error @below {{no 'f16' -> 'bf16' conversion on the vector unit; expected 'f16' -> one of 'i32', 'i8', 'f32'}}
      %y = tile.cast %x rint : !tile.tile<8x32xf16> -> !tile.tile<8x32xbf16>
    }
  }
  return
}

// -----

func.func @cast_f16_to_f16_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf16>
      // expected-error @below {{no 'f16' -> 'f16' conversion on the vector unit; expected 'f16' -> one of 'i32', 'i8', 'f32'}}
      %y = tile.cast %x rint : !tile.tile<8x32xf16> -> !tile.tile<8x32xf16>
    }
  }
  return
}

// -----

func.func @cast_f32_to_i8_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf32>
      // expected-error @below {{no 'f32' -> 'i8' conversion on the vector unit; expected 'f32' -> one of 'f16', 'bf16', 'i32', 'f32'}}
      %y = tile.cast %x rint : !tile.tile<8x32xf32> -> !tile.tile<8x32xi8>
    }
  }
  return
}

// -----

func.func @cast_i8_to_bf16_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi8>
      // expected-error @below {{no 'i8' -> 'bf16' conversion on the vector unit; expected 'i8' -> one of 'f16'}}
      %y = tile.cast %x none : !tile.tile<8x32xi8> -> !tile.tile<8x32xbf16>
    }
  }
  return
}

// -----

func.func @cast_i8_to_f32_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi8>
      // expected-error @below {{no 'i8' -> 'f32' conversion on the vector unit; expected 'i8' -> one of 'f16'}}
      %y = tile.cast %x none : !tile.tile<8x32xi8> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_i8_to_i8_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi8>
      // expected-error @below {{no 'i8' -> 'i8' conversion on the vector unit; expected 'i8' -> one of 'f16'}}
      %y = tile.cast %x none : !tile.tile<8x32xi8> -> !tile.tile<8x32xi8>
    }
  }
  return
}

// -----

func.func @cast_i8_to_i32_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi8>
      // expected-error @below {{no 'i8' -> 'i32' conversion on the vector unit; expected 'i8' -> one of 'f16'}}
      %y = tile.cast %x none : !tile.tile<8x32xi8> -> !tile.tile<8x32xi32>
    }
  }
  return
}

// -----

func.func @cast_i32_to_bf16_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi32>
      // expected-error @below {{no 'i32' -> 'bf16' conversion on the vector unit; expected 'i32' -> one of 'f32', 'f16'}}
      %y = tile.cast %x rint : !tile.tile<8x32xi32> -> !tile.tile<8x32xbf16>
    }
  }
  return
}

// -----

func.func @cast_i32_to_i8_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi32>
      // expected-error @below {{no 'i32' -> 'i8' conversion on the vector unit; expected 'i32' -> one of 'f32', 'f16'}}
      %y = tile.cast %x rint : !tile.tile<8x32xi32> -> !tile.tile<8x32xi8>
    }
  }
  return
}

// -----

func.func @cast_i32_to_i32_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi32>
      // expected-error @below {{no 'i32' -> 'i32' conversion on the vector unit; expected 'i32' -> one of 'f32', 'f16'}}
      %y = tile.cast %x rint : !tile.tile<8x32xi32> -> !tile.tile<8x32xi32>
    }
  }
  return
}

// -----

func.func @cast_f32_to_i32_with_none_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf32>
      // expected-error @below {{rounding mode 'none' is not legal for 'f32' -> 'i32'; expected one of: rint, round, trunc, floor, ceil}}
      %y = tile.cast %x none : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
    }
  }
  return
}

// -----

func.func @cast_f32_to_f32_with_none_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf32>
      // expected-error @below {{rounding mode 'none' is not legal for 'f32' -> 'f32'; expected one of: rint, round, trunc, floor, ceil}}
      %y = tile.cast %x none : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_f16_to_i32_with_none_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf16>
      // expected-error @below {{rounding mode 'none' is not legal for 'f16' -> 'i32'; expected one of: rint, round, trunc, floor, ceil}}
      %y = tile.cast %x none : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
    }
  }
  return
}

// -----

func.func @cast_f16_to_f32_with_rint_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf16>
      // expected-error @below {{rounding mode 'rint' is not legal for 'f16' -> 'f32'; expected one of: none}}
      %y = tile.cast %x rint : !tile.tile<8x32xf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_f16_to_f32_with_round_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf16>
      // expected-error @below {{rounding mode 'round' is not legal for 'f16' -> 'f32'; expected one of: none}}
      %y = tile.cast %x round : !tile.tile<8x32xf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_f16_to_f32_with_trunc_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf16>
      // expected-error @below {{rounding mode 'trunc' is not legal for 'f16' -> 'f32'; expected one of: none}}
      %y = tile.cast %x trunc : !tile.tile<8x32xf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_f16_to_f32_with_floor_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf16>
      // expected-error @below {{rounding mode 'floor' is not legal for 'f16' -> 'f32'; expected one of: none}}
      %y = tile.cast %x floor : !tile.tile<8x32xf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_f16_to_f32_with_ceil_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xf16>
      // expected-error @below {{rounding mode 'ceil' is not legal for 'f16' -> 'f32'; expected one of: none}}
      %y = tile.cast %x ceil : !tile.tile<8x32xf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_bf16_to_f32_with_rint_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xbf16>
      // expected-error @below {{rounding mode 'rint' is not legal for 'bf16' -> 'f32'; expected one of: none}}
      %y = tile.cast %x rint : !tile.tile<8x32xbf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_bf16_to_f32_with_round_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xbf16>
      // expected-error @below {{rounding mode 'round' is not legal for 'bf16' -> 'f32'; expected one of: none}}
      %y = tile.cast %x round : !tile.tile<8x32xbf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_bf16_to_f32_with_trunc_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xbf16>
      // expected-error @below {{rounding mode 'trunc' is not legal for 'bf16' -> 'f32'; expected one of: none}}
      %y = tile.cast %x trunc : !tile.tile<8x32xbf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_bf16_to_f32_with_floor_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xbf16>
      // expected-error @below {{rounding mode 'floor' is not legal for 'bf16' -> 'f32'; expected one of: none}}
      %y = tile.cast %x floor : !tile.tile<8x32xbf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_bf16_to_f32_with_ceil_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x32xbf16>
      // expected-error @below {{rounding mode 'ceil' is not legal for 'bf16' -> 'f32'; expected one of: none}}
      %y = tile.cast %x ceil : !tile.tile<8x32xbf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_i8_to_f16_with_rint_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi8>
      // expected-error @below {{rounding mode 'rint' is not legal for 'i8' -> 'f16'; expected one of: none}}
      %y = tile.cast %x rint : !tile.tile<8x32xi8> -> !tile.tile<8x32xf16>
    }
  }
  return
}

// -----

func.func @cast_i8_to_f16_with_round_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi8>
      // expected-error @below {{rounding mode 'round' is not legal for 'i8' -> 'f16'; expected one of: none}}
      %y = tile.cast %x round : !tile.tile<8x32xi8> -> !tile.tile<8x32xf16>
    }
  }
  return
}

// -----

func.func @cast_i8_to_f16_with_trunc_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi8>
      // expected-error @below {{rounding mode 'trunc' is not legal for 'i8' -> 'f16'; expected one of: none}}
      %y = tile.cast %x trunc : !tile.tile<8x32xi8> -> !tile.tile<8x32xf16>
    }
  }
  return
}

// -----

func.func @cast_i8_to_f16_with_floor_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi8>
      // expected-error @below {{rounding mode 'floor' is not legal for 'i8' -> 'f16'; expected one of: none}}
      %y = tile.cast %x floor : !tile.tile<8x32xi8> -> !tile.tile<8x32xf16>
    }
  }
  return
}

// -----

func.func @cast_i8_to_f16_with_ceil_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi8>
      // expected-error @below {{rounding mode 'ceil' is not legal for 'i8' -> 'f16'; expected one of: none}}
      %y = tile.cast %x ceil : !tile.tile<8x32xi8> -> !tile.tile<8x32xf16>
    }
  }
  return
}

// -----

func.func @cast_i32_to_f16_with_none_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x32xi32>
      // expected-error @below {{rounding mode 'none' is not legal for 'i32' -> 'f16'; expected one of: rint, round, trunc, floor, ceil}}
      %y = tile.cast %x none : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// Elementwise ops: element types (ODS constraints)
//===----------------------------------------------------------------------===//

// -----

// bf16 is a storage type: the vector unit has no bf16 arithmetic.
func.func @add_of_bf16_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xbf16>
      // expected-error @below {{operand #0 must be tile of f16, f32 or i32, but got '!tile.tile<16x32xbf16>'}}
      %y = tile.add %x, %x : !tile.tile<16x32xbf16>
    }
  }
  return
}

// -----

func.func @mul_of_i8_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<16x32xi8>
      // expected-error @below {{operand #0 must be tile of f16, f32 or i32, but got '!tile.tile<16x32xi8>'}}
      %y = tile.mul %x, %x : !tile.tile<16x32xi8>
    }
  }
  return
}

// -----

func.func @div_of_i32_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<16x32xi32>
      // expected-error @below {{operand #0 must be tile of f16 or f32, but got '!tile.tile<16x32xi32>'}}
      %y = tile.div %x, %x : !tile.tile<16x32xi32>
    }
  }
  return
}

// -----

func.func @add_of_mixed_types_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %y = tile.full 1.0 : !tile.tile<16x32xf16>
      // expected-error @below {{requires the same type for all operands and results}}
      %z = "tile.add"(%x, %y) : (!tile.tile<16x32xf32>, !tile.tile<16x32xf16>) -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @max_of_mixed_shapes_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %y = tile.full 1.0 : !tile.tile<16x1xf32>
      // expected-error @below {{requires the same type for all operands and results}}
      %z = "tile.max"(%x, %y) : (!tile.tile<16x32xf32>, !tile.tile<16x1xf32>) -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @adds_of_bf16_is_rejected(%s: bf16) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x1xbf16>
      // expected-error @below {{operand #0 must be tile of f16, f32 or i32, but got '!tile.tile<16x1xbf16>'}}
      %y = "tile.adds"(%x, %s) : (!tile.tile<16x1xbf16>, bf16) -> !tile.tile<16x1xbf16>
    }
  }
  return
}

// -----

func.func @rdivs_of_i32_is_rejected(%s: i32) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<16x1xi32>
      // expected-error @below {{'result' must be tile of f16 or f32, but got '!tile.tile<16x1xi32>'}}
      %y = tile.rdivs %x, %s : !tile.tile<16x1xi32>
    }
  }
  return
}

// -----

// The custom form takes the scalar's type from the tile.
// expected-note @below {{prior use here}}
func.func @muls_by_f16_scalar_on_f32_tile_is_rejected(%s: f16) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x1xf32>
      // expected-error @below {{use of value '%s' expects different type than prior uses: 'f32' vs 'f16'}}
      %y = tile.muls %x, %s : !tile.tile<16x1xf32>
    }
  }
  return
}

// -----

func.func @adds_of_scalar_of_other_type_is_rejected(%s: f16) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x1xf32>
      // expected-error @below {{failed to verify that scalar has the tile's element type}}
      %y = "tile.adds"(%x, %s) : (!tile.tile<16x1xf32>, f16) -> !tile.tile<16x1xf32>
    }
  }
  return
}

// -----

func.func @subs_with_result_of_other_type_is_rejected(%s: f32) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x1xf32>
      // expected-error @below {{failed to verify that all of {input, result} have same type}}
      %y = "tile.subs"(%x, %s) : (!tile.tile<16x1xf32>, f32) -> !tile.tile<1x16xf32>
    }
  }
  return
}

// -----

func.func @exp_of_i32_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<16x32xi32>
      // expected-error @below {{operand #0 must be tile of f16 or f32, but got '!tile.tile<16x32xi32>'}}
      %y = tile.exp %x : !tile.tile<16x32xi32>
    }
  }
  return
}

// -----

func.func @neg_of_bf16_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xbf16>
      // expected-error @below {{operand #0 must be tile of f16, f32 or i32, but got '!tile.tile<16x32xbf16>'}}
      %y = tile.neg %x : !tile.tile<16x32xbf16>
    }
  }
  return
}

// -----

func.func @sqrt_of_non_tile_is_rejected(%v: vector<4xf32>) {
  tile.spmd 2 (%b) {
    tile.at vector {
      // expected-error @below {{operand #0 must be tile of f16 or f32, but got 'vector<4xf32>'}}
      %y = tile.sqrt %v : vector<4xf32>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// Broadcasts and reductions
//===----------------------------------------------------------------------===//

// -----

// A [16, 32] tile scales per row by [16, 1].
func.func @row_expand_mul_by_column_vector_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %s = tile.full 1.0 : !tile.tile<1x32xf32>
      // expected-error @below {{scale must be [16, 1] for a [16, 32] tile, got [1, 32]}}
      %y = tile.row_expand_mul %x, %s : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
    }
  }
  return
}

// -----

func.func @row_expand_mul_with_wrong_row_count_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %s = tile.full 1.0 : !tile.tile<8x1xf32>
      // expected-error @below {{scale must be [16, 1] for a [16, 32] tile, got [8, 1]}}
      %y = tile.row_expand_mul %x, %s : !tile.tile<16x32xf32>, !tile.tile<8x1xf32>
    }
  }
  return
}

// -----

func.func @row_expand_mul_of_mixed_element_types_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %s = tile.full 1.0 : !tile.tile<16x1xf16>
      // expected-error @below {{scale element type 'f16' does not match the tile's 'f32'}}
      %y = tile.row_expand_mul %x, %s : !tile.tile<16x32xf32>, !tile.tile<16x1xf16>
    }
  }
  return
}

// -----

// A [16, 32] tile scales per column by [1, 32].
func.func @col_expand_mul_by_row_vector_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %s = tile.full 1.0 : !tile.tile<16x1xf32>
      // expected-error @below {{scale must be [1, 32] for a [16, 32] tile, got [16, 1]}}
      %y = tile.col_expand_mul %x, %s : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
    }
  }
  return
}

// -----

func.func @col_expand_mul_of_mixed_element_types_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<16x32xi32>
      %s = tile.full 1.0 : !tile.tile<1x32xf32>
      // expected-error @below {{scale element type 'f32' does not match the tile's 'i32'}}
      %y = tile.col_expand_mul %x, %s : !tile.tile<16x32xi32>, !tile.tile<1x32xf32>
    }
  }
  return
}

// -----

func.func @col_expand_mul_of_bf16_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xbf16>
      %s = tile.full 1.0 : !tile.tile<1x32xbf16>
      // expected-error @below {{operand #0 must be tile of f16, f32 or i32, but got '!tile.tile<16x32xbf16>'}}
      %y = tile.col_expand_mul %x, %s : !tile.tile<16x32xbf16>, !tile.tile<1x32xbf16>
    }
  }
  return
}

// -----

func.func @row_expand_mul_with_result_of_other_type_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %s = tile.full 1.0 : !tile.tile<16x1xf32>
      // expected-error @below {{failed to verify that all of {input, result} have same type}}
      %y = "tile.row_expand_mul"(%x, %s) : (!tile.tile<16x32xf32>, !tile.tile<16x1xf32>) -> !tile.tile<16x32xf16>
    }
  }
  return
}

// -----

// Each of the 16 rows reduces to one value: [16, 1].
func.func @row_sum_to_wrong_shape_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      // expected-error @below {{result must be [16, 1], got [1, 16]}}
      %y = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<1x16xf32>
    }
  }
  return
}

// -----

func.func @row_max_to_two_columns_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf16>
      // expected-error @below {{result must be [16, 1], got [16, 2]}}
      %y = tile.row_max %x : !tile.tile<16x32xf16> -> !tile.tile<16x2xf16>
    }
  }
  return
}

// -----

func.func @row_sum_changing_element_type_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf16>
      // expected-error @below {{result element type 'f32' does not match the input's 'f16'}}
      %y = tile.row_sum %x : !tile.tile<16x32xf16> -> !tile.tile<16x1xf32>
    }
  }
  return
}

// -----

func.func @row_sum_of_i32_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<16x32xi32>
      // expected-error @below {{operand #0 must be tile of f16 or f32, but got '!tile.tile<16x32xi32>'}}
      %y = tile.row_sum %x : !tile.tile<16x32xi32> -> !tile.tile<16x1xi32>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// tile.gather and tile.scatter
//===----------------------------------------------------------------------===//

// -----

// Every other column of 64 is 32, not 16.
func.func @gather_to_quarter_width_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x64xf32>
      // expected-error @below {{pattern keeps every other column: input [8, 64] needs result [8, 32], got [8, 16]}}
      %y = tile.gather %x p0101 : !tile.tile<8x64xf32> -> !tile.tile<8x16xf32>
    }
  }
  return
}

// -----

func.func @gather_changing_row_count_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x64xf32>
      // expected-error @below {{pattern keeps every other column: input [8, 64] needs result [8, 32], got [4, 32]}}
      %y = tile.gather %x p1010 : !tile.tile<8x64xf32> -> !tile.tile<4x32xf32>
    }
  }
  return
}

// -----

// 33 columns do not split into even and odd halves.
func.func @gather_of_odd_width_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x33xf32>
      // expected-error @below {{the input needs an even number of columns, got 33}}
      %y = tile.gather %x p0101 : !tile.tile<8x33xf32> -> !tile.tile<8x16xf32>
    }
  }
  return
}

// -----

// A gather may reinterpret the kept bits (output_dtype=) only as a type of
// the same width: f32 -> i32 is legal (index-ops.mlir), f32 -> f16 is not.
func.func @gather_changing_element_type_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x64xf32>
      // expected-error @below {{a gather reinterprets elements as a type of the same width only: input holds 'f32', result 'f16'}}
      %y = tile.gather %x p0101 : !tile.tile<8x64xf32> -> !tile.tile<8x32xf16>
    }
  }
  return
}

// -----

func.func @gather_of_i8_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x64xi8>
      // expected-error @below {{mask patterns move 16- or 32-bit elements, got 'i8'}}
      %y = tile.gather %x p0101 : !tile.tile<8x64xi8> -> !tile.tile<8x32xi8>
    }
  }
  return
}

// -----

// The destination of 8 x 32 columns takes 8 x 16, not 8 x 32.
func.func @scatter_of_full_width_source_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %e = tile.full 1.0 : !tile.tile<8x32xf32>
      %d = tile.full 0.0 : !tile.tile<8x32xf32>
      // expected-error @below {{pattern keeps every other column: destination [8, 32] needs source [8, 16], got [8, 32]}}
      %y = tile.scatter %e into %d p1010 : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @scatter_into_odd_width_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %e = tile.full 1.0 : !tile.tile<8x16xf16>
      %d = tile.full 0.0 : !tile.tile<8x33xf16>
      // expected-error @below {{the destination needs an even number of columns, got 33}}
      %y = tile.scatter %e into %d p0101 : !tile.tile<8x16xf16> -> !tile.tile<8x33xf16>
    }
  }
  return
}

// -----

func.func @scatter_of_mixed_element_types_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %e = tile.full 1.0 : !tile.tile<8x16xf16>
      %d = tile.full 0.0 : !tile.tile<8x32xf32>
      // expected-error @below {{element type mismatch: destination holds 'f32', source holds 'f16'}}
      %y = tile.scatter %e into %d p0101 : !tile.tile<8x16xf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @scatter_of_i8_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %e = tile.full 1 : !tile.tile<8x16xi8>
      %d = tile.full 0 : !tile.tile<8x32xi8>
      // expected-error @below {{mask patterns move 16- or 32-bit elements, got 'i8'}}
      %y = tile.scatter %e into %d p0101 : !tile.tile<8x16xi8> -> !tile.tile<8x32xi8>
    }
  }
  return
}

// -----

func.func @gather_with_unknown_pattern_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x64xf32>
      // expected-error @below {{expected string or keyword containing one of the following enum values for attribute 'pattern' [p0101, p1010]}}
      %y = tile.gather %x p1111 : !tile.tile<8x64xf32> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @cast_with_unknown_mode_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x64xf32>
      // expected-error @below {{expected string or keyword containing one of the following enum values for attribute 'mode' [none, rint, round, trunc, floor, ceil]}}
      %y = tile.cast %x nearest : !tile.tile<8x64xf32> -> !tile.tile<8x64xf16>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// tile.matmul and tile.matmul_acc
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_of_bf16_by_f16_is_rejected(%a: memref<16x64xbf16>, %b: memref<64x32xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %y = tile.load %b[%c0, %c0] : memref<64x32xf16> -> !tile.tile<64x32xf16>
      // expected-error @below {{operand element types differ: 'bf16' x 'f16'}}
      %m = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xf16> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// pto-isa TMATMUL has no f16 accumulator on either target.
func.func @matmul_into_f16_is_rejected(%a: memref<16x64xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
      %y = tile.reshape %x : !tile.tile<16x64xf16> -> !tile.tile<64x16xf16>
      // expected-error @below {{no cube matmul 'f16' x 'f16' -> 'f16' on target a2a3; its cube supports bf16 -> f32, f16 -> f32, f32 -> f32, i8 -> i32}}
      %m = tile.matmul %x, %y : !tile.tile<16x64xf16>, !tile.tile<64x16xf16> -> !tile.tile<16x16xf16>
    }
  }
  return
}

// -----

func.func @matmul_of_bf16_into_bf16_is_rejected(%a: memref<16x16xbf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x16xbf16> -> !tile.tile<16x16xbf16>
      // expected-error @below {{no cube matmul 'bf16' x 'bf16' -> 'bf16' on target a2a3; its cube supports bf16 -> f32, f16 -> f32, f32 -> f32, i8 -> i32}}
      %m = tile.matmul %x, %x : !tile.tile<16x16xbf16>, !tile.tile<16x16xbf16> -> !tile.tile<16x16xbf16>
    }
  }
  return
}

// -----

func.func @matmul_of_i8_into_f32_is_rejected(%a: memref<16x16xi8>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x16xi8> -> !tile.tile<16x16xi8>
      // expected-error @below {{no cube matmul 'i8' x 'i8' -> 'f32' on target a2a3; its cube supports bf16 -> f32, f16 -> f32, f32 -> f32, i8 -> i32}}
      %m = tile.matmul %x, %x : !tile.tile<16x16xi8>, !tile.tile<16x16xi8> -> !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

// [16, 64] x [32, 128]: K = 64 on the left, 32 on the right.
func.func @matmul_with_mismatched_k_is_rejected(%a: memref<16x64xbf16>, %b: memref<32x128xbf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %y = tile.load %b[%c0, %c0] : memref<32x128xbf16> -> !tile.tile<32x128xbf16>
      // expected-error @below {{contraction sizes differ: lhs [16, 64] has K = 64, rhs [32, 128] has K = 32}}
      %m = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<32x128xbf16> -> !tile.tile<16x128xf32>
    }
  }
  return
}

// -----

// [16, 64] x [64, 128] = [16, 128].
func.func @matmul_with_wrong_result_shape_is_rejected(%a: memref<16x64xbf16>, %b: memref<64x128xbf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %y = tile.load %b[%c0, %c0] : memref<64x128xbf16> -> !tile.tile<64x128xbf16>
      // expected-error @below {{result must be [16, 128], got [128, 16]}}
      %m = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<128x16xf32>
    }
  }
  return
}

// -----

func.func @matmul_acc_with_mismatched_k_is_rejected(%a: memref<16x64xf16>, %b: memref<32x16xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
      %y = tile.load %b[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      %acc = tile.full 0.0 : !tile.tile<16x16xf32>
      // expected-error @below {{contraction sizes differ: lhs [16, 64] has K = 64, rhs [32, 16] has K = 32}}
      %m = tile.matmul_acc %acc, %x, %y : !tile.tile<16x64xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

// The a5 target's table names a5: i32 accumulates only int8.
module attributes {tile.target = #tile.target<a5>} {
  func.func @matmul_of_f32_into_i32_on_a5_is_rejected(%a: memref<16x16xf32>) {
    %c0 = arith.constant 0 : index
    tile.spmd 2 (%blk) {
      tile.at cube {
        %x = tile.load %a[%c0, %c0] : memref<16x16xf32> -> !tile.tile<16x16xf32>
        // expected-error @below {{no cube matmul 'f32' x 'f32' -> 'i32' on target a5; its cube supports bf16 -> f32, f16 -> f32, f32 -> f32, i8 -> i32}}
        %m = tile.matmul %x, %x : !tile.tile<16x16xf32>, !tile.tile<16x16xf32> -> !tile.tile<16x16xi32>
      }
    }
    return
  }
}

// -----

// b_trans: rhs stored [N, K] = [128, 32] multiplies as [32, 128], so K is 32
// on the right against 64 on the left (it would be 128 read untransposed).
func.func @matmul_b_trans_with_mismatched_k_is_rejected(%a: memref<16x64xf32>, %b: memref<128x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      %y = tile.load %b[%c0, %c0] : memref<128x32xf32> -> !tile.tile<128x32xf32>
      // expected-error @below {{contraction sizes differ: lhs [16, 64] has K = 64, rhs [128, 32] (transposed: [32, 128]) has K = 32}}
      %m = tile.matmul %x, %y b_trans : !tile.tile<16x64xf32>, !tile.tile<128x32xf32> -> !tile.tile<16x128xf32>
    }
  }
  return
}

// -----

// a_trans: lhs stored [K, M] = [64, 16] is [16, 64]; with rhs [64, 32] the
// result is [16, 32], not the untransposed reading's [64, 32].
func.func @matmul_a_trans_with_untransposed_result_is_rejected(%a: memref<64x16xbf16>, %b: memref<64x32xbf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<64x16xbf16> -> !tile.tile<64x16xbf16>
      %y = tile.load %b[%c0, %c0] : memref<64x32xbf16> -> !tile.tile<64x32xbf16>
      // expected-error @below {{result must be [16, 32], got [64, 32]}}
      %m = tile.matmul %x, %y a_trans : !tile.tile<64x16xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<64x32xf32>
    }
  }
  return
}

// -----

// Both transposed: lhs [64, 16] -> [16, 64], rhs [32, 48] -> [48, 32]:
// K = 64 against 48.
func.func @matmul_acc_both_trans_with_mismatched_k_is_rejected(%a: memref<64x16xf16>, %b: memref<32x48xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<64x16xf16> -> !tile.tile<64x16xf16>
      %y = tile.load %b[%c0, %c0] : memref<32x48xf16> -> !tile.tile<32x48xf16>
      %acc = tile.full 0.0 : !tile.tile<16x32xf32>
      // expected-error @below {{contraction sizes differ: lhs [64, 16] (transposed: [16, 64]) has K = 64, rhs [32, 48] (transposed: [48, 32]) has K = 48}}
      %m = tile.matmul_acc %acc, %x, %y a_trans b_trans : !tile.tile<64x16xf16>, !tile.tile<32x48xf16> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @matmul_acc_of_i8_into_f32_is_rejected(%a: memref<16x16xi8>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x16xi8> -> !tile.tile<16x16xi8>
      %acc = tile.full 0.0 : !tile.tile<16x16xf32>
      // expected-error @below {{no cube matmul 'i8' x 'i8' -> 'f32' on target a2a3; its cube supports bf16 -> f32, f16 -> f32, f32 -> f32, i8 -> i32}}
      %m = tile.matmul_acc %acc, %x, %x : !tile.tile<16x16xi8>, !tile.tile<16x16xi8> -> !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

// [16, 16] x [16, 16] = [16, 16], so the accumulator is [16, 16] too.
func.func @matmul_acc_with_wrong_accumulator_shape_is_rejected(%a: memref<16x16xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x16xf16> -> !tile.tile<16x16xf16>
      %acc = tile.full 0.0 : !tile.tile<16x32xf32>
      // expected-error @below {{result must be [16, 16], got [16, 32]}}
      %m = tile.matmul_acc %acc, %x, %x : !tile.tile<16x16xf16>, !tile.tile<16x16xf16> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// The custom form gives the accumulator the result's type.
func.func @matmul_acc_with_accumulator_of_other_type_is_rejected(%a: memref<16x16xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x16xf16> -> !tile.tile<16x16xf16>
      // expected-note @below {{prior use here}}
      %acc = tile.full 0 : !tile.tile<16x16xi32>
      // expected-error @below {{use of value '%acc' expects different type than prior uses: '!tile.tile<16x16xf32>' vs '!tile.tile<16x16xi32>'}}
      %m = tile.matmul_acc %acc, %x, %x : !tile.tile<16x16xf16>, !tile.tile<16x16xf16> -> !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

func.func @matmul_acc_with_accumulator_of_other_type_in_generic_form_is_rejected(%a: memref<16x16xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x16xf16> -> !tile.tile<16x16xf16>
      %acc = tile.full 0 : !tile.tile<16x16xi32>
      // expected-error @below {{failed to verify that all of {acc, result} have same type}}
      %m = "tile.matmul_acc"(%acc, %x, %x) : (!tile.tile<16x16xi32>, !tile.tile<16x16xf16>, !tile.tile<16x16xf16>) -> !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

// A flag connects two different pipes.
func.func @flag_on_one_pipe_is_rejected() {
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{source and destination pipe are both v; order one pipe with tile.barrier}}
      tile.set_flag v -> v, 0
    }
  }
  return
}

// -----

func.func @flag_to_all_pipes_is_rejected() {
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{flags connect two pipes; 'all' is only a barrier}}
      tile.wait_flag mte2 -> all, 0
    }
  }
  return
}

// -----

// A vector core (AIV) has no cube pipe M, no MTE1 and no FIX.
func.func @cube_pipe_in_vector_scope_is_rejected() {
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{has no m pipe on a vector core (destination)}}
      tile.set_flag mte2 -> m, 0
    }
  }
  return
}

// -----

// A cube core (AIC) has no vector pipe and no MTE3.
func.func @vector_pipe_in_cube_scope_is_rejected() {
  tile.spmd 1 (%b) {
    tile.at cube {
      // expected-error @below {{has no mte3 pipe on a cube core (barrier)}}
      tile.barrier mte3
    }
  }
  return
}

// -----

func.func @negative_event_is_rejected() {
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{attribute 'event' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
      "tile.set_flag"() <{src = 4 : i32, dst = 1 : i32, event = -1 : i64}> : () -> ()
    }
  }
  return
}

// -----

func.func @flag_outside_a_core_scope_is_rejected() {
  // expected-error @below {{must be nested in a tile.at core scope}}
  tile.barrier all
  return
}
