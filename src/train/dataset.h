/* dataset.h: molecules held in memory for training and evaluation (geometry
 * and targets only: about 0.3 KiB per QM9 molecule). */
#ifndef QDF_DATASET_H
#define QDF_DATASET_H

#include <stdio.h>

#include "basis.h"
#include "reader.h"

typedef struct qdf_dataset {
    qdf_molecule *mols;
    int n, cap;
    int n_skipped;
} qdf_dataset;

/* Append every molecule of the given inputs; bad molecules are skipped with a
 * one-line message each on log (may be NULL). -1 with err if an input cannot be
 * read at all. */
int qdf_dataset_load(qdf_dataset *d, char *const *paths, int n_paths, const qdf_reader_opts *opts,
                     FILE *log, char *err, int errlen);
void qdf_dataset_free(qdf_dataset *d);
/* Smallest and largest atom count; elements present (flags[z] = 1). */
void qdf_dataset_stats(const qdf_dataset *d, int *min_atoms, int *max_atoms, int flags[]);
/* Up to n molecules spread evenly through d (files are often sorted by size),
 * those whose elements all have orbitals in b, into out (room for n);
 * returns how many. */
int qdf_dataset_sample_even(const qdf_dataset *d, const qdf_basis *b, int n, const qdf_molecule **out);

#endif
