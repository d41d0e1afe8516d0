/* param.h: trainable tensors, owned outside the arena, with names (the keys in
 * model files) and initialisers as PyTorch's. */
#ifndef QDF_PARAM_H
#define QDF_PARAM_H

#include "rng.h"
#include "tensor.h"

#define QDF_MAX_PARAMS 64

typedef struct qdf_param_set {
    qdf_tensor *p[QDF_MAX_PARAMS];
    int n;
} qdf_param_set;

/* A new rows x cols parameter (zeroed data and grad), added to the set. */
qdf_tensor *qdf_param_new(qdf_param_set *ps, const char *name, int rows, int cols);
qdf_tensor *qdf_param_find(const qdf_param_set *ps, const char *name);
void qdf_param_set_free(qdf_param_set *ps);
void qdf_param_set_zero_grad(qdf_param_set *ps);
size_t qdf_param_set_numel(const qdf_param_set *ps);

/* torch.nn.Linear: weight and bias uniform in +-1/sqrt(fan_in), fan_in = W's cols. */
void qdf_init_linear(qdf_rng *r, qdf_tensor *w, qdf_tensor *b);
/* torch.nn.Embedding: standard normal. */
void qdf_init_normal(qdf_rng *r, qdf_tensor *t);
void qdf_init_const(qdf_tensor *t, real v);

/* Gradient clipping by global L2 norm over the set; returns the norm before
 * clipping. max_norm <= 0 only measures. */
double qdf_clip_grad_norm(qdf_param_set *ps, double max_norm);

#endif
