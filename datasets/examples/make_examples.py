#!/usr/bin/env python3
"""make_examples.py: build the qdf example library from standard bond lengths and
angles (z-matrix style placement and explicit ring construction; no geometry is
copied from any dataset) and write examples.xyz, examples.extxyz, examples.sdf
and examples.txt next to this script.

Geometries are idealised textbook structures (typical experimental bond lengths
and angles, rounded), good for smoke tests and demos, not optimised at any level
of theory. Rings are regular polygons (pyridine, furan, pyrrole use one mean ring
bond length). No energies are attached: the txt file has no target lines.

Usage: python3 make_examples.py [outdir]
"""
import math
import os
import sys

import numpy as np

COV = {"H": 0.31, "C": 0.76, "N": 0.71, "O": 0.66, "F": 0.57}
TET = 109.4712


def unit(v):
    return v / np.linalg.norm(v)


class Mol:
    def __init__(self, name):
        self.name = name
        self.sym, self.pos, self.bonds = [], [], []  # bonds: (i, j, order, intended length)

    def add(self, sym, pos, bond_to=None, order=1):
        self.sym.append(sym)
        self.pos.append(np.array(pos, dtype=float))
        i = len(self.sym) - 1
        if bond_to is not None:
            self.bond(bond_to, i, order)
        return i

    def bond(self, i, j, order=1, length=None):
        if length is None:
            length = float(np.linalg.norm(self.pos[i] - self.pos[j]))
        self.bonds.append((i, j, order, length))

    def p(self, x):
        return self.pos[x] if isinstance(x, int) else np.array(x, dtype=float)

    def place(self, sym, c, b, a, r, theta, phi, order=1):
        """New atom D bonded to c with |cD| = r, angle b-c-D = theta, dihedral a-b-c-D = phi
        (degrees; a, b, c atom indices or points)."""
        A, B, C = self.p(a), self.p(b), self.p(c)
        bc = unit(C - B)
        n = unit(np.cross(B - A, bc))
        m = np.cross(n, bc)
        t, f = math.radians(theta), math.radians(phi)
        D = C - r * math.cos(t) * bc + r * math.sin(t) * math.cos(f) * m + r * math.sin(t) * math.sin(f) * n
        i = self.add(sym, D)
        self.bonds.append((c, i, order, r))
        return i

    def methyl(self, c, x, ref, r=1.09, phase=180.0):
        for k in range(3):
            self.place("H", c, x, ref, r, TET, phase + 120 * k)

    def sp2_h(self, c, n1, n2, r=1.08, sym="H"):
        u = unit(unit(self.pos[n1] - self.pos[c]) + unit(self.pos[n2] - self.pos[c]))
        return self.add(sym, self.pos[c] - r * u, bond_to=c)

    def sp3_pair(self, c, n1, n2, r=1.09, hch=TET, sym="H"):
        a, b = unit(self.pos[n1] - self.pos[c]), unit(self.pos[n2] - self.pos[c])
        u, v = unit(a + b), unit(np.cross(a, b))
        h = math.radians(hch) / 2
        for s in (1, -1):
            self.add(sym, self.pos[c] - r * math.cos(h) * u + s * r * math.sin(h) * v, bond_to=c)


def ring(m, syms, side, orders):
    """Regular planar ring in the xy plane; returns the atom indices."""
    n = len(syms)
    R = side / (2 * math.sin(math.pi / n))
    idx = [m.add(s, (R * math.cos(2 * math.pi * k / n), R * math.sin(2 * math.pi * k / n), 0.0)) for k, s in enumerate(syms)]
    for k in range(n):
        m.bond(idx[k], idx[(k + 1) % n], orders[k])
    return idx


def ring_subst(m, idx, k, sym, r, order=1):
    """Substituent on ring atom k, radially outward."""
    c = m.pos[idx[k]]
    return m.add(sym, c + r * unit(np.array([c[0], c[1], 0.0])), bond_to=idx[k], order=order)


def build():
    mols = []
    X = (0.0, 0.0, 0.0)

    def new(name):
        m = Mol(name)
        mols.append(m)
        return m

    # small inorganic hydrides and tetrahedral centres
    m = new("methane")
    c = m.add("C", X)
    for d in ((1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)):
        m.add("H", 1.087 * unit(np.array(d, float)), bond_to=c)
    m = new("water")
    o = m.add("O", X)
    m.add("H", (0.958, 0, 0), bond_to=o)
    m.place("H", o, 1, (0, 1, 0), 0.958, 104.5, 0)
    m = new("ammonia")
    n = m.add("N", X)
    beta = math.radians(106.7)
    alpha = math.acos(math.sqrt((math.cos(beta) + 0.5) / 1.5))
    for k in range(3):
        ph = 2 * math.pi * k / 3
        m.add("H", 1.012 * np.array([math.sin(alpha) * math.cos(ph), math.sin(alpha) * math.sin(ph), -math.cos(alpha)]), bond_to=n)
    m = new("hydrogen_fluoride")
    f = m.add("F", X)
    m.add("H", (0.917, 0, 0), bond_to=f)
    m = new("fluoromethane")
    c = m.add("C", X)
    f = m.add("F", (1.383, 0, 0), bond_to=c)
    m.methyl(c, f, (1.383, 1, 0), r=1.095)
    m = new("difluoromethane")
    c = m.add("C", X)
    f1 = m.add("F", (1.357, 0, 0), bond_to=c)
    f2 = m.place("F", c, f1, (1.357, 1, 0), 1.357, 108.5, 0)
    m.sp3_pair(c, f1, f2, r=1.093, hch=112.0)
    m = new("methanol")
    c = m.add("C", X)
    o = m.add("O", (1.427, 0, 0), bond_to=c)
    h = m.place("H", o, c, (0, 1, 0), 0.956, 108.5, 180)
    m.methyl(c, o, h, r=1.093, phase=180)
    m = new("methylamine")
    c = m.add("C", X)
    n = m.add("N", (1.471, 0, 0), bond_to=c)
    h1 = m.place("H", n, c, (0, 1, 0), 1.011, 110.0, 60)
    m.place("H", n, c, (0, 1, 0), 1.011, 110.0, -60)
    m.methyl(c, n, h1, r=1.093, phase=120)

    # two-carbon
    m = new("ethane")
    c1 = m.add("C", X)
    c2 = m.add("C", (1.535, 0, 0), bond_to=c1)
    m.methyl(c1, c2, (0, 1, 0), r=1.094, phase=0)
    m.methyl(c2, c1, (0, 1, 0), r=1.094, phase=60)
    m = new("ethylene")
    c1 = m.add("C", X)
    c2 = m.add("C", (1.339, 0, 0), bond_to=c1, order=2)
    for cc, oc, ph in ((c1, c2, 0), (c1, c2, 180), (c2, c1, 0), (c2, c1, 180)):
        m.place("H", cc, oc, (0.5, 1, 0), 1.087, 121.3, ph)
    m = new("acetylene")
    c1 = m.add("C", (-0.601, 0, 0))
    c2 = m.add("C", (0.601, 0, 0), bond_to=c1, order=3)
    m.add("H", (-1.662, 0, 0), bond_to=c1)
    m.add("H", (1.662, 0, 0), bond_to=c2)
    m = new("hydrogen_cyanide")
    c = m.add("C", X)
    m.add("H", (-1.066, 0, 0), bond_to=c)
    m.add("N", (1.153, 0, 0), bond_to=c, order=3)
    m = new("carbon_dioxide")
    c = m.add("C", X)
    m.add("O", (-1.160, 0, 0), bond_to=c, order=2)
    m.add("O", (1.160, 0, 0), bond_to=c, order=2)
    m = new("acetonitrile")
    c1 = m.add("C", X)
    c2 = m.add("C", (1.458, 0, 0), bond_to=c1)
    m.add("N", (1.458 + 1.157, 0, 0), bond_to=c2, order=3)
    m.methyl(c1, c2, (1, 1, 0), r=1.087, phase=0)
    m = new("formaldehyde")
    c = m.add("C", X)
    o = m.add("O", (1.205, 0, 0), bond_to=c, order=2)
    m.place("H", c, o, (1, 1, 0), 1.111, 121.8, 0)
    m.place("H", c, o, (1, 1, 0), 1.111, 121.8, 180)
    m = new("formic_acid")
    c = m.add("C", X)
    o1 = m.add("O", (1.202, 0, 0), bond_to=c, order=2)
    o2 = m.place("O", c, o1, (1, 1, 0), 1.343, 124.9, 0)
    m.place("H", c, o1, o2, 1.097, 124.1, 180)
    m.place("H", o2, c, o1, 0.972, 106.3, 0)
    m = new("formamide")
    c = m.add("C", X)
    o = m.add("O", (1.219, 0, 0), bond_to=c, order=2)
    n = m.place("N", c, o, (1, 1, 0), 1.352, 124.7, 0)
    m.place("H", c, o, n, 1.098, 122.0, 180)
    m.place("H", n, c, o, 1.002, 119.0, 0)
    m.place("H", n, c, o, 1.002, 121.0, 180)
    m = new("acetaldehyde")
    c1 = m.add("C", X)
    c2 = m.add("C", (1.501, 0, 0), bond_to=c1)
    o = m.place("O", c2, c1, (0, 1, 0), 1.216, 124.0, 0, order=2)
    m.place("H", c2, c1, o, 1.114, 115.3, 180)
    m.methyl(c1, c2, o, r=1.086, phase=0)
    m = new("ethanol")
    c1 = m.add("C", X)
    c2 = m.add("C", (1.512, 0, 0), bond_to=c1)
    o = m.place("O", c2, c1, (0, 1, 0), 1.425, 107.8, 0)
    m.place("H", o, c2, c1, 0.960, 108.5, 180)
    m.place("H", c2, c1, o, 1.094, 110.0, 120)
    m.place("H", c2, c1, o, 1.094, 110.0, -120)
    m.methyl(c1, c2, o, r=1.093, phase=180)
    m = new("dimethyl_ether")
    o = m.add("O", X)
    c1 = m.add("C", (1.410, 0, 0), bond_to=o)
    c2 = m.place("C", o, c1, (1, 1, 0), 1.410, 111.7, 0)
    m.methyl(c1, o, c2, r=1.094, phase=180)
    m.methyl(c2, o, c1, r=1.094, phase=180)
    m = new("acetic_acid")
    c1 = m.add("C", X)
    c2 = m.add("C", (1.520, 0, 0), bond_to=c1)
    o1 = m.place("O", c2, c1, (0, 1, 0), 1.214, 126.6, 0, order=2)
    o2 = m.place("O", c2, c1, o1, 1.364, 110.6, 180)
    m.place("H", o2, c2, o1, 0.970, 106.0, 0)
    m.methyl(c1, c2, o1, r=1.090, phase=0)

    # three and four carbons
    m = new("acetone")
    c = m.add("C", X)
    o = m.add("O", (1.213, 0, 0), bond_to=c, order=2)
    ca = m.place("C", c, o, (1, 1, 0), 1.507, 121.4, 0)
    cb = m.place("C", c, o, (1, 1, 0), 1.507, 121.4, 180)
    m.methyl(ca, c, o, r=1.090, phase=0)
    m.methyl(cb, c, o, r=1.090, phase=0)
    m = new("propane")
    c2 = m.add("C", X)
    c1 = m.add("C", (1.526, 0, 0), bond_to=c2)
    c3 = m.place("C", c2, c1, (1, 1, 0), 1.526, 112.4, 0)
    m.sp3_pair(c2, c1, c3, r=1.096, hch=106.1)
    m.methyl(c1, c2, c3, r=1.091, phase=180)
    m.methyl(c3, c2, c1, r=1.091, phase=180)
    m = new("propene")
    c1 = m.add("C", X)
    c2 = m.add("C", (1.336, 0, 0), bond_to=c1, order=2)
    c3 = m.place("C", c2, c1, (0, 1, 0), 1.501, 124.3, 0)
    m.place("H", c2, c1, c3, 1.090, 119.0, 180)
    m.place("H", c1, c2, c3, 1.081, 121.5, 0)
    m.place("H", c1, c2, c3, 1.081, 121.5, 180)
    m.methyl(c3, c2, c1, r=1.090, phase=0)
    m = new("butane")
    c1 = m.add("C", X)
    c2 = m.add("C", (1.531, 0, 0), bond_to=c1)
    c3 = m.place("C", c2, c1, (0, 1, 0), 1.531, 112.0, 0)
    c4 = m.place("C", c3, c2, c1, 1.531, 112.0, 180)
    m.sp3_pair(c2, c1, c3, r=1.096, hch=106.5)
    m.sp3_pair(c3, c2, c4, r=1.096, hch=106.5)
    m.methyl(c1, c2, c3, r=1.093, phase=180)
    m.methyl(c4, c3, c2, r=1.093, phase=180)
    m = new("isobutane")
    c = m.add("C", X)
    cs = []
    beta = math.radians(110.8)
    alpha = math.acos(math.sqrt((math.cos(beta) + 0.5) / 1.5))
    for k in range(3):
        ph = 2 * math.pi * k / 3
        cs.append(m.add("C", 1.535 * np.array([math.sin(alpha) * math.cos(ph), math.sin(alpha) * math.sin(ph), -math.cos(alpha)]), bond_to=c))
    m.add("H", (0, 0, 1.113), bond_to=c)
    for k in range(3):
        m.methyl(cs[k], c, cs[(k + 1) % 3], r=1.093, phase=180)
    m = new("glycine")
    n = m.add("N", X)
    ca = m.add("C", (1.455, 0, 0), bond_to=n)
    c = m.place("C", ca, n, (0, 1, 0), 1.526, 112.1, 180)
    o1 = m.place("O", c, ca, n, 1.206, 125.1, 0, order=2)
    o2 = m.place("O", c, ca, n, 1.355, 111.6, 180)
    m.place("H", o2, c, o1, 0.970, 106.0, 0)
    m.sp3_pair(ca, n, c, r=1.093, hch=107.0)
    m.place("H", n, ca, c, 1.014, 110.0, 60)
    m.place("H", n, ca, c, 1.014, 110.0, -60)
    m = new("urea")
    c = m.add("C", X)
    o = m.add("O", (1.221, 0, 0), bond_to=c, order=2)
    for ph in (0, 180):
        n = m.place("N", c, o, (1, 1, 0), 1.378, 122.6, ph)
        m.place("H", n, c, o, 1.010, 119.0, 0)
        m.place("H", n, c, o, 1.010, 121.0, 180)

    # rings
    m = new("cyclopropane")
    idx = ring(m, ["C"] * 3, 1.510, [1] * 3)
    for k in range(3):
        m.sp3_pair(idx[k], idx[(k + 1) % 3], idx[(k + 2) % 3], r=1.083, hch=114.5)
    m = new("cyclohexane")
    # chair: ring atoms at 60 degree steps, radius R, heights +-h; solve for C-C 1.535, C-C-C 111.4
    d, ang = 1.535, math.radians(111.4)
    s13 = 2 * d * math.sin(ang / 2)  # 1,3 distance = R sqrt(3)
    R = s13 / math.sqrt(3)
    h = math.sqrt(max(d * d - R * R, 0)) / 2
    idx = [m.add("C", (R * math.cos(math.pi * k / 3), R * math.sin(math.pi * k / 3), h if k % 2 == 0 else -h)) for k in range(6)]
    for k in range(6):
        m.bond(idx[k], idx[(k + 1) % 6])
    for k in range(6):
        m.sp3_pair(idx[k], idx[(k - 1) % 6], idx[(k + 1) % 6], r=1.097, hch=107.0)
    for name, syms, side, orders, subst in (
        ("benzene", ["C"] * 6, 1.397, [2, 1, 2, 1, 2, 1], {}),
        ("toluene", ["C"] * 6, 1.397, [2, 1, 2, 1, 2, 1], {0: "CH3"}),
        ("phenol", ["C"] * 6, 1.397, [2, 1, 2, 1, 2, 1], {0: "OH"}),
        ("fluorobenzene", ["C"] * 6, 1.397, [2, 1, 2, 1, 2, 1], {0: "F"}),
        ("pyridine", ["N"] + ["C"] * 5, 1.380, [2, 1, 2, 1, 2, 1], {}),
        ("furan", ["O"] + ["C"] * 4, 1.395, [1, 2, 1, 2, 1], {}),
        ("pyrrole", ["N"] + ["C"] * 4, 1.395, [1, 2, 1, 2, 1], {0: "H"}),
    ):
        m = new(name)
        idx = ring(m, syms, side, orders)
        for k, s in enumerate(syms):
            what = subst.get(k, "H" if s == "C" else None)
            if what is None:
                continue
            if what == "H":
                ring_subst(m, idx, k, "H", 1.084 if s == "C" else 1.000)
            elif what == "F":
                ring_subst(m, idx, k, "F", 1.354)
            elif what == "CH3":
                cm = ring_subst(m, idx, k, "C", 1.510)
                m.methyl(cm, idx[k], idx[1], r=1.093, phase=90)
            elif what == "OH":
                o = ring_subst(m, idx, k, "O", 1.364)
                m.place("H", o, idx[k], idx[1], 0.960, 109.0, 0)
    return mols


def check(m):
    P = np.array(m.pos)
    n = len(P)
    assert n <= 20, m.name
    bonded = set()
    for i, j, _, r in m.bonds:
        d = np.linalg.norm(P[i] - P[j])
        assert abs(d - r) < 1e-6, (m.name, i, j, d, r)
        bonded.add((min(i, j), max(i, j)))
    for i in range(n):
        for j in range(i + 1, n):
            d = np.linalg.norm(P[i] - P[j])
            assert d > 0.9, (m.name, "atoms too close", i, j, d)
            near = d < 1.25 * (COV[m.sym[i]] + COV[m.sym[j]])
            assert near == ((i, j) in bonded), (m.name, "bond/geometry mismatch", i, j, d)
    # every atom bonded, valences plausible
    val = [0] * n
    for i, j, o, _ in m.bonds:
        val[i] += o
        val[j] += o
    for i, s in enumerate(m.sym):
        assert val[i] == {"H": 1, "C": 4, "N": 3, "O": 2, "F": 1}[s], (m.name, i, s, val[i])


def write(mols, out):
    with open(os.path.join(out, "examples.xyz"), "w") as f:
        for m in mols:
            f.write("%d\n%s\n" % (len(m.sym), m.name))
            for s, p in zip(m.sym, m.pos):
                f.write("%-2s %12.6f %12.6f %12.6f\n" % (s, p[0], p[1], p[2]))
    with open(os.path.join(out, "examples.extxyz"), "w") as f:
        for m in mols:
            f.write('%d\nname=%s Properties=species:S:1:pos:R:3 pbc="F F F"\n' % (len(m.sym), m.name))
            for s, p in zip(m.sym, m.pos):
                f.write("%-2s %12.6f %12.6f %12.6f\n" % (s, p[0], p[1], p[2]))
    with open(os.path.join(out, "examples.txt"), "w") as f:
        f.write("\n".join("%s\n" % m.name + "".join("%s %.6f %.6f %.6f\n" % (s, p[0], p[1], p[2]) for s, p in zip(m.sym, m.pos)) for m in mols))
    with open(os.path.join(out, "examples.sdf"), "w") as f:
        for m in mols:
            f.write("%s\n  qdfgen            3D\nqdf example library: idealised geometry\n" % m.name)
            f.write("%3d%3d  0  0  0  0  0  0  0  0999 V2000\n" % (len(m.sym), len(m.bonds)))
            for s, p in zip(m.sym, m.pos):
                f.write("%10.4f%10.4f%10.4f %-3s 0  0  0  0  0  0  0  0  0  0  0  0\n" % (p[0], p[1], p[2], s))
            for i, j, o, _ in m.bonds:
                f.write("%3d%3d%3d  0\n" % (i + 1, j + 1, o))
            f.write("M  END\n> <formula>\n%s\n\n$$$$\n" % formula(m))


def formula(m):
    from collections import Counter
    c = Counter(m.sym)
    order = (["C", "H"] if "C" in c else []) + sorted(k for k in c if k not in (("C", "H") if "C" in c else ()))
    return "".join(k + (str(c[k]) if c[k] > 1 else "") for k in order)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    mols = build()
    for m in mols:
        check(m)
    write(mols, out)
    print("%d molecules, %d atoms at most -> %s" % (len(mols), max(len(m.sym) for m in mols), out))


if __name__ == "__main__":
    main()
