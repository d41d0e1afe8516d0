/* tape.h: the context: memory and the recorded graph of one forward pass.
 *
 * Model code calls op constructors (ops.h); each computes its output at once and,
 * when gradients are on and some input requires one, appends a node to the tape:
 * the op's backward function, its inputs, its output and whatever the op saved.
 * qdf_backward(ctx, loss) seeds d loss / d loss = 1 and runs the nodes in reverse
 * order; each backward adds into the gradients of those inputs that require one
 * (qdf_grad allocates and zeroes them on first use). Parameter gradients
 * accumulate across backward calls until qdf_param_set_zero_grad.
 *
 * Writing a new op (the quantum layer does so) takes three steps:
 *   out = qdf_tensor_new(ctx, rows, cols); fill out->data;
 *   qdf_node *n = qdf_record(ctx, out, my_backward, 2, a, b);
 *   if (n) n->aux = what backward needs (arena memory from qdf_ctx_alloc);
 * and a backward `void my_backward(qdf_ctx *ctx, qdf_node *n)` that reads
 * n->out->grad and adds into qdf_grad(ctx, n->in[i]) for inputs with
 * requires_grad set. */
#ifndef QDF_TAPE_H
#define QDF_TAPE_H

#include <stddef.h>

#include "arena.h"
#include "tensor.h"

#define QDF_MAX_INPUTS 4

struct qdf_ctx;
struct qdf_node;
typedef void (*qdf_backward_fn)(struct qdf_ctx *ctx, struct qdf_node *node);

typedef struct qdf_node {
    qdf_backward_fn backward;
    const char *op;                 /* op name, for diagnostics */
    qdf_tensor *out;
    qdf_tensor *in[QDF_MAX_INPUTS];
    int n_in;
    void *aux;                      /* op-specific saved state (arena) */
    int iarg[4];
    real rarg[2];
    qdf_segs segs;                  /* for segment ops */
} qdf_node;

typedef struct qdf_ctx {
    qdf_arena arena;
    qdf_node *nodes;
    int n_nodes, cap_nodes;
    int grad_enabled;   /* 0: ops record nothing (prediction) */
} qdf_ctx;

qdf_ctx *qdf_ctx_new(size_t arena_bytes);
void qdf_ctx_free(qdf_ctx *ctx);
/* Forget the tape and every activation; keep the memory. */
void qdf_ctx_reset(qdf_ctx *ctx);
void qdf_ctx_set_grad(qdf_ctx *ctx, int enabled);

void *qdf_ctx_alloc(qdf_ctx *ctx, size_t bytes);
qdf_tensor *qdf_tensor_new(qdf_ctx *ctx, int rows, int cols);   /* uninitialised data */
qdf_tensor *qdf_tensor_zeros(qdf_ctx *ctx, int rows, int cols);
/* Wrap caller-owned constant data (an input or a target); requires no gradient. */
qdf_tensor *qdf_tensor_wrap(qdf_ctx *ctx, int rows, int cols, real *data);

/* Append a node if gradients are on and an input requires a gradient; sets
 * out->requires_grad accordingly. Returns the node (to attach aux) or NULL. */
qdf_node *qdf_record(qdf_ctx *ctx, qdf_tensor *out, qdf_backward_fn backward,
                     const char *op, int n_in, ...);

/* The gradient buffer of t, allocated and zeroed on first use. */
real *qdf_grad(qdf_ctx *ctx, qdf_tensor *t);

/* The gradient buffer of t for a writer that overwrites every element when
 * *beta is 0 (a GEMM's C = alpha op(A) op(B) + beta C): on first use it is
 * allocated without zeroing and *beta = 0; afterwards *beta = 1 (accumulate).
 * Zeroing fresh activation gradients was 3.1% of a training step (session-2
 * profile). */
real *qdf_grad_for_gemm(qdf_ctx *ctx, qdf_tensor *t, real *beta);

/* Reverse pass from a 1 x 1 loss (seed 1) or from any tensor whose grad the
 * caller has filled (seed NULL keeps it). */
void qdf_backward(qdf_ctx *ctx, qdf_tensor *loss);

#endif
