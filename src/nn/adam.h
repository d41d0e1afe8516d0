/* adam.h: Adam as torch.optim.Adam (betas 0.9/0.999, eps 1e-8), optionally with
 * decoupled weight decay as torch.optim.AdamW on the parameters marked in
 * decay[], and step learning-rate decay as torch.optim.lr_scheduler.StepLR. The
 * moment buffers and step count are plain data, saved in checkpoints. */
#ifndef QDF_ADAM_H
#define QDF_ADAM_H

#include "param.h"

typedef struct qdf_adam {
    double lr, beta1, beta2, eps;
    long step;                 /* number of updates done */
    real *m[QDF_MAX_PARAMS];   /* first moments, one per parameter of the set */
    real *v[QDF_MAX_PARAMS];   /* second moments */
    int n;
    unsigned char frozen[QDF_MAX_PARAMS]; /* 1: this parameter is not updated (nor its moments) */
    double weight_decay;       /* AdamW's: each step first multiplies a decayed parameter by
                                  1 - lr * weight_decay (0: plain Adam, the default) */
    unsigned char decay[QDF_MAX_PARAMS]; /* 1: weight_decay applies to this parameter (none by default) */
} qdf_adam;

void qdf_adam_init(qdf_adam *opt, const qdf_param_set *ps, double lr);
/* One update of every parameter that is not frozen, from its gradient (the
 * gradients are kept). */
void qdf_adam_step(qdf_adam *opt, qdf_param_set *ps);
void qdf_adam_free(qdf_adam *opt);
/* StepLR: the rate for an epoch (0-based), lr0 * gamma^(epoch / step_size). */
double qdf_step_lr(double lr0, double gamma, int step_size, int epoch);

#endif
