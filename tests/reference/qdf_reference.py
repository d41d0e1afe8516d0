"""qdf_reference.py: the whole QDF model in PyTorch (float64), the oracle of the
C model (issue 4). Written from the model's specification only (see
tests/reference/README.md), not from the C code.

Writes tests/fixtures/qdf_model_3mol*.txt. Regenerate with
    /usr/bin/python3 tests/reference/qdf_reference.py
from the repository root (PyTorch >= 1.13, numpy).
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import FixtureWriter  # noqa: E402

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")

SYMBOL = {1: "H", 2: "He", 3: "Li", 4: "Be", 5: "B", 6: "C", 7: "N", 8: "O", 9: "F", 10: "Ne"}
# basis -> (inner, outer): orbitals per shell
BASES = {"6-31G": (6, 4), "3-21G": (3, 3), "STO-3G": (1, 1)}
SHELLS = [("1s", 1), ("2s", 2), ("2p", 2)]   # shell name, q (d^(q-1) factor)
GRID_R, GRID_H = 0.75, 0.3
NORM_EPS = 1e-12


def atom_orbitals(z, basis):
    """[(type name, shell, k, q)] of one atom, in the model's order."""
    inner, outer = BASES[basis]
    sym = SYMBOL[z]
    if z <= 2:
        plan = [("1s", 1, outer)]
    else:
        plan = [("1s", 1, inner), ("2s", 2, outer), ("2p", 2, outer)]
    out = []
    for shell, q, n in plan:
        for k in range(n):
            out.append(("%s-%s-%d" % (sym, shell, k), shell, k, q))
    return out


def orbital_types(zs, basis):
    """Type names of every element present, sorted by (Z, shell, k)."""
    shell_rank = {s: i for i, (s, _) in enumerate(SHELLS)}
    types = {}
    for z in set(zs):
        for name, shell, k, q in atom_orbitals(z, basis):
            types[name] = (z, shell_rank[shell], k)
    return sorted(types, key=lambda n: types[n])


def atom_grid_offsets():
    vals = []
    i = 0
    while -GRID_R + i * GRID_H <= GRID_R + 1e-9:
        vals.append(-GRID_R + i * GRID_H)
        i += 1
    pts = [(x, y, z) for x in vals for y in vals for z in vals
           if x * x + y * y + z * z <= GRID_R * GRID_R + 1e-9]
    return torch.tensor(pts)


class QDF(torch.nn.Module):
    def __init__(self, n_types, dim, layer_functional, hidden_hk, layer_hk, n_out):
        super().__init__()
        self.zeta = torch.nn.Parameter(torch.ones(n_types, 1))
        self.coef = torch.nn.Parameter(torch.randn(n_types, dim))
        self.functional = torch.nn.ModuleList(torch.nn.Linear(dim, dim) for _ in range(layer_functional))
        self.property = torch.nn.Linear(dim, n_out)
        self.density = torch.nn.Linear(1, hidden_hk)
        self.hk = torch.nn.ModuleList(torch.nn.Linear(hidden_hk, hidden_hk) for _ in range(layer_hk))
        self.potential = torch.nn.Linear(hidden_hk, 1)
        self.dim = dim

    def param_dict(self):
        """name -> (parameter, its 2-D shape in the fixture/C model)."""
        out = {}
        for name, p in self.named_parameters():
            if name.endswith(".bias"):
                out[name] = p.reshape(1, -1)
            else:
                out[name] = p
        return out

    def forward(self, mols, basis, types, pooling):
        type_index = {n: i for i, n in enumerate(types)}
        offs = atom_grid_offsets()
        grids, phis, psis, pooled = [], [], [], []
        for m in mols:
            z, xyz = m["z"], m["xyz"]
            grid = torch.cat([xyz[a] + offs for a in range(len(z))])          # P x 3
            orbs = []                                                         # (type idx, atom, q)
            for a, za in enumerate(z):
                for name, shell, k, q in atom_orbitals(za, basis):
                    orbs.append((type_index[name], a, q))
            t_idx = torch.tensor([o[0] for o in orbs])
            centres = xyz[torch.tensor([o[1] for o in orbs])]                 # O x 3
            q = torch.tensor([float(o[2]) for o in orbs])
            d = (grid[:, None, :] - centres[None, :, :]).norm(dim=2)          # P x O
            zeta = self.zeta[t_idx, 0]
            phi = d.pow(q - 1) * torch.exp(-zeta * d * d)
            phi = F.normalize(phi, p=2, dim=0, eps=NORM_EPS)
            c = F.normalize(self.coef[t_idx], p=2, dim=0, eps=NORM_EPS)       # O x dim
            psi = phi @ c
            n_elec = float(sum(z))
            psi = F.normalize(psi, p=2, dim=0, eps=NORM_EPS) * math.sqrt(n_elec / self.dim)
            assert abs(float((psi ** 2).sum()) - n_elec) < 1e-9 * n_elec
            h = psi
            for lin in self.functional:
                h = F.relu(lin(h))
            pooled.append(h.sum(0) if pooling == "sum" else h.mean(0))
            grids.append(grid)
            phis.append(phi)
            psis.append(psi)
        E = self.property(torch.stack(pooled))
        psi = torch.cat(psis)
        rho = (psi ** 2).sum(1, keepdim=True)
        h = self.density(rho)
        for lin in self.hk:
            h = F.relu(lin(h))
        V = self.potential(h)
        return dict(grid=torch.cat(grids), phis=phis, psi=psi, rho=rho, E=E, V=V)


def v_target(mols):
    out = []
    offs = atom_grid_offsets()
    for m in mols:
        z, xyz = m["z"], m["xyz"]
        grid = torch.cat([xyz[a] + offs for a in range(len(z))])
        d2 = ((grid[:, None, :] - xyz[None, :, :]) ** 2).sum(2)
        out.append(-(torch.tensor([float(v) for v in z])[None, :] * torch.exp(-d2)).sum(1, keepdim=True))
    return torch.cat(out)


MOLECULES = [
    # name, Z, xyz (Angstrom), targets (eV; the second for n_out = 2)
    ("water", [8, 1, 1],
     [[0.0, 0.0, 0.1173], [0.0, 0.7572, -0.4692], [0.0, -0.7572, -0.4692]], [-10.0, 1.5]),
    ("methane", [6, 1, 1, 1, 1],
     [[0.0, 0.0, 0.0], [0.6291, 0.6291, 0.6291], [-0.6291, -0.6291, 0.6291],
      [-0.6291, 0.6291, -0.6291], [0.6291, -0.6291, -0.6291]], [-17.2, 2.0]),
    ("hydrogen cyanide", [1, 6, 7],
     [[0.0, 0.0, -1.6394], [0.0, 0.0, -0.5739], [0.0, 0.0, 0.5795]], [-15.0, 0.8]),
]


def make_fixture(path, basis="6-31G", pooling="sum", n_out=1, seed=1234, dim=8,
                 layer_functional=2, hidden_hk=6, layer_hk=2, lr=1e-3):
    torch.manual_seed(seed)
    mols = [dict(name=n, z=z, xyz=torch.tensor(x), target=torch.tensor(t[:n_out]))
            for n, z, x, t in MOLECULES]
    types = orbital_types([z for m in mols for z in m["z"]], basis)
    model = QDF(len(types), dim, layer_functional, hidden_hk, layer_hk, n_out)
    params = model.param_dict()
    names = list(params)
    e_target = torch.stack([m["target"] for m in mols])
    vt = v_target(mols)

    def losses():
        out = model(mols, basis, types, pooling)
        return out, F.mse_loss(out["E"], e_target), F.mse_loss(out["V"], vt)

    fx = FixtureWriter(path, header=[
        "QDF whole-model reference, written by tests/reference/qdf_reference.py (float64, torch %s)"
        % torch.__version__,
        "basis %s, pooling %s, n_out %d, dim %d, layer_functional %d, hidden_HK %d, layer_HK %d, "
        "seed %d, Adam lr %g" % (basis, pooling, n_out, dim, layer_functional, hidden_hk, layer_hk, seed, lr),
        "See tests/reference/README.md for every record."])
    fx.string("basis", basis)
    fx.string("pooling", pooling)
    fx.ints("sizes", torch.tensor([[dim, layer_functional, hidden_hk, layer_hk, n_out]]))
    fx.array("grid_params", torch.tensor([[GRID_R, GRID_H]]))
    fx.array("lr", torch.tensor([[lr]]))
    fx.ints("n_mol", torch.tensor([[len(mols)]]))
    point_off, orb_off = [0], [0]
    for i, m in enumerate(mols):
        fx.string("mol%d_name" % i, m["name"])
        fx.ints("mol%d_z" % i, torch.tensor(m["z"]).reshape(-1, 1))
        fx.array("mol%d_xyz" % i, m["xyz"])
        fx.array("mol%d_target" % i, m["target"].reshape(1, -1))
        ti = {n: k for k, n in enumerate(types)}
        orbs = [(ti[name], a) for a, za in enumerate(m["z"]) for name, _, _, _ in atom_orbitals(za, basis)]
        fx.ints("mol%d_orbital_type" % i, torch.tensor([o[0] for o in orbs]).reshape(-1, 1))
        fx.ints("mol%d_orbital_atom" % i, torch.tensor([o[1] for o in orbs]).reshape(-1, 1))
        point_off.append(point_off[-1] + 56 * len(m["z"]))
        orb_off.append(orb_off[-1] + len(orbs))
    fx.ints("point_off", torch.tensor([point_off]))
    fx.ints("orbital_off", torch.tensor([orb_off]))
    fx.string("orbital_types", " ".join(types))
    fx.string("param_names", " ".join(names))
    for n in names:
        fx.array("init." + n, params[n])

    out, loss_e, loss_v = losses()
    assert atom_grid_offsets().shape[0] == 56
    # distance of the ReLU pre-activations from the kink: a float32 model can
    # only match to 1e-4 if none is within rounding of 0
    with torch.no_grad():
        h, kinks = out["psi"], []
        for lin in model.functional:
            pre = lin(h)
            kinks.append(float(pre.abs().min() / pre.abs().max()))
            h = F.relu(pre)
        h = model.density(out["rho"])
        for lin in model.hk:
            pre = lin(h)
            kinks.append(float(pre.abs().min() / pre.abs().max()))
            h = F.relu(pre)
    fx.comment("smallest |ReLU pre-activation| / largest, per layer (functional then hk): "
               + " ".join("%.3g" % k for k in kinks))
    assert out["grid"].shape[0] == point_off[-1], "56 points per atom"
    fx.array("grid", out["grid"])
    for i, phi in enumerate(out["phis"]):
        fx.array("mol%d_phi" % i, phi)
    fx.array("psi", out["psi"])
    fx.array("rho", out["rho"])
    fx.array("E", out["E"])
    fx.array("E_target", e_target)
    fx.array("V", out["V"])
    fx.array("V_target", vt)
    fx.array("loss_E", loss_e)
    fx.array("loss_V", loss_v)
    plist = [p for p in model.parameters()]
    pnames = [n for n, _ in model.named_parameters()]
    assert pnames == names
    for tag, loss in (("grad_E", loss_e), ("grad_V", loss_v)):
        grads = torch.autograd.grad(loss, plist, retain_graph=True, allow_unused=True)
        for n, p, g in zip(names, plist, grads):
            g = torch.zeros_like(p) if g is None else g
            fx.array("%s.%s" % (tag, n), g.reshape(params[n].shape))

    # One training iteration: Adam step on loss_E, then a fresh forward and an
    # Adam step on loss_V, one optimiser. Every parameter takes part in both
    # steps with a gradient (zero where the loss does not depend on it), as a
    # global-step Adam that updates every parameter does (qdf_adam_step).
    opt = torch.optim.Adam(plist, lr=lr)
    for p in plist:
        p.grad = torch.zeros_like(p)
    for tag in ("E", "V"):
        opt.zero_grad(set_to_none=False)
        _, le, lv = losses()
        loss = le if tag == "E" else lv
        loss.backward()
        opt.step()
        fx.array("train_loss_%s" % tag, loss.detach())   # the loss this step descended
        if tag == "E":
            for n in names:
                fx.array("afterE.%s" % n, model.param_dict()[n])
    for n in names:
        fx.array("after.%s" % n, model.param_dict()[n])
    with torch.no_grad():
        _, le, lv = losses()
    fx.array("after_loss_E", le)
    fx.array("after_loss_V", lv)
    fx.save()
    print("wrote %s: %d types, %d points, loss_E %.6g, loss_V %.6g" %
          (path, len(types), point_off[-1], loss_e.item(), loss_v.item()))


def main():
    make_fixture(os.path.join(FIXTURES, "qdf_model_3mol.txt"))
    make_fixture(os.path.join(FIXTURES, "qdf_model_3mol_mean2.txt"), pooling="mean", n_out=2)
    make_fixture(os.path.join(FIXTURES, "qdf_model_3mol_321g.txt"), basis="3-21G")
    make_fixture(os.path.join(FIXTURES, "qdf_model_3mol_sto3g.txt"), basis="STO-3G")


if __name__ == "__main__":
    main()
