#!/usr/bin/env python3
"""make_corpus.py: writes the bad-input corpus (deterministic; plain python3).
Expected outcomes are listed in README.md and checked by tests/test_bad_input.c."""
import os

D = os.path.dirname(os.path.abspath(__file__))
WATER = "O 0.000000 0.000000 0.117300\nH 0.000000 0.757200 -0.469200\nH 0.000000 -0.757200 -0.469200\n"
METHANE = ("C 0.000000 0.000000 0.000000\nH 0.627600 0.627600 0.627600\nH 0.627600 -0.627600 -0.627600\n"
           "H -0.627600 0.627600 -0.627600\nH -0.627600 -0.627600 0.627600\n")


def w(name, text, mode="w"):
    with open(os.path.join(D, name), mode) as f:
        f.write(text)


def txt(id_, atoms, target="-10.5"):
    return id_ + "\n" + atoms + (target + "\n" if target is not None else "")


def xyz(comment, atoms, n=None):
    return "%d\n%s\n%s" % (atoms.count("\n") if n is None else n, comment, atoms)


# ---- txt ----
w("txt_truncated.txt", txt("good1", WATER) + "\n" + "cut1\nC 0.0 0.0 0.0\nH 0.5")
w("txt_unknown_element.txt", "\n".join([txt("good1", WATER), txt("bad_xx", "Xx 0 0 0\nH 1 0 0\n"), txt("good2", METHANE)]))
w("txt_nan_inf.txt", "\n".join([txt("good1", WATER), txt("bad_nan", "O nan 0 0\nH 1 0 0\n"),
                                 txt("good2", METHANE), txt("bad_inf", "O 0 0 0\nH inf 0 0\n")]))
w("txt_same_position.txt", "\n".join([txt("bad_dup", "O 0 0 0\nH 1 0 0\nH 1 0 0\n"), txt("good1", WATER)]))
w("txt_bad_number.txt", "\n".join([txt("bad_dots", "C 1.0.0 2 3\nH 0 0 0\n"), txt("bad_exp", "C 0 0 0\nH 1e 2 3\n"),
                                    txt("bad_hex", "C 0x10 0 0\nH 0 0 0\n"), txt("good1", WATER),
                                    txt("bad_target", WATER, "-1.2.3")]))
w("txt_missing_target.txt", "\n".join([txt("good1", WATER), txt("no_target", METHANE, None), txt("good2", METHANE)]))
w("txt_target_not_last.txt", "\n".join([txt("bad_mid", "O 0 0 0\n-3.5\nH 1 0 0\n", None), txt("good1", WATER)]))
w("txt_empty_block.txt", "\n".join(["only_id\n", txt("good1", WATER)]))
w("txt_too_many_fields.txt", "\n".join([txt("bad_fields", "O 0 0 0 7\nH 1 0 0\n"), txt("good1", WATER)]))
w("txt_crlf.txt", "\n".join([txt("good1", WATER), txt("good2", METHANE)]).replace("\n", "\r\n"))
w("empty.txt", "")
# a NUL byte after the first 64 KiB block: read 1200 good molecules, then an unrecoverable error
w("txt_nul_late.txt", "\n".join(txt("w%04d" % i, WATER) for i in range(1200)) + "\nbad\nO 0 0 0\x00\n", "w")
# ---- xyz ----
w("xyz_too_few_atoms.xyz", xyz("short", METHANE, n=6) + xyz("good1", WATER))
w("xyz_too_many_atoms.xyz", xyz("long", METHANE, n=4) + xyz("good1", WATER))
w("xyz_count_zero.xyz", "0\nempty\n" + xyz("good1", WATER))
big = "".join("C %.3f %.3f %.3f\n" % (1.5 * (i % 8), 1.5 * ((i // 8) % 8), 1.5 * (i // 64)) for i in range(500))
w("xyz_500_atoms.xyz", xyz("big500", big) + xyz("good1", WATER))
w("xyz_bad_count.xyz", "five\nbad count\n" + WATER + "-3\nnegative\n" + WATER + xyz("good1", WATER))
w("xyz_truncated.xyz", xyz("good1", WATER) + "3\ncut\nO 0 0 0\n")
w("xyz_unknown_element.xyz", xyz("bad_q", "O 0 0 0\nQ 1 0 0\nH 0 1 0\n") + xyz("good1", WATER) + xyz("bad_z", "O 0 0 0\n99 1 0 0\n"))
w("xyz_same_position.xyz", xyz("dup", "O 0 0 0\nH 0.05 0 0\n") + xyz("good1", WATER))
# ---- extended xyz ----
w("extxyz_bad_energy.extxyz",
  xyz("name=bad_e energy=abc Properties=species:S:1:pos:R:3", WATER)
  + xyz("name=nan_e energy=nan", WATER)
  + xyz('name=good1 energy_kcal_mol=-230.605 Lattice="10 0 0 0 10 0 0 0 10" pbc="F F F"', WATER)
  + xyz('name=unterminated Lattice="10 0 0', WATER))
# ---- raw QM9 ----
head = ("gdb 1\t157.7118\t157.70997\t157.70699\t0.\t13.21\t-0.3877\t0.1171\t0.5048\t35.3641\t0.044749\t"
        "-40.47893\t-40.476062\t-40.475117\t-40.498597\t6.469\t\n")
atoms = ["C\t-0.0126981359\t 1.0858041578\t 0.0080009958\t-0.535689\n",
         "H\t 0.002150416\t-0.0060313176\t 0.0019761204\t 0.133921\n",
         "H\t 1.0117308433\t 1.4637511618\t 0.0002765748\t 0.133922\n",
         "H\t-0.540815069\t 1.4475266138\t-0.8766437152\t 0.133923\n",
         "H\t-0.5238136345\t 1.4379326443\t 0.9063972942\t 0.133923\n"]
tail = "1341.307\t1341.3284\t1341.365\t1562.6731\t1562.7453\t3038.3205\t3151.6034\t3151.6788\t3151.7078\nC\tC\t\nInChI=1S/CH4/h1H4\tInChI=1S/CH4/h1H4\n"
w("qm9_truncated.xyz", "5\n" + head + "".join(atoms[:3]))
w("qm9_bad_property.xyz", "5\n" + head.replace("13.21", "13.2x1") + "".join(atoms) + tail)
w("qm9_star_exponent.xyz", "5\n" + head.replace("\t0.\t", "\t2.1997*^-6\t") + "".join(atoms[:4])
  + atoms[4].replace(" 0.133923", "1.33923*^-1") + tail)
w("qm9_wrong_count.xyz", "4\n" + head + "".join(atoms) + tail)
# ---- SDF ----
def sdf(name, atoms, bonds, extra=""):
    s = "%s\n  qdfgen            3D\n\n%3d%3d  0  0  0  0  0  0  0  0999 V2000\n" % (name, len(atoms), len(bonds))
    for sym, x, y, z in atoms:
        s += "%10.4f%10.4f%10.4f %-3s 0  0  0  0  0  0  0  0  0  0  0  0\n" % (x, y, z, sym)
    for a, b in bonds:
        s += "%3d%3d  1  0\n" % (a, b)
    return s + "M  END\n" + extra + "$$$$\n"
WAT = [("O", 0, 0, 0.1173), ("H", 0, 0.7572, -0.4692), ("H", 0, -0.7572, -0.4692)]
WB = [(1, 2), (1, 3)]
w("sdf_v3000.sdf", "v3000\n  qdfgen            3D\n\n  0  0  0     0  0            999 V3000\nM  V30 BEGIN CTAB\nM  END\n$$$$\n"
  + sdf("good1", WAT, WB, "> <energy>\n-5.25\n\n"))
w("sdf_truncated.sdf", sdf("good1", WAT, WB) + sdf("cut", WAT, WB)[:120])
w("sdf_unknown_element.sdf", sdf("bad_xx", [("Xx", 0, 0, 0)] + WAT[1:], WB) + sdf("good1", WAT, WB))
w("sdf_bad_counts.sdf", sdf("bad_counts", WAT, WB).replace("  3  2  0", "abc  2  0", 1)
  + sdf("few_atoms", WAT, WB).replace("  3  2  0", "  4  2  0", 1) + sdf("good1", WAT, WB))
w("sdf_bad_energy.sdf", sdf("bad_e", WAT, WB, "> <energy_eV>\nnot-a-number\n\n") + sdf("good1", WAT, WB, "> <E>\n-1.5\n\n"))
w("sdf_2d.sdf", sdf("flat", WAT, WB).replace("3D", "2D", 1) + sdf("good1", WAT, WB))
w("sdf_no_m_end.sdf", sdf("no_end", WAT, WB).replace("M  END\n", "") + sdf("good1", WAT, WB))
# ---- binary and foreign files ----
x, data = 12345, bytearray()
for _ in range(4096):
    x = (1103515245 * x + 12345) & 0x7FFFFFFF
    data.append((x >> 16) & 0xFF)
w("garbage.xyz", bytes(data), "wb")
w("not_a_model.h5", "This is a text file named .h5; it is not an HDF5 model.\n")
