"""`tessel report`: one self-contained HTML page (plus PNGs) of the DSV4
kernel's modelled timeline, pipes, GM traffic and memory maps, opened in a
real headless browser (Debian's chromium; `make check` installs it when it
can) to check that it renders every scope."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tessel.cli import main
from tessel.report import _parse_place

ROOT = Path(__file__).resolve().parents[2]
DSV4 = ROOT / "kernels" / "dsv4" / "decode_qkv_proj_rope.py"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    pytest.importorskip("matplotlib", reason="tessel report needs matplotlib "
                        "(requirements.txt)")
    from tessel.cli import load_kernel
    from tessel.report import write_report
    out = tmp_path_factory.mktemp("report") / "dsv4.html"
    kernel = load_kernel(f"{DSV4}::decode_qkv_proj_rope")
    return out, write_report(kernel, out)["model"]


SMALL = """
import tessel.language as pl

@pl.jit
def small(x: pl.Tensor[[16, 128], pl.FP32], y: pl.Out[pl.Tensor[[16, 128], pl.FP32]]):
    for b in pl.spmd(2, name_hint="halves"):
        t0 = b * 8
        y[t0:t0 + 8, :] = pl.exp(x[t0:t0 + 8, :])
"""


def test_the_command_writes_page_and_pictures(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="tessel report needs matplotlib")
    src = tmp_path / "small.py"
    src.write_text(SMALL)
    out = tmp_path / "out" / "small.html"
    out.parent.mkdir()
    assert main(["report", f"{src}::small", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "1 scopes, modelled" in said and str(out) in said
    page = out.read_text()
    assert "<h3>halves</h3>" in page
    assert (out.parent / "small_files" / "memory-halves.png").read_bytes().startswith(PNG)


def test_the_page_names_every_scope_and_embeds_its_pictures(report):
    out, model = report
    page = out.read_text()
    names = [s["name"] for s in model["scopes"]]
    assert len(names) >= 5
    for name in names:
        assert f"<h3>{name}</h3>" in page
    # Self-contained: every picture inline, none fetched.
    assert 'src="data:image/png;base64,' in page
    assert not re.search(r'src="(?!data:)', page)
    files = sorted((out.parent / "dsv4_files").iterdir())
    assert {"timeline.png", "pipes.png", "traffic.png"} <= {f.name for f in files}
    assert all(f.read_bytes().startswith(PNG) for f in files)
    # One memory map per scope that has placed tiles: all of them here.
    assert sum(f.name.startswith("memory-") for f in files) == len(names)
    assert f"{model['modeled_us']:.2f} us" in page


def test_place_attributes_parse():
    assert _parse_place("#tile.place<ub, 128>") == ("ub", 128, 1)
    assert _parse_place("#tile.place<l0c, 0, slots = 2>") == ("l0c", 0, 2)
    assert _parse_place("unit") is None


def test_a_missing_kernel_is_a_clear_error(tmp_path, capsys):
    assert main(["report", f"{DSV4}::no_such_kernel",
                 "-o", str(tmp_path / "r.html")]) == 1
    assert "has no 'no_such_kernel'" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_headless_chromium_renders_every_scope(report, tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip("no chromium on this machine (make check installs "
                    "Debian's chromium when it runs as root with apt-get)")
    out, model = report
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", out.as_uri()],
        capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    assert proc.returncode == 0 and "<body" in dom, proc.stderr[-2000:]
    # The page's own script counted the images that decoded.
    images = re.search(r'data-images="(\d+)"', dom)
    decoded = re.search(r'data-images-ok="(\d+)"', dom)
    assert images and decoded, "the page's load handler did not run"
    assert int(decoded.group(1)) == int(images.group(1)) >= 3 + len(model["scopes"])
    for s in model["scopes"]:
        assert f'id="scope-{s["name"]}"' in dom
