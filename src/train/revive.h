/* revive.h: re-initialise dead ReLU units of the dense layers during training.
 *
 * Why: trained QDF models lose most of their ReLU units. Measured on the
 * qm9_u0 model of session 2 (800 training molecules, /tmp analysis in
 * NOTES.md, session 3): of the 250 units of the three functional layers, 91,
 * 169 and 133 are never active on any grid point, and the HK layers have 148,
 * 114 and 155 dead. A dead unit gets no gradient, so it never comes back; the
 * pooled features then span about 50 standardised directions, and the
 * readout has little to fit with.
 *
 * What: on the grid points of a sample of training molecules, each ReLU layer
 * in turn (functional layers, then HK layers) is checked. A unit j active on
 * no sample point gets
 *   - a new incoming row W[j,:] drawn as PyTorch's init, rescaled so that its
 *     pre-activation spread over the sample matches the median spread of the
 *     layer's live units, and a bias that makes it active on half the points
 *     of the first chunk of the sample;
 *   - a zero outgoing column (next layer, or the property / potential
 *     readout), so the model's outputs do not change at revival;
 *   - for the entries it changed: a zero first Adam moment, the tensor's mean
 *     second moment, and (if an average of the weights is kept) the new
 *     values in the average.
 * Deterministic: the draws come from the caller's generator. */
#ifndef QDF_REVIVE_H
#define QDF_REVIVE_H

#include "dataset.h"
#include "ema.h"
#include "model.h"
#include "rng.h"

typedef struct qdf_revive_stats {
    int dead[2][QDF_MAX_LAYERS];   /* [0] functional, [1] HK: units revived per layer */
    int total;
    int molecules;                 /* sample molecules the check used */
    long points;                   /* and their grid points */
} qdf_revive_stats;

/* Check and revive m's ReLU units on up to n_sample molecules spread evenly
 * through d (those the model can handle), in chunks of 32. opt and ema may be
 * NULL. ctx is scratch (reset). 0, or -1 with err. */
int qdf_revive_dead_units(qdf_ctx *ctx, qdf_model *m, const qdf_dataset *d, int n_sample, qdf_rng *rng,
                          qdf_adam *opt, qdf_ema *ema, qdf_revive_stats *stats, char *err, int errlen);

#endif
