/* atomref.h: per-element reference energies fitted by linear least squares
 * (LAPACK dgels from OpenBLAS) on a training set's element counts:
 *   target_j(mol) ~ sum_Z count_Z(mol) a_j[Z]   (eV per atom of Z)
 * and the scale of what is left (the training target of the model). */
#ifndef QDF_ATOMREF_H
#define QDF_ATOMREF_H

#include "dataset.h"
#include "model.h"

/* Fit m->atomref for every output on d (elements flagged in m->elements);
 * sets m->use_atomref = 1. 0, or -1 with err. */
int qdf_atomref_fit(qdf_model *m, const qdf_dataset *d, char *err, int errlen);
/* RMS over d and outputs of the model-space target with scale 1 (residual
 * after atomref, if used); 1 if d is empty. */
double qdf_target_rms(const qdf_model *m, const qdf_dataset *d);

#endif
