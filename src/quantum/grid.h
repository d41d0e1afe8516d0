/* grid.h: the atom-centred grid field of QDF.
 *
 * Around every atom the points R_A + F s for every lattice offset
 * s in {-r, -r+h, ..., <= r}^3 with |s| <= r (x outer, y, z inner); F is the
 * molecule's frame (frame.h): the identity for the original lab-frame grid, the
 * principal axes for the rotation-invariant grid. r = 0.75 A, h = 0.3 A give 56
 * points per atom. The field is the concatenation over atoms in input order.
 * Units: Angstrom. */
#ifndef QDF_GRID_H
#define QDF_GRID_H

#define QDF_GRID_MAX_OFFSETS 4096

typedef struct qdf_grid {
    double radius, spacing;          /* Angstrom */
    int n;                           /* offsets per atom */
    double off[QDF_GRID_MAX_OFFSETS][3];
} qdf_grid;

/* 0, or -1 with err (non-positive or too fine spacing). */
int qdf_grid_init(qdf_grid *g, double radius, double spacing, char *err, int errlen);
/* Points of one molecule: n_atoms * g->n rows of xyz (Angstrom) into out;
 * frame is 3x3 row-major with the axes as columns (NULL = identity). */
void qdf_grid_points(const qdf_grid *g, const double *xyz, int n_atoms, const double *frame,
                     double *out);
/* Volume of one grid cell in Angstrom^3 (h^3). */
static inline double qdf_grid_cell_volume(const qdf_grid *g) { return g->spacing * g->spacing * g->spacing; }

#endif
