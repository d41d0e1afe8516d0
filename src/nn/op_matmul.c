/* op_matmul.c: matrix products.
 *
 * qdf_matmul: out (M x N) = op(A) op(B), op(X) = X or X^T
 *   dA = dOut op(B)^T (or its transpose when A was transposed)
 *   dB = op(A)^T dOut (or its transpose when B was transposed)
 * qdf_block_matmul: for each segment s, out_s (R_s x N) = A_s (R_s x K_s) B_s (K_s x N)
 *   dA_s = dOut_s B_s^T,  dB_s = A_s^T dOut_s */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "gemm.h"
#include "ops.h"

static void matmul_backward(qdf_ctx *ctx, qdf_node *n) {
    qdf_tensor *a = n->in[0], *b = n->in[1], *out = n->out;
    const int ta = n->iarg[0], tb = n->iarg[1];
    const int M = out->rows, N = out->cols, K = n->iarg[2];
    const real *g = out->grad;
    if (a->requires_grad) {
        real beta;
        real *ga = qdf_grad_for_gemm(ctx, a, &beta);
        if (!ta) /* dA (M x K) = g (M x N) op(B)^T */
            qdf_gemm(0, !tb, M, K, N, 1, g, N, b->data, b->cols, beta, ga, a->cols);
        else     /* dA (K x M) = op(B) (K x N) g^T */
            qdf_gemm(tb, 1, K, M, N, 1, b->data, b->cols, g, N, beta, ga, a->cols);
    }
    if (b->requires_grad) {
        real beta;
        real *gb = qdf_grad_for_gemm(ctx, b, &beta);
        if (!tb) /* dB (K x N) = op(A)^T (K x M) g */
            qdf_gemm(!ta, 0, K, N, M, 1, a->data, a->cols, g, N, beta, gb, b->cols);
        else     /* dB (N x K) = g^T (N x M) op(A) */
            qdf_gemm(1, ta, N, K, M, 1, g, N, a->data, a->cols, beta, gb, b->cols);
    }
}

qdf_tensor *qdf_matmul(qdf_ctx *ctx, qdf_tensor *a, qdf_tensor *b, int trans_a, int trans_b) {
    const int M = trans_a ? a->cols : a->rows, K = trans_a ? a->rows : a->cols;
    const int Kb = trans_b ? b->cols : b->rows, N = trans_b ? b->rows : b->cols;
    if (K != Kb) {
        fprintf(stderr, "qdf: matmul shape mismatch (%d x %d)%s (%d x %d)%s\n", a->rows, a->cols,
                trans_a ? "^T" : "", b->rows, b->cols, trans_b ? "^T" : "");
        abort();
    }
    qdf_tensor *out = qdf_tensor_new(ctx, M, N);
    qdf_gemm(trans_a, trans_b, M, N, K, 1, a->data, a->cols, b->data, b->cols, 0, out->data, N);
    qdf_node *node = qdf_record(ctx, out, matmul_backward, "matmul", 2, a, b);
    if (node) {
        node->iarg[0] = trans_a;
        node->iarg[1] = trans_b;
        node->iarg[2] = K;
    }
    return out;
}

static void block_matmul_backward(qdf_ctx *ctx, qdf_node *n) {
    qdf_tensor *a = n->in[0], *b = n->in[1], *out = n->out;
    const qdf_blocks *bl = n->aux;
    const int N = out->cols;
    real *ga = a->requires_grad ? qdf_grad(ctx, a) : NULL;
    real *gb = b->requires_grad ? qdf_grad(ctx, b) : NULL;
    for (int s = 0; s < bl->row_segs.n; s++) {
        const int r0 = bl->row_segs.off[s], R = bl->row_segs.off[s + 1] - r0;
        const int k0 = bl->col_segs.off[s], K = bl->col_segs.off[s + 1] - k0;
        if (R == 0 || K == 0) continue;
        const real *g = out->grad + (size_t)r0 * N;
        if (ga) qdf_gemm(0, 1, R, K, N, 1, g, N, b->data + (size_t)k0 * N, N, 1,
                         ga + bl->block_off[s], K);
        if (gb) qdf_gemm(1, 0, K, N, R, 1, a->data + bl->block_off[s], K, g, N, 1,
                         gb + (size_t)k0 * N, N);
    }
}

qdf_tensor *qdf_block_matmul(qdf_ctx *ctx, qdf_tensor *a, const qdf_blocks *bl, qdf_tensor *b) {
    const int S = bl->row_segs.n, N = b->cols;
    assert(bl->col_segs.n == S);
    assert((size_t)qdf_numel(a) == bl->block_off[S]);
    assert(b->rows == bl->col_segs.off[S]);
    qdf_tensor *out = qdf_tensor_new(ctx, bl->row_segs.off[S], N);
    for (int s = 0; s < S; s++) {
        const int r0 = bl->row_segs.off[s], R = bl->row_segs.off[s + 1] - r0;
        const int k0 = bl->col_segs.off[s], K = bl->col_segs.off[s + 1] - k0;
        qdf_gemm(0, 0, R, N, K, 1, a->data + bl->block_off[s], K > 0 ? K : 1,
                 b->data + (size_t)k0 * N, N, 0, out->data + (size_t)r0 * N, N);
    }
    qdf_node *node = qdf_record(ctx, out, block_matmul_backward, "block_matmul", 2, a, b);
    if (node) node->aux = (void *)bl;
    return out;
}
