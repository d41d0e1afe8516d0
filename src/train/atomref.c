/* atomref.c: see atomref.h. */
#include "atomref.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK (OpenBLAS ships it): least squares min ||A x - b||, column-major. */
void dgels_(const char *trans, const int *m, const int *n, const int *nrhs, double *a, const int *lda,
            double *b, const int *ldb, double *work, const int *lwork, int *info);

int qdf_atomref_fit(qdf_model *m, const qdf_dataset *d, char *err, int errlen) {
    int zs[QDF_MAX_Z + 1], nz = 0;
    for (int z = 1; z <= QDF_MAX_Z; z++)
        if (m->elements[z]) zs[nz++] = z;
    const int rows = d->n, n_out = m->hp.n_out;
    if (rows < nz) {
        snprintf(err, errlen, "atomref: %d molecules are too few to fit %d element energies", rows, nz);
        return -1;
    }
    double *A = calloc((size_t)rows * nz, sizeof(double));
    double *B = calloc((size_t)rows * n_out, sizeof(double));
    for (int i = 0; i < rows; i++) {
        const qdf_molecule *mol = &d->mols[i];
        for (int a = 0; a < mol->n_atoms; a++)
            for (int k = 0; k < nz; k++)
                if (mol->z[a] == zs[k]) A[(size_t)k * rows + i] += 1;
        for (int j = 0; j < n_out; j++) B[(size_t)j * rows + i] = j < mol->n_targets ? mol->target[j] : 0;
    }
    int info = 0, lwork = -1;
    double wq;
    dgels_("N", &rows, &nz, &n_out, A, &rows, B, &rows, &wq, &lwork, &info);
    lwork = (int)wq;
    double *work = malloc(sizeof(double) * (size_t)(lwork > 1 ? lwork : 1));
    dgels_("N", &rows, &nz, &n_out, A, &rows, B, &rows, work, &lwork, &info);
    free(work);
    if (info != 0) {
        free(A);
        free(B);
        snprintf(err, errlen, "atomref: least squares failed (an element count column is rank deficient, info %d)", info);
        return -1;
    }
    memset(m->atomref, 0, sizeof m->atomref);
    for (int j = 0; j < n_out; j++)
        for (int k = 0; k < nz; k++) m->atomref[j][zs[k]] = B[(size_t)j * rows + k];
    m->use_atomref = 1;
    free(A);
    free(B);
    return 0;
}

double qdf_target_rms(const qdf_model *m, const qdf_dataset *d) {
    double ss = 0;
    long n = 0;
    for (int i = 0; i < d->n; i++)
        for (int j = 0; j < m->hp.n_out; j++) {
            /* the target with scale 1: undo the model's current scale */
            const double t = qdf_model_target(m, &d->mols[i], j) * m->target_scale;
            ss += t * t;
            n++;
        }
    if (n == 0) return 1;
    const double rms = sqrt(ss / n);
    return rms > 1e-9 ? rms : 1;
}
