#!/usr/bin/python3
"""Combines tapenet's bench JSON files and PyTorch baseline JSON files (of the same run) into one
report: per model, tapenet's samples/s at each thread count, PyTorch's at its best setting, the
ratio of the two bests, the fraction of the sgemm peak tapenet reaches, peak RSS, and where each
target (issues 8 and 16) stands.  Called by bench/compare.sh; standard library only.

  bench/compare_report.py --tapenet a.json b.json --torch c.json d.json --out compare.json
"""
import argparse
import json
import sys

# Issues 8 and 16: tapenet / PyTorch (each at its best thread setting), training and inference.
TARGET_RATIO = {
    "add_two_numbers": {"train": 3.0, "infer": 3.0},
    "find_max_b64": {"train": 2.5, "infer": 1.5},
    "imdb_text": {"train": 2.0, "infer": 1.5},
    "gru_text": {"train": 2.0, "infer": 1.5},   # issue 16
    "seq2seq_dates": {"train": 2.0, "infer": 1.5},   # issue 16
    "lstm512_scaling": {"train": 1.3, "infer": 1.2},
}
TARGET_SGEMM_FRACTION = {"lstm512_scaling": 0.60}   # training GFLOP/s / sgemm peak at the same threads
TARGET_TRAIN_RSS_MB = {"add_two_numbers": 64.0}     # tapenet peak RSS of the process that trained


def load(paths):
    meta, results = None, []
    for p in paths:
        with open(p) as f:
            d = json.load(f)
        meta = meta or d["meta"]
        results += d["results"]
    return meta, results


def best(rows, phase):
    return max(rows, key=lambda r: r[phase]["median_samples_per_s"]) if rows else None


def rate(r, phase):
    return r[phase]["median_samples_per_s"]


def summarize(model, tn_rows, pt_rows):
    s = {"model": model}
    for phase in ("train", "infer"):
        tb, pb = best(tn_rows, phase), best(pt_rows, phase)
        s[phase] = {
            "tapenet_samples_per_s": {str(r["threads"]): rate(r, phase) for r in tn_rows},
            "tapenet_best_threads": tb["threads"] if tb else None,
            "tapenet_best_samples_per_s": rate(tb, phase) if tb else None,
            "torch_samples_per_s": {r["variant"]: rate(r, phase) for r in pt_rows},
            "torch_best_setting": pb["variant"] if pb else None,
            "torch_best_samples_per_s": rate(pb, phase) if pb else None,
            "ratio_best_vs_best": rate(tb, phase) / rate(pb, phase) if tb and pb else None,
            "tapenet_fraction_of_sgemm_peak": tb[phase]["fraction_of_sgemm_peak"] if tb else None,
            "tapenet_gflops_per_s": tb[phase]["gflops_per_s"] if tb else None,
            "sgemm_peak_gflops_per_s": tb["sgemm_peak_gflops_per_s"] if tb else None,
            "target_ratio": TARGET_RATIO.get(model, {}).get(phase),
        }
        # One thread each, per CPU-second: the comparison a loaded machine disturbs least.
        t1 = next((r for r in tn_rows if r["threads"] == 1), None)
        p1 = next((r for r in pt_rows if r["variant"] == "1"), None)
        cpu = lambda r: r[phase].get("median_samples_per_cpu_s") if r else None  # noqa: E731
        s[phase]["one_thread_per_cpu_s"] = {
            "tapenet": cpu(t1), "torch": cpu(p1),
            "ratio": cpu(t1) / cpu(p1) if cpu(t1) and cpu(p1) else None,
        }
    tb, pb = best(tn_rows, "train"), best(pt_rows, "train")
    s["peak_rss_mb"] = {
        "tapenet": {str(r["threads"]): r["peak_rss_mb"] for r in tn_rows},
        "torch": {r["variant"]: r["peak_rss_mb"] for r in pt_rows},
        "tapenet_max": max((r["peak_rss_mb"] for r in tn_rows), default=None),
        "torch_at_best_train": pb["peak_rss_mb"] if pb else None,
    }
    return s


def targets(summary):
    """One line per target (issues 8 and 16): (description, measured, goal, met)."""
    out = []
    by_model = {s["model"]: s for s in summary}
    for model, goals in TARGET_RATIO.items():
        for phase, goal in goals.items():
            if model in by_model and by_model[model][phase]["ratio_best_vs_best"] is not None:
                got = by_model[model][phase]["ratio_best_vs_best"]
                cpu = by_model[model][phase]["one_thread_per_cpu_s"]["ratio"]
                note = f"  [1 thread per CPU-s: {cpu:.2f}x]" if cpu else ""
                out.append((f"{model} {phase} tapenet/PyTorch", f"{got:.2f}x", f">= {goal}x{note}", got >= goal))
    for model, goal in TARGET_SGEMM_FRACTION.items():
        if model in by_model and by_model[model]["train"]["tapenet_fraction_of_sgemm_peak"] is not None:
            got = by_model[model]["train"]["tapenet_fraction_of_sgemm_peak"]
            out.append((f"{model} train fraction of sgemm peak", f"{100 * got:.0f}%", f">= {100 * goal:.0f}%",
                        got >= goal))
    for model, goal in TARGET_TRAIN_RSS_MB.items():
        if model in by_model and by_model[model]["peak_rss_mb"]["tapenet_max"] is not None:
            got = by_model[model]["peak_rss_mb"]["tapenet_max"]
            out.append((f"{model} training peak RSS", f"{got:.0f} MB", f"< {goal:.0f} MB", got < goal))
    return out


def fmt(x, spec="9.1f"):
    return format(x, spec) if x is not None else format("-", ">" + spec.split(".")[0])


def print_report(summary, tn_threads, meta_tn, meta_pt):
    print(f"\nCPU: {meta_tn['cpu_model']} ({meta_tn['nproc']} cpus); tapenet {meta_tn['openblas']}; "
          f"torch {meta_pt['torch']}")
    print("ratio = tapenet at its best thread count / PyTorch at its best thread setting (each chosen per column)\n")
    for phase, title in (("train", "Training"), ("infer", "Inference")):
        cols = "".join(f" {'tn ' + t + 't':>9s}" for t in tn_threads)
        header = f"{title + ' samples/s':24s}{cols} {'torch best':>10s} {'(set)':>5s} {'ratio':>6s} {'target':>6s} " \
                 f"{'tn GFLOP/s':>10s} {'%sgemm':>6s}"
        print(header + "\n" + "-" * len(header))
        for s in summary:
            p = s[phase]
            tn = "".join(f" {fmt(p['tapenet_samples_per_s'].get(t))}" for t in tn_threads)
            ratio = f"{p['ratio_best_vs_best']:5.2f}x" if p["ratio_best_vs_best"] else "     -"
            target = f"{p['target_ratio']:.1f}x" if p["target_ratio"] else "-"
            frac = p["tapenet_fraction_of_sgemm_peak"]
            print(f"{s['model']:24s}{tn} {fmt(p['torch_best_samples_per_s'], '10.1f')} "
                  f"{p['torch_best_setting'] or '-':>5s} {ratio:>6s} {target:>6s} "
                  f"{fmt(p['tapenet_gflops_per_s'], '10.2f')} {(f'{100 * frac:5.0f}%' if frac is not None else '-'):>6s}")
        print()
    header = f"{'1 thread, per CPU-second':24s} {'tn train':>9s} {'torch':>9s} {'ratio':>6s}  " \
             f"{'tn infer':>9s} {'torch':>9s} {'ratio':>6s}"
    print(header + "\n" + "-" * len(header))
    for s in summary:
        cells = []
        for phase in ("train", "infer"):
            c = s[phase]["one_thread_per_cpu_s"]
            cells.append(f"{fmt(c['tapenet'])} {fmt(c['torch'])} " +
                         (f"{c['ratio']:5.2f}x" if c["ratio"] else "     -"))
        print(f"{s['model']:24s} {cells[0]}  {cells[1]}")
    print("(samples per CPU-second of the whole process, tapenet at 1 thread vs PyTorch setting 1: the comparison "
          "that machine load disturbs least)\n")
    header = f"{'Peak RSS MB':24s}" + "".join(f" {'tn ' + t + 't':>9s}" for t in tn_threads) + \
             f" {'torch (best train set)':>23s}"
    print(header + "\n" + "-" * len(header))
    for s in summary:
        r = s["peak_rss_mb"]
        print(f"{s['model']:24s}" + "".join(f" {fmt(r['tapenet'].get(t), '9.0f')}" for t in tn_threads) +
              f" {fmt(r['torch_at_best_train'], '23.0f')}")
    print("\nsgemm peak (GFLOP/s, median of a 1024^3 sgemm in each tapenet process), tapenet's best train setting: " +
          ", ".join(f"{s['model']} {s['train']['sgemm_peak_gflops_per_s']:.1f}" for s in summary
                    if s["train"]["sgemm_peak_gflops_per_s"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tapenet", nargs="+", required=True)
    ap.add_argument("--torch", nargs="+", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="", help="the command line, recorded in the JSON")
    args = ap.parse_args()

    meta_tn, tn = load(args.tapenet)
    meta_pt, pt = load(args.torch)
    models = list(dict.fromkeys([r["model"] for r in tn] + [r["model"] for r in pt]))
    tn_threads = sorted({str(r["threads"]) for r in tn}, key=int)
    summary = [summarize(m, [r for r in tn if r["model"] == m], [r for r in pt if r["model"] == m]) for m in models]
    checks = targets(summary)

    print_report(summary, tn_threads, meta_tn, meta_pt)
    print("\nTargets of issues 8 and 16 (one noisy run: re-run before drawing conclusions):")
    if not checks:
        print("  (none for these models)")
    for what, got, goal, met in checks:
        print(f"  {'MET    ' if met else 'NOT MET'}  {what:45s} {got:>8s}  (target {goal})")

    out = {"meta": {"command": args.command, "tapenet": meta_tn, "torch": meta_pt,
                    "ratio": "tapenet at its best thread count / PyTorch at its best thread setting"},
           "summary": summary,
           "targets": [{"what": w, "measured": g, "target": t, "met": m} for w, g, t, m in checks],
           "tapenet": tn, "torch": pt}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
