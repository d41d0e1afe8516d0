/* potential.c: see potential.h. */
#include "potential.h"

#include <math.h>
#include <string.h>

int qdf_potential_from_name(const char *name) {
    if (strcmp(name, "gaussian") == 0) return QDF_POT_GAUSSIAN;
    if (strcmp(name, "coulomb") == 0) return QDF_POT_COULOMB;
    return -1;
}

const char *qdf_potential_name(qdf_potential_kind k) { return k == QDF_POT_COULOMB ? "coulomb" : "gaussian"; }

void qdf_potential_eval(const qdf_field *f, qdf_potential_kind kind, double smear, real *out) {
#pragma omp parallel for schedule(dynamic)
    for (int s = 0; s < f->n_mol; s++) {
        for (int p = f->pt_off[s]; p < f->pt_off[s + 1]; p++) {
            const double *pt = f->points + 3 * (size_t)p;
            double v = 0;
            for (int a = f->atom_off[s]; a < f->atom_off[s + 1]; a++) {
                const double *R = f->atom_xyz + 3 * a;
                const double dx = pt[0] - R[0], dy = pt[1] - R[1], dz = pt[2] - R[2];
                const double d2 = dx * dx + dy * dy + dz * dz;
                if (kind == QDF_POT_GAUSSIAN) {
                    v -= f->atom_z[a] * exp(-d2);
                } else {
                    const double d = sqrt(d2);
                    v -= f->atom_z[a] * (d > 1e-8 * smear ? erf(d / smear) / d : 2 / (smear * sqrt(M_PI)));
                }
            }
            out[p] = (real)v;
        }
    }
}
