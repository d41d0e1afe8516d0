/* api.c: see api.h. */
#include "api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "evaluate.h"
#include "model_io.h"


qdf_model *qdf_open(const char *path, char *err, int errlen) {
    if (!path) path = qdf_default_model_path();
    if (!path) {
        snprintf(err, errlen, "no default model found (models/default.h5)");
        return NULL;
    }
    qdf_model *m = malloc(sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (qdf_model_load(path, m, NULL, NULL, 0, NULL, 0, err, errlen) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

double qdf_energy_ev(qdf_model *m, const qdf_molecule *mol, char *err, int errlen) {
    char why[256];
    if (qdf_molecule_validate(mol, why, sizeof why) != 0) {
        snprintf(err, errlen, "molecule %s: %s", mol->id, why);
        return NAN;
    }
    for (int a = 0; a < mol->n_atoms; a++)
        if (!qdf_basis_has(&m->basis, mol->z[a])) {
            const char *s = qdf_element_symbol(mol->z[a]);
            snprintf(err, errlen, "molecule %s: element %s has no orbitals in this model", mol->id, s ? s : "?");
            return NAN;
        }
    qdf_ctx *ctx = qdf_ctx_new(16 << 20);
    double e[QDF_MAX_TARGETS];
    qdf_predict_many(ctx, m, mol, 1, 1, e);
    qdf_ctx_free(ctx);
    return e[0];
}

void qdf_close(qdf_model *m) {
    if (!m) return;
    qdf_model_free(m);
    free(m);
}
