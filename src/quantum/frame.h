/* frame.h: a molecular frame that turns with the molecule, so that the grid
 * (and the angular orbitals) are the same relative to the atoms whatever the
 * molecule's orientation in the input file.
 *
 * Rule (deterministic, covariant under rotation and translation):
 *  1. c = centre of nuclear charge; T = sum_A Z_A (R_A - c)(R_A - c)^T.
 *  2. Eigenvectors of T by decreasing eigenvalue. Two eigenvalues are
 *     "degenerate" when they differ by less than QDF_FRAME_DEGEN_TOL times the
 *     largest (plus a floor of 1e-6 A^2 for molecules of one or two atoms).
 *  3. A non-degenerate axis gets its sign from the charge-weighted third moment
 *     sum Z (d.e)^3 when that is clearly non-zero, else from the first atom in
 *     input order with a clear projection (d.e > 0). Atom order does not change
 *     under rotation, so this choice rotates with the molecule.
 *  4. Inside a degenerate plane (benzene) the first axis points to the first
 *     atom, in order of decreasing Z then input order, with a clear projection
 *     on the plane; for a degenerate space (methane) the first axis points to
 *     such an atom and the second to the next atom's part perpendicular to it.
 *     Atoms equivalent by symmetry give frames equivalent by that symmetry.
 *  5. The third axis is e1 x e2 (a proper rotation).
 * A linear molecule has no invariant direction perpendicular to its axis; the
 * rule then takes the lab axis least aligned with the molecule, and the energy
 * can depend slightly on rotation about the molecular axis (documented). */
#ifndef QDF_FRAME_H
#define QDF_FRAME_H

#define QDF_FRAME_DEGEN_TOL 1e-3

/* F: 3x3 row-major, columns are the axes e1 e2 e3 (so lab = F * local). */
void qdf_frame_principal(const int *z, const double *xyz, int n_atoms, double F[9]);
void qdf_frame_identity(double F[9]);
/* A rotation drawn uniformly (Haar measure) from SO(3): a normalised quaternion
 * of four standard normal draws. R row-major, det +1. */
struct qdf_rng;
void qdf_frame_random_rotation(struct qdf_rng *r, double R[9]);
/* The k-th orientation of a prediction averaged over grid orientations: the
 * identity for k = 0, then fixed rotations (Haar-random draws from a constant
 * seed, the same in every run), applied relative to the molecule's frame. */
#define QDF_MAX_ORIENTATIONS 64
void qdf_frame_orientation(int k, double R[9]);
/* Symmetric 3x3 eigen-decomposition (Jacobi): eigenvalues w descending, eigenvectors as columns of V. */
void qdf_eigen_sym3(const double A[9], double w[3], double V[9]);

#endif
