/* orbitals.h: the basis-matrix op, Gaussian-type atomic orbitals on the field.
 *
 * forward: for molecule s, point p, orbital k on atom A with type t:
 *     d = |p - R_A|,  raw[p, k] = d^(q_t - 1) exp(-zeta_t d^2)   (radial)
 *     raw[p, k] *= (p - R_A).e_c / d                             (angular p, axis c of the frame)
 *     Phi[p, k] = raw[p, k] / max(||raw[:, k]||_2 over the molecule's points, 1e-12)
 *   zeta: n_types x 1 (a parameter); out: the ragged blocks, numel = blk_off[n] (x 1).
 *   Values with zeta d^2 > f->orbital_cutoff (default QDF_ORBITAL_CUTOFF) are skipped (exp < 1e-13 of the
 *   largest value of a column; no energy changes by 1e-5 eV: tests/test_quantum.c).
 * backward: gr = (g - Phi (g . Phi)) / norm  (per column),
 *     d zeta_t += sum over its orbitals and points of gr[p, k] (-d^2) raw[p, k]. */
#ifndef QDF_ORBITALS_H
#define QDF_ORBITALS_H

#include "field.h"

#define QDF_ORBITAL_CUTOFF 30.0

qdf_tensor *qdf_basis_matrix(qdf_ctx *ctx, const qdf_field *f, const qdf_basis *b, qdf_tensor *zeta);

/* Raw (unnormalised) orbital values of molecule s at arbitrary points
 * (n_pts x 3, Angstrom) into out (n_pts x K_s, row-major). For density maps. */
void qdf_orbitals_raw(const qdf_field *f, const qdf_basis *b, const real *zeta, int s,
                      const double *pts, int n_pts, double *out);

#endif
