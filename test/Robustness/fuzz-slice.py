# A short seeded slice of `make fuzz` (scripts/fuzz.py): mutants of every
# lit input and of the DSV4 IR at each stage (tile, scheduled, placed; a2a3
# and a5) through tessel-opt -tile-npu-pipeline -tile-cpu-pipeline. None
# may crash or compile for more than 10 s. A failure prints the reproducer
# the fuzzer saved under the test's output directory.
#
# RUN: rm -rf %t && %python %S/../../scripts/fuzz.py --opt tessel-opt --tests %S/.. --dsv4 --count 600 --seed 17 --jobs 1 --reduce-seconds 10 --out %t | FileCheck %s
# CHECK: corpus: {{[0-9]+}} inputs; 600 mutants, seed 17
# CHECK: fuzz: 600 mutants, 0 crashes, 0 slow
