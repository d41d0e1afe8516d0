/* evaluate.h: energies of many molecules with a model (no gradients), and
 * their errors against the references the molecules carry. */
#ifndef QDF_EVALUATE_H
#define QDF_EVALUATE_H

#include "dataset.h"
#include "model.h"

/* Predicted energies (eV, n x n_out, row-major) of molecules in batches of
 * batch molecules. A molecule the model cannot handle (an element without
 * orbitals) gets NaN. ctx is reused (reset per batch). */
void qdf_predict_many(qdf_ctx *ctx, qdf_model *m, const qdf_molecule *mols, int n, int batch, double *out);

/* The pooled features (input of the energy readout; n x dim, row-major) of
 * molecules in batches; NaN rows for molecules the model cannot handle. */
void qdf_pooled_many(qdf_ctx *ctx, qdf_model *m, const qdf_molecule *mols, int n, int batch, double *pooled);

typedef struct qdf_errors {
    int n;
    double mae, rmse;   /* eV, over all outputs */
} qdf_errors;
qdf_errors qdf_errors_of(const qdf_molecule *mols, int n, int n_out, const double *pred);
/* MAE in eV of the model on a dataset (NaN if it is empty); the predictions
 * go to pred (n x n_out) if given, else to a scratch buffer. */
double qdf_dataset_mae(qdf_ctx *ctx, qdf_model *m, const qdf_dataset *d, int batch, double *pred);

#endif
