/* density_map.h: the model's learned electron density at arbitrary points.
 *
 * The model's orbitals are normalised on the molecule's own grid field
 * (model.h):
 *     Phi[p, k] = raw_k(p) / n_k,           n_k = ||raw_k|| over the field points
 *     C = gathered coef, each column normalised over the molecule's orbitals
 *     psi_j(p) = (sum_k Phi[p, k] C[k, j]) / m_j * sqrt(N_e / dim),
 *                                           m_j = ||Phi C[:, j]|| over the field
 *     rho(p) = sum_j psi_j(p)^2             (sums to N_e over the field points)
 * qdf_density_on_points computes n_k, C and m_j on the molecule's field (built
 * in the model's frame) and evaluates the same expression at any points: at
 * the field points it reproduces the forward's rho. Computed in double.
 *
 * Units: rho is the model's per-field-point density (electrons per field cell
 * of volume h^3, h = grid_interval); rho / h^3 is a density in electrons per
 * Angstrom^3. The field covers only spheres of radius `radius` around the
 * atoms (overlapping), so integrals over a box agree with N_e only roughly. */
#ifndef QDF_DENSITY_MAP_H
#define QDF_DENSITY_MAP_H

#include "model.h"

/* rho at n_pts points (n_pts x 3, Angstrom, the molecule's coordinates) into
 * rho_out (n_pts). 0, or -1 with err (an element the model has no orbitals for,
 * out of memory). */
int qdf_density_on_points(qdf_model *m, const qdf_molecule *mol, const double *pts, int n_pts, double *rho_out,
                          char *err, int errlen);

#endif
