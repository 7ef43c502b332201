// RUN: tessel-opt %s -tile-permute-blocks=order=backwards -verify-diagnostics

// An unknown order is an error on the module.
// expected-error @below {{unknown block order 'backwards': expected forward, reverse or shuffle}}
module {
func.func @k() {
  return
}
}
