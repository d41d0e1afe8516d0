/* ema.h: exponential moving average of the parameters (Polyak averaging), for
 * evaluation: the optimiser keeps training the live weights at a high rate
 * while the average, which smooths the step-to-step noise, is what gets
 * validated and saved.
 *
 *   after update t (t = 1, 2, ...):  avg = d_t avg + (1 - d_t) p,
 *   d_t = min(decay, (1 + t) / (10 + t))
 *
 * The warm-up d_t (as tf.train.ExponentialMovingAverage with num_updates) lets
 * the average forget its starting point quickly when it is started from
 * weights that are still moving.
 *
 * Stochastic weight averaging (SWA, Izmailov et al. 2018) is the uniform
 * variant: after qdf_ema_start_uniform at update t0, update t uses
 * d_t = (t - t0 - 1) / (t - t0), so the average becomes the plain mean of the
 * parameters after each of the updates t0 + 1 ... t (the first one replaces
 * whatever the average held). Plain data, saved in checkpoints. */
#ifndef QDF_EMA_H
#define QDF_EMA_H

#include "param.h"

typedef struct qdf_ema {
    double decay;             /* 0 < decay < 1 */
    long updates;             /* t: updates done */
    long uniform_from;        /* -1: exponential; >= 0: t0 of the uniform mean (SWA) */
    real *avg[QDF_MAX_PARAMS];
    int n;
} qdf_ema;

/* The average starts at the current parameters, with t = 0, exponential. */
void qdf_ema_init(qdf_ema *e, const qdf_param_set *ps, double decay);
/* The decay used at update t (1-based). */
double qdf_ema_decay_at(const qdf_ema *e, long t);
/* From the next update on, the average is the uniform mean (SWA). */
void qdf_ema_start_uniform(qdf_ema *e);
void qdf_ema_update(qdf_ema *e, const qdf_param_set *ps);
/* Exchange the parameters' values with the average (twice restores both). */
void qdf_ema_swap(qdf_ema *e, qdf_param_set *ps);
void qdf_ema_free(qdf_ema *e);

#endif
