/* ensemble.h: several models of one target used together (qdf predict and
 * qdf eval with --model given more than once): whether two models can be
 * averaged, and the mean and spread of their predictions. */
#ifndef QDF_ENSEMBLE_H
#define QDF_ENSEMBLE_H

#include <stddef.h>

#include "model.h"

#define QDF_MAX_ENSEMBLE 16

/* Whether model b (file pb) can join an ensemble led by a (file pa): the same
 * number of outputs, the same unit, and the same target name unless one of
 * them has qdf train's generic label "energy" (no --target-name). Returns 0
 * (compatible, err = ""), 1 (compatible, err holds a one-line note: the names
 * differ, one generic) or -1 (not one ensemble; err names both files). */
int qdf_ensemble_check(const qdf_model *a, const char *pa, const qdf_model *b, const char *pb, char *err, int errlen);

/* preds: K blocks of n values, block k at preds + k * stride. mean[i] = the
 * mean over the blocks, spread[i] = the sample standard deviation (n - 1 in
 * the denominator; 0 for K = 1). Two passes over the K values: no
 * cancellation when the spread is small against the mean. */
void qdf_ensemble_reduce(const double *preds, int K, size_t stride, size_t n, double *mean, double *spread);

#endif
