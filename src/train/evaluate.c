/* evaluate.c: see evaluate.h. */
#include "evaluate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

/* The energy forward over many molecules: energies in eV (out, n x n_out)
 * and/or the pooled features (pooled, n x dim); NaN rows for molecules the
 * model cannot handle. With hp.orientations = K > 1 both are means over the
 * grid turned by qdf_frame_orientation(0 .. K-1) (E is linear in the pooled
 * features, so the mean E is the readout of the mean features). */
static void forward_many(qdf_ctx *ctx, qdf_model *m, const qdf_molecule *mols, int n, int batch, double *out,
                         double *pooled) {
    const int n_out = out ? m->hp.n_out : 0, D = m->hp.dim;
    const int was = ctx->grad_enabled;
    qdf_ctx_set_grad(ctx, 0);
    const qdf_molecule *ptr[256];
    if (batch > 256) batch = 256;
    if (batch < 1) batch = 1;
    for (int i0 = 0; i0 < n; i0 += batch) {
        const int nb = i0 + batch <= n ? batch : n - i0;
        int k = 0, idx[256];
        for (int i = 0; i < nb; i++) {
            const qdf_molecule *mol = &mols[i0 + i];
            int ok = 1;
            for (int a = 0; a < mol->n_atoms; a++)
                if (!qdf_basis_has(&m->basis, mol->z[a])) ok = 0;
            if (ok) {
                idx[k] = i0 + i;
                ptr[k++] = mol;
            } else {
                for (int j = 0; j < n_out; j++) out[(size_t)(i0 + i) * n_out + j] = NAN;
                for (int j = 0; pooled && j < D; j++) pooled[(size_t)(i0 + i) * D + j] = NAN;
            }
        }
        if (k == 0) continue;
        const int K = m->hp.orientations > 1 ? m->hp.orientations : 1;
        real Esum[256 * QDF_MAX_TARGETS];
        for (int i = 0; i < k * n_out; i++) Esum[i] = 0;
        for (int i = 0; pooled && i < k; i++)
            for (int j = 0; j < D; j++) pooled[(size_t)idx[i] * D + j] = 0;
        int failed = 0;
        for (int r = 0; r < K; r++) {
            qdf_ctx_reset(ctx);
            qdf_field f;
            char err[256];
            if (qdf_field_build(ctx, &f, ptr, k, &m->basis, &m->grid, m->hp.frame, err, sizeof err) != 0) {
                failed = 1;
                break;
            }
            if (r > 0) {
                double *R = qdf_ctx_alloc(ctx, sizeof(double) * 9 * k);
                qdf_frame_orientation(r, R);
                for (int i = 1; i < k; i++) memcpy(R + 9 * i, R, sizeof(double) * 9);
                qdf_field_turn(&f, &m->grid, R);
            }
            qdf_forward_out o;
            qdf_model_forward(ctx, m, &f, 1, 0, &o);
            for (int i = 0; i < k * n_out; i++) Esum[i] += o.E->data[i] / K;
            for (int i = 0; pooled && i < k; i++)
                for (int j = 0; j < D; j++) pooled[(size_t)idx[i] * D + j] += o.pooled->data[(size_t)i * D + j] / K;
        }
        if (failed) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < n_out; j++) out[(size_t)idx[i] * n_out + j] = NAN;
                for (int j = 0; pooled && j < D; j++) pooled[(size_t)idx[i] * D + j] = NAN;
            }
            continue;
        }
        for (int i = 0; i < k; i++)
            for (int j = 0; j < n_out; j++)
                out[(size_t)idx[i] * n_out + j] = qdf_model_energy_ev(m, ptr[i], Esum + (size_t)i * n_out, j);
    }
    qdf_ctx_reset(ctx);
    qdf_ctx_set_grad(ctx, was);
}

void qdf_predict_many(qdf_ctx *ctx, qdf_model *m, const qdf_molecule *mols, int n, int batch, double *out) {
    forward_many(ctx, m, mols, n, batch, out, NULL);
}

void qdf_pooled_many(qdf_ctx *ctx, qdf_model *m, const qdf_molecule *mols, int n, int batch, double *pooled) {
    forward_many(ctx, m, mols, n, batch, NULL, pooled);
}

qdf_errors qdf_errors_of(const qdf_molecule *mols, int n, int n_out, const double *pred) {
    qdf_errors e = {0, 0, 0};
    double sa = 0, ss = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n_out && j < mols[i].n_targets; j++) {
            const double p = pred[(size_t)i * n_out + j];
            if (!isfinite(p)) continue;
            const double d = p - mols[i].target[j];
            sa += fabs(d);
            ss += d * d;
            e.n++;
        }
    if (e.n) {
        e.mae = sa / e.n;
        e.rmse = sqrt(ss / e.n);
    }
    return e;
}

double qdf_dataset_mae(qdf_ctx *ctx, qdf_model *m, const qdf_dataset *d, int batch, double *pred) {
    if (d->n == 0) return NAN;
    double *p = pred ? pred : malloc(sizeof(double) * (size_t)d->n * m->hp.n_out);
    qdf_predict_many(ctx, m, d->mols, d->n, batch, p);
    const double mae = qdf_errors_of(d->mols, d->n, m->hp.n_out, p).mae;
    if (!pred) free(p);
    return mae;
}
