"""`tessel report FILE::KERNEL`: the kernel's modelled NPU time and memory
as one self-contained HTML page (and its PNGs), drawn with matplotlib.

- the timeline: each scope's tasks over the cores in waves (dispatch, then
  the block), one row per core, cube cores above vector cores;
- per scope, one block's busy time per pipe (MTE2, MTE3, MTE1, V, M) and
  the scope's bound (HBM / vector / cube / dispatch);
- GM traffic against the compulsory bytes: HBM bytes under the L2 model,
  L2 bytes, the bytes tile.load / tile.store move, per scope;
- each scope's on-chip memory map over program points: which tile lives
  where (byte offset in UB / L1 / L0A / L0B / L0C), from its definition to
  its last use, from the placement (`place` attributes, docs/placement.md).

Figures come from `tessel.compiler.stats.schedule_model` (the per-pipe
model of docs/perf-model.md), not from hardware.
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

from .mlir import ir

PIPES = ("mte2", "mte3", "mte1", "vector", "cube")
PIPE_COLORS = {"mte2": "#4c72b0", "mte3": "#55a868", "mte1": "#8172b2",
               "vector": "#dd8452", "cube": "#c44e52"}
KINDS = ("ub", "l1", "l0a", "l0b", "l0c")


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


# -- memory maps from the placement ------------------------------------------

def _walk(op, fn):
    fn(op)
    for region in op.regions:
        for block in region.blocks:
            for child in block.operations:
                _walk(child.operation, fn)


def _value_name(op) -> str:
    """The author's variable name (the frontend's NameLoc) and source line,
    else the op's name."""
    text = str(op.location)
    name = op.name.replace("tile.", "")
    found = re.match(r'loc\("([^"]*)"\((?:callsite\()?"[^"]*":(\d+)', text)
    if found:
        return f"{found.group(1)}:{found.group(2)}"
    found = re.match(r'loc\("[^"]*":(\d+)', text)
    if found:
        return f"{name}:{found.group(1)}"
    return name


_ELEMENT_BYTES = {"i8": 1, "i16": 2, "i32": 4, "bf16": 2, "f16": 2, "f32": 4}


def _tile_bytes(value_type) -> int:
    """Bytes of a !tile.tile<RxCxT> (elements times element size), 0 for
    other types."""
    text = str(value_type)
    if not text.startswith("!tile.tile<"):
        return 0
    *dims, elt = text[len("!tile.tile<"):-1].split("x")
    n = 1
    for d in dims:
        n *= int(d)
    return n * _ELEMENT_BYTES.get(elt, 4)


def _parse_place(attr) -> tuple[str, int, int] | None:
    """(kind, offset, slots) of a #tile.place attribute."""
    text = str(attr)
    if not text.startswith("#tile.place<"):
        return None
    inner = text[len("#tile.place<"):-1]
    parts = [p.strip() for p in inner.split(",")]
    try:
        kind, offset = parts[0], int(parts[1])
    except (IndexError, ValueError):
        return None
    slots = 1
    for p in parts[2:]:
        if p.startswith("slots"):
            slots = int(p.split("=")[1])
    return kind, offset, slots


def memory_maps(module: ir.Module) -> dict[str, list[dict]]:
    """Per scope name: the placed tiles of its `tile.at`, each with its
    buffer kind, byte range (all slots), and live interval over the
    program points (op indices of a pre-order walk of the scope)."""
    out: dict[str, list[dict]] = {}
    scopes = []
    _walk(module.operation, lambda op: scopes.append(op)
          if op.name == "tile.spmd" else None)
    for i, spmd in enumerate(scopes):
        name = (ir.StringAttr(spmd.attributes["sym_name"]).value
                if "sym_name" in spmd.attributes else f"spmd{i}")
        ops = []
        _walk(spmd, ops.append)
        index = {}
        for n, op in enumerate(ops):
            index[op] = n
        tiles = []
        for n, op in enumerate(ops):
            if "place" not in op.attributes or len(op.results) == 0:
                continue
            place = _parse_place(op.attributes["place"])
            if place is None:
                continue
            kind, offset, slots = place
            size = _tile_bytes(op.results[0].type)
            last = n
            for use in op.results[0].uses:
                owner = use.owner
                last = max(last, index.get(owner, last))
            tiles.append({"name": _value_name(op), "op": op.name, "kind": kind,
                          "begin": offset, "end": offset + size * slots,
                          "slots": slots, "from": n, "to": last + 1})
        out[name] = tiles
    return out


# -- figures -------------------------------------------------------------------

def _png(fig) -> bytes:
    buf = io.BytesIO()
    # Fixed margins: a layout engine would draw every figure twice.
    fig.subplots_adjust(left=0.2, right=0.98, top=0.9, bottom=0.1, hspace=0.45)
    fig.savefig(buf, format="png", dpi=90)
    _plt().close(fig)
    return buf.getvalue()


def timeline_figure(model: dict) -> bytes:
    """Tasks over cores: cube cores on top, vector cores below; each task a
    dispatch (hatched) then its block."""
    plt = _plt()
    figures = model["figures"]
    dispatch = figures["task_dispatch_sec"] * 1e6
    cube = max([s["cores"] for s in model["scopes"] if s["kind"] == "cube"],
               default=0)
    vector = max([s["cores"] for s in model["scopes"] if s["kind"] == "vector"],
                 default=0)
    fig, ax = plt.subplots(figsize=(12, 2 + 0.06 * (cube + vector)))
    cmap = plt.get_cmap("tab10")
    for i, s in enumerate(model["scopes"]):
        color = cmap(i % 10)
        base = 0 if s["kind"] == "cube" else cube
        block = s["block_seconds"] * 1e6
        ys, lefts = [], []
        for t in range(s["blocks"]):
            wave, core = divmod(t, s["cores"])
            ys.append(base + core + 0.45)
            lefts.append(s["start_seconds"] * 1e6 + wave * (dispatch + block))
        ax.barh(ys, dispatch, left=lefts, height=0.9, color="none",
                edgecolor=color, hatch="////", linewidth=0.3)
        ax.barh(ys, block, left=[x + dispatch for x in lefts], height=0.9,
                color=color)
        ax.text(s["start_seconds"] * 1e6, base + min(s["cores"], s["blocks"]) + 0.5,
                s["name"], fontsize=7, rotation=30, va="bottom")
    if cube:
        ax.axhline(cube, color="black", linewidth=0.8)
    ax.set_ylim(0, cube + vector + 6)
    ax.set_yticks([cube / 2, cube + vector / 2] if cube else [vector / 2])
    ax.set_yticklabels([f"cube cores ({cube})", f"vector cores ({vector})"]
                       if cube else [f"vector cores ({vector})"])
    ax.set_xlabel("modelled time (us)")
    ax.set_title(f"timeline: {model['modeled_us']:.1f} us modelled, HBM floor "
                 f"{model['hbm_floor_us']:.1f} us")
    return _png(fig)


def pipes_figure(model: dict) -> bytes:
    """One block's busy time per pipe, per scope, with the scope's bound."""
    plt = _plt()
    scopes = model["scopes"]
    fig, ax = plt.subplots(figsize=(12, 1 + 0.5 * len(scopes)))
    height = 0.8 / len(PIPES)
    for j, pipe in enumerate(PIPES):
        ys = [i + j * height for i in range(len(scopes))]
        ax.barh(ys, [s["block_pipes"][pipe] * 1e6 for s in scopes], height,
                color=PIPE_COLORS[pipe], label=pipe.upper() if pipe.startswith("mte")
                else {"vector": "V", "cube": "M"}[pipe])
    ax.set_yticks([i + 0.4 for i in range(len(scopes))])
    ax.set_yticklabels([f"{s['name']} ({s['bound']})" for s in scopes])
    ax.invert_yaxis()
    ax.set_xlabel("one block's busy time per pipe (us)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("pipes per block, and each scope's bound")
    return _png(fig)


def traffic_figure(model: dict) -> bytes:
    """GM bytes against the compulsory bytes."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(12, 3.5))
    bars = [("compulsory", [model["compulsory_bytes"]], ["#999999"]),
            ("HBM (L2 model)", [s["hbm_read_bytes"] + s["hbm_write_bytes"]
                                for s in model["scopes"]], None),
            ("L2", [s["l2_read_bytes"] + s["l2_write_bytes"]
                    for s in model["scopes"]], None),
            ("tile.load + tile.store", [s["load_bytes"] + s["store_bytes"]
                                        for s in model["scopes"]], None)]
    cmap = plt.get_cmap("tab10")
    for y, (label, parts, colors) in enumerate(bars):
        left = 0
        for i, v in enumerate(parts):
            ax.barh(y, v / 1e6, left=left / 1e6,
                    color=colors[0] if colors else cmap(i % 10),
                    edgecolor="white", linewidth=0.5)
            left += v
        ax.text(left / 1e6, y, f" {left / 1e6:.2f} MB", va="center", fontsize=8)
    ax.set_yticks(range(len(bars)))
    ax.set_yticklabels([b[0] for b in bars])
    ax.invert_yaxis()
    ax.set_xlabel("MB (colours: scopes in order)")
    ax.set_title(f"GM traffic: HBM / compulsory = {model['hbm_bytes_ratio']:.3f}")
    return _png(fig)


def memory_figure(scope: str, tiles: list[dict], capacities: dict) -> bytes:
    """The scope's placed tiles over program points, one panel per buffer."""
    plt = _plt()
    kinds = [k for k in KINDS if any(t["kind"] == k for t in tiles)]
    fig, axes = plt.subplots(len(kinds), 1, figsize=(12, 2.4 * len(kinds)),
                             squeeze=False)
    cmap = plt.get_cmap("tab20")
    for ax, kind in zip(axes[:, 0], kinds):
        mine = [t for t in tiles if t["kind"] == kind]
        top = max([t["end"] for t in mine] + [1]) * 1.1
        right = max(t["to"] for t in mine) + 1
        from matplotlib.collections import PatchCollection
        ax.add_collection(PatchCollection(
            [plt.Rectangle((t["from"], t["begin"]), t["to"] - t["from"],
                           t["end"] - t["begin"]) for t in mine],
            facecolors=[cmap(i % 20) for i in range(len(mine))],
            edgecolors="black", linewidths=0.4, alpha=0.85))
        for t in mine:
            # Label the tiles with room for a label.
            if (t["end"] - t["begin"]) > 0.04 * top and \
                    (t["to"] - t["from"]) > 0.06 * right:
                ax.text(t["from"] + 0.2, (t["begin"] + t["end"]) / 2,
                        t["name"] + (f" x{t['slots']}" if t["slots"] > 1 else ""),
                        fontsize=6, va="center", clip_on=True)
        cap = capacities.get(kind)
        ax.set_xlim(0, right)
        ax.set_ylim(0, top)
        ax.set_ylabel(f"{kind.upper()} byte offset")
        ax.set_title(f"{kind.upper()}: peak {top / 1.1:.0f} of {cap} usable bytes",
                     fontsize=9)
    axes[-1, 0].set_xlabel("program point (op index in the scope)")
    fig.suptitle(f"{scope}: on-chip memory over program points (tiles from "
                 f"definition to last use)")
    return _png(fig)


# -- the page ------------------------------------------------------------------

def build_report(kernel, target: str | None = None) -> dict:
    """The model, the memory maps and the PNGs of `kernel` (a JitKernel)."""
    from . import targets
    from .compiler.stages import scheduled_stage
    from .compiler.stats import schedule_model
    target = target or kernel.default_target
    compiled = kernel.module(target, scheduled_stage())
    model = schedule_model(compiled.module, target)
    maps = memory_maps(compiled.module)
    figures = targets.get(target)
    capacities = {k: figures["buffers"][k]["usable_bytes"] for k in KINDS}
    pngs = {"timeline.png": timeline_figure(model),
            "pipes.png": pipes_figure(model),
            "traffic.png": traffic_figure(model)}
    for s in model["scopes"]:
        tiles = maps.get(s["name"], [])
        if tiles:
            pngs[f"memory-{s['name']}.png"] = memory_figure(s["name"], tiles,
                                                           capacities)
    return {"kernel": kernel.__name__, "target": target, "model": model,
            "maps": maps, "pngs": pngs}


def _img(name: str, data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return (f'<img alt="{html.escape(name)}" src="data:image/png;base64,'
            f'{encoded}">')


def render_html(report: dict) -> str:
    m = report["model"]
    esc = html.escape
    rows = "\n".join(
        f"<tr><td>{esc(s['name'])}</td><td>{s['kind']}</td><td>{s['blocks']}</td>"
        f"<td>{s['cores']}</td><td>{s['start_seconds'] * 1e6:.2f}</td>"
        f"<td>{s['seconds'] * 1e6:.2f}</td><td>{s['block_seconds'] * 1e6:.3f}</td>"
        f"<td>{s['bound']}</td><td>{s['hbm_read_bytes']}</td>"
        f"<td>{s['l2_read_bytes']}</td><td>{s['hbm_write_bytes']}</td>"
        f"<td>{s['l2_write_bytes']}</td></tr>" for s in m["scopes"])
    sections = []
    for s in m["scopes"]:
        name = f"memory-{s['name']}.png"
        tiles = report["maps"].get(s["name"], [])
        body = (_img(name, report["pngs"][name]) if name in report["pngs"]
                else "<p>no placed tiles</p>")
        sections.append(
            f'<section class="scope" id="scope-{esc(s["name"])}">'
            f'<h3>{esc(s["name"])}</h3><p>{s["kind"]} scope, {s["blocks"]} '
            f'tasks on {s["cores"]} cores, {s["seconds"] * 1e6:.2f} us, bound: '
            f'{s["bound"]}; {len(tiles)} placed tiles</p>{body}</section>')
    f = m["figures"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Tessel report: {esc(report['kernel'])} ({esc(report['target'])})</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 1200px; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: right; }}
td:first-child {{ text-align: left; }}
img {{ max-width: 100%; }}
</style></head>
<body data-scopes="{len(m['scopes'])}">
<h1>{esc(report['kernel'])} on {esc(report['target'])}: modelled NPU time</h1>
<p id="summary">Modelled {m['modeled_us']:.2f} us; HBM floor
{m['hbm_floor_us']:.2f} us (compulsory {m['compulsory_bytes']} B at
{f['hbm_effective_bytes_per_sec'] / 1e12:.2f} TB/s), ratio
{m['floor_ratio']:.2f}. HBM bytes under the L2 model
{m['modeled_hbm_bytes']} B = {m['hbm_bytes_ratio']:.3f} x compulsory; GM loads
{m['gm_load_bytes']} B, stores {m['gm_store_bytes']} B. A model, not a
measurement: the figures and their sources are in docs/perf-model.md.</p>
<h2>Scopes</h2>
<table><tr><th>scope</th><th>kind</th><th>tasks</th><th>cores</th>
<th>start us</th><th>length us</th><th>block us</th><th>bound</th>
<th>HBM read B</th><th>L2 read B</th><th>HBM write B</th><th>L2 write B</th></tr>
{rows}
</table>
<h2>Timeline</h2>
{_img('timeline.png', report['pngs']['timeline.png'])}
<h2>Pipes and bounds</h2>
{_img('pipes.png', report['pngs']['pipes.png'])}
<h2>GM traffic</h2>
{_img('traffic.png', report['pngs']['traffic.png'])}
<h2>On-chip memory per scope</h2>
{''.join(sections)}
<script>
window.addEventListener("load", function () {{
  var ok = 0, imgs = document.images;
  for (var i = 0; i < imgs.length; i++)
    if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;
  document.body.setAttribute("data-images", imgs.length);
  document.body.setAttribute("data-images-ok", ok);
}});
</script>
</body></html>
"""


def write_report(kernel, output: Path, target: str | None = None) -> dict:
    """Writes the page to `output` and its PNGs to `output`'s stem + "_files"
    beside it; returns the report."""
    report = build_report(kernel, target)
    output = Path(output)
    pngs = output.parent / (output.stem + "_files")
    pngs.mkdir(parents=True, exist_ok=True)
    for name, data in report["pngs"].items():
        (pngs / name).write_bytes(data)
    tmp = output.with_suffix(output.suffix + ".tmp")
    tmp.write_text(render_html(report))
    tmp.replace(output)
    return report
