/* param.c: see param.h. */
#include "param.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

qdf_tensor *qdf_param_new(qdf_param_set *ps, const char *name, int rows, int cols) {
    if (ps->n == QDF_MAX_PARAMS) {
        fprintf(stderr, "qdf: more than %d parameter tensors\n", QDF_MAX_PARAMS);
        abort();
    }
    qdf_tensor *t = calloc(1, sizeof *t);
    const size_t n = (size_t)rows * cols;
    t->rows = rows;
    t->cols = cols;
    t->data = calloc(n ? n : 1, sizeof(real));
    t->grad = calloc(n ? n : 1, sizeof(real));
    if (!t->data || !t->grad) {
        fprintf(stderr, "qdf: out of memory for parameter %s\n", name);
        abort();
    }
    t->requires_grad = 1;
    t->is_param = 1;
    t->name = strdup(name);
    ps->p[ps->n++] = t;
    return t;
}

qdf_tensor *qdf_param_find(const qdf_param_set *ps, const char *name) {
    for (int i = 0; i < ps->n; i++)
        if (strcmp(ps->p[i]->name, name) == 0) return ps->p[i];
    return NULL;
}

void qdf_param_set_free(qdf_param_set *ps) {
    for (int i = 0; i < ps->n; i++) {
        free(ps->p[i]->data);
        free(ps->p[i]->grad);
        free((char *)ps->p[i]->name);
        free(ps->p[i]);
    }
    ps->n = 0;
}

void qdf_param_set_zero_grad(qdf_param_set *ps) {
    for (int i = 0; i < ps->n; i++) memset(ps->p[i]->grad, 0, sizeof(real) * qdf_numel(ps->p[i]));
}

size_t qdf_param_set_numel(const qdf_param_set *ps) {
    size_t n = 0;
    for (int i = 0; i < ps->n; i++) n += qdf_numel(ps->p[i]);
    return n;
}

void qdf_init_linear(qdf_rng *r, qdf_tensor *w, qdf_tensor *b) {
    const double bound = 1.0 / sqrt((double)w->cols);
    for (size_t i = 0; i < qdf_numel(w); i++) w->data[i] = (real)((2 * qdf_rng_uniform(r) - 1) * bound);
    if (b)
        for (size_t i = 0; i < qdf_numel(b); i++) b->data[i] = (real)((2 * qdf_rng_uniform(r) - 1) * bound);
}

void qdf_init_normal(qdf_rng *r, qdf_tensor *t) {
    for (size_t i = 0; i < qdf_numel(t); i++) t->data[i] = (real)qdf_rng_normal(r);
}

void qdf_init_const(qdf_tensor *t, real v) {
    for (size_t i = 0; i < qdf_numel(t); i++) t->data[i] = v;
}

double qdf_clip_grad_norm(qdf_param_set *ps, double max_norm) {
    double ss = 0;
    for (int i = 0; i < ps->n; i++)
        for (size_t k = 0; k < qdf_numel(ps->p[i]); k++) ss += (double)ps->p[i]->grad[k] * ps->p[i]->grad[k];
    const double norm = sqrt(ss);
    if (max_norm > 0 && norm > max_norm) {
        /* as torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) */
        const real f = (real)(max_norm / (norm + 1e-6));
        for (int i = 0; i < ps->n; i++)
            for (size_t k = 0; k < qdf_numel(ps->p[i]); k++) ps->p[i]->grad[k] *= f;
    }
    return norm;
}
