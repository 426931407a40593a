#!/usr/bin/python3
"""tapenet's PyTorch CPU baseline: the benchmark models of build/bin/bench, in PyTorch.

The models (keras-attention 5.0 examples; the same shapes as bench/bench_models.h):
  add_two_numbers : x (T=20, 1)  -> LSTM(100, seq) -> Attention(128, bahdanau) -> Linear(1);  L1;  batch 64
  find_max_b64/32 : x (T=10, 1)  -> LSTM(128, seq) -> Attention(128, luong)    -> Linear(1);  L1;  batch 64 / 32
  imdb_text       : Embedding(5000, 32), T=500 -> LSTM(100, seq) -> Attention(128, luong) -> Linear(1);
                    binary cross-entropy with logits (inference applies the sigmoid);  batch 64
  gru_text        : imdb_text with GRU(100, seq) (torch.nn.GRU: Keras' reset_after form) for the LSTM
  lstm512_scaling : x (T=50, 128) -> LSTM(512, seq) -> Attention(256, luong) -> Linear(10);
                    cross-entropy on the logits;  batch 128
  seq2seq_dates   : the encoder-decoder of examples/date_translation.cpp, two inputs, teacher forcing:
                    human (32 ids, post-padded with 0) -> Embedding(42, 32) -> LSTM(64) -> enc
                    iso so far (10 ids) -> Embedding(13, 32) -> LSTM(64) -> dec  (zero initial state)
                    alpha = softmax(dec @ enc^T) (unmasked, as the example), context = alpha @ enc,
                    [context, dec] -> Linear(64) tanh -> Linear(13); cross-entropy over the 10 steps;  batch 64
                    Each phase in PyTorch's faster form on this CPU: training runs the encoder over all 32
                    steps (packed, it trained 5-6x slower), inference packs the padded
                    batch (~18% faster than all 32 steps).
Float32, Adam(lr 1e-3, eps 1e-7), 4 seeded synthetic batches cycled.

Measured per (model, thread setting), each in its own subprocess (so ru_maxrss is that model's):
  train samples/s : zero_grad + forward + loss + backward + Adam step
  infer samples/s : forward under torch.no_grad() (+ sigmoid for imdb_text)
the median over --repeats timed repeats of about --target-s seconds each, after --warmup steps; and
the same per CPU-second of the process (all threads, time.process_time), which a loaded machine
disturbs much less than the wall-clock rate.

Thread settings (--threads): N = torch.set_num_threads(N) and OPENBLAS_NUM_THREADS=N; NbM = torch N
threads and OpenBLAS M; a trailing p adds OMP_WAIT_POLICY=PASSIVE.  Default: 1 2 1b2 2p.  (Debian's
torch calls OpenBLAS through libblas.so.3 for its matrix products, and OpenBLAS keeps its own threads.)

  /usr/bin/python3 bench/torch_baseline.py --models add_two_numbers,imdb_text --threads 1 1b2 --out t.json
Needs Debian's python3-torch and python3-numpy (--install runs apt-get for them, as root).
"""
import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time

MODELS = {
    # name: (T, D, vocab, lstm units, attention units, score, outputs, loss, batch); D = embedding size with a vocab
    "add_two_numbers": (20, 1, 0, 100, 128, "bahdanau", 1, "l1", 64),
    "find_max_b64": (10, 1, 0, 128, 128, "luong", 1, "l1", 64),
    "find_max_b32": (10, 1, 0, 128, 128, "luong", 1, "l1", 32),
    "imdb_text": (500, 32, 5000, 100, 128, "luong", 1, "bce_logits", 64),
    "lstm512_scaling": (50, 128, 0, 512, 256, "luong", 10, "cross_entropy", 128),
    "gru_text": (500, 32, 5000, 100, 128, "luong", 1, "bce_logits", 64, "gru"),
    # T = encoder steps, T_out = decoder steps, vocab / out = input / output vocabularies, D = both
    # embeddings' size, att_units = the hidden Linear(2U, 64) (examples/date_translation.cpp)
    "seq2seq_dates": (32, 32, 42, 64, 64, "dot", 13, "cross_entropy", 64, "lstm", 10),
}
FIELDS = ("T", "D", "vocab", "units", "att_units", "score", "out", "loss", "batch", "cell", "T_out")
DEFAULTS = {"cell": "lstm", "T_out": 0}
DEBIAN_PACKAGES = ["python3-torch", "python3-numpy"]


def spec(name):
    return {**DEFAULTS, **dict(zip(FIELDS, MODELS[name]))}


def have_torch():
    try:
        import numpy  # noqa: F401
        import torch  # noqa: F401
        return True
    except ImportError:
        return False


def ensure_torch(install):
    if have_torch():
        return
    if install:
        if os.geteuid() != 0:
            sys.exit("torch_baseline: --install needs root (apt-get install -y " + " ".join(DEBIAN_PACKAGES) + ")")
        subprocess.run(["apt-get", "update"], check=True)
        subprocess.run(["apt-get", "install", "-y"] + DEBIAN_PACKAGES, check=True)
        if have_torch():
            return
    sys.exit("torch_baseline: PyTorch is missing for " + sys.executable + ".\n"
             "  install it with:  apt-get install -y " + " ".join(DEBIAN_PACKAGES) + "\n"
             "  (or run this script with --install as root; use Debian's /usr/bin/python3)")


# ---------------------------------------------------------------- the child: one model, one setting

def build(name):
    """The network, its loss and 4 synthetic batches for `name`."""
    import numpy as np
    import torch
    from torch import nn
    import torch.nn.functional as F

    c = spec(name)

    def glorot(fan_in, fan_out):
        limit = (6.0 / (fan_in + fan_out)) ** 0.5
        return nn.Parameter(torch.empty(fan_in, fan_out).uniform_(-limit, limit))

    class KerasAttention(nn.Module):
        """keras-attention 5.0 Attention(units, score): weights in Keras' (in, out) layout, no biases."""

        def __init__(self, d, units, score):
            super().__init__()
            self.luong = score == "luong"
            if self.luong:
                self.w = glorot(d, d)
            else:
                self.w1, self.w2, self.v = glorot(d, d), glorot(d, d), glorot(d, 1)
            self.attention_vector = glorot(2 * d, units)

        def forward(self, h_s):                                    # h_s (B, T, D)
            h_t = h_s[:, -1, :]                                    # (B, D) the last state
            if self.luong:                                         # h_t · (h_s @ W), in Keras' order
                score = torch.bmm(h_s @ self.w, h_t.unsqueeze(2)).squeeze(2)
            else:                                                  # tanh(h_t W1 + h_s W2) @ v
                score = (torch.tanh((h_t @ self.w1).unsqueeze(1) + h_s @ self.w2) @ self.v).squeeze(2)
            alpha = torch.softmax(score, dim=1)                    # (B, T)
            context = torch.bmm(alpha.unsqueeze(1), h_s).squeeze(1)
            return torch.tanh(torch.cat([context, h_t], dim=1) @ self.attention_vector)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(c["vocab"], c["D"]) if c["vocab"] else None
            rnn = nn.GRU if c["cell"] == "gru" else nn.LSTM
            self.lstm = rnn(c["D"], c["units"], batch_first=True)
            self.attention = KerasAttention(c["units"], c["att_units"], c["score"])
            self.dense = nn.Linear(c["att_units"], c["out"])

        def forward(self, x):
            if self.embedding is not None:
                x = self.embedding(x)
            h_s, _ = self.lstm(x)
            return self.dense(self.attention(h_s))

    class Seq2Seq(nn.Module):
        """examples/date_translation.cpp: an LSTM encoder and decoder, Luong dot attention between them."""

        def __init__(self):
            super().__init__()
            self.embed_in = nn.Embedding(c["vocab"], c["D"])
            self.encoder = nn.LSTM(c["D"], c["units"], batch_first=True)
            self.embed_out = nn.Embedding(c["out"], c["D"])
            self.decoder = nn.LSTM(c["D"], c["units"], batch_first=True)
            self.hidden = nn.Linear(2 * c["units"], c["att_units"])
            self.logits = nn.Linear(c["att_units"], c["out"])

        packed = False                                             # the encoder over packed sequences

        def encode(self, human):
            e = self.embed_in(human)
            if not self.packed:
                return self.encoder(e)[0]                          # (B, T, U)
            lengths = (human != 0).sum(dim=1)                      # post-padded rows
            packed = nn.utils.rnn.pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
            return nn.utils.rnn.pad_packed_sequence(self.encoder(packed)[0], batch_first=True,
                                                    total_length=human.shape[1])[0]

        def forward(self, x):
            human, iso_so_far = x                                  # (B, T) padded with 0, (B, T_out)
            enc = self.encode(human)                               # (B, T, U)
            dec, _ = self.decoder(self.embed_out(iso_so_far))      # (B, T_out, U), zero initial state
            scores = torch.bmm(dec, enc.transpose(1, 2))           # (B, T_out, T)
            alpha = torch.softmax(scores, dim=2)
            context = torch.bmm(alpha, enc)                        # (B, T_out, U)
            hidden = torch.tanh(self.hidden(torch.cat([context, dec], dim=2)))
            return self.logits(hidden)                             # (B, T_out, out)

    def sequence_cross_entropy(logits, y):                         # mean over every (sample, step)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))

    losses = {"l1": F.l1_loss, "bce_logits": F.binary_cross_entropy_with_logits, "cross_entropy": F.cross_entropy}
    if c["T_out"]:
        losses["cross_entropy"] = sequence_cross_entropy

    rng = np.random.default_rng(7)
    B, T = c["batch"], c["T"]
    batches = []
    for _ in range(4):
        if c["T_out"]:                          # human dates of 6..29 characters, post-padded; teacher forcing
            human = np.zeros((B, T), dtype=np.int64)
            for b in range(B):
                length = rng.integers(6, 30)
                human[b, :length] = rng.integers(1, c["vocab"], length)
            y = rng.integers(0, c["out"], (B, c["T_out"]))
            iso_so_far = np.concatenate([np.ones((B, 1), dtype=np.int64), y[:, :-1]], axis=1)  # start token 1
            x, y = (torch.from_numpy(human), torch.from_numpy(iso_so_far)), torch.from_numpy(y)
        elif name == "add_two_numbers":           # y = mean of two marked values; the step before each is 0
            x = rng.uniform(0.0, 1.0, (B, T, 1))
            y = np.empty((B, 1))
            for b in range(B):
                i, j = rng.choice(np.arange(1, T), size=2, replace=False)
                y[b, 0] = 0.5 * (x[b, i, 0] + x[b, j, 0])
                x[b, i - 1, 0] = x[b, j - 1, 0] = 0.0
            x, y = torch.from_numpy(x).float(), torch.from_numpy(y).float()
        elif name.startswith("find_max"):       # y = max over time of Beta(1/T, 1) values
            x = torch.from_numpy(rng.beta(1.0 / T, 1.0, (B, T, 1))).float()
            y = x.amax(dim=1)
        elif c["vocab"]:                        # random token ids, random 0/1 labels
            x = torch.from_numpy(rng.integers(0, c["vocab"], (B, T)))
            y = torch.from_numpy(rng.integers(0, 2, (B, 1))).float()
        else:                                   # normal features, class labels
            x = torch.from_numpy(rng.standard_normal((B, T, c["D"]))).float()
            y = torch.from_numpy(rng.integers(0, c["out"], (B,)))
        batches.append((x, y))

    torch.manual_seed(0)
    return c, Seq2Seq() if c["T_out"] else Net(), losses[c["loss"]], batches


def timed(step, batch, repeats, target_s, warmup):
    """Median samples/s over `repeats` runs of n steps (n sized from one step to last ~target_s)."""
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    step()
    n = max(1, round(target_s / max(time.perf_counter() - t0, 1e-7)))
    rates, cpu_rates = [], []
    for _ in range(repeats):
        t0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            step()
        rates.append(n * batch / (time.perf_counter() - t0))
        cpu_rates.append(n * batch / max(time.process_time() - cpu0, 1e-9))
    med = statistics.median(rates)
    return {"median_samples_per_s": med, "min_samples_per_s": min(rates), "max_samples_per_s": max(rates),
            "median_ms_per_batch": 1000.0 * batch / med,
            "median_samples_per_cpu_s": statistics.median(cpu_rates),  # per CPU-second of all threads
            "iters_per_repeat": n, "repeats": repeats}


def child(name, threads, args):
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    rss_after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    c, net, loss_fn, batches = build(name)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    counter = [0]

    def next_batch():
        counter[0] += 1
        return batches[(counter[0] - 1) % len(batches)]

    def train_step():
        x, y = next_batch()
        opt.zero_grad(set_to_none=True)
        loss_fn(net(x), y).backward()
        opt.step()

    def infer_step():
        x, _ = next_batch()
        with torch.no_grad():
            out = net(x)
            if c["loss"] == "bce_logits":
                out = torch.sigmoid(out)
        return out

    def first_batch_loss():
        with torch.no_grad():
            return float(loss_fn(net(batches[0][0]), batches[0][1]))

    loss_before = first_batch_loss()
    net.train()
    train = timed(train_step, c["batch"], args.repeats, args.target_s, args.warmup)
    net.eval()
    if c["T_out"]:
        net.packed = True                                           # its faster form for inference
    infer = timed(infer_step, c["batch"], args.repeats, args.target_s, args.warmup)
    result = {
        "model": name, "threads": threads, "config": c,
        "params": sum(p.numel() for p in net.parameters()),
        "train": train, "infer": infer,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "rss_after_import_mb": rss_after_import,
        "loss_first_batch_before": loss_before, "loss_first_batch_after": first_batch_loss(),
        "torch_num_threads": torch.get_num_threads(),
        "openblas_threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0")),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
    }
    print("RESULT_JSON " + json.dumps(result), flush=True)


# ---------------------------------------------------------------- the parent

def variant_env(variant):
    """(torch threads, environment) for a thread setting such as 1, 2, 1b2, 2p."""
    m = re.fullmatch(r"(\d+)(?:b(\d+))?(p?)", variant)
    if not m or int(m.group(1)) < 1:
        sys.exit(f"torch_baseline: bad thread setting {variant!r} (examples: 1, 2, 1b2, 2p)")
    torch_threads = int(m.group(1))
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(torch_threads)
    env["OPENBLAS_NUM_THREADS"] = m.group(2) or str(torch_threads)
    if m.group(3):
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    else:
        env.pop("OMP_WAIT_POLICY", None)
    return torch_threads, env


def run_one(name, variant, args):
    threads, env = variant_env(variant)
    cmd = [sys.executable, os.path.abspath(__file__), "--_child", name, str(threads), "--repeats", str(args.repeats),
           "--target-s", str(args.target_s), "--warmup", str(args.warmup)]
    t0 = time.time()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=args.timeout_s)
    except subprocess.TimeoutExpired:
        print(f"torch_baseline: [{name} threads={variant}] gave up after {args.timeout_s:.0f} s (--timeout-s)",
              file=sys.stderr)
        return None
    lines = [l for l in p.stdout.splitlines() if l.startswith("RESULT_JSON ")]
    if p.returncode != 0 or not lines:
        print(f"torch_baseline: [{name} threads={variant}] FAILED (exit {p.returncode})\n{p.stderr[-3000:]}",
              file=sys.stderr)
        return None
    r = json.loads(lines[0][len("RESULT_JSON "):])
    r["variant"] = variant
    r["wall_s"] = time.time() - t0
    return r


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def listed(values):
    """Accepts both `a b` and `a,b`."""
    return [v for item in values for v in item.split(",") if v]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=list(MODELS), help="model names (space or comma separated)")
    ap.add_argument("--threads", nargs="+", default=["1", "2", "1b2", "2p"], help="thread settings, e.g. 1 2 1b2 2p")
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats; the median is reported")
    ap.add_argument("--target-s", type=float, default=1.0, help="approximate seconds per timed repeat")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps before timing")
    ap.add_argument("--out", default="torch_baseline.json")
    ap.add_argument("--timeout-s", type=float, default=None,
                    help="give up on a (model, setting) run after this many seconds (default: no limit)")
    ap.add_argument("--install", action="store_true", help="apt-get install python3-torch python3-numpy if missing")
    ap.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._child:
        child(args._child[0], int(args._child[1]), args)
        return
    ensure_torch(args.install)
    models, variants = listed(args.models), listed(args.threads)
    for name in models:
        if name not in MODELS:
            sys.exit(f"torch_baseline: unknown model {name!r}; the models are {', '.join(MODELS)}")
    for v in variants:
        variant_env(v)

    results, failed = [], False
    for name in models:
        for variant in variants:
            r = run_one(name, variant, args)
            if r is None:
                failed = True
                continue
            results.append(r)
            print(f"  done {name:16s} threads={variant:4s}: train {r['train']['median_samples_per_s']:9.1f}/s  "
                  f"infer {r['infer']['median_samples_per_s']:9.1f}/s  peakRSS {r['peak_rss_mb']:.0f} MB "
                  f"({r['wall_s']:.0f}s)", flush=True)

    import torch
    meta = {
        "tool": "tapenet bench/torch_baseline.py", "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpu_model": cpu_model(), "nproc": os.cpu_count(), "python": sys.version.split()[0],
        "torch": torch.__version__, "repeats": args.repeats, "target_s": args.target_s, "warmup": args.warmup,
        "variants": "N = torch.set_num_threads(N) + OPENBLAS_NUM_THREADS=N; NbM = torch N, OpenBLAS M; "
                    "suffix p = OMP_WAIT_POLICY=PASSIVE",
        "method": "median of repeats (each ~target_s s) after warmup steps; float32; train = zero_grad + forward + "
                  "loss + backward + Adam(lr 1e-3, eps 1e-7); infer = forward under no_grad; each (model, setting) "
                  "in its own subprocess; peak RSS = its ru_maxrss (includes the torch import: rss_after_import_mb)",
    }
    with open(args.out, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
        f.write("\n")

    print(f"\nCPU: {meta['cpu_model']} ({meta['nproc']} cpus)  torch {meta['torch']}")
    header = (f"{'model':16s} {'thr':>4s} {'batch':>5s} {'params':>8s} | {'train samp/s':>12s} {'ms/batch':>8s} | "
              f"{'infer samp/s':>12s} {'ms/batch':>8s} | {'RSS MB':>6s}")
    print(header + "\n" + "-" * len(header))
    for r in results:
        t, i = r["train"], r["infer"]
        print(f"{r['model']:16s} {r['variant']:>4s} {r['config']['batch']:5d} {r['params']:8d} | "
              f"{t['median_samples_per_s']:12.1f} {t['median_ms_per_batch']:8.2f} | "
              f"{i['median_samples_per_s']:12.1f} {i['median_ms_per_batch']:8.2f} | {r['peak_rss_mb']:6.0f}")
    print(f"\nwrote {args.out}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
