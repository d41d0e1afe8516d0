/* init_lsuv.h: data-dependent initialisation of the dense layers
 * (layer-sequential unit variance, Mishkin and Matas 2016, per unit).
 *
 * Why: the normalised orbitals psi are tiny (each of the dim columns has norm
 * sqrt(N_e / dim) over ~700 points: entries ~0.015), so with PyTorch's
 * initialisation (weights and biases uniform in +-1/sqrt(dim)) the first
 * layer's pre-activations are dominated by the biases and carry little of the
 * geometry; gradient steps of size lr need many epochs to amplify it.
 *
 * What: on the psi (and rho) of a sample of training molecules, each dense
 * layer in turn (functional layers; the density layer and HK layers) has every
 * output unit j rescaled so that its pre-activation over the sample's points
 * has mean 0 and standard deviation 1:
 *     W[j,:] <- W[j,:] / s_j,   b[j] <- -m_j / s_j,
 * where m_j, s_j are the mean and standard deviation of x W[j,:]^T; then the
 * next layer sees the ReLU of the normalised pre-activations. The random
 * directions of W are kept.
 *
 * The energy readout is then rescaled (rows kept in direction) so that the
 * sample's predictions have mean 0 and standard deviation
 * QDF_LSUV_READOUT_SD in model units (the scaled targets have RMS 1). Left
 * as PyTorch's, the readout of unit-variance features summed over ~700
 * points gave loss_E 437 and a training MAE of 18.6 eV in the first epoch on
 * qm9_u0, and loss_E in the hundreds on a 205-molecule subset (session 4): the
 * steps spent their time undoing a random output. The potential readout is
 * untouched. */
#ifndef QDF_INIT_LSUV_H
#define QDF_INIT_LSUV_H

#include "dataset.h"
#include "model.h"

/* initial spread of the energy predictions, model units: near zero, as a
 * zero-initialised last layer, yet with gradients reaching the features */
#define QDF_LSUV_READOUT_SD 0.1

/* Normalise m's dense layers on n_sample (<= 64) molecules spread evenly
 * through d (those the model can handle). ctx is scratch (reset). 0, or -1 with err. */
int qdf_init_lsuv(qdf_ctx *ctx, qdf_model *m, const qdf_dataset *d, int n_sample, char *err, int errlen);

#endif
