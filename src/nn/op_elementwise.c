/* op_elementwise.c: elementwise ops; all tensors R x C of equal shape.
 *   relu:   y = max(x, 0)      dx += g [x > 0]
 *   add:    y = a + b          da += g, db += g
 *   sub:    y = a - b          da += g, db -= g
 *   mul:    y = a b            da += g b, db += g a
 *   square: y = x^2            dx += 2 x g
 *   scale:  y = s x            dx += s g
 *   row_sum: x (R x C) -> y (R x 1) = sum_j x[:, j]   dx[:, j] += g */
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"

#define PAR_FOR _Pragma("omp parallel for if (n > 65536) schedule(static)") for

static void same_shape(const qdf_tensor *a, const qdf_tensor *b, const char *op) {
    if (a->rows != b->rows || a->cols != b->cols) {
        fprintf(stderr, "qdf: %s shape mismatch: %d x %d vs %d x %d\n", op, a->rows, a->cols,
                b->rows, b->cols);
        abort();
    }
}

static void relu_backward(qdf_ctx *ctx, qdf_node *nd) {
    qdf_tensor *x = nd->in[0];
    real *gx = qdf_grad(ctx, x);
    const real *g = nd->out->grad;
    const size_t n = qdf_numel(x);
    PAR_FOR (size_t i = 0; i < n; i++) if (x->data[i] > 0) gx[i] += g[i];
}

qdf_tensor *qdf_relu(qdf_ctx *ctx, qdf_tensor *x) {
    qdf_tensor *y = qdf_tensor_new(ctx, x->rows, x->cols);
    const size_t n = qdf_numel(x);
    PAR_FOR (size_t i = 0; i < n; i++) y->data[i] = x->data[i] > 0 ? x->data[i] : 0;
    qdf_record(ctx, y, relu_backward, "relu", 1, x);
    return y;
}

static void addsub_backward(qdf_ctx *ctx, qdf_node *nd) {
    const real *g = nd->out->grad;
    const size_t n = qdf_numel(nd->out);
    const real sb = nd->rarg[0];
    if (nd->in[0]->requires_grad) {
        real *ga = qdf_grad(ctx, nd->in[0]);
        PAR_FOR (size_t i = 0; i < n; i++) ga[i] += g[i];
    }
    if (nd->in[1]->requires_grad) {
        real *gb = qdf_grad(ctx, nd->in[1]);
        PAR_FOR (size_t i = 0; i < n; i++) gb[i] += sb * g[i];
    }
}

static qdf_tensor *addsub(qdf_ctx *ctx, qdf_tensor *a, qdf_tensor *b, real sb, const char *op) {
    same_shape(a, b, op);
    qdf_tensor *y = qdf_tensor_new(ctx, a->rows, a->cols);
    const size_t n = qdf_numel(a);
    PAR_FOR (size_t i = 0; i < n; i++) y->data[i] = a->data[i] + sb * b->data[i];
    qdf_node *nd = qdf_record(ctx, y, addsub_backward, op, 2, a, b);
    if (nd) nd->rarg[0] = sb;
    return y;
}

qdf_tensor *qdf_add(qdf_ctx *ctx, qdf_tensor *a, qdf_tensor *b) { return addsub(ctx, a, b, 1, "add"); }
qdf_tensor *qdf_sub(qdf_ctx *ctx, qdf_tensor *a, qdf_tensor *b) { return addsub(ctx, a, b, -1, "sub"); }

static void mul_backward(qdf_ctx *ctx, qdf_node *nd) {
    qdf_tensor *a = nd->in[0], *b = nd->in[1];
    const real *g = nd->out->grad;
    const size_t n = qdf_numel(a);
    if (a->requires_grad) {
        real *ga = qdf_grad(ctx, a);
        PAR_FOR (size_t i = 0; i < n; i++) ga[i] += g[i] * b->data[i];
    }
    if (b->requires_grad) {
        real *gb = qdf_grad(ctx, b);
        PAR_FOR (size_t i = 0; i < n; i++) gb[i] += g[i] * a->data[i];
    }
}

qdf_tensor *qdf_mul(qdf_ctx *ctx, qdf_tensor *a, qdf_tensor *b) {
    same_shape(a, b, "mul");
    qdf_tensor *y = qdf_tensor_new(ctx, a->rows, a->cols);
    const size_t n = qdf_numel(a);
    PAR_FOR (size_t i = 0; i < n; i++) y->data[i] = a->data[i] * b->data[i];
    qdf_record(ctx, y, mul_backward, "mul", 2, a, b);
    return y;
}

static void square_backward(qdf_ctx *ctx, qdf_node *nd) {
    qdf_tensor *x = nd->in[0];
    real *gx = qdf_grad(ctx, x);
    const real *g = nd->out->grad;
    const size_t n = qdf_numel(x);
    PAR_FOR (size_t i = 0; i < n; i++) gx[i] += 2 * x->data[i] * g[i];
}

qdf_tensor *qdf_square(qdf_ctx *ctx, qdf_tensor *x) {
    qdf_tensor *y = qdf_tensor_new(ctx, x->rows, x->cols);
    const size_t n = qdf_numel(x);
    PAR_FOR (size_t i = 0; i < n; i++) y->data[i] = x->data[i] * x->data[i];
    qdf_record(ctx, y, square_backward, "square", 1, x);
    return y;
}

static void scale_backward(qdf_ctx *ctx, qdf_node *nd) {
    real *gx = qdf_grad(ctx, nd->in[0]);
    const real *g = nd->out->grad, s = nd->rarg[0];
    const size_t n = qdf_numel(nd->out);
    PAR_FOR (size_t i = 0; i < n; i++) gx[i] += s * g[i];
}

qdf_tensor *qdf_scale(qdf_ctx *ctx, qdf_tensor *x, real s) {
    qdf_tensor *y = qdf_tensor_new(ctx, x->rows, x->cols);
    const size_t n = qdf_numel(x);
    PAR_FOR (size_t i = 0; i < n; i++) y->data[i] = s * x->data[i];
    qdf_node *nd = qdf_record(ctx, y, scale_backward, "scale", 1, x);
    if (nd) nd->rarg[0] = s;
    return y;
}

static void row_sum_backward(qdf_ctx *ctx, qdf_node *nd) {
    qdf_tensor *x = nd->in[0];
    real *gx = qdf_grad(ctx, x);
    const real *g = nd->out->grad;
    const int R = x->rows, C = x->cols;
    const size_t n = qdf_numel(x);
    PAR_FOR (int r = 0; r < R; r++)
        for (int j = 0; j < C; j++) gx[(size_t)r * C + j] += g[r];
}

qdf_tensor *qdf_row_sum(qdf_ctx *ctx, qdf_tensor *x) {
    const int R = x->rows, C = x->cols;
    qdf_tensor *y = qdf_tensor_new(ctx, R, 1);
    const size_t n = qdf_numel(x);
    PAR_FOR (int r = 0; r < R; r++) {
        real s = 0;
        for (int j = 0; j < C; j++) s += x->data[(size_t)r * C + j];
        y->data[r] = s;
    }
    qdf_record(ctx, y, row_sum_backward, "row_sum", 1, x);
    return y;
}
