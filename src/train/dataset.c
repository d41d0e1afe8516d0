/* dataset.c: see dataset.h. */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "elements.h"

int qdf_dataset_load(qdf_dataset *d, char *const *paths, int n_paths, const qdf_reader_opts *opts,
                     FILE *log, char *err, int errlen) {
    for (int i = 0; i < n_paths; i++) {
        qdf_reader *r = qdf_reader_open(paths[i], QDF_FMT_AUTO, opts, err, errlen);
        if (!r) return -1;
        qdf_molecule m;
        memset(&m, 0, sizeof m);
        char why[512];
        int rc;
        while ((rc = qdf_reader_next(r, &m, why, sizeof why)) != 0) {
            if (rc < 0) {
                d->n_skipped++;
                if (log) fprintf(log, "qdf: skipped: %s\n", why);
                /* -1: the reader resynchronised; -2: it moves to the next file
                 * of a directory, or ends a single input (reader.h) */
                continue;
            }
            if (d->n == d->cap) {
                d->cap = d->cap ? 2 * d->cap : 1024;
                qdf_molecule *nm = realloc(d->mols, sizeof *nm * (size_t)d->cap);
                if (!nm) {
                    snprintf(err, errlen, "out of memory loading %s", paths[i]);
                    qdf_reader_close(r);
                    qdf_molecule_free(&m);
                    return -1;
                }
                d->mols = nm;
            }
            memset(&d->mols[d->n], 0, sizeof d->mols[d->n]);
            qdf_molecule_copy(&d->mols[d->n], &m);
            d->n++;
        }
        qdf_molecule_free(&m);
        qdf_reader_close(r);
    }
    return 0;
}

void qdf_dataset_free(qdf_dataset *d) {
    for (int i = 0; i < d->n; i++) qdf_molecule_free(&d->mols[i]);
    free(d->mols);
    memset(d, 0, sizeof *d);
}

void qdf_dataset_stats(const qdf_dataset *d, int *mn, int *mx, int flags[]) {
    *mn = d->n ? QDF_MAX_ATOMS + 1 : 0;
    *mx = 0;
    for (int z = 0; z <= QDF_MAX_Z; z++) flags[z] = 0;
    for (int i = 0; i < d->n; i++) {
        const qdf_molecule *m = &d->mols[i];
        if (m->n_atoms < *mn) *mn = m->n_atoms;
        if (m->n_atoms > *mx) *mx = m->n_atoms;
        for (int a = 0; a < m->n_atoms; a++)
            if (m->z[a] >= 1 && m->z[a] <= QDF_MAX_Z) flags[m->z[a]] = 1;
    }
}

int qdf_dataset_sample_even(const qdf_dataset *d, const qdf_basis *b, int n, const qdf_molecule **out) {
    const int want = n < d->n ? n : d->n;
    int k = 0;
    for (int j = 0; j < want; j++) {
        const qdf_molecule *mol = &d->mols[(long)j * d->n / want];
        int ok = 1;
        for (int a = 0; a < mol->n_atoms; a++) ok &= qdf_basis_has(b, mol->z[a]);
        if (ok) out[k++] = mol;
    }
    return k;
}
