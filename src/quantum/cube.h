/* cube.h: regular box grids around a molecule and the Gaussian cube format.
 *
 * A box is origin + (i, j, k) spacing along x, y, z (Angstrom), i < n[0],
 * j < n[1], k < n[2]. Cube order is x outer, y, z inner (z fastest): the value
 * of point (i, j, k) is values[(i n1 + j) n2 + k].
 *
 * Cube files are in bohr (1 bohr = QDF_CUBE_BOHR_ANGSTROM Angstrom), whatever
 * the box's unit: origin, axis vectors and atom positions are converted on
 * writing. Layout (as Gaussian's cubegen):
 *     two comment lines
 *     "%5d%12.6f%12.6f%12.6f"  natoms, origin (bohr)
 *     "%5d%12.6f%12.6f%12.6f"  three times: n_i, axis vector i (bohr)
 *     "%5d%12.6f%12.6f%12.6f%12.6f"  per atom: Z, charge (= Z), position (bohr)
 *     the values, "%13.5E", 6 per line, a line break after each z-run
 *     (|value| < 1e-99 is written as 0, so that every field keeps a blank) */
#ifndef QDF_CUBE_H
#define QDF_CUBE_H

#define QDF_CUBE_BOHR_ANGSTROM 0.529177210903   /* CODATA 2018 */

typedef struct qdf_box {
    double origin[3];   /* Angstrom */
    int n[3];           /* points along x, y, z */
    double spacing;     /* Angstrom, same along the three axes */
} qdf_box;

/* The smallest box of the given spacing that holds every atom with at least
 * `margin` Angstrom on each side, centred on the atoms' bounding box:
 * n[a] = ceil((extent_a + 2 margin) / spacing) + 1. z is not used yet (the same
 * margin for every element). n_atoms <= 0 or spacing <= 0: a box of zero
 * points. */
qdf_box qdf_box_around(const int *z, const double *xyz_angstrom, int n_atoms, double margin,
                       double spacing);

/* Number of points, n0 n1 n2. */
long qdf_box_count(const qdf_box *b);

/* The box's points in cube order (x outer, y, z inner), Angstrom:
 * 3 * n0 n1 n2 values, xyz interleaved. */
void qdf_box_points(const qdf_box *b, double *xyz_out);

/* Write a Gaussian cube file of n0 n1 n2 values in cube order. comment (may be
 * NULL) is the first comment line (line breaks in it become spaces); the
 * second says what the loops are. Written atomically: a temporary file in the
 * same directory, then rename. Returns 0, or -1 with err = "PATH: reason"
 * (I/O errors, a non-finite value, an empty box). */
int qdf_cube_write(const char *path, const char *comment, const qdf_box *b, const int *z,
                   const double *xyz_angstrom, int n_atoms, const double *values, char *err,
                   int errlen);

#endif
