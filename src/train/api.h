/* api.h: the small public API of libqdf for programs that predict energies.
 *
 *   char err[256];
 *   qdf_model *m = qdf_open(NULL, err, sizeof err);       // NULL: the shipped default model
 *   qdf_molecule mol = {0};  qdf_molecule_alloc(&mol, 3); ...fill z[] and xyz[] (Angstrom)...
 *   double e = qdf_energy_ev(m, &mol, err, sizeof err);    // eV; NaN with err on failure
 *   qdf_close(m);
 * Link with `pkg-config --libs qdf`. */
#ifndef QDF_API_H
#define QDF_API_H

#include "elements.h"
#include "model.h"
#include "molecule.h"

/* Load a model file (NULL: the default model installed with qdf). */
qdf_model *qdf_open(const char *path, char *err, int errlen);
/* The first output of the model for one molecule, in eV; NaN and err on failure
 * (an element the model has no orbitals for, an invalid geometry). */
double qdf_energy_ev(qdf_model *m, const qdf_molecule *mol, char *err, int errlen);
void qdf_close(qdf_model *m);

#endif
