/* molecules.h: small molecules built in code for the tests (geometries from
 * standard bond lengths and angles, Angstrom). */
#ifndef QDF_TEST_MOLECULES_H
#define QDF_TEST_MOLECULES_H

#include "molecule.h"

void tm_water(qdf_molecule *m);     /* O-H 0.9572 A, H-O-H 104.52 deg */
void tm_methane(qdf_molecule *m);   /* C-H 1.087 A, tetrahedral */
void tm_hcn(qdf_molecule *m);       /* linear H-C 1.066, C-N 1.153 A */
void tm_benzene(qdf_molecule *m);   /* C-C 1.397, C-H 1.084 A */
void tm_ethanol(qdf_molecule *m);   /* an asymmetric molecule (no symmetry) */
/* Apply x -> R x + t to all atoms (R row-major 3x3). */
void tm_transform(qdf_molecule *m, const double R[9], const double t[3]);
/* A uniformly random rotation matrix from a seed. */
void tm_random_rotation(unsigned long seed, double R[9]);

#endif
