/* op_gather.c: row gather (embedding lookup).
 * forward:  table (V x C), idx[n] -> out (n x C), out[i, :] = table[idx[i], :]
 * backward: d table[idx[i], :] += d out[i, :]   (scatter-add; repeated indices add up) */
#include <string.h>

#include "ops.h"

static void gather_backward(qdf_ctx *ctx, qdf_node *n) {
    qdf_tensor *table = n->in[0];
    if (!table->requires_grad) return;
    const int *idx = n->aux;
    const int C = table->cols;
    real *gt = qdf_grad(ctx, table);
    const real *go = n->out->grad;
    for (int i = 0; i < n->out->rows; i++) {
        real *dst = gt + (size_t)idx[i] * C;
        const real *src = go + (size_t)i * C;
        for (int j = 0; j < C; j++) dst[j] += src[j];
    }
}

qdf_tensor *qdf_gather_rows(qdf_ctx *ctx, qdf_tensor *table, const int *idx, int n) {
    const int C = table->cols;
    qdf_tensor *out = qdf_tensor_new(ctx, n, C);
    for (int i = 0; i < n; i++)
        memcpy(out->data + (size_t)i * C, table->data + (size_t)idx[i] * C, sizeof(real) * C);
    qdf_node *node = qdf_record(ctx, out, gather_backward, "gather_rows", 1, table);
    if (node) {
        int *copy = qdf_ctx_alloc(ctx, sizeof(int) * (size_t)(n > 0 ? n : 1));
        memcpy(copy, idx, sizeof(int) * (size_t)n);
        node->aux = copy;
    }
    return out;
}
