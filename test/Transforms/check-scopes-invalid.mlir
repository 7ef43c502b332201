// RUN: tessel-opt %s -split-input-file -tile-check-scopes="require-target" -verify-diagnostics

// With require-target every module must name its chip, whose capacities the
// later passes read.

// expected-error @below {{module names no target: expected a tile.target attribute, e.g. attributes {tile.target = #tile.target<a2a3>}}}
module {
func.func @module_without_target_is_rejected() {
  tile.spmd 2 (%b) {
    tile.at vector {
    }
  }
  return
}
}

// -----

// A target on a function does not name the module's.
// expected-error @below {{module names no target}}
module {
func.func @function_target_does_not_name_the_module_target() attributes {tile.target = #tile.target<a5>} {
  return
}
}

// -----

// The target is the enum attribute, not a string (checked with or without
// require-target).
// expected-error @below {{tile.target must be a #tile.target attribute (a2a3 or a5), got "a2a3"}}
module attributes {tile.target = "a2a3"} {
func.func @string_target_is_rejected() {
  return
}
}

// -----

// A module that names its target passes and gets its remarks.
module attributes {tile.target = #tile.target<a5>} {
func.func @module_with_target_passes() {
  // expected-remark @below {{scope 'spmd': 2 blocks, vector scope with 0 cube and 0 vector ops}}
  tile.spmd 2 (%b) {
    tile.at vector {
    }
  }
  return
}
}
