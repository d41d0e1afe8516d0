/* readout.c: see readout.h. */
#include "readout.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"

/* LAPACK (OpenBLAS ships it): solve A X = B for symmetric positive definite A. */
void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda, double *b, const int *ldb,
            int *info);

#define N_FOLDS 5

/* Sufficient statistics of a set of rows: G = X^T X (upper), sx = X^T 1,
 * R = X^T Y, sy = Y^T 1, n. X is n x F, Y is n x K, both row-major. */
typedef struct stats {
    double *G, *sx, *R, *sy;
    int n;
} stats;

static void stats_alloc(stats *s, int F, int K) {
    s->G = calloc((size_t)F * F, sizeof(double));
    s->sx = calloc((size_t)F, sizeof(double));
    s->R = calloc((size_t)F * K, sizeof(double));
    s->sy = calloc((size_t)K, sizeof(double));
    s->n = 0;
}

static void stats_free(stats *s) {
    free(s->G);
    free(s->sx);
    free(s->R);
    free(s->sy);
}

static void stats_of(stats *s, const double *X, const double *Y, int n, int F, int K) {
    s->n = n;
    if (n == 0) return;
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, F, n, 1.0, X, F, 0.0, s->G, F);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, F, K, n, 1.0, X, F, Y, K, 0.0, s->R, K);
    for (int i = 0; i < n; i++) {
        for (int f = 0; f < F; f++) s->sx[f] += X[(size_t)i * F + f];
        for (int k = 0; k < K; k++) s->sy[k] += Y[(size_t)i * K + k];
    }
}

/* Ridge with an unpenalised intercept from the statistics all - minus (minus
 * may be NULL): w (F x K), b (K). 0, or the LAPACK info. */
static int ridge_solve(const stats *all, const stats *minus, int F, int K, double lambda, double *A, double *w,
                       double *b) {
    const int n = all->n - (minus ? minus->n : 0);
    if (n < 2) return -1;
    for (int i = 0; i < F; i++) {
        const double si = all->sx[i] - (minus ? minus->sx[i] : 0);
        for (int j = i; j < F; j++) {
            const double sj = all->sx[j] - (minus ? minus->sx[j] : 0);
            const double g = all->G[(size_t)i * F + j] - (minus ? minus->G[(size_t)i * F + j] : 0);
            A[(size_t)i * F + j] = g - si * sj / n + (i == j ? lambda * n : 0);
        }
        for (int k = 0; k < K; k++) {
            const double sy = all->sy[k] - (minus ? minus->sy[k] : 0);
            w[(size_t)i * K + k] = all->R[(size_t)i * K + k] - (minus ? minus->R[(size_t)i * K + k] : 0) - si * sy / n;
        }
    }
    /* A is row-major upper = column-major lower; w is row-major F x K, so hand
     * LAPACK its transpose layout one column at a time */
    int info = 0;
    double *col = malloc(sizeof(double) * (size_t)F);
    double *Ak = malloc(sizeof(double) * (size_t)F * F);
    for (int k = 0; k < K && info == 0; k++) {
        memcpy(Ak, A, sizeof(double) * (size_t)F * F);
        for (int i = 0; i < F; i++) col[i] = w[(size_t)i * K + k];
        const int one = 1;
        dposv_("L", &F, &one, Ak, &F, col, &F, &info);
        for (int i = 0; i < F; i++) w[(size_t)i * K + k] = col[i];
    }
    free(col);
    free(Ak);
    for (int k = 0; k < K; k++) {
        double s = all->sy[k] - (minus ? minus->sy[k] : 0);
        for (int i = 0; i < F; i++) s -= (all->sx[i] - (minus ? minus->sx[i] : 0)) * w[(size_t)i * K + k];
        b[k] = s / n;
    }
    return info;
}

/* Sum of |b + x_i w - y_i| over rows i = i0, i0 + step, ... < n and the K
 * outputs (X n x F, Y n x K, w F x K, row-major); *count gets the terms. */
static double abs_residual_sum(const double *X, const double *Y, int n, int F, int K, const double *w,
                               const double *b, int i0, int step, long *count) {
    double sae = 0;
    long c = 0;
    for (int i = i0; i < n; i += step)
        for (int k = 0; k < K; k++) {
            double p = b[k];
            for (int f = 0; f < F; f++) p += X[(size_t)i * F + f] * w[(size_t)f * K + k];
            sae += fabs(p - Y[(size_t)i * K + k]);
            c++;
        }
    *count = c;
    return sae;
}

int qdf_readout_refit(qdf_ctx *ctx, qdf_model *m, const qdf_dataset *d, int batch, qdf_readout_fit *fit,
                      char *err, int errlen) {
    const int D = m->hp.dim, K = m->hp.n_out;
    int zs[QDF_MAX_Z + 1], nz = 0;
    if (m->use_atomref)
        for (int z = 1; z <= QDF_MAX_Z; z++)
            if (m->elements[z]) zs[nz++] = z;
    const int F = D + nz;
    /* the pooled features land in X itself (n x D), are spread out in place to
     * rows of F (the last row first: a row never moves onto a row still to be
     * moved), and then compacted to the usable molecules: one n x F buffer */
    double *X = malloc(sizeof(double) * (size_t)(d->n + 1) * F);
    double *Y = malloc(sizeof(double) * (size_t)(d->n + 1) * K);
    qdf_pooled_many(ctx, m, d->mols, d->n, batch, X);
    for (int i = d->n - 1; i >= 0 && F > D; i--) memmove(X + (size_t)i * F, X + (size_t)i * D, sizeof(double) * D);
    int n = 0;
    for (int i = 0; i < d->n; i++) {
        if (!isfinite(X[(size_t)i * F]) || d->mols[i].n_targets < K) continue;
        if (n != i) memmove(X + (size_t)n * F, X + (size_t)i * F, sizeof(double) * D);
        for (int k = 0; k < nz; k++) {
            int c = 0;
            for (int a = 0; a < d->mols[i].n_atoms; a++) c += d->mols[i].z[a] == zs[k];
            X[(size_t)n * F + D + k] = c;
        }
        for (int k = 0; k < K; k++) Y[(size_t)n * K + k] = qdf_model_target(m, &d->mols[i], k);
        n++;
    }
    /* the readout as it was, on the same features (no second forward pass) */
    double sae_before = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < K; k++) {
            double p = m->propb->data[k];
            for (int f = 0; f < D; f++) p += (double)m->propW->data[(size_t)k * D + f] * X[(size_t)i * F + f];
            sae_before += fabs(p - Y[(size_t)i * K + k]);
        }
    int rc = 0;
    if (n < 2 * N_FOLDS) {
        snprintf(err, errlen, "readout refit: %d usable molecules are too few", n);
        rc = -1;
        goto out_early;
    }
    /* standardise the features (a fixed affine map; the ridge penalty acts on
     * standardised weights) */
    double *mu = calloc((size_t)F, sizeof(double)), *sd = calloc((size_t)F, sizeof(double));
    for (int i = 0; i < n; i++)
        for (int f = 0; f < F; f++) mu[f] += X[(size_t)i * F + f];
    for (int f = 0; f < F; f++) mu[f] /= n;
    for (int i = 0; i < n; i++)
        for (int f = 0; f < F; f++) {
            const double v = X[(size_t)i * F + f] - mu[f];
            sd[f] += v * v;
        }
    for (int f = 0; f < F; f++) {
        sd[f] = sqrt(sd[f] / n);
        if (!(sd[f] > 1e-12 * (1 + fabs(mu[f])))) sd[f] = 0; /* constant feature: weight 0 */
    }
    for (int i = 0; i < n; i++)
        for (int f = 0; f < F; f++) {
            double *x = &X[(size_t)i * F + f];
            *x = sd[f] > 0 ? (*x - mu[f]) / sd[f] : 0;
        }
    /* statistics of all rows and of each fold */
    stats all, fold[N_FOLDS];
    stats_alloc(&all, F, K);
    stats_of(&all, X, Y, n, F, K);
    double *Xf = malloc(sizeof(double) * (size_t)(n / N_FOLDS + 1) * F);
    double *Yf = malloc(sizeof(double) * (size_t)(n / N_FOLDS + 1) * K);
    for (int q = 0; q < N_FOLDS; q++) {
        int nf = 0;
        for (int i = q; i < n; i += N_FOLDS, nf++) {
            memcpy(Xf + (size_t)nf * F, X + (size_t)i * F, sizeof(double) * F);
            memcpy(Yf + (size_t)nf * K, Y + (size_t)i * K, sizeof(double) * K);
        }
        stats_alloc(&fold[q], F, K);
        stats_of(&fold[q], Xf, Yf, nf, F, K);
    }
    free(Xf);
    free(Yf);
    double *A = malloc(sizeof(double) * (size_t)F * F);
    double *w = malloc(sizeof(double) * (size_t)F * K), *b = malloc(sizeof(double) * (size_t)K);
    /* the CV curve is flat over decades of small strengths, where the weights
     * are largest (large weights make the next gradient steps on the features
     * move E more): take the strongest ridge within 1% of the best CV MAE */
    double cv[13];
    for (int e = -12; e <= 0; e++) {
        const double lambda = pow(10.0, e);
        double sae = 0;
        long cnt = 0;
        int ok = 1;
        for (int q = 0; q < N_FOLDS; q++) {
            if (ridge_solve(&all, &fold[q], F, K, lambda, A, w, b) != 0) {
                ok = 0;
                break;
            }
            long c;
            sae += abs_residual_sum(X, Y, n, F, K, w, b, q, N_FOLDS, &c);
            cnt += c;
        }
        cv[e + 12] = ok ? sae / cnt * m->target_scale : INFINITY;
    }
    double best = INFINITY, best_lambda = 1;
    for (int e = 0; e <= 12; e++)
        if (cv[e] < best) best = cv[e];
    for (int e = 0; e <= 12; e++)
        if (cv[e] <= 1.01 * best) {
            best_lambda = pow(10.0, e - 12);
            best = cv[e];
        }
    if (!isfinite(best) || ridge_solve(&all, NULL, F, K, best_lambda, A, w, b) != 0) {
        snprintf(err, errlen, "readout refit: the feature system is singular for every ridge strength");
        rc = -1;
    } else {
        long cnt;
        const double sae = abs_residual_sum(X, Y, n, F, K, w, b, 0, 1, &cnt);
        /* back to raw features: W h + b + sum_Z w_Z n_Z */
        for (int k = 0; k < K; k++) {
            double bias = b[k];
            for (int f = 0; f < F; f++) {
                const double wf = sd[f] > 0 ? w[(size_t)f * K + k] / sd[f] : 0;
                bias -= wf * mu[f];
                if (f < D)
                    m->propW->data[(size_t)k * D + f] = (real)wf;
                else
                    m->atomref[k][zs[f - D]] += m->target_scale * wf;
            }
            m->propb->data[k] = (real)bias;
        }
        if (fit) {
            fit->lambda = best_lambda;
            fit->cv_mae_ev = best;
            fit->train_mae_before_ev = sae_before / cnt * m->target_scale;
            fit->train_mae_ev = sae / cnt * m->target_scale;
            fit->n_used = n;
        }
    }
    free(A);
    free(w);
    free(b);
    stats_free(&all);
    for (int q = 0; q < N_FOLDS; q++) stats_free(&fold[q]);
    free(mu);
    free(sd);
out_early:
    free(X);
    free(Y);
    return rc;
}
