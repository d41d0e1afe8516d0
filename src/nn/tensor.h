/* tensor.h: the engine's only data type, a dense row-major matrix.
 *
 * Every tensor is 2-D, rows x cols (a vector is n x 1, a scalar 1 x 1). Data is
 * contiguous `real`. Activations live in a context's arena (tape.h) and vanish
 * at qdf_ctx_reset; parameters (param.h) own their memory. `grad` is NULL until
 * a backward pass needs it, and is only ever allocated for tensors with
 * requires_grad set, so inputs that need no gradient cost nothing. */
#ifndef QDF_TENSOR_H
#define QDF_TENSOR_H

#include <stddef.h>

#include "real.h"

typedef struct qdf_tensor {
    int rows, cols;
    real *data;
    real *grad;          /* d loss / d data, same shape; NULL if not (yet) needed */
    int requires_grad;   /* a parameter, or computed from one */
    int is_param;        /* owned by a qdf_param_set: memory outlives the step */
    const char *name;    /* parameters only; NULL for activations */
} qdf_tensor;

static inline size_t qdf_numel(const qdf_tensor *t) { return (size_t)t->rows * (size_t)t->cols; }

/* Segments: contiguous runs of rows, one per molecule. off has n + 1 entries,
 * off[0] = 0, segment s covers rows off[s] .. off[s+1]-1. A segment may be empty
 * only where an op says so. */
typedef struct qdf_segs {
    int n;
    const int *off;
} qdf_segs;

/* Ragged blocks: segment s is a dense block of rows[s] x cols[s] values stored
 * at data + block_off[s], row-major; rows and cols come from two qdf_segs
 * (row_segs.off[s+1] - row_segs.off[s], col_segs alike). Used where each
 * molecule has a matrix of its own width (the basis matrix, points x orbitals). */
typedef struct qdf_blocks {
    qdf_segs row_segs, col_segs;
    const size_t *block_off;   /* n + 1 entries; block_off[n] = total values */
} qdf_blocks;

#endif
