/* op_segment.c: ops within segments (one segment = one molecule's rows).
 *
 * seg_col_l2norm: x (R x C) -> y (R x C); for segment s, column j:
 *     d_sj = max(||x_sj||, eps), y = c_s x / d_sj            (eps = 1e-12)
 *     dx = c_s (g / d_sj - x (g . x_sj) / d_sj^3)   if ||x_sj|| > eps
 *     dx = c_s g / eps                              otherwise (clamped, as PyTorch)
 * seg_sum:  x (R x C) -> y (S x C) = sum of segment rows;  dx[r] += g[seg(r)]
 * seg_mean: as seg_sum divided by the segment's row count
 * seg_broadcast: s (S x C) -> y (R x C), y[r] = s[seg(r)];  ds[s] += sum of g over its rows */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

#define NORM_EPS 1e-12

qdf_segs qdf_segs_copy(qdf_ctx *ctx, const int *off, int n) {
    int *c = qdf_ctx_alloc(ctx, sizeof(int) * (size_t)(n + 1));
    memcpy(c, off, sizeof(int) * (size_t)(n + 1));
    qdf_segs s = {n, c};
    return s;
}

static void check_segs(const qdf_tensor *x, qdf_segs segs, const char *op) {
    if (segs.off[0] != 0 || segs.off[segs.n] != x->rows) {
        fprintf(stderr, "qdf: %s: segments cover rows %d..%d of a %d-row tensor\n", op,
                segs.off[0], segs.off[segs.n], x->rows);
        abort();
    }
}

static void l2norm_backward(qdf_ctx *ctx, qdf_node *nd) {
    qdf_tensor *x = nd->in[0];
    const int C = x->cols;
    const real *norm = nd->aux;            /* S x C raw norms */
    const real *scale = norm + (size_t)nd->segs.n * C;  /* S scales */
    real *gx = qdf_grad(ctx, x);
    const real *g = nd->out->grad;
#pragma omp parallel for if (x->rows * (size_t)C > 65536) schedule(dynamic)
    for (int s = 0; s < nd->segs.n; s++) {
        const int r0 = nd->segs.off[s], r1 = nd->segs.off[s + 1];
        const real *ns = norm + (size_t)s * C;
        double dot[C > 0 ? C : 1];
        for (int j = 0; j < C; j++) dot[j] = 0;
        /* omp simd: GCC 12 at -O2 (very cheap cost model) leaves these loops scalar */
        for (int r = r0; r < r1; r++)
#pragma omp simd
            for (int j = 0; j < C; j++) dot[j] += (double)g[(size_t)r * C + j] * x->data[(size_t)r * C + j];
        /* per column: dx = a_j g - b_j x, with the branch and the divisions
         * taken out of the row loop so that it vectorises (the per-element
         * form was 6.3% of a training step, session-2 profile) */
        double a[C > 0 ? C : 1], b[C > 0 ? C : 1];
        for (int j = 0; j < C; j++) {
            const double d = ns[j];
            a[j] = d > NORM_EPS ? scale[s] / d : scale[s] / NORM_EPS;
            b[j] = d > NORM_EPS ? scale[s] * dot[j] / (d * d * d) : 0;
        }
        for (int r = r0; r < r1; r++) {
            real *gr = gx + (size_t)r * C;
            const real *grow = g + (size_t)r * C, *xr = x->data + (size_t)r * C;
#pragma omp simd
            for (int j = 0; j < C; j++) gr[j] += (real)(a[j] * grow[j] - b[j] * xr[j]);
        }
    }
}

qdf_tensor *qdf_seg_col_l2norm(qdf_ctx *ctx, qdf_tensor *x, qdf_segs segs, const real *scale) {
    check_segs(x, segs, "seg_col_l2norm");
    const int C = x->cols, S = segs.n;
    qdf_tensor *y = qdf_tensor_new(ctx, x->rows, C);
    real *saved = qdf_ctx_alloc(ctx, sizeof(real) * ((size_t)S * C + S + 1));
    real *norm = saved, *sc = saved + (size_t)S * C;
#pragma omp parallel for if (x->rows * (size_t)C > 65536) schedule(dynamic)
    for (int s = 0; s < S; s++) {
        const int r0 = segs.off[s], r1 = segs.off[s + 1];
        double acc[C > 0 ? C : 1];
        for (int j = 0; j < C; j++) acc[j] = 0;
        for (int r = r0; r < r1; r++)
#pragma omp simd
            for (int j = 0; j < C; j++) {
                const double v = x->data[(size_t)r * C + j];
                acc[j] += v * v;
            }
        sc[s] = scale ? scale[s] : 1;
        double f[C > 0 ? C : 1];
        for (int j = 0; j < C; j++) {
            norm[(size_t)s * C + j] = (real)sqrt(acc[j]);
            const double d = sqrt(acc[j]) > NORM_EPS ? sqrt(acc[j]) : NORM_EPS;
            f[j] = sc[s] / d;
        }
        for (int r = r0; r < r1; r++)
#pragma omp simd
            for (int j = 0; j < C; j++) y->data[(size_t)r * C + j] = (real)(x->data[(size_t)r * C + j] * f[j]);
    }
    qdf_node *nd = qdf_record(ctx, y, l2norm_backward, "seg_col_l2norm", 1, x);
    if (nd) {
        nd->aux = saved;
        nd->segs = qdf_segs_copy(ctx, segs.off, S);
    }
    return y;
}

static void pool_backward(qdf_ctx *ctx, qdf_node *nd) {
    qdf_tensor *x = nd->in[0];
    const int C = x->cols, mean = nd->iarg[0];
    real *gx = qdf_grad(ctx, x);
    const real *g = nd->out->grad;
#pragma omp parallel for if (x->rows * (size_t)C > 65536) schedule(dynamic)
    for (int s = 0; s < nd->segs.n; s++) {
        const int r0 = nd->segs.off[s], r1 = nd->segs.off[s + 1];
        const real w = mean && r1 > r0 ? (real)1 / (real)(r1 - r0) : 1;
        for (int r = r0; r < r1; r++)
            for (int j = 0; j < C; j++) gx[(size_t)r * C + j] += w * g[(size_t)s * C + j];
    }
}

static qdf_tensor *pool(qdf_ctx *ctx, qdf_tensor *x, qdf_segs segs, int mean) {
    check_segs(x, segs, mean ? "seg_mean" : "seg_sum");
    const int C = x->cols, S = segs.n;
    qdf_tensor *y = qdf_tensor_zeros(ctx, S, C);
#pragma omp parallel for if (x->rows * (size_t)C > 65536) schedule(dynamic)
    for (int s = 0; s < S; s++) {
        const int r0 = segs.off[s], r1 = segs.off[s + 1];
        real *ys = y->data + (size_t)s * C;
        for (int r = r0; r < r1; r++)
            for (int j = 0; j < C; j++) ys[j] += x->data[(size_t)r * C + j];
        if (mean && r1 > r0)
            for (int j = 0; j < C; j++) ys[j] /= (real)(r1 - r0);
    }
    qdf_node *nd = qdf_record(ctx, y, pool_backward, mean ? "seg_mean" : "seg_sum", 1, x);
    if (nd) {
        nd->iarg[0] = mean;
        nd->segs = qdf_segs_copy(ctx, segs.off, S);
    }
    return y;
}

qdf_tensor *qdf_seg_sum(qdf_ctx *ctx, qdf_tensor *x, qdf_segs segs) { return pool(ctx, x, segs, 0); }
qdf_tensor *qdf_seg_mean(qdf_ctx *ctx, qdf_tensor *x, qdf_segs segs) { return pool(ctx, x, segs, 1); }

static void broadcast_backward(qdf_ctx *ctx, qdf_node *nd) {
    qdf_tensor *s = nd->in[0];
    const int C = s->cols;
    real *gs = qdf_grad(ctx, s);
    const real *g = nd->out->grad;
    for (int k = 0; k < nd->segs.n; k++)
        for (int r = nd->segs.off[k]; r < nd->segs.off[k + 1]; r++)
            for (int j = 0; j < C; j++) gs[(size_t)k * C + j] += g[(size_t)r * C + j];
}

qdf_tensor *qdf_seg_broadcast(qdf_ctx *ctx, qdf_tensor *s, qdf_segs segs) {
    if (s->rows != segs.n) {
        fprintf(stderr, "qdf: seg_broadcast: %d rows for %d segments\n", s->rows, segs.n);
        abort();
    }
    const int C = s->cols, R = segs.off[segs.n];
    qdf_tensor *y = qdf_tensor_new(ctx, R, C);
    for (int k = 0; k < segs.n; k++)
        for (int r = segs.off[k]; r < segs.off[k + 1]; r++)
            memcpy(y->data + (size_t)r * C, s->data + (size_t)k * C, sizeof(real) * C);
    qdf_node *nd = qdf_record(ctx, y, broadcast_backward, "seg_broadcast", 1, s);
    if (nd) nd->segs = qdf_segs_copy(ctx, segs.off, segs.n);
    return y;
}
