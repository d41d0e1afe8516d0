/* init_lsuv.c: see init_lsuv.h. */
#include "init_lsuv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "ops.h"

/* Normalise the units of one layer on input x (n x in_f): W (out_f x in_f),
 * b (out_f); then y (n x out_f) = relu or identity of the new pre-activation. */
static void normalise_layer(const real *x, int n, int in_f, qdf_tensor *W, qdf_tensor *b, int relu, real *y) {
    const int out_f = W->rows;
    qdf_dense_forward(n, in_f, out_f, x, W->data, NULL, 0, y);
    for (int j = 0; j < out_f; j++) {
        double s = 0, ss = 0;
        for (int r = 0; r < n; r++) {
            const double v = y[(size_t)r * out_f + j];
            s += v;
            ss += v * v;
        }
        const double mean = s / n, var = ss / n - mean * mean;
        const double sd = var > 1e-30 ? sqrt(var) : 0;
        if (sd > 0) {
            for (int i = 0; i < in_f; i++) W->data[(size_t)j * in_f + i] = (real)(W->data[(size_t)j * in_f + i] / sd);
            b->data[j] = (real)(-mean / sd);
        } else {
            b->data[j] = 0;
        }
    }
    qdf_dense_forward(n, in_f, out_f, x, W->data, b->data, relu, y);
}

/* The energy readout (property W: n_out x D, b: n_out) on the pooled last
 * functional activations (S x D, one row per sample molecule): each output
 * row rescaled so that the sample's predictions have mean 0 and standard
 * deviation QDF_LSUV_READOUT_SD (model units). */
static void scale_readout(const qdf_tensor *pooled, qdf_tensor *W, qdf_tensor *b) {
    const int S = pooled->rows, D = pooled->cols;
    for (int o = 0; o < W->rows; o++) {
        double sum = 0, ss = 0;
        for (int s = 0; s < S; s++) {
            double e = 0;
            for (int i = 0; i < D; i++) e += (double)pooled->data[(size_t)s * D + i] * W->data[(size_t)o * D + i];
            sum += e;
            ss += e * e;
        }
        const double mean = sum / S, var = ss / S - mean * mean;
        const double c = var > 1e-30 ? QDF_LSUV_READOUT_SD / sqrt(var) : 1;
        for (int i = 0; i < D; i++) W->data[(size_t)o * D + i] = (real)(W->data[(size_t)o * D + i] * c);
        b->data[o] = (real)(-mean * c);
    }
}

int qdf_init_lsuv(qdf_ctx *ctx, qdf_model *m, const qdf_dataset *d, int n_sample, char *err, int errlen) {
    const qdf_molecule *mols[64];
    if (n_sample > 64) n_sample = 64;
    const int k = qdf_dataset_sample_even(d, &m->basis, n_sample, mols);
    if (k == 0) {
        snprintf(err, errlen, "lsuv initialisation: no training molecule the model can handle");
        return -1;
    }
    const int was = ctx->grad_enabled;
    qdf_ctx_set_grad(ctx, 0);
    qdf_ctx_reset(ctx);
    qdf_field f;
    if (qdf_field_build(ctx, &f, mols, k, &m->basis, &m->grid, m->hp.frame, err, errlen) != 0) {
        qdf_ctx_set_grad(ctx, was);
        return -1;
    }
    qdf_forward_out o;
    qdf_model_forward(ctx, m, &f, 0, 1, &o);
    const int P = o.psi->rows, D = m->hp.dim, H = m->hp.hidden_HK;
    const int W_ = D > H ? D : H;
    real *a = malloc(sizeof(real) * (size_t)P * W_), *b = malloc(sizeof(real) * (size_t)P * W_);
    /* energy functional */
    memcpy(a, o.psi->data, sizeof(real) * (size_t)P * D);
    for (int l = 0; l < m->hp.layer_functional; l++) {
        normalise_layer(a, P, D, m->fW[l], m->fb[l], 1, b);
        real *t = a;
        a = b;
        b = t;
    }
    /* the model's own pooling (as qdf_model_forward) of the last activations */
    qdf_tensor *h = qdf_tensor_wrap(ctx, P, D, a);
    scale_readout(m->hp.pool_mean ? qdf_seg_mean(ctx, h, f.pt_segs) : qdf_seg_sum(ctx, h, f.pt_segs), m->propW,
                  m->propb);
    /* Hohenberg-Kohn map: rho -> density layer (no activation) -> HK layers */
    memcpy(a, o.rho->data, sizeof(real) * (size_t)P);
    normalise_layer(a, P, 1, m->densW, m->densb, 0, b);
    for (int l = 0; l < m->hp.layer_HK; l++) {
        normalise_layer(b, P, H, m->hkW[l], m->hkb[l], 1, a);
        real *t = a;
        a = b;
        b = t;
    }
    free(a);
    free(b);
    qdf_ctx_reset(ctx);
    qdf_ctx_set_grad(ctx, was);
    return 0;
}
