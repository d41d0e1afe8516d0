/* op_loss.c: mean-squared error.
 * forward:  pred, target (R x C) -> L (1 x 1) = mean((pred - target)^2)
 * backward: dpred += g * 2 (pred - target) / (R C) */
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"

static void mse_backward(qdf_ctx *ctx, qdf_node *nd) {
    qdf_tensor *p = nd->in[0], *t = nd->in[1];
    const size_t n = qdf_numel(p);
    const real f = 2 * nd->out->grad[0] / (real)n;
    real *gp = qdf_grad(ctx, p);
    for (size_t i = 0; i < n; i++) gp[i] += f * (p->data[i] - t->data[i]);
}

qdf_tensor *qdf_mse(qdf_ctx *ctx, qdf_tensor *pred, qdf_tensor *target) {
    if (pred->rows != target->rows || pred->cols != target->cols) {
        fprintf(stderr, "qdf: mse shape mismatch: %d x %d vs %d x %d\n", pred->rows, pred->cols,
                target->rows, target->cols);
        abort();
    }
    const size_t n = qdf_numel(pred);
    double acc = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)pred->data[i] - target->data[i];
        acc += d * d;
    }
    qdf_tensor *l = qdf_tensor_new(ctx, 1, 1);
    l->data[0] = (real)(n ? acc / (double)n : 0);
    qdf_record(ctx, l, mse_backward, "mse", 2, pred, target);
    return l;
}
