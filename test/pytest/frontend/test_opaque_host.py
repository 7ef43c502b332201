"""PyPTO's Opaque functions and host entries, and the orchestration forms of
pypto-lib's qwen3 / deepseek_v3_2 kernels: `@pl.jit.opaque` /
`pl.FunctionType.Opaque` (spliced at a call, an entry from Python),
`@pl.jit.host` calling `@pl.jit` kernels, `auto_scope=`, several `pl.at`
scopes in one `pl.parallel` body (named together; a later one continuing
the earlier one whose tiles it reads), a block-invariant `pl.read` deciding
an `if` in a `pl.parallel` body, `pl.cast(0, pl.INT32)` carried as an INT32
scalar, `pl.arange` from a run-time start, `pl.assemble` of a GM tensor
into a GM tensor, a tensor-level result bound in a function-level scope and
read by later ones -- against PyTorch on the CPU simulation, and the
CompileErrors of their misuse."""

from __future__ import annotations

import pytest
import torch

import tessel.language as pl
from tessel import CompileError


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------------------
# Opaque functions
# ---------------------------------------------------------------------------

@pl.program
class OpaqueOnly:
    @pl.function(type=pl.FunctionType.Opaque)
    def main(self, a: pl.Tensor[[64, 32], pl.FP32],
             out: pl.Out[pl.Tensor[[64, 32], pl.FP32]]):
        for i in pl.range(2):
            with pl.at(level=pl.Level.CORE_GROUP):
                t = pl.load(a, [i * 32, 0], [32, 32])
                out[i * 32:(i + 1) * 32, :] = pl.add(t, self.scale(t))
        return out

    @pl.function(type=pl.FunctionType.Inline)
    def scale(self, t):
        return pl.mul(t, 3.0)


@pl.jit.opaque
def _triple_rows(a: pl.Tensor, c: pl.Out[pl.Tensor]):
    for i in pl.range(2):
        with pl.at(level=pl.Level.CORE_GROUP):
            c[i * 32:(i + 1) * 32, :] = pl.mul(
                pl.load(a, [i * 32, 0], [32, 32]), 3.0)
    return c


@pl.jit
def _calls_opaque(a: pl.Tensor, c: pl.Out[pl.Tensor]):
    c = _triple_rows(a, c)
    return c


@pl.program
class WithOpaqueHelper:
    @pl.function
    def half(self, a: pl.Tensor[[64, 32], pl.FP32],
             c: pl.Out[pl.Tensor[[64, 32], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            c[:, :] = pl.mul(pl.load(a, [0, 0], [64, 32]), 0.5)
        return c

    @pl.function(type=pl.FunctionType.Orchestration)
    def entry(self, a: pl.Tensor[[64, 32], pl.FP32],
              c: pl.Out[pl.Tensor[[64, 32], pl.FP32]]):
        c = self.half(a, c)
        return c


def test_opaque_functions_run_as_entries_and_splice_at_calls():
    a = torch.randn(64, 32, generator=_gen())
    out = torch.zeros(64, 32)
    # The program has no Orchestration function: its Opaque one runs.
    OpaqueOnly(a, out)
    torch.testing.assert_close(out, a * 4.0)
    assert OpaqueOnly.entries == ["main"]
    # Called from a kernel, the body is spliced there: its loop and scopes.
    c = torch.zeros(64, 32)
    _calls_opaque(a, c)
    assert torch.equal(c, a * 3.0)
    assert _calls_opaque.ir().count("tile.at core_group") == 1
    # Called from Python it is an entry point itself.
    c = torch.zeros(64, 32)
    _triple_rows(a, c)
    assert torch.equal(c, a * 3.0)
    assert "scf.for" in _triple_rows.ir()
    # `@pl.function` without a type is Opaque: spliced into `entry`.
    c = torch.zeros(64, 32)
    WithOpaqueHelper.entry(a, c)
    assert torch.equal(c, a * 0.5)


# ---------------------------------------------------------------------------
# Host entries
# ---------------------------------------------------------------------------

@pl.jit(auto_scope=False)
def _chip_exp(a: pl.Tensor[[16, 32], pl.FP32],
              c: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        c[:, :] = pl.exp(pl.load(a, [0, 0], [16, 32]))
    return c


@pl.jit.inline(auto_scope=False)
def _neg(t):
    return pl.mul(t, -1.0)


@pl.jit.host
def _host(a: pl.Tensor[[16, 32], pl.FP32],
          c: pl.Out[pl.Tensor[[16, 32], pl.FP32]],
          d: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    c = _chip_exp(a, c)
    with pl.at(level=pl.Level.CORE_GROUP):
        d[:, :] = _neg(pl.load(c, [0, 0], [16, 32]))
    return c, d


@pl.jit
def _plain_calls_chip(a: pl.Tensor[[16, 32], pl.FP32],
                      c: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    return _chip_exp(a, c)  # plain-calls-jit


def test_host_entry_splices_the_chip_kernels_it_calls():
    a = torch.randn(16, 32, generator=_gen(1))
    c, d = torch.zeros(16, 32), torch.zeros(16, 32)
    _host(a, c, d)
    torch.testing.assert_close(c, torch.exp(a))
    assert torch.equal(d, -c)


def test_plain_jit_kernel_does_not_call_another():
    a, c = torch.zeros(16, 32), torch.zeros(16, 32)
    with pytest.raises(CompileError) as e:
        _plain_calls_chip(a, c)
    assert "calling the @pl.jit kernel '_chip_exp' from a kernel is not " \
        "supported" in str(e.value)
    assert "only a @pl.jit.host entry calls @pl.jit kernels" in str(e.value)
    assert e.value.line == _line_of("plain-calls-jit")


def _line_of(marker: str) -> int:
    with open(__file__) as f:
        for i, line in enumerate(f, 1):
            if line.rstrip().endswith("# " + marker):
                return i
    raise AssertionError(marker)


# ---------------------------------------------------------------------------
# Scopes of a pl.parallel body
# ---------------------------------------------------------------------------

@pl.jit
def _active_rows(x: pl.Tensor[[4, 64], pl.FP32],
                 ctl: pl.Tensor[[2], pl.INT32],
                 out: pl.Out[pl.Tensor[[4, 64], pl.FP32]]):
    for b in pl.parallel(4):
        # Block-invariant data deciding which scope a block runs.
        if b < pl.read(ctl, [0]):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="active"):
                out[b:b + 1, :] = pl.mul(x[b:b + 1, :], 2.0)
        else:
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="inactive"):
                out[b:b + 1, :] = pl.full([1, 64], dtype=pl.FP32, value=0.0)
    return out


@pl.jit
def _reads_what_it_writes(x: pl.Tensor[[4, 64], pl.FP32],
                          ctl: pl.InOut[pl.Tensor[[1, 64], pl.INT32]],
                          out: pl.Out[pl.Tensor[[4, 64], pl.FP32]]):
    for b in pl.parallel(4):
        if b < pl.read(ctl, [0, 0]):  # reads-written
            with pl.at(level=pl.Level.CORE_GROUP):
                out[b:b + 1, :] = x[b:b + 1, :]
                ctl[:, :] = pl.full([1, 64], dtype=pl.INT32, value=0)
    return out


def test_if_on_a_read_in_a_parallel_body_names_both_scopes():
    x = torch.randn(4, 64, generator=_gen(2))
    for active in (0, 2, 4):
        ctl = torch.tensor([active, 0], dtype=torch.int32)
        out = torch.full((4, 64), 7.0)
        _active_rows(x, ctl, out)
        want = torch.cat([x[:active] * 2.0, torch.zeros(4 - active, 64)])
        assert torch.equal(out, want)
    assert 'name("active+inactive")' in _active_rows.ir()


def test_a_read_of_a_tensor_the_scope_writes_is_still_unprovable():
    # Another block may have written ctl before this one reads it.
    x, out = torch.zeros(4, 64), torch.zeros(4, 64)
    ctl = torch.zeros(1, 64, dtype=torch.int32)
    with pytest.raises(CompileError) as e:
        _reads_what_it_writes(x, ctl, out)
    assert "an operation other than tile.load and tile.store uses a GM " \
        "tensor" in str(e.value)
    assert e.value.line == _line_of("reads-written")


@pl.jit
def _project_then_cast(x: pl.Tensor[[16, 64], pl.BF16],
                       w: pl.Tensor[[64, 128], pl.BF16],
                       out: pl.Out[pl.Tensor[[16, 128], pl.BF16]]):
    for n0 in pl.parallel(0, 128, 64):
        with pl.at(level=pl.Level.CORE_GROUP, name_hint="proj"):
            acc = pl.matmul(x[:, 0:32], w[0:32, n0:n0 + 64],
                            out_dtype=pl.FP32)
            acc = pl.matmul_acc(acc, x[:, 32:64], w[32:64, n0:n0 + 64])
        with pl.at(level=pl.Level.CORE_GROUP, name_hint="proj_write"):
            out = pl.assemble(out, pl.cast(acc, target_type=pl.BF16),
                              [0, n0])
    return out


def test_a_scope_reading_the_tiles_of_the_one_before_continues_it():
    g = _gen(3)
    x = torch.randn(16, 64, generator=g).bfloat16()
    w = torch.randn(64, 128, generator=g).bfloat16()
    out = torch.zeros(16, 128, dtype=torch.bfloat16)
    _project_then_cast(x, w, out)
    want = (x.float() @ w.float()).bfloat16()
    torch.testing.assert_close(out.float(), want.float(), rtol=1e-2,
                               atol=1e-2)
    text = _project_then_cast.ir()
    # One scope per iteration holding both: named after both.
    assert 'name("proj+proj_write")' in text
    assert text.count("tile.at core_group") == 1


@pl.jit
def _continued_in_a_loop(x: pl.Tensor[[4, 8, 64], pl.FP32],
                         out: pl.Out[pl.Tensor[[4, 8, 64], pl.FP32]]):
    # Two scopes in a loop of the pl.parallel body (deepseek_v3_2
    # decode_front's per-head scopes): the second reads the first's tile,
    # so it continues it, once per iteration.
    for b in pl.parallel(4):
        for h in pl.range(2):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="load"):
                t = pl.exp(x[b:b + 1, h * 4:h * 4 + 4, :])
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="write"):
                out[b:b + 1, h * 4:h * 4 + 4, :] = pl.mul(t, 2.0)


def test_a_scope_in_a_loop_of_the_body_continues_the_one_before():
    g = _gen(5)
    x = torch.randn(4, 8, 64, generator=g)
    out = torch.zeros(4, 8, 64)
    _continued_in_a_loop(x, out)
    torch.testing.assert_close(out, torch.exp(x) * 2.0, rtol=1e-6,
                               atol=1e-6)
    text = _continued_in_a_loop.ir()
    assert 'name("load+write")' in text
    assert text.count("tile.at core_group") == 1


@pl.jit
def _op_between_scopes(x: pl.Tensor[[16, 64], pl.FP32],
                       n: pl.Tensor[[1], pl.INT32],
                       out: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for b in pl.parallel(2):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = pl.load(x, [b * 8, 0], [8, 64])
        y = pl.min(b * 8, pl.cast(pl.read(n, [0]), pl.INDEX))
        with pl.at(level=pl.Level.CORE_GROUP):
            out[y:y + 8, :] = pl.exp(t)  # not-continued
    return out


def test_a_scope_after_other_runtime_statements_does_not_continue():
    # A run-time value computed between the two scopes (a read of x):
    # the second scope does not directly follow the first, its tile is
    # gone.
    with pytest.raises(CompileError) as e:
        _op_between_scopes(torch.zeros(16, 64),
                           torch.zeros(1, dtype=torch.int32),
                           torch.zeros(16, 64))
    assert "'t' is not available here" in str(e.value)
    assert e.value.line == _line_of("not-continued")


@pl.jit
def _tile_used_after_function_level_scope(
        x: pl.Tensor[[16, 64], pl.FP32],
        out: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP, name_hint="load"):
        t = pl.load(x, [0, 0], [16, 64])
    with pl.at(level=pl.Level.CORE_GROUP, name_hint="exp"):
        out[:, :] = pl.exp(t)
    return out


def test_a_function_level_scope_reading_the_last_ones_tile_continues_it():
    # PyPTO hands `t` from one InCore function to the next through GM;
    # Tessel builds the second body at the end of the first scope: one
    # one-block scope named after both.
    x = torch.randn(16, 64)
    out = torch.zeros(16, 64)
    _tile_used_after_function_level_scope(x, out)
    torch.testing.assert_close(out, torch.exp(x))
    ir = _tile_used_after_function_level_scope.ir()
    assert ir.count("tile.spmd") == 1 and 'name("load+exp")' in ir


# An o-projection as decode_back writes it: a matmul accumulated over K in
# one scope, its result (an Acc tile) added to a residual in the next, in a
# function-level loop over the output columns.
@pl.jit
def _acc_to_next_scope(a: pl.Tensor[[16, 128], pl.BF16],
                       w: pl.Tensor[[128, 256], pl.BF16],
                       r: pl.Tensor[[16, 256], pl.FP32],
                       out: pl.Out[pl.Tensor[[16, 256], pl.FP32]]):
    for ob in pl.range(2):
        o0 = ob * 128
        with pl.at(level=pl.Level.CORE_GROUP):
            acc = pl.matmul(pl.slice(a, [16, 64], [0, 0]),
                            pl.slice(w, [64, 128], [0, o0]),
                            out_dtype=pl.FP32)
            acc = pl.matmul_acc(acc, pl.slice(a, [16, 64], [0, 64]),
                                pl.slice(w, [64, 128], [64, o0]))
        with pl.at(level=pl.Level.CORE_GROUP):
            res = pl.slice(r, [16, 128], [0, o0])
            out[:, o0:o0 + 128] = pl.add(acc, res)
    return out


@pytest.mark.parametrize("backend", ["cpu", "pto"])
def test_an_acc_tile_continues_into_the_next_scope_in_a_loop(backend):
    g = torch.Generator().manual_seed(3)
    a = torch.randn(16, 128, generator=g).to(torch.bfloat16)
    w = torch.randn(128, 256, generator=g).to(torch.bfloat16)
    r = torch.randn(16, 256, generator=g)
    out = torch.zeros(16, 256)
    _acc_to_next_scope(a, w, r, out, backend=backend)
    want = a.float() @ w.float() + r
    torch.testing.assert_close(out, want, rtol=1e-4, atol=1e-4)


# decode_back's MLP: a gate and an up projection, each a scope of its own,
# both read by a third: the three scopes become one (the up scope, which
# reads nothing of the gate scope, moved into it first).
@pl.jit
def _gate_up_mix(a: pl.Tensor[[16, 64], pl.BF16],
                 wg: pl.Tensor[[64, 128], pl.BF16],
                 wu: pl.Tensor[[64, 128], pl.BF16],
                 out: pl.Out[pl.Tensor[[16, 128], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP, name_hint="gate"):
        gate = pl.matmul(pl.load(a, [0, 0], [16, 64]),
                         pl.load(wg, [0, 0], [64, 128]), out_dtype=pl.FP32)
    with pl.at(level=pl.Level.CORE_GROUP, name_hint="up"):
        up = pl.matmul(pl.load(a, [0, 0], [16, 64]),
                       pl.load(wu, [0, 0], [64, 128]), out_dtype=pl.FP32)
    with pl.at(level=pl.Level.CORE_GROUP, name_hint="mix"):
        sig = pl.recip(pl.add(pl.exp(pl.neg(gate)), 1.0))
        out[:, :] = pl.mul(pl.mul(gate, sig), up)
    return out


@pytest.mark.parametrize("backend", ["cpu", "pto"])
def test_a_scope_reading_two_earlier_ones_joins_the_chain(backend):
    g = torch.Generator().manual_seed(5)
    a = (torch.randn(16, 64, generator=g) / 4).to(torch.bfloat16)
    wg = (torch.randn(64, 128, generator=g) / 4).to(torch.bfloat16)
    wu = (torch.randn(64, 128, generator=g) / 4).to(torch.bfloat16)
    out = torch.zeros(16, 128)
    _gate_up_mix(a, wg, wu, out, backend=backend)
    gate, up = a.float() @ wg.float(), a.float() @ wu.float()
    torch.testing.assert_close(out, gate * torch.sigmoid(gate) * up,
                               rtol=1e-4, atol=1e-4)
    if backend == "cpu":
        ir = _gate_up_mix.ir()
        assert ir.count("tile.spmd") == 1 and 'name("gate+up+mix")' in ir


@pl.jit
def _op_between_function_level_scopes(
        x: pl.Tensor[[16, 64], pl.FP32],
        n: pl.Tensor[[1], pl.INT32],
        out: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [16, 64])
    y = pl.min(8, pl.cast(pl.read(n, [0]), pl.INDEX))
    with pl.at(level=pl.Level.CORE_GROUP):
        out[y:y + 8, :] = pl.exp(pl.slice(t, [8, 64], [0, 0]))  # tile-out-of-scope
    return out


def test_a_tile_does_not_leave_a_function_level_scope_otherwise():
    # A run-time value computed between the scopes (a read of n): the
    # second does not directly follow the one that made `t`.
    x, out = torch.zeros(16, 64), torch.zeros(16, 64)
    with pytest.raises(CompileError) as e:
        _op_between_function_level_scopes(
            x, torch.zeros(1, dtype=torch.int32), out)
    assert "'t' is not available here" in str(e.value)
    assert e.value.line == _line_of("tile-out-of-scope")


# ---------------------------------------------------------------------------
# Scalars: pl.cast(0, pl.INT32) carried, pl.arange from a run-time start
# ---------------------------------------------------------------------------

@pl.jit
def _last_match(v: pl.Tensor[[1, 16], pl.FP32],
                key: pl.Tensor[[1, 1], pl.FP32],
                out: pl.Out[pl.Tensor[[1, 8], pl.INT32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        row = pl.load(v, [0, 0], [1, 16])
        k = pl.read(key, [0, 0])
        found = pl.cast(-1, pl.INT32)
        for c in pl.range(16):
            if pl.read(row, [0, c]) == k:
                found = pl.cast(c, pl.INT32)
        out[:, :] = pl.arange(found, [1, 8], dtype=pl.INT32)
    return out


def test_cast_constant_is_carried_as_its_scalar_dtype():
    v = torch.arange(16, dtype=torch.float32).reshape(1, 16) % 5
    out = torch.zeros(1, 8, dtype=torch.int32)
    for key, want in ((3.0, 13), (9.0, -1)):
        _last_match(v, torch.tensor([[key]]), out)
        assert torch.equal(out, torch.arange(want, want + 8,
                                             dtype=torch.int32)[None])


@pl.jit
def _sorted_ids(x: pl.Tensor[[2, 32], pl.FP32],
                out: pl.Out[pl.Tensor[[2, 32], pl.INT32]]):
    for b in pl.parallel(2):
        with pl.at(level=pl.Level.CORE_GROUP):
            # Global column ids: a UINT32 arange from the block's offset.
            ids = pl.arange(pl.cast(b * 32, target_type=pl.UINT32), [1, 32],
                            dtype=pl.UINT32)
            pairs = pl.sort32(x[b:b + 1, :], ids)
            out[b:b + 1, :] = pl.gather(
                pairs, mask_pattern=pl.tile.MaskPattern.P1010,
                output_dtype=pl.INT32)
    return out


def test_uint32_arange_from_a_block_offset_feeds_sort32():
    x = torch.randn(2, 32, generator=_gen(7))
    out = torch.zeros(2, 32, dtype=torch.int32)
    _sorted_ids(x, out)
    want = torch.argsort(x, dim=1, descending=True).int() + \
        torch.tensor([[0], [32]], dtype=torch.int32)
    assert torch.equal(out, want)


@pl.jit
def _arange_fp32_runtime(n: pl.Tensor[[1, 1], pl.INT32],
                         out: pl.Out[pl.Tensor[[1, 8], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        out[:, :] = pl.arange(pl.read(n, [0, 0]), [1, 8],  # arange-fp32
                              dtype=pl.FP32)
    return out


def test_arange_from_a_runtime_start_is_integer_only():
    with pytest.raises(CompileError) as e:
        _arange_fp32_runtime(torch.zeros(1, 1, dtype=torch.int32),
                             torch.zeros(1, 8))
    assert "pl.arange of FP32 needs a compile-time start" in str(e.value)
    assert e.value.line == _line_of("arange-fp32")


# ---------------------------------------------------------------------------
# GM tensor into GM tensor; tensor-level results leaving a scope
# ---------------------------------------------------------------------------

@pl.jit
def _assemble_rows(x: pl.Tensor[[4, 8192], pl.FP32],
                   y: pl.Tensor[[3, 64], pl.FP32],
                   out: pl.Out[pl.Tensor[[4, 8192], pl.FP32]],
                   o3: pl.Out[pl.Tensor[[2, 3, 64], pl.FP32]]):
    for b in pl.range(4):
        row = pl.create_tensor([1, 8192], dtype=pl.FP32)
        with pl.at(level=pl.Level.CORE_GROUP):
            row = pl.assemble(row, pl.mul(x[b:b + 1, :], 2.0), [0, 0])
        # A row of 32 KiB: moved in column chunks by blocks of a scope.
        out = pl.assemble(out, row, [3 - b, 0])
    o3 = pl.assemble(o3, y, [0, 0, 0])
    with pl.at(level=pl.Level.CORE_GROUP):
        o3 = pl.assemble(o3, y, [1, 0, 0])
    return out, o3


@pl.jit
def _assemble_atomic(y: pl.Tensor[[3, 64], pl.FP32],
                     out: pl.Out[pl.Tensor[[3, 64], pl.FP32]]):
    out = pl.assemble(out, y, [0, 0],
                      atomic=pl.AtomicType.Add)  # gm-atomic
    return out


def test_assemble_of_a_gm_tensor_copies_it():
    g = _gen(5)
    x, y = torch.randn(4, 8192, generator=g), torch.randn(3, 64, generator=g)
    out, o3 = torch.zeros(4, 8192), torch.zeros(2, 3, 64)
    _assemble_rows(x, y, out, o3)
    assert torch.equal(out, (x * 2.0).flip(0))
    assert torch.equal(o3[0], y) and torch.equal(o3[1], y)
    with pytest.raises(CompileError) as e:
        _assemble_atomic(y, torch.zeros(3, 64))
    assert "atomic= is not supported" in str(e.value)
    assert e.value.line == _line_of("gm-atomic")


@pl.jit
def _layernorm_then_rows(k: pl.Tensor[[16, 64], pl.BF16],
                         out: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        kf = pl.cast(k, target_type=pl.FP32)
        var = pl.add(pl.row_sum(pl.mul(kf, kf)), 1e-6)
        # A tensor-level [16, 1] result reshaped: computed as one tile.
        inv = pl.reshape(pl.recip(pl.reshape(pl.sqrt(var), [1, 16])),
                         [16, 1])
        k = pl.cast(pl.row_expand_mul(kf, inv), target_type=pl.BF16)
    for b in pl.parallel(16):
        with pl.at(level=pl.Level.CORE_GROUP):
            out[b:b + 1, :] = pl.cast(k[b:b + 1, :], target_type=pl.FP32)
    return out


def test_a_tensor_level_result_read_after_its_scope_is_stored_to_gm():
    k = torch.randn(16, 64, generator=_gen(6)).bfloat16()
    out = torch.zeros(16, 64)
    _layernorm_then_rows(k, out)
    kf = k.float()
    inv = 1.0 / torch.sqrt((kf * kf).sum(-1, keepdim=True) + 1e-6)
    want = (kf * inv).bfloat16().float()
    torch.testing.assert_close(out, want, rtol=1e-2, atol=1e-2)
    assert 'tile.alloc_gm name("k")' in _layernorm_then_rows.ir()


# ---------------------------------------------------------------------------
# A hand-written remainder bounds an offset (qwen3 prefill's work split)
# ---------------------------------------------------------------------------

@pl.jit
def _work_split(x: pl.Tensor[[4, 256], pl.FP32],
                out: pl.Out[pl.Tensor[[8, 256], pl.FP32]]):
    for w in pl.parallel(8):
        with pl.at(level=pl.Level.CORE_GROUP):
            micro = w // 4
            blk = w - micro * 4          # in [0, 4): w % 4 written out
            out[w:w + 1, blk * 64:blk * 64 + 64] = pl.mul(
                x[micro:micro + 1, blk * 64:blk * 64 + 64], 2.0)
            other = 3 - blk
            out[w:w + 1, other * 64:other * 64 + 64] = pl.full(
                [1, 64], dtype=pl.FP32, value=0.0)
            for c in pl.range(4):
                if c != blk and c != other:
                    out[w:w + 1, c * 64:c * 64 + 64] = pl.full(
                        [1, 64], dtype=pl.FP32, value=-1.0)
    return out


def test_hand_written_remainder_bounds_an_offset():
    x = torch.randn(4, 256, generator=_gen(8))
    out = torch.zeros(8, 256)
    _work_split(x, out)
    for w in range(8):
        blk, micro = w % 4, w // 4
        want = torch.full((256,), -1.0)
        want[(3 - blk) * 64:(4 - blk) * 64] = 0.0
        want[blk * 64:blk * 64 + 64] = x[micro, blk * 64:blk * 64 + 64] * 2
        assert torch.equal(out[w], want), w
