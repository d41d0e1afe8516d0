/* ema.c: see ema.h. */
#include "ema.h"

#include <stdlib.h>
#include <string.h>

void qdf_ema_init(qdf_ema *e, const qdf_param_set *ps, double decay) {
    e->decay = decay;
    e->updates = 0;
    e->uniform_from = -1;
    e->n = ps->n;
    for (int i = 0; i < ps->n; i++) {
        const size_t n = qdf_numel(ps->p[i]);
        e->avg[i] = malloc(sizeof(real) * (n ? n : 1));
        if (!e->avg[i]) abort();
        memcpy(e->avg[i], ps->p[i]->data, sizeof(real) * n);
    }
}

double qdf_ema_decay_at(const qdf_ema *e, long t) {
    if (e->uniform_from >= 0 && t > e->uniform_from) return (double)(t - e->uniform_from - 1) / (double)(t - e->uniform_from);
    const double warm = (1.0 + (double)t) / (10.0 + (double)t);
    return warm < e->decay ? warm : e->decay;
}

void qdf_ema_start_uniform(qdf_ema *e) { e->uniform_from = e->updates; }

void qdf_ema_update(qdf_ema *e, const qdf_param_set *ps) {
    e->updates++;
    const double d = qdf_ema_decay_at(e, e->updates);
    /* avg += (1 - d)(p - avg): the weights of old and new sum to 1 exactly,
     * which d and 1 - d, each rounded to float, need not (test_ema checks a
     * uniform mean of 300,000 updates to 1e-4) */
    const real b = (real)(1 - d);
    for (int k = 0; k < ps->n; k++) {
        const size_t n = qdf_numel(ps->p[k]);
        real *avg = e->avg[k];
        const real *p = ps->p[k]->data;
#pragma omp parallel for if (n > 16384) schedule(static)
        for (size_t i = 0; i < n; i++) avg[i] += b * (p[i] - avg[i]);
    }
}

void qdf_ema_swap(qdf_ema *e, qdf_param_set *ps) {
    for (int k = 0; k < ps->n; k++) {
        const size_t n = qdf_numel(ps->p[k]);
        real *avg = e->avg[k], *p = ps->p[k]->data;
        for (size_t i = 0; i < n; i++) {
            const real t = avg[i];
            avg[i] = p[i];
            p[i] = t;
        }
    }
}

void qdf_ema_free(qdf_ema *e) {
    for (int i = 0; i < e->n; i++) free(e->avg[i]);
    e->n = 0;
}
