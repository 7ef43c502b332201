"""`tessel compile --remarks` shows the scheduling passes' decisions at the
author's lines."""

from pathlib import Path

from tessel.cli import main

ROOT = Path(__file__).resolve().parents[3]
KERNEL = ROOT / "kernels/dsv4/decode_qkv_proj_rope.py"


def test_remarks_point_at_the_authors_scopes(capsys, tmp_path):
    out = tmp_path / "npu.mlir"
    rc = main(["compile", f"{KERNEL}::decode_qkv_proj_rope", "--emit", "scheduled",
               "--remarks", "-o", str(out)])
    assert rc == 0
    err = capsys.readouterr().err
    lines = [l for l in err.splitlines() if "remark:" in l]
    split = [l for l in lines if "scope 'q_up_proj': mixed cube and vector ops split" in l]
    assert len(split) == 1
    # The remark names the kernel file and the line of the author's pl.spmd.
    where = split[0].split(": remark:")[0]
    path, line, _ = where.rsplit(":", 2)
    assert Path(path).resolve() == KERNEL.resolve()
    assert "pl.spmd" in KERNEL.read_text().splitlines()[int(line) - 1]
    assert "q_up_proj_cube" in out.read_text()


def test_naive_kernel_loops_are_pipelined_with_a_remark(capsys, tmp_path):
    naive = ROOT / "kernels/dsv4/decode_qkv_proj_rope_naive.py"
    rc = main(["compile", f"{naive}::decode_qkv_proj_rope_naive", "--emit", "scheduled",
               "--remarks", "-o", str(tmp_path / "npu.mlir")])
    assert rc == 0
    err = capsys.readouterr().err
    # The first scope's K loop: 2 slots each of the [8,128] and [128,128] bf16
    # loads in L1; 8 rows pad to a 16-row fractal: (4096 + 32768) x 2 =
    # 73728 bytes of 524288: pipelined.
    assert "remark: pipelined loop in scope 'q_down_proj': 2 stages, footprint 73728 bytes of 524288 (cube L1)" in err


def test_no_remarks_without_the_flag(capsys, tmp_path):
    rc = main(["compile", f"{KERNEL}::decode_qkv_proj_rope", "--emit", "scheduled",
               "-o", str(tmp_path / "npu.mlir")])
    assert rc == 0
    assert "remark:" not in capsys.readouterr().err
