/* ensemble.c: see ensemble.h. */
#include "ensemble.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int generic_name(const char *s) { return !strcmp(s, "energy"); }

int qdf_ensemble_check(const qdf_model *a, const char *pa, const qdf_model *b, const char *pb, char *err, int errlen) {
    err[0] = '\0';
    const char *why = NULL;
    if (b->hp.n_out != a->hp.n_out) why = "a different number of targets";
    else if (strcmp(b->target_unit, a->target_unit)) why = "a different target unit";
    else if (strcmp(b->target_name, a->target_name) && !generic_name(a->target_name) && !generic_name(b->target_name))
        why = "a different target";
    if (why) {
        snprintf(err, errlen, "%s: %s (%d x '%s', %s) than %s (%d x '%s', %s): not one ensemble", pb, why,
                 b->hp.n_out, b->target_name, b->target_unit, pa, a->hp.n_out, a->target_name, a->target_unit);
        return -1;
    }
    if (strcmp(b->target_name, a->target_name)) {
        snprintf(err, errlen, "note: %s predicts '%s', %s '%s'; averaged as one target", pb, b->target_name, pa,
                 a->target_name);
        return 1;
    }
    return 0;
}

void qdf_ensemble_reduce(const double *preds, int K, size_t stride, size_t n, double *mean, double *spread) {
    for (size_t i = 0; i < n; i++) {
        double sum = 0, ss = 0;
        for (int k = 0; k < K; k++) sum += preds[(size_t)k * stride + i];
        const double mu = sum / K;
        for (int k = 0; k < K; k++) {
            const double d = preds[(size_t)k * stride + i] - mu;
            ss += d * d;
        }
        mean[i] = mu;
        if (spread) spread[i] = K > 1 ? sqrt(ss / (K - 1)) : 0.0;
    }
}
