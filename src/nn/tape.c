/* tape.c: see tape.h. */
#include "tape.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

qdf_ctx *qdf_ctx_new(size_t arena_bytes) {
    qdf_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        fprintf(stderr, "qdf: out of memory creating a context\n");
        abort();
    }
    qdf_arena_init(&ctx->arena, arena_bytes);
    ctx->cap_nodes = 256;
    ctx->nodes = malloc(sizeof(qdf_node) * (size_t)ctx->cap_nodes);
    if (!ctx->nodes) abort();
    ctx->grad_enabled = 1;
    return ctx;
}

void qdf_ctx_free(qdf_ctx *ctx) {
    if (!ctx) return;
    qdf_arena_free(&ctx->arena);
    free(ctx->nodes);
    free(ctx);
}

void qdf_ctx_reset(qdf_ctx *ctx) {
    qdf_arena_reset(&ctx->arena);
    ctx->n_nodes = 0;
}

void qdf_ctx_set_grad(qdf_ctx *ctx, int enabled) { ctx->grad_enabled = enabled; }

void *qdf_ctx_alloc(qdf_ctx *ctx, size_t bytes) { return qdf_arena_alloc(&ctx->arena, bytes); }

qdf_tensor *qdf_tensor_new(qdf_ctx *ctx, int rows, int cols) {
    qdf_tensor *t = qdf_arena_alloc(&ctx->arena, sizeof *t);
    memset(t, 0, sizeof *t);
    t->rows = rows;
    t->cols = cols;
    t->data = qdf_arena_alloc(&ctx->arena, sizeof(real) * qdf_numel(t));
    return t;
}

qdf_tensor *qdf_tensor_zeros(qdf_ctx *ctx, int rows, int cols) {
    qdf_tensor *t = qdf_tensor_new(ctx, rows, cols);
    memset(t->data, 0, sizeof(real) * qdf_numel(t));
    return t;
}

qdf_tensor *qdf_tensor_wrap(qdf_ctx *ctx, int rows, int cols, real *data) {
    qdf_tensor *t = qdf_arena_alloc(&ctx->arena, sizeof *t);
    memset(t, 0, sizeof *t);
    t->rows = rows;
    t->cols = cols;
    t->data = data;
    return t;
}

qdf_node *qdf_record(qdf_ctx *ctx, qdf_tensor *out, qdf_backward_fn backward,
                     const char *op, int n_in, ...) {
    qdf_tensor *in[QDF_MAX_INPUTS] = {0};
    int any = 0;
    va_list ap;
    va_start(ap, n_in);
    for (int i = 0; i < n_in; i++) {
        in[i] = va_arg(ap, qdf_tensor *);
        if (in[i] && in[i]->requires_grad) any = 1;
    }
    va_end(ap);
    out->requires_grad = any && ctx->grad_enabled;
    if (!out->requires_grad) return NULL;
    if (ctx->n_nodes == ctx->cap_nodes) {
        /* Grows only while the tape is longer than ever before. */
        ctx->cap_nodes *= 2;
        ctx->nodes = realloc(ctx->nodes, sizeof(qdf_node) * (size_t)ctx->cap_nodes);
        if (!ctx->nodes) abort();
    }
    qdf_node *n = &ctx->nodes[ctx->n_nodes++];
    memset(n, 0, sizeof *n);
    n->backward = backward;
    n->op = op;
    n->out = out;
    n->n_in = n_in;
    for (int i = 0; i < n_in; i++) n->in[i] = in[i];
    return n;
}

real *qdf_grad(qdf_ctx *ctx, qdf_tensor *t) {
    if (!t->grad) t->grad = qdf_arena_calloc(&ctx->arena, sizeof(real) * qdf_numel(t));
    return t->grad;
}

real *qdf_grad_for_gemm(qdf_ctx *ctx, qdf_tensor *t, real *beta) {
    *beta = t->grad ? 1 : 0;
    if (!t->grad) t->grad = qdf_arena_alloc(&ctx->arena, sizeof(real) * qdf_numel(t));
    return t->grad;
}

void qdf_backward(qdf_ctx *ctx, qdf_tensor *loss) {
    if (loss && !loss->grad) {
        real *g = qdf_grad(ctx, loss);
        for (size_t i = 0; i < qdf_numel(loss); i++) g[i] = 1;
    }
    for (int i = ctx->n_nodes - 1; i >= 0; i--) {
        qdf_node *n = &ctx->nodes[i];
        if (n->out->grad) n->backward(ctx, n);
    }
}
