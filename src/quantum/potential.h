/* potential.h: the external potential of the nuclei on the field points, the
 * target of the Hohenberg-Kohn branch (Hartree-like units as in the original:
 * Z times a dimensionless kernel of the distance in Angstrom).
 *   "gaussian" (the original QDF): V(p) = -sum_A Z_A exp(-|p - R_A|^2)
 *   "coulomb":  V(p) = -sum_A Z_A erf(|p - R_A| / s) / |p - R_A|, finite at the
 *               nucleus (2 Z / (s sqrt(pi))), s = smearing width in Angstrom. */
#ifndef QDF_POTENTIAL_H
#define QDF_POTENTIAL_H

#include "field.h"

typedef enum { QDF_POT_GAUSSIAN = 0, QDF_POT_COULOMB = 1 } qdf_potential_kind;

/* "gaussian" / "coulomb" -> kind; -1 if unknown. */
int qdf_potential_from_name(const char *name);
const char *qdf_potential_name(qdf_potential_kind k);
/* V on every point of the field (n_points values), each point against the
 * atoms of its own molecule. */
void qdf_potential_eval(const qdf_field *f, qdf_potential_kind kind, double smear, real *out);

#endif
