/* ops.h: the op constructors of the engine. Each computes its output now and,
 * when gradients are wanted, records its backward on the tape (tape.h).
 * Shapes are written as rows x cols; "S" is a number of segments. */
#ifndef QDF_OPS_H
#define QDF_OPS_H

#include <stdint.h>

#include "tape.h"

/* out (n x C) = table[idx[i], :]. backward: scatter-add into table. idx is
 * copied. (embedding lookup; table is usually a parameter) */
qdf_tensor *qdf_gather_rows(qdf_ctx *ctx, qdf_tensor *table, const int *idx, int n);

/* out = op(A) op(B); op(X) = X or X^T. A: M x K (or K x M), B: K x N (or N x K). */
qdf_tensor *qdf_matmul(qdf_ctx *ctx, qdf_tensor *a, qdf_tensor *b, int trans_a, int trans_b);

/* Block-diagonal product without padding: for each segment s,
 * out[rows of s] (R_s x N) = A_s (R_s x K_s) B[rows K-segment s] (K_s x N).
 * A holds the blocks (qdf_blocks); B: sum K_s x N; out: sum R_s x N. The
 * blocks descriptor must outlive the tape (put it in the arena). */
qdf_tensor *qdf_block_matmul(qdf_ctx *ctx, qdf_tensor *a, const qdf_blocks *blocks,
                             qdf_tensor *b);

/* out (n x out_f) = x (n x in_f) W^T (W: out_f x in_f) + b (1 x out_f, may be
 * NULL), then ReLU if relu != 0 (fused: one pass, backward masks by out > 0). */
qdf_tensor *qdf_linear(qdf_ctx *ctx, qdf_tensor *x, qdf_tensor *w, qdf_tensor *b, int relu);

/* Inverted dropout: each element kept with probability 1 - p and scaled by
 * 1 / (1 - p), else 0; the mask is a function of (key, element index) only
 * (op_dropout.c). p <= 0 returns x itself. */
qdf_tensor *qdf_dropout(qdf_ctx *ctx, qdf_tensor *x, double p, uint64_t key);

/* Elementwise, same shapes (R x C). */
qdf_tensor *qdf_relu(qdf_ctx *ctx, qdf_tensor *x);
qdf_tensor *qdf_add(qdf_ctx *ctx, qdf_tensor *a, qdf_tensor *b);
qdf_tensor *qdf_sub(qdf_ctx *ctx, qdf_tensor *a, qdf_tensor *b);
qdf_tensor *qdf_mul(qdf_ctx *ctx, qdf_tensor *a, qdf_tensor *b);
qdf_tensor *qdf_square(qdf_ctx *ctx, qdf_tensor *x);
qdf_tensor *qdf_scale(qdf_ctx *ctx, qdf_tensor *x, real s);

/* out (R x 1) = sum over columns of x (R x C). */
qdf_tensor *qdf_row_sum(qdf_ctx *ctx, qdf_tensor *x);

/* Column L2 normalisation within segments: for segment s and column j,
 * out[r, j] = scale[s] * x[r, j] / max(||x[rows of s, j]||_2, 1e-12)
 * (as torch.nn.functional.normalize, eps 1e-12). x: R x C; scale: S constants
 * (copied), or NULL for 1. */
qdf_tensor *qdf_seg_col_l2norm(qdf_ctx *ctx, qdf_tensor *x, qdf_segs segs, const real *scale);

/* Pooling within segments: x (R x C) -> out (S x C), the sum or the mean of each
 * segment's rows (an empty segment gives 0). */
qdf_tensor *qdf_seg_sum(qdf_ctx *ctx, qdf_tensor *x, qdf_segs segs);
qdf_tensor *qdf_seg_mean(qdf_ctx *ctx, qdf_tensor *x, qdf_segs segs);

/* Broadcast a per-segment row: s (S x C) -> out (R x C), out[r] = s[seg(r)]. */
qdf_tensor *qdf_seg_broadcast(qdf_ctx *ctx, qdf_tensor *s, qdf_segs segs);

/* Mean squared error over all elements: 1 x 1. target requires no gradient. */
qdf_tensor *qdf_mse(qdf_ctx *ctx, qdf_tensor *pred, qdf_tensor *target);

/* The segments description copied into the arena (so it outlives the caller's
 * arrays for the backward pass). */
qdf_segs qdf_segs_copy(qdf_ctx *ctx, const int *off, int n);

#endif
