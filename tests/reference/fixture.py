"""fixture.py: writer of the text fixture format read by tests/support/fixture.c.

A fixture is a sequence of named records:

    # comment lines (anywhere between records)
    array NAME ROWS COLS
    v v v ...          ROWS*COLS values, row-major, %.17g, 8 per line
    int NAME ROWS COLS
    i i i ...
    str NAME
    the string value, one line

Names contain no whitespace. Arrays are always 2-D (a scalar is 1 x 1, a
vector of n is n x 1 unless written otherwise).
"""
import numpy as np


class FixtureWriter:
    def __init__(self, path, header=()):
        self.path = path
        self.names = set()
        self.lines = []
        for h in header:
            for line in str(h).splitlines():
                self.lines.append("# " + line)

    def _name(self, name):
        if not name or any(c.isspace() for c in name):
            raise ValueError("bad fixture name %r" % name)
        if name in self.names:
            raise ValueError("duplicate fixture name %r" % name)
        self.names.add(name)

    @staticmethod
    def _as2d(a):
        if hasattr(a, "detach"):
            a = a.detach().cpu().double().numpy()
        a = np.asarray(a)
        if a.ndim == 0:
            a = a.reshape(1, 1)
        elif a.ndim == 1:
            a = a.reshape(-1, 1)
        elif a.ndim != 2:
            raise ValueError("fixture arrays are 2-D")
        return a

    def comment(self, text):
        for line in str(text).splitlines():
            self.lines.append("# " + line)

    def array(self, name, a):
        self._name(name)
        a = self._as2d(a).astype(np.float64)
        self.lines.append("array %s %d %d" % (name, a.shape[0], a.shape[1]))
        flat = [float(v) for v in a.reshape(-1)]
        for i in range(0, len(flat), 8):
            self.lines.append(" ".join("%.17g" % v for v in flat[i:i + 8]))

    def ints(self, name, a):
        self._name(name)
        a = self._as2d(a)
        if not np.all(np.asarray(a) == np.round(a)):
            raise ValueError("non-integer values in %s" % name)
        a = a.astype(np.int64)
        self.lines.append("int %s %d %d" % (name, a.shape[0], a.shape[1]))
        flat = [int(v) for v in a.reshape(-1)]
        for i in range(0, len(flat), 16):
            self.lines.append(" ".join(str(v) for v in flat[i:i + 16]))

    def string(self, name, s):
        self._name(name)
        s = str(s)
        if "\n" in s:
            raise ValueError("fixture strings are one line")
        self.lines.append("str %s" % name)
        self.lines.append(s)

    def save(self):
        with open(self.path, "w") as f:
            f.write("\n".join(self.lines) + "\n")
