/* op_dropout.c: inverted dropout (Srivastava et al. 2014), x (R x C) -> y:
 *   y[i] = x[i] m[i] / (1 - p),  m[i] = 1 with probability 1 - p, else 0
 *   dx[i] += g[i] m[i] / (1 - p)
 * The mask is a function of (key, i) only (qdf_hash64, counter-based), so it
 * needs no storage: the backward recomputes it, every thread draws its own
 * elements, and a run that repeats the key (a resumed training) repeats the
 * mask. Prediction does not call it: the 1 / (1 - p) keeps the expected
 * activation of training equal to the undropped one. */
#include "ops.h"
#include "rng.h"

#define PAR_FOR _Pragma("omp parallel for if (n > 65536) schedule(static)") for

/* element i is kept when its 53-bit uniform is >= p */
static inline int kept(uint64_t key, size_t i, double p) {
    return (double)(qdf_hash64(key ^ qdf_hash64((uint64_t)i)) >> 11) * 0x1.0p-53 >= p;
}

static uint64_t key_of(const qdf_node *nd) {
    return (uint64_t)(uint32_t)nd->iarg[0] << 32 | (uint32_t)nd->iarg[1];
}

static void dropout_backward(qdf_ctx *ctx, qdf_node *nd) {
    qdf_tensor *x = nd->in[0];
    real *gx = qdf_grad(ctx, x);
    const real *g = nd->out->grad;
    const double p = nd->rarg[0];
    const real s = nd->rarg[1];
    const uint64_t key = key_of(nd);
    const size_t n = qdf_numel(x);
    PAR_FOR (size_t i = 0; i < n; i++) if (kept(key, i, p)) gx[i] += g[i] * s;
}

qdf_tensor *qdf_dropout(qdf_ctx *ctx, qdf_tensor *x, double p, uint64_t key) {
    if (!(p > 0)) return x;
    qdf_tensor *y = qdf_tensor_new(ctx, x->rows, x->cols);
    const double pr = (double)(real)p; /* the backward reads p back as a real */
    const real s = (real)(1.0 / (1.0 - pr));
    const size_t n = qdf_numel(x);
    PAR_FOR (size_t i = 0; i < n; i++) y->data[i] = kept(key, i, pr) ? x->data[i] * s : 0;
    qdf_node *nd = qdf_record(ctx, y, dropout_backward, "dropout", 1, x);
    if (nd) {
        nd->iarg[0] = (int)(uint32_t)(key >> 32);
        nd->iarg[1] = (int)(uint32_t)key;
        nd->rarg[0] = (real)pr;
        nd->rarg[1] = s;
    }
    return y;
}
