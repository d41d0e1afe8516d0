"""nn_reference.py: the PyTorch reference of tests/test_nn_vs_torch.c.

A small network in float32, trained 50 Adam steps; writes
tests/fixtures/nn_adam50.txt, and the same 50 steps with AdamW (decoupled weight
decay WD on the three weight matrices, none on the biases) to
tests/fixtures/nn_adamw50.txt. Regenerate both with
    /usr/bin/python3 tests/reference/nn_reference.py
(from the repository root; PyTorch >= 1.13 and numpy).

Network (segments = molecules, rows = points):
    x (20 x 6), segments of 7, 4 and 9 rows
    h1 = relu(Linear(6, 16)(x))
    h2 = relu(Linear(16, 16)(h1))
    n  = per segment, F.normalize(h2[seg], dim=0)      (column L2 norm, eps 1e-12)
    p  = per segment, n[seg].sum(0)                    (3 x 16)
    y  = Linear(16, 2)(p)                              (3 x 2)
    L  = F.mse_loss(y, target)                         (mean over 6 values)
Optimiser torch.optim.Adam(lr=1e-2), default betas (0.9, 0.999) and eps 1e-8;
for nn_adamw50.txt torch.optim.AdamW with the same settings, weight_decay WD =
0.5 on l1/l2/l3.weight and 0 on the biases.
Step k (1..50): zero_grad, forward, backward, optimiser step.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import FixtureWriter  # noqa: E402

SEED = 20240501
STEPS = 50
LR = 1e-2
WD = 0.5
MAX_SENSITIVITY = 1e-5
SEG = [7, 4, 9]
N_IN, N_HID, N_OUT = 6, 16, 2
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
OUT = os.path.join(FIXTURES, "nn_adam50.txt")
OUT_W = os.path.join(FIXTURES, "nn_adamw50.txt")


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = torch.nn.Linear(N_IN, N_HID)
        self.l2 = torch.nn.Linear(N_HID, N_HID)
        self.l3 = torch.nn.Linear(N_HID, N_OUT)

    def forward(self, x, seg):
        h = F.relu(self.l1(x))
        h = F.relu(self.l2(h))
        pooled = []
        for part in torch.split(h, seg, dim=0):
            pooled.append(F.normalize(part, p=2, dim=0, eps=1e-12).sum(0))
        return self.l3(torch.stack(pooled))


def run(seed, dtype, fx=None, wd=0.0):
    """Build the data and network from seed, train STEPS steps in dtype; return
    (losses, {name: params after STEPS}, {name: params after step 1}). With fx,
    also write the fixture records. wd > 0: AdamW, decaying the weights only."""
    torch.manual_seed(seed)
    net = Net()                       # nn.Linear default init, drawn in float32
    x = torch.randn(sum(SEG), N_IN)
    target = torch.randn(len(SEG), N_OUT) * 2.0
    net = net.to(dtype)
    x, target = x.to(dtype), target.to(dtype)

    def mat(t):
        t = t.detach()
        return t.reshape(t.shape[0], -1) if t.dim() == 2 else t.reshape(1, -1)

    if fx is not None:
        names = [n for n, _ in net.named_parameters()]
        fx.ints("seg_off", torch.tensor([0] + torch.tensor(SEG).cumsum(0).tolist()).reshape(1, -1))
        fx.array("x", x)
        fx.array("target", target)
        fx.string("param_names", " ".join(names))
        for n, p in net.named_parameters():
            fx.array("init." + n, mat(p))
    if wd > 0:
        weights = [p for n, p in net.named_parameters() if n.endswith(".weight")]
        biases = [p for n, p in net.named_parameters() if not n.endswith(".weight")]
        opt = torch.optim.AdamW([{"params": weights, "weight_decay": wd},
                                 {"params": biases, "weight_decay": 0.0}], lr=LR)
    else:
        opt = torch.optim.Adam(net.parameters(), lr=LR)
    losses, after1 = [], {}
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        y = net(x, SEG)
        loss = F.mse_loss(y, target)
        loss.backward()
        losses.append(loss.item())
        if step == 1 and fx is not None:
            fx.array("output.step1", y)
            for n, p in net.named_parameters():
                fx.array("grad1." + n, mat(p.grad))
        opt.step()
        if step == 1:
            after1 = {n: mat(p).double().clone() for n, p in net.named_parameters()}
            if fx is not None:
                for n, p in net.named_parameters():
                    fx.array("after1." + n, mat(p))
    after = {n: mat(p).double().clone() for n, p in net.named_parameters()}
    if fx is not None:
        for n, p in net.named_parameters():
            fx.array("after%d.%s" % (STEPS, n), mat(p))
        fx.array("loss", torch.tensor(losses, dtype=torch.float64).reshape(-1, 1))
    return losses, after, after1


def sensitivity(seed, wd=0.0):
    """Largest norm-wise relative difference between the float32 and the float64
    runs (losses, parameters after steps 1 and STEPS): how much this trajectory
    amplifies rounding. A float32 engine can only be expected to track torch's
    float32 run if this is well below the test tolerance."""
    l32, p32, q32 = run(seed, torch.float32, wd=wd)
    l64, p64, q64 = run(seed, torch.float64, wd=wd)
    worst = max(abs(a - b) / abs(b) for a, b in zip(l32, l64))
    for A, B in ((p32, p64), (q32, q64)):
        for n in B:
            worst = max(worst, float((A[n] - B[n]).norm() / B[n].norm()))
    return worst


def main():
    # Pick the first seed whose trajectory is insensitive to rounding (see
    # README: with an unlucky draw, a column that is non-zero in one row only
    # has normalised value 1 and true gradient 0, float32 rounding leaves ~1e-8
    # there, and Adam's first step turns that into an update of ~lr/2).
    for out, wd in ((OUT, 0.0), (OUT_W, WD)):
        seed = SEED
        while True:
            s = sensitivity(seed, wd)
            print("seed %d: float32 vs float64 trajectory differ by %.3g" % (seed, s))
            if s < MAX_SENSITIVITY:
                break
            seed += 1
        header = [__doc__.strip(), "torch %s, seed %d" % (torch.__version__, seed)]
        if wd > 0:
            header.append("AdamW, weight_decay %g on the weights" % wd)
        header.append("float32 vs float64 trajectory: max norm-wise relative difference %.3g" % s)
        fx = FixtureWriter(out, header=header)
        losses, _, _ = run(seed, torch.float32, fx, wd)
        fx.save()
        print("wrote %s: seed %d, loss %.6g -> %.6g" % (out, seed, losses[0], losses[-1]))


if __name__ == "__main__":
    main()
