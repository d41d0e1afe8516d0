/* readout.h: closed-form refit of the energy readout.
 *
 * The energy head ends in a linear map of the pooled features h (S x dim):
 * E = W h + b. Given the current functional layers, the W and b that minimise
 * the training energy loss are a ridge regression on the training set's pooled
 * features, and with them the per-element reference energies (atomref) are
 * refitted too: the element counts n_Z join h as features, and
 *   t_model ~ W h + b + sum_Z w_Z n_Z,   atomref[Z] += target_scale * w_Z.
 * Features are standardised; the ridge strength (lambda times the number of
 * molecules, on standardised features) is chosen by 5-fold cross-validation
 * on the training set alone, so no held-out molecule influences the fit.
 *
 * Stochastic gradient steps leave the readout jittering around this optimum
 * (sum pooling over ~700 points makes E very sensitive to W); refitting after
 * each epoch removes that noise. The features (functional layers, orbitals)
 * keep learning by gradient descent. Dense algebra: OpenBLAS dsyrk/dgemv and
 * LAPACK dposv (a 260 x 260 system: oneDNN has no Cholesky). */
#ifndef QDF_READOUT_H
#define QDF_READOUT_H

#include "dataset.h"
#include "model.h"

typedef struct qdf_readout_fit {
    double lambda;        /* chosen ridge strength (relative, per molecule) */
    double cv_mae_ev;     /* its 5-fold cross-validated MAE on the training set, eV */
    double train_mae_before_ev; /* training MAE of the readout as it was, eV */
    double train_mae_ev;  /* training MAE of the final fit, eV */
    int n_used;           /* molecules used (those the model can handle) */
} qdf_readout_fit;

/* Refit m's property.weight/bias and atomref on d. ctx is scratch (reset).
 * 0, or -1 with err (too few molecules, singular system). */
int qdf_readout_refit(qdf_ctx *ctx, qdf_model *m, const qdf_dataset *d, int batch, qdf_readout_fit *fit,
                      char *err, int errlen);

#endif
