/* adam.c: see adam.h. The update follows torch.optim.Adam's single-tensor path
 * operation by operation (float32 arithmetic in the float build), so that our
 * runs track PyTorch's to rounding:
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   denom = sqrt(v) / sqrt(1 - b2^t) + eps;  p -= (lr / (1 - b1^t)) m / denom
 * With weight decay (torch.optim.AdamW), a decayed parameter is first scaled:
 *   p *= 1 - lr wd */
#include "adam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void qdf_adam_init(qdf_adam *opt, const qdf_param_set *ps, double lr) {
    opt->lr = lr;
    opt->beta1 = 0.9;
    opt->beta2 = 0.999;
    opt->eps = 1e-8;
    opt->step = 0;
    opt->n = ps->n;
    memset(opt->frozen, 0, sizeof opt->frozen);
    opt->weight_decay = 0;
    memset(opt->decay, 0, sizeof opt->decay);
    for (int i = 0; i < ps->n; i++) {
        const size_t n = qdf_numel(ps->p[i]);
        opt->m[i] = calloc(n ? n : 1, sizeof(real));
        opt->v[i] = calloc(n ? n : 1, sizeof(real));
        if (!opt->m[i] || !opt->v[i]) abort();
    }
}

void qdf_adam_free(qdf_adam *opt) {
    for (int i = 0; i < opt->n; i++) {
        free(opt->m[i]);
        free(opt->v[i]);
    }
    opt->n = 0;
}

void qdf_adam_step(qdf_adam *opt, qdf_param_set *ps) {
    opt->step++;
    const double bc1 = 1 - pow(opt->beta1, (double)opt->step);
    const double bc2 = 1 - pow(opt->beta2, (double)opt->step);
    const real step_size = (real)(opt->lr / bc1);
    const real bc2_sqrt = (real)sqrt(bc2);
    const real b1 = (real)opt->beta1, b2 = (real)opt->beta2, eps = (real)opt->eps;
    /* 1 - beta in double, rounded once, as PyTorch does: (real)(1 - 0.999) is
     * 0.001f, while 1 - 0.999f is 0.00099998713f, which biased every update by
     * 6e-6 relative (found by tests/test_nn_vs_torch.c). */
    const real omb1 = (real)(1 - opt->beta1), omb2 = (real)(1 - opt->beta2);
    for (int k = 0; k < ps->n; k++) {
        if (opt->frozen[k]) continue;
        qdf_tensor *p = ps->p[k];
        real *restrict m = opt->m[k], *restrict v = opt->v[k];
        real *restrict pd = p->data;
        const real *restrict gd = p->grad;
        const long n = (long)qdf_numel(p);
        /* 1 - lr wd rounded once from double, as torch's param.mul_(1 - lr * wd) */
        const real keep = (real)(opt->decay[k] ? 1 - opt->lr * opt->weight_decay : 1);
        /* threads from 16k elements: the 250 x 250 layers (62,500) included;
         * simd: GCC 12 at -O2 leaves the loop scalar otherwise */
#pragma omp parallel for simd if (n > 16384) schedule(static)
        for (long i = 0; i < n; i++) {
            const real g = gd[i];
            m[i] = m[i] * b1 + g * omb1;
            v[i] = v[i] * b2 + g * g * omb2;
            const real denom = sqrt(v[i]) / bc2_sqrt + eps;
            pd[i] = pd[i] * keep - step_size * (m[i] / denom);
        }
    }
}

double qdf_step_lr(double lr0, double gamma, int step_size, int epoch) {
    if (step_size <= 0) return lr0;
    return lr0 * pow(gamma, (double)(epoch / step_size));
}
