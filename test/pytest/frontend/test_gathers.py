"""PyPTO's indexed gathers and scatters (frontend/gathers.py) against torch
references on the CPU simulation: `pl.mgather` (row and element modes,
each `gather_oob` policy), `pl.mscatter`, `pl.scatter_update` (2-D and the
4-D paged cache), `pl.paged_gather` (Vec and Mat, feeding a matmul), over
every tile dtype; indices outside the tensors included (each op's
documented policy, never an access outside a tensor); the forms the NPU
back end emits on its strict reference; then each misuse as a
CompileError at the author's line."""

from __future__ import annotations

import shutil

import pytest
import torch

import tessel.language as pl
from tessel import CompileError

needs_cxx = pytest.mark.skipif(
    shutil.which("g++") is None and shutil.which("clang++") is None,
    reason="the PTO back end builds emitted kernels with a host C++ compiler")

DTYPES = [torch.float32, torch.float16, torch.bfloat16, torch.int32,
          torch.int8]
DTYPE_IDS = ["f32", "f16", "bf16", "i32", "i8"]
ROWS, COLS = 64, 32


def _table(shape, dtype, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(-100, 101, shape, generator=g).to(dtype)


def unsigned(idx: torch.Tensor) -> torch.Tensor:
    """An INT32 index as PyPTO's hardware reads it: unsigned."""
    return idx.to(torch.int64) & 0xFFFFFFFF


#: Row indices with every kind of outlier: -1 (4294967295 unsigned), the
#: row count, past it, the largest INT32, a negative multiple of the rows.
ROW_IDX = torch.tensor([3, -1, 64, 65, 0, 63, 130, 7, 2 ** 31 - 1, -64, 5,
                        6, 7, 8, 9, 10], dtype=torch.int32)


def gather_rows(mem, idx, mode):
    """PyPTO's reference of a row gather under `mode`."""
    u = unsigned(idx)
    rows = mem.shape[0]
    if mode in ("clamp", "undefined"):
        return mem[u.clamp(max=rows - 1)]
    if mode == "wrap":
        return mem[u % rows]
    out = torch.zeros(len(u), mem.shape[1], dtype=mem.dtype)
    ok = u < rows
    out[ok] = mem[u[ok]]
    return out


# ---------------------------------------------------------------------------
# pl.mgather
# ---------------------------------------------------------------------------

@pl.jit
def mgathers(mem: pl.Tensor, idx: pl.Tensor, cidx: pl.Tensor,
             eidx: pl.Tensor, mem3: pl.Tensor, rows: pl.Out[pl.Tensor],
             elems: pl.Out[pl.Tensor], rows3: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        it = pl.load(idx, [0, 0], [1, 16])
        # A column of indices, 12 of them valid: rows 12..15 stay as the
        # store finds them (a partial result).
        ct = pl.load(cidx, [0, 0], [16, 1], valid_shape=[12, 1])
        for k, m in enumerate(["clamp", "wrap", "zero", "undefined"]):
            pl.store(pl.mgather(mem, it, "row", gather_oob=m), [16 * k, 0],
                     rows)
        pl.store(pl.tile.mgather(mem, ct, 0, gather_oob=3), [64, 0], rows)
        et = pl.load(eidx, [0, 0], [8, 32])
        for k, m in enumerate(["clamp", "wrap", "zero", "undefined"]):
            pl.store(pl.mgather(mem, et, "elem", gather_oob=m), [8 * k, 0],
                     elems)
        # A 3-D table's rows are its [4 * 16] leading positions.
        pl.store(pl.mgather(mem3, it), [0, 0], rows3)


@pytest.fixture(scope="module", params=DTYPES, ids=DTYPE_IDS)
def gathered(request):
    dtype = request.param
    mem = _table((ROWS, COLS), dtype, 1)
    mem3 = _table((4, 16, COLS), dtype, 2)
    g = torch.Generator().manual_seed(3)
    eidx = torch.randint(-100, ROWS * COLS + 100, (8, 32), generator=g,
                         dtype=torch.int32)
    eidx[0, :4] = torch.tensor([-1, ROWS * COLS, 2 ** 31 - 1, -2 ** 31])
    rows = torch.full((80, COLS), 9, dtype=dtype)
    elems = torch.zeros(32, 32, dtype=dtype)
    rows3 = torch.zeros(16, COLS, dtype=dtype)
    mgathers(mem, ROW_IDX.reshape(1, 16), ROW_IDX.reshape(16, 1), eidx, mem3,
             rows, elems, rows3)
    return mem, mem3, eidx, rows, elems, rows3


def test_mgather_rows_each_policy(gathered):
    mem, _, _, rows, *_ = gathered
    for k, m in enumerate(["clamp", "wrap", "zero", "undefined"]):
        assert torch.equal(rows[16 * k:16 * k + 16],
                           gather_rows(mem, ROW_IDX, m)), m
    assert torch.equal(rows[64:76], gather_rows(mem, ROW_IDX, "zero")[:12])
    assert (rows[76:80] == 9).all()


def test_mgather_elements_each_policy(gathered):
    mem, _, eidx, _, elems, _ = gathered
    flat = mem.reshape(-1)
    for k, m in enumerate(["clamp", "wrap", "zero", "undefined"]):
        want = gather_rows(flat.reshape(-1, 1), eidx.reshape(-1), m)
        assert torch.equal(elems[8 * k:8 * k + 8], want.reshape(8, 32)), m


def test_mgather_rows_of_a_3d_table(gathered):
    _, mem3, *_, rows3 = gathered
    assert torch.equal(rows3, gather_rows(mem3.reshape(64, COLS), ROW_IDX,
                                          "clamp"))


# ---------------------------------------------------------------------------
# pl.mscatter
# ---------------------------------------------------------------------------

@pl.jit
def mscatters(src: pl.Tensor, idx: pl.Tensor, flat: pl.InOut[pl.Tensor],
              cube: pl.InOut[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        s = pl.load(src, [0, 0], [8, 32])
        i = pl.load(idx, [0, 0], [8, 32])
        pl.mscatter(s, i, flat)
        # Only the valid [5, 20] of src is scattered.
        cube = pl.tile.mscatter(pl.set_validshape(s, 5, 20), i, cube)


def scatter_reference(target, idx, src):
    out = target.clone().reshape(-1)
    for k, v in zip(unsigned(idx).reshape(-1).tolist(), src.reshape(-1)):
        if k < out.numel():
            out[k] = v                       # row-major: the later wins
    return out.reshape(target.shape)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_mscatter_matches_the_reference(dtype):
    src = _table((8, 32), dtype, 4)
    g = torch.Generator().manual_seed(5)
    # Duplicates (a 512-element target, 256 indices in -40..560) and
    # outliers: the later write wins, an outlier writes nothing.
    idx = torch.randint(-40, 560, (8, 32), generator=g, dtype=torch.int32)
    flat = torch.full((512,), 3, dtype=dtype)
    cube = torch.full((4, 8, 16), 3, dtype=dtype)
    mscatters(src, idx, flat, cube)
    assert torch.equal(flat, scatter_reference(torch.full((512,), 3,
                                                          dtype=dtype),
                                               idx, src))
    want = scatter_reference(torch.full((4, 8, 16), 3, dtype=dtype),
                             idx[:5, :20], src[:5, :20])
    assert torch.equal(cube, want)


# ---------------------------------------------------------------------------
# pl.scatter_update
# ---------------------------------------------------------------------------

@pl.jit
def updates(inp: pl.InOut[pl.Tensor], index: pl.Tensor, src: pl.Tensor,
            cache: pl.InOut[pl.Tensor], src4: pl.Tensor,
            index64: pl.Tensor):
    with pl.at(level=pl.Level.VECTOR):
        pl.scatter_update(inp, -2, index, src)
        cache = pl.tensor.scatter_update(cache, index64, src4, dim=-2)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_scatter_update_matches_the_reference(dtype):
    index = torch.tensor([[3, 70, -1, 9], [3, 0, 63, 12]], dtype=torch.int32)
    src, src4 = _table((8, 16), dtype, 6), _table((2, 4, 1, 16), dtype, 7)
    inp = torch.full((64, 16), 5, dtype=dtype)
    cache = torch.full((4, 16, 1, 16), 5, dtype=dtype)
    updates(inp, index, src, cache, src4, index.to(torch.int64))
    want = torch.full((64, 16), 5, dtype=dtype)
    want4 = torch.full((64, 16), 5, dtype=dtype)
    for k, r in enumerate(index.reshape(-1).tolist()):
        if 0 <= r < 64:                       # 70 and -1 write nothing
            want[r] = src[k]
            want4[r] = src4.reshape(8, 16)[k]
    assert torch.equal(inp, want)
    assert torch.equal(cache.reshape(64, 16), want4)


# ---------------------------------------------------------------------------
# pl.paged_gather
# ---------------------------------------------------------------------------

BLOCK = 16


def paged_reference(pool, indices, table, size, max_indices, col_off):
    out = torch.zeros(max_indices, size, dtype=pool.dtype)
    for i, x in enumerate(unsigned(indices.reshape(-1)).tolist()):
        b, off = x // BLOCK, x % BLOCK
        if b >= table.numel():
            continue
        phys = (int(table[b]) & 0xFFFFFFFF) * BLOCK + off
        if phys < pool.shape[0]:
            out[i] = pool[phys, col_off:col_off + size]
    return out


@pl.jit
def paged_vec(pool: pl.Tensor, indices: pl.Tensor, table: pl.Tensor,
              out: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        t = pl.paged_gather(pool, indices, table, 16, 16, 8,
                            space=pl.MemorySpace.Vec, col_off=8)
        pl.store(t, [0, 0], out)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_paged_gather_vec_matches_the_reference(dtype):
    pool = _table((64, 32), dtype, 8)
    # Block 4 is past the 4-entry table, -1 too; page 9 is past the pool.
    indices = torch.tensor([[0, 17, 35, 64, -1, 50]], dtype=torch.int32)
    table = torch.tensor([2, 0, 3, 9], dtype=torch.int32)
    out = torch.full((8, 16), 5, dtype=dtype)
    paged_vec(pool, indices, table, out)
    assert torch.equal(out, paged_reference(pool, indices, table, 16, 8, 8))
    assert (out[6:] == 0).all()


@pl.jit
def paged_mat(pool: pl.Tensor[[64, 32], pl.FP16],
              indices: pl.Tensor[[16], pl.INT32],
              table: pl.Tensor[[4], pl.INT32],
              q: pl.Tensor[[16, 16], pl.FP16],
              out: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        kv = pl.tensor.paged_gather(pool, indices, table, 16, 32, 16,
                                    is_b_matrix=True)
        qt = pl.load(q, [0, 0], [16, 16], target_memory=pl.MemorySpace.Mat)
        pl.store(pl.matmul(qt, kv), [0, 0], out)


def test_paged_gather_into_l1_feeds_a_matmul():
    pool = _table((64, 32), torch.float16, 9)
    indices = torch.arange(16, dtype=torch.int32) * 3
    table = torch.tensor([1, 3, 0, 2], dtype=torch.int32)
    q = _table((16, 16), torch.float16, 10) / 64
    out = torch.zeros(16, 32)
    paged_mat(pool, indices, table, q, out)
    kv = paged_reference(pool, indices, table, 32, 16, 0)
    torch.testing.assert_close(out, q.float() @ kv.float(), rtol=1e-3,
                               atol=1e-3)


# ---------------------------------------------------------------------------
# pl.gatherb
# ---------------------------------------------------------------------------

@pl.jit
def gatherbs(x: pl.Tensor, off: pl.Tensor, same: pl.Out[pl.Tensor],
             as_f32: pl.Out[pl.Tensor], part: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        s = pl.load(x, [0, 0], [4, 32])
        t = pl.load(off, [0, 0], [2, 8])
        pl.store(pl.gatherb(s, t), [0, 0], same)
        pl.store(pl.tile.gatherb(s, t, output_dtype=pl.FP32), [0, 0], as_f32)
        # One valid offset row: one valid result row.
        pl.store(pl.gatherb(s, pl.set_validshape(t, 1, 8)), [0, 0], part)


def gatherb_reference(src: torch.Tensor, offsets: torch.Tensor):
    """TGATHERB on bytes: block (r, c) is the 32 bytes from offset[r, c],
    an offset with fewer than 32 bytes after it clamped to the last 32."""
    b = src.reshape(-1).view(torch.uint8)
    out = torch.zeros(offsets.shape[0], offsets.shape[1] * 32,
                      dtype=torch.uint8)
    for r in range(offsets.shape[0]):
        for c in range(offsets.shape[1]):
            st = min(int(offsets[r, c]) & 0xFFFFFFFF, b.numel() - 32)
            out[r, 32 * c:32 * c + 32] = b[st:st + 32]
    return out


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_gatherb_matches_the_byte_reference(dtype):
    src = _table((4, 32), dtype, 14)
    nbytes = src.numel() * src.element_size()
    # Aligned and unaligned offsets, the last whole block, and outliers.
    offsets = torch.tensor([[0, 32, 64, 96, nbytes - 32, 5, 33, 2],
                            [nbytes - 31, nbytes, 2 ** 32 - 1, 0, 100, 36,
                             17, 12]], dtype=torch.int64)
    per = 32 // src.element_size()
    same = torch.zeros(2, 8 * per, dtype=dtype)
    as_f32 = torch.zeros(2, 64)
    part = torch.full((2, 8 * per), 7, dtype=dtype)
    gatherbs(src, offsets.to(torch.uint32), same, as_f32, part)
    want = gatherb_reference(src, offsets)
    assert torch.equal(same.view(torch.uint8).reshape(2, 256), want)
    assert torch.equal(as_f32.view(torch.uint8).reshape(2, 256), want)
    assert torch.equal(part[0].view(torch.uint8), want[0])
    assert (part[1] == 7).all()


# ---------------------------------------------------------------------------
# The NPU back end
# ---------------------------------------------------------------------------

@pl.jit
def gathers_npu(mem: pl.Tensor[[64, 32], pl.FP32],
                idx: pl.Tensor[[1, 16], pl.INT32],
                eidx: pl.Tensor[[8, 32], pl.INT32],
                rows: pl.Out[pl.Tensor[[16, 32], pl.FP32]],
                elems: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                flat: pl.InOut[pl.Tensor[[2048], pl.FP32]],
                inp: pl.InOut[pl.Tensor[[64, 32], pl.FP32]],
                uidx: pl.Tensor[[2, 4], pl.INT32],
                src: pl.Tensor[[8, 32], pl.FP32]):
    with pl.at(level=pl.Level.VECTOR):
        it = pl.load(idx, [0, 0], [1, 16])
        et = pl.load(eidx, [0, 0], [8, 32])
        pl.store(pl.mgather(mem, it, gather_oob="wrap"), [0, 0], rows)
        pl.store(pl.mgather(mem, et, "elem", gather_oob="zero"), [0, 0],
                 elems)
        pl.mscatter(pl.load(src, [0, 0], [8, 32]), et, flat)
        pl.scatter_update(inp, -2, uidx, src)


@needs_cxx
def test_gathers_on_the_npu_reference():
    mem = _table((64, 32), torch.float32, 11)
    g = torch.Generator().manual_seed(12)
    eidx = torch.randint(-50, 2100, (8, 32), generator=g, dtype=torch.int32)
    uidx = torch.tensor([[3, 70, -1, 9], [3, 0, 63, 12]], dtype=torch.int32)
    src = _table((8, 32), torch.float32, 13)
    outs = [torch.zeros(16, 32), torch.zeros(8, 32), torch.zeros(2048),
            torch.zeros(64, 32)]
    gathers_npu(mem, ROW_IDX.reshape(1, 16), eidx, *outs[:3], outs[3], uidx,
                src, target="a2a3", backend="pto")
    rows, elems, flat, inp = outs
    assert torch.equal(rows, gather_rows(mem, ROW_IDX, "wrap"))
    want = gather_rows(mem.reshape(-1, 1), eidx.reshape(-1), "zero")
    assert torch.equal(elems, want.reshape(8, 32))
    assert torch.equal(flat, scatter_reference(torch.zeros(2048), eidx, src))
    want = torch.zeros(64, 32)
    for k, r in enumerate(uidx.reshape(-1).tolist()):
        if 0 <= r < 64:
            want[r] = src[k]
    assert torch.equal(inp, want)


@pl.jit
def mgather_zero(m: pl.Tensor[[64, 32], pl.FP32],
                 i: pl.Tensor[[1, 16], pl.INT32],
                 o: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.VECTOR):
        t = pl.load(i, [0, 0], [1, 16])
        o[:, :] = pl.mgather(m, t, gather_oob='zero')


@needs_cxx
@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_mgather_zero_rows_on_the_npu(target):
    # A zero-filled row is a branch yielding a tile (scf.if): the row
    # inserted (TINSERT) or the zero kept, in the result's storage. Indexes
    # past the 64 rows (64, 70, 100) and -1 (4294967295 unsigned) give
    # zero rows; bit for bit the CPU simulation and torch.
    mem = _table((64, 32), torch.float32, 21)
    idx = torch.tensor([[3, 70, -1, 5, 63, 0, 64, 12, 1, 2, 100, 7, 8, 9,
                         10, 11]], dtype=torch.int32)
    o_pto = torch.full((16, 32), float("nan"))
    o_cpu = torch.full((16, 32), float("nan"))
    mgather_zero(mem, idx, o_pto, target=target, backend="pto")
    mgather_zero(mem, idx, o_cpu, target=target, backend="cpu")
    assert torch.equal(o_pto.view(torch.int32), o_cpu.view(torch.int32))
    assert torch.equal(o_pto, gather_rows(mem, idx.reshape(-1), "zero"))


@needs_cxx
@pytest.mark.parametrize("line", [
    # gatherb's byte views (tile.reinterpret_view).
    "o[0:2, :] = pl.reshape(pl.gatherb(m[0:2, :], pl.cast(t[:, 0:8], "
    "pl.UINT32)), [2, 32])",
])
def test_npu_reports_the_forms_it_does_not_emit(tmp_path, line):
    path = tmp_path / "k.py"
    src = ("@pl.jit\n"
           "def k(m: pl.Tensor[[64, 32], pl.FP32],\n"
           "      i: pl.Tensor[[1, 16], pl.INT32],\n"
           "      o: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):\n"
           "    with pl.at(level=pl.Level.VECTOR):\n"
           "        t = pl.load(i, [0, 0], [1, 16])\n"
           f"        {line}\n")
    path.write_text(src)
    ns = {"pl": pl}
    exec(compile(src, str(path), "exec"), ns)
    with pytest.raises(CompileError, match="cannot run on the a2a3 NPU") \
            as info:
        ns["k"](torch.zeros(64, 32), torch.zeros(1, 16, dtype=torch.int32),
                torch.zeros(16, 32), target="a2a3", backend="pto")
    assert info.value.line == 7


# ---------------------------------------------------------------------------
# Misuse: a CompileError at the author's line
# ---------------------------------------------------------------------------

def _kernel(path, body: str):
    """A one-scope kernel whose scope body is `body` (line 9 of `path`)."""
    src = ("@pl.jit\n"
           "def k(m: pl.Tensor[[64, 32], pl.FP32],\n"
           "      i: pl.Tensor[[1, 16], pl.INT32],\n"
           "      e: pl.Tensor[[8, 32], pl.INT32],\n"
           "      o: pl.Out[pl.Tensor[[64, 32], pl.FP32]],\n"
           "      f: pl.Tensor[[8, 32], pl.FP32]):\n"
           "    with pl.at(level=pl.Level.VECTOR):\n"
           "        t, et, x = pl.load(i, [0, 0], [1, 16]), "
           "pl.load(e, [0, 0], [8, 32]), pl.load(f, [0, 0], [8, 32])\n"
           f"        {body}\n")
    path.write_text(src)
    ns = {"pl": pl}
    exec(compile(src, str(path), "exec"), ns)
    return ns["k"]


@pytest.mark.parametrize("body, message", [
    # mgather
    ("g = pl.mgather(m, t, 'col')", "coalesce must be 'row' or 'elem'"),
    ("g = pl.mgather(m, t, gather_oob='nearest')", "gather_oob must be one"),
    ("g = pl.mgather(m, t, target_memory=pl.MemorySpace.Mat)",
     "is not supported yet"),
    ("g = pl.mgather(m, t, scratch=m)", "belongs to the Mat form"),
    ("g = pl.mgather(m, i)", "takes its idx as a tile"),
    ("g = pl.mgather(m, x)", "idx must be INT32"),
    ("g = pl.mgather(m, et)", r"takes a \[1, R\] or \[R, 1\] index tile"),
    ("g = pl.mgather(x, t)", "takes a GM tensor as mem"),
    ("g = pl.mgather(pl.reshape(m, [2048]), t)", "rank 2 or more"),
    # mscatter
    ("pl.mscatter(x, t, o)", "one index per element of src"),
    ("pl.mscatter(et, et, o)", "dtype mismatch in pl.mscatter"),
    ("pl.mscatter(f, et, o)", "scatters a tile"),
    ("pl.tile.mscatter(x, et, x)", "takes a GM tensor as output_tensor"),
    # scatter_update
    ("pl.scatter_update(o, -1, e, f)", "dim must be -2"),
    ("pl.scatter_update(o, -2, i, f)", "src holds one row"),
    ("pl.scatter_update(pl.reshape(o, [2, 32, 32]), -2, i, f)",
     "2-D \\[rows, d\\] or 4-D"),
    ("pl.scatter_update(o, -2, f, f)", "index must be INT32 or INT64"),
    ("pl.scatter_update(o, -2)", "needs index"),
    ("pl.scatter_update(o, -2, pl.set_validshape(et, 1, 8), f)",
     "takes a full index tile"),
    # gatherb
    ("g = pl.gatherb(x, pl.cast(et[:, 0:4], pl.UINT32))",
     "offset rows are whole"),
    ("g = pl.gatherb(x, et)", "offset must be UINT32"),
    ("g = pl.gatherb(f, pl.cast(et, pl.UINT32))", "gathers from a tile"),
    ("g = pl.gatherb(pl.set_validshape(x, 4, 4), pl.cast(et, pl.UINT32))",
     "src must be full"),
    ("g = pl.gatherb(x, pl.cast(et[:, 0:8], pl.UINT32), "
     "output_dtype=pl.INT64)", "output_dtype must be"),
    # paged_gather
    ("g = pl.paged_gather(m, i, i, 0, 16, 16)", "block_size must be"),
    ("g = pl.paged_gather(m, i, i, 16, 16, 16, col_off=20)",
     "reads columns 20:36"),
    ("g = pl.paged_gather(m, i, i, 16, 16, 16, is_trans=True)",
     "is_trans=True\\) is not supported yet"),
    ("g = pl.paged_gather(m, f, i, 16, 16, 16)", "indices is an INT32"),
    ("g = pl.paged_gather(m, i, i, 16, 16, 8)", "gathers 16 indices into 8"),
    ("g = pl.paged_gather(m, i, i, 16, 16, 16, space=pl.MemorySpace.Acc)",
     "space must be"),
])
def test_misuse(tmp_path, body, message):
    k = _kernel(tmp_path / "k.py", body)
    with pytest.raises(CompileError, match=message) as info:
        k.ir()
    assert info.value.line == 9, str(info.value)
