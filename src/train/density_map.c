/* density_map.c: see density_map.h. */
#include "density_map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orbitals.h"

int qdf_density_on_points(qdf_model *m, const qdf_molecule *mol, const double *pts, int n_pts, double *rho_out,
                          char *err, int errlen) {
    const int D = m->hp.dim;
    for (int a = 0; a < mol->n_atoms; a++)
        if (!qdf_basis_has(&m->basis, mol->z[a])) {
            snprintf(err, errlen, "molecule %s: the model has no orbitals for element Z=%d", mol->id, mol->z[a]);
            return -1;
        }
    qdf_ctx *ctx = qdf_ctx_new(4 << 20);
    if (!ctx) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    qdf_ctx_set_grad(ctx, 0);
    qdf_field f;
    const qdf_molecule *mp = mol;
    if (qdf_field_build(ctx, &f, &mp, 1, &m->basis, &m->grid, m->hp.frame, err, errlen) != 0) {
        qdf_ctx_free(ctx);
        return -1;
    }
    const int P = f.pt_off[1] - f.pt_off[0], K = f.orb_off[1] - f.orb_off[0];
    const double scale = sqrt((double)f.n_electrons[0] / D);
    double *raw = malloc(sizeof *raw * (size_t)P * (K ? K : 1));
    double *nk = malloc(sizeof *nk * (K ? K : 1));
    double *C = malloc(sizeof *C * (size_t)(K ? K : 1) * D);   /* K x D: C[k, j] / n_k */
    double *mj = calloc((size_t)D, sizeof *mj);
    if (!raw || !nk || !C || !mj) {
        snprintf(err, errlen, "out of memory");
        free(raw), free(nk), free(C), free(mj);
        qdf_ctx_free(ctx);
        return -1;
    }
    /* n_k: column norms of the raw orbitals over the field points (as basis_matrix) */
    qdf_orbitals_raw(&f, &m->basis, m->zeta->data, 0, f.points, P, raw);
    for (int k = 0; k < K; k++) nk[k] = 0;
    for (int p = 0; p < P; p++)
        for (int k = 0; k < K; k++) nk[k] += raw[(size_t)p * K + k] * raw[(size_t)p * K + k];
    for (int k = 0; k < K; k++) nk[k] = fmax(sqrt(nk[k]), 1e-12);
    /* C: gathered coef with columns normalised over the orbitals (as seg_col_l2norm),
     * folded with 1 / n_k */
    for (int j = 0; j < D; j++) {
        double ss = 0;
        for (int k = 0; k < K; k++) {
            const double c = m->coef->data[(size_t)f.orb_type[k] * D + j];
            ss += c * c;
        }
        const double inv = 1.0 / fmax(sqrt(ss), 1e-12);
        for (int k = 0; k < K; k++)
            C[(size_t)k * D + j] = m->coef->data[(size_t)f.orb_type[k] * D + j] * inv / nk[k];
    }
    /* m_j: column norms of Phi C over the field points */
    {
        double *row = malloc(sizeof *row * D);
        if (!row) {
            snprintf(err, errlen, "out of memory");
            free(raw), free(nk), free(C), free(mj);
            qdf_ctx_free(ctx);
            return -1;
        }
        for (int p = 0; p < P; p++) {
            for (int j = 0; j < D; j++) row[j] = 0;
            for (int k = 0; k < K; k++) {
                const double r = raw[(size_t)p * K + k];
                if (r == 0) continue;
                const double *ck = C + (size_t)k * D;
                for (int j = 0; j < D; j++) row[j] += r * ck[j];
            }
            for (int j = 0; j < D; j++) mj[j] += row[j] * row[j];
        }
        free(row);
        for (int j = 0; j < D; j++) mj[j] = scale / fmax(sqrt(mj[j]), 1e-12);   /* the factor per column */
    }
    /* rho at the points */
    int oom = 0;
#pragma omp parallel
    {
        double *r = malloc(sizeof *r * (K ? K : 1)), *psi = malloc(sizeof *psi * D);
        if (!r || !psi) {
#pragma omp atomic write
            oom = 1;
        }
#pragma omp for schedule(static)
        for (int p = 0; p < n_pts; p++) {
            if (!r || !psi) continue;
            qdf_orbitals_raw(&f, &m->basis, m->zeta->data, 0, pts + 3 * (size_t)p, 1, r);
            for (int j = 0; j < D; j++) psi[j] = 0;
            for (int k = 0; k < K; k++) {
                if (r[k] == 0) continue;
                const double *ck = C + (size_t)k * D;
                for (int j = 0; j < D; j++) psi[j] += r[k] * ck[j];
            }
            double s = 0;
            for (int j = 0; j < D; j++) {
                const double v = psi[j] * mj[j];
                s += v * v;
            }
            rho_out[p] = s;
        }
        free(r);
        free(psi);
    }
    free(raw), free(nk), free(C), free(mj);
    qdf_ctx_free(ctx);
    if (oom) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}
