/* op_linear.c: the dense layer, as torch.nn.Linear, with ReLU optionally fused.
 * forward:  x (n x in), W (out x in), b (1 x out) -> y (n x out) = x W^T + b; relu: max(y, 0)
 * backward: gy' = gy * [y > 0] (relu only)
 *           dx += gy' W            (n x in)
 *           dW += gy'^T x          (out x in)
 *           db += sum_rows gy'     (1 x out), as 1^T gy' by GEMM */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "ops.h"

static void linear_backward(qdf_ctx *ctx, qdf_node *n) {
    qdf_tensor *x = n->in[0], *w = n->in[1], *b = n->in[2], *y = n->out;
    const int N = x->rows, IN = x->cols, OUT = w->rows;
    const size_t total = (size_t)N * OUT;
    const real *g = y->grad;
    if (n->iarg[0]) { /* relu: mask the incoming gradient */
        real *restrict m = qdf_ctx_alloc(ctx, sizeof(real) * (total ? total : 1));
        const real *restrict yd = y->data, *restrict gy = g;
        const long nt = (long)total;
#pragma omp parallel for simd if (nt > 65536) schedule(static)
        for (long i = 0; i < nt; i++) m[i] = yd[i] > 0 ? gy[i] : 0;
        g = m;
    }
    if (x->requires_grad) {
        real beta;
        real *gx = qdf_grad_for_gemm(ctx, x, &beta);
        qdf_gemm(0, 0, N, IN, OUT, 1, g, OUT, w->data, IN, beta, gx, IN);
    }
    if (w->requires_grad) qdf_gemm(1, 0, OUT, IN, N, 1, g, OUT, x->data, IN, 1, qdf_grad(ctx, w), IN);
    if (b && b->requires_grad) {
        /* db += 1^T g' as a 1 x N by N x OUT product (the row loop was 3% of a
         * training step, single-threaded) */
        real *ones = qdf_ctx_alloc(ctx, sizeof(real) * (N > 0 ? N : 1));
        for (int r = 0; r < N; r++) ones[r] = 1;
        qdf_gemm(0, 0, 1, OUT, N, 1, ones, N, g, OUT, 1, qdf_grad(ctx, b), OUT);
    }
}

qdf_tensor *qdf_linear(qdf_ctx *ctx, qdf_tensor *x, qdf_tensor *w, qdf_tensor *b, int relu) {
    const int N = x->rows, IN = x->cols, OUT = w->rows;
    if (w->cols != IN || (b && (b->rows * b->cols != OUT))) {
        fprintf(stderr, "qdf: linear shape mismatch: x %d x %d, W %d x %d\n", N, IN, w->rows, w->cols);
        abort();
    }
    qdf_tensor *y = qdf_tensor_new(ctx, N, OUT);
    qdf_dense_forward(N, IN, OUT, x->data, w->data, b ? b->data : NULL, relu, y->data);
    qdf_node *node = qdf_record(ctx, y, linear_backward, relu ? "linear_relu" : "linear", 3, x, w, b);
    if (node) node->iarg[0] = relu;
    return y;
}
