"""bench_reference.py: the speed of OUR PyTorch implementation of the QDF model
(the model of qdf_reference.py, in float32), measured like bench/bench_qdf.c
so that bench/run can put the two side by side.

    /usr/bin/python3 tests/reference/bench_reference.py [--n N] [--threads T]
        [--data FILE] [--large FILE]

Prints `figure<TAB>value<TAB>unit` lines (header `figure value unit`), with
the figure names of `bench_qdf --tsv` where the figure corresponds:

  predict_batch1, predict_batch8   molecules/s; input building (grid,
                                   distances) + energy forward, no autograd,
                                   as qdf_predict_many (which builds the field
                                   inside its loop)
  predict_batch{1,8}_forward_only  molecules/s; the same without the input
                                   building (no qdf counterpart)
  predict_gflops_batch8            matrix-product GFLOP/s of predict_batch8
  train_inputs                     ms/molecule; building a batch's inputs in
                                   the training loop (grid, distances, V target)
  train_energy_step                ms/molecule; zero grads, energy forward,
                                   MSE, backward, Adam step
  train_potential_step             ms/molecule; zero grads, fresh forward of
                                   the potential branch, MSE against
                                   V = -sum_A Z_A exp(-d^2), backward, Adam step
  train_total                      ms/molecule; the whole training loop (batch 4)
  train_gflops                     matrix-product GFLOP/s of the training loop
  dense_stack_gflops               the three functional layers alone on a
                                   700 x dim input, best of 20
  dense_fraction_of_sgemm          that / sgemm_1024_torch
  sgemm_1024_torch                 torch.mm of two 1024 x 1024 float32 matrices
  input_build                      ms/molecule; one molecule's inputs alone
  peak_rss                         MiB (includes the Python interpreter and torch)
  predict_ms_atoms_K               ms/molecule at batch 1, by atom count K

Model: default qdf sizes (basis 6-31G, grid radius 0.75, spacing 0.3, dim 250,
3 functional layers, hidden_HK 250, 3 HK layers, sum pooling, one output),
orbital types of H C N O F (as bench_qdf's fresh model), float32, weights
from torch's default init (the speed does not depend on them).

Batches are segments, as in qdf: Phi and Phi C are per molecule (one matmul
per molecule, no padded block-diagonal matrix); Psi of the batch is
concatenated and the dense layers run on all rows at once; pooling is a
segment sum (index_add). FLOPs are counted as bench_qdf counts them
(qdf_gemm): 2 M N K per matrix product, the forward products and, in
training, both backward products of each (every input of every product
requires a gradient), so a training step costs 3x its forward.
"""
import argparse
import ctypes
import math
import os
import resource
import sys
import time


def tune_malloc():
    """Keep freed memory in the process (glibc mallopt), so that a step's
    tensors reuse the previous step's pages instead of mmap/munmap and fresh
    page faults on every allocation of more than a few hundred KiB. qdf
    allocates from an arena it reuses, so this is the like-for-like setting;
    in a VM where page faults are expensive it made the batch-8 forward 4x
    faster. Must run before torch allocates anything."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
    return bool(libc.mallopt(M_MMAP_THRESHOLD, 32 << 20) and libc.mallopt(M_TRIM_THRESHOLD, 2 ** 31 - 1)
                and libc.mallopt(M_TOP_PAD, 256 << 20))


MALLOC_TUNED = "--no-malloc-tuning" not in sys.argv and tune_malloc()

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import qdf_reference as ref  # noqa: E402  (sets the default dtype to float64)

torch.set_default_dtype(torch.float32)

Z_OF = {s: z for z, s in ref.SYMBOL.items()}
ELEMENTS = [1, 6, 7, 8, 9]          # the types of bench_qdf's fresh model
BASIS = "6-31G"
DIM, LAYER_F, HIDDEN_HK, LAYER_HK, N_OUT = 250, 3, 250, 3, 1
BATCH_TRAIN = 4
DENSE_ROWS = 700


def now():
    return time.perf_counter()


def read_txt(path, n):
    """The first n molecules of a txt dataset: dicts z (list), xyz (n x 3
    float64 tensor), target (float). Blocks separated by blank lines: id,
    `Sym x y z` lines, last line the target(s)."""
    mols, block = [], []

    def flush():
        if not block:
            return
        z, xyz, target = [], [], 0.0
        for line in block[1:]:
            f = line.split()
            if f[0] in Z_OF and len(f) == 4:
                z.append(Z_OF[f[0]])
                xyz.append([float(v) for v in f[1:]])
            else:
                target = float(f[0])
        mols.append(dict(id=block[0].strip(), z=z, xyz=torch.tensor(xyz, dtype=torch.float64), target=target))
        block.clear()

    with open(path) as fh:
        for line in fh:
            if line.strip():
                block.append(line)
            else:
                flush()
                if len(mols) >= n:
                    break
        flush()
    return mols[:n]


class Inputs:
    """A batch's inputs, built from the geometries only (no parameters):
    per molecule the orbital types, d^(q-1) and d^2 (points x orbitals), the
    Psi scale; for the batch the point -> molecule index, the energy targets
    and, when asked, the potential target V (points x 1)."""

    def __init__(self, mols, offs, orb_plan, want_v):
        self.blocks = []
        seg, vts = [], []
        for s, m in enumerate(mols):
            xyz = m["xyz"].to(torch.float32)
            grid = (xyz[:, None, :] + offs[None, :, :]).reshape(-1, 3)         # P x 3, atom-major
            t_idx, atom, qm1 = [], [], []
            for a, za in enumerate(m["z"]):
                ti, q = orb_plan[za]
                t_idx += ti
                qm1 += q
                atom += [a] * len(ti)
            t_idx = torch.tensor(t_idx)
            d2 = ((grid[:, None, :] - xyz[torch.tensor(atom)][None, :, :]) ** 2).sum(2)   # P x O
            pre = torch.where(torch.tensor(qm1, dtype=torch.bool)[None, :], d2.sqrt(), torch.ones(()))
            scale = math.sqrt(sum(m["z"]) / DIM)
            self.blocks.append((t_idx, pre, d2, scale))
            seg.append(torch.full((grid.shape[0],), s, dtype=torch.long))
            if want_v:
                zt = torch.tensor(m["z"], dtype=torch.float32)
                da2 = ((grid[:, None, :] - xyz[None, :, :]) ** 2).sum(2)       # P x atoms
                vts.append(-(zt[None, :] * torch.exp(-da2)).sum(1, keepdim=True))
        self.n_mol = len(mols)
        self.seg = torch.cat(seg)
        self.n_points = self.seg.shape[0]
        self.e_target = torch.tensor([[m["target"]] for m in mols], dtype=torch.float32)
        self.v_target = torch.cat(vts) if want_v else None

    def flops(self, energy, hk):
        """Forward matrix-product FLOPs, as qdf_gemm counts them."""
        f = sum(2.0 * pre.shape[0] * pre.shape[1] * DIM for _, pre, _, _ in self.blocks)   # Phi C
        P = self.n_points
        if energy:
            f += LAYER_F * 2.0 * P * DIM * DIM + 2.0 * self.n_mol * DIM * N_OUT
        if hk:
            f += 2.0 * P * HIDDEN_HK + LAYER_HK * 2.0 * P * HIDDEN_HK * HIDDEN_HK + 2.0 * P * HIDDEN_HK
        return f


def forward(model, x, want_energy, want_hk):
    psis = []
    for t_idx, pre, d2, scale in x.blocks:
        phi = pre * torch.exp(-model.zeta[t_idx, 0] * d2)
        phi = F.normalize(phi, p=2, dim=0, eps=ref.NORM_EPS)
        c = F.normalize(model.coef[t_idx], p=2, dim=0, eps=ref.NORM_EPS)
        psis.append(F.normalize(phi @ c, p=2, dim=0, eps=ref.NORM_EPS) * scale)
    psi = psis[0] if len(psis) == 1 else torch.cat(psis)
    E = V = None
    if want_energy:
        h = psi
        for lin in model.functional:
            h = F.relu(lin(h))
        if x.n_mol == 1:
            pooled = h.sum(0, keepdim=True)
        else:
            pooled = torch.zeros(x.n_mol, h.shape[1]).index_add(0, x.seg, h)
        E = model.property(pooled)
    if want_hk:
        rho = (psi * psi).sum(1, keepdim=True)
        h = model.density(rho)
        for lin in model.hk:
            h = F.relu(lin(h))
        V = model.potential(h)
    return E, V


def sgemm_rate():
    n = 1024
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    torch.mm(a, b)
    best = 0.0
    for _ in range(5):
        t = now()
        torch.mm(a, b)
        best = max(best, 2.0 * n ** 3 / (now() - t) / 1e9)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="molecules (the first N of --data)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch.set_num_threads")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "datasets", "qm9_u0", "le14_val.txt"))
    ap.add_argument("--large", default=os.path.join(ROOT, "..", "shared", "datasets", "qm9_u0", "ge15_dev.txt"),
                    help="larger molecules for the time by atom count (first 100; skipped if absent)")
    ap.add_argument("--no-malloc-tuning", action="store_true",
                    help="leave glibc malloc at its defaults (see tune_malloc)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)

    mols = read_txt(a.data, a.n)
    if not mols:
        sys.exit("bench_reference: no molecules in %s" % a.data)
    large = read_txt(a.large, 100) if a.large and os.path.exists(a.large) else []
    for m in mols + large:
        bad = [z for z in m["z"] if z not in ELEMENTS]
        if bad:
            sys.exit("bench_reference: %s has elements outside H C N O F" % m["id"])

    types = ref.orbital_types(ELEMENTS, BASIS)
    ti = {name: k for k, name in enumerate(types)}
    orb_plan = {z: ([ti[o[0]] for o in ref.atom_orbitals(z, BASIS)], [o[3] - 1 for o in ref.atom_orbitals(z, BASIS)])
                for z in ELEMENTS}
    offs = ref.atom_grid_offsets().to(torch.float32)
    model = ref.QDF(len(types), DIM, LAYER_F, HIDDEN_HK, LAYER_HK, N_OUT)
    assert model.coef.dtype == torch.float32
    params = list(model.parameters())
    n = len(mols)

    def batches(size):
        return [mols[i:i + size] for i in range(0, n, size)]

    sg = sgemm_rate()

    # prediction (warm-up first)
    with torch.no_grad():
        forward(model, Inputs(mols[:8], offs, orb_plan, False), True, False)
    rate, fwd_rate, pred_gflops = {}, {}, {}
    for b in (1, 8):
        t_in = flops = 0.0
        with torch.no_grad():
            t = now()
            for mb in batches(b):
                t1 = now()
                x = Inputs(mb, offs, orb_plan, False)
                t_in += now() - t1
                forward(model, x, True, False)
                flops += x.flops(True, False)
            dt = now() - t
        rate[b] = n / dt
        fwd_rate[b] = n / (dt - t_in)
        pred_gflops[b] = flops / dt / 1e9

    # one molecule's inputs alone (grid, distances, potential target)
    t = now()
    for m in mols:
        Inputs([m], offs, orb_plan, True)
    t_input = (now() - t) / n

    # training, batch 4: energy step then potential step, one Adam
    opt = torch.optim.Adam(params, lr=1e-6)      # tiny steps: speed, not learning
    for p in params:                             # every parameter stepped in both steps, as qdf_adam_step
        p.grad = torch.zeros_like(p)

    def train_step(mb, acc):
        t0 = now()
        x = Inputs(mb, offs, orb_plan, True)
        t1 = now()
        opt.zero_grad(set_to_none=False)
        E, _ = forward(model, x, True, False)
        F.mse_loss(E, x.e_target).backward()
        opt.step()
        t2 = now()
        opt.zero_grad(set_to_none=False)
        _, V = forward(model, x, False, True)
        F.mse_loss(V, x.v_target).backward()
        opt.step()
        t3 = now()
        if acc is not None:
            acc[0] += t1 - t0
            acc[1] += t2 - t1
            acc[2] += t3 - t2
            acc[3] += 3 * (x.flops(True, False) + x.flops(False, True))

    train_batches = [mb for mb in batches(BATCH_TRAIN) if len(mb) == BATCH_TRAIN]
    n_tr = BATCH_TRAIN * len(train_batches)
    if train_batches:
        train_step(train_batches[0], None)       # warm-up (qdf's first step is not a warm-up; its arena is)
    acc = [0.0, 0.0, 0.0, 0.0]
    t = now()
    for mb in train_batches:
        train_step(mb, acc)
    train_dt = now() - t

    # the dense layer stack alone, one molecule's shape
    best_dense = 0.0
    xd = 0.01 * ((torch.arange(DENSE_ROWS * DIM) % 7) - 3).to(torch.float32).reshape(DENSE_ROWS, DIM)
    with torch.no_grad():
        for _ in range(20):
            t = now()
            h = xd
            for lin in model.functional:
                h = F.relu(lin(h))
            best_dense = max(best_dense, LAYER_F * 2.0 * DENSE_ROWS * DIM * DIM / (now() - t) / 1e9)

    # time per molecule by atom count (prediction, batch 1, inputs included)
    by_t, by_n = {}, {}
    with torch.no_grad():
        for m in mols + large:
            t = now()
            forward(model, Inputs([m], offs, orb_plan, False), True, False)
            k = len(m["z"])
            by_t[k] = by_t.get(k, 0.0) + now() - t
            by_n[k] = by_n.get(k, 0) + 1

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("bench_reference: %d molecules of %s, torch %s, %d threads, float32, malloc %s"
          % (n, a.data, torch.__version__, torch.get_num_threads(), "tuned" if MALLOC_TUNED else "default"),
          file=sys.stderr)
    out = [("sgemm_1024_torch", "%.1f" % sg, "GFLOP/s"),
           ("predict_batch1", "%.1f" % rate[1], "molecules/s"),
           ("predict_batch8", "%.1f" % rate[8], "molecules/s"),
           ("predict_batch1_forward_only", "%.1f" % fwd_rate[1], "molecules/s"),
           ("predict_batch8_forward_only", "%.1f" % fwd_rate[8], "molecules/s"),
           ("predict_gflops_batch8", "%.1f" % pred_gflops[8], "GFLOP/s")]
    if n_tr:
        out += [("train_inputs", "%.3f" % (1e3 * acc[0] / n_tr), "ms/molecule"),
                ("train_energy_step", "%.3f" % (1e3 * acc[1] / n_tr), "ms/molecule"),
                ("train_potential_step", "%.3f" % (1e3 * acc[2] / n_tr), "ms/molecule"),
                ("train_total", "%.3f" % (1e3 * train_dt / n_tr), "ms/molecule"),
                ("train_gflops", "%.1f" % (acc[3] / train_dt / 1e9), "GFLOP/s")]
    out += [("dense_stack_gflops", "%.1f" % best_dense, "GFLOP/s"),
            ("dense_fraction_of_sgemm", "%.3f" % (best_dense / sg), "-"),
            ("input_build", "%.3f" % (1e3 * t_input), "ms/molecule"),
            ("peak_rss", "%.1f" % rss, "MiB")]
    out += [("predict_ms_atoms_%d" % k, "%.3f" % (1e3 * by_t[k] / by_n[k]), "ms/molecule") for k in sorted(by_t)]
    print("figure\tvalue\tunit")
    for row in out:
        print("\t".join(row))


if __name__ == "__main__":
    main()
