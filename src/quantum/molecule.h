/* molecule.h: one molecule as read from a file: elements, coordinates
 * (Angstrom) and optional reference values (eV unless the dataset says
 * otherwise). This geometry is all qdf stores per molecule; everything else
 * (grids, distances, orbitals) is computed from it on the fly. */
#ifndef QDF_MOLECULE_H
#define QDF_MOLECULE_H

#define QDF_ID_MAX 96
#define QDF_MAX_TARGETS 8
/* The largest molecule any reader accepts (bounded before allocating). */
#define QDF_MAX_ATOMS 400

typedef struct qdf_molecule {
    char id[QDF_ID_MAX];
    int n_atoms;
    int *z;          /* atomic numbers, n_atoms */
    double *xyz;     /* positions, 3 n_atoms, Angstrom */
    int n_targets;   /* 0 when the input carries no reference */
    double target[QDF_MAX_TARGETS];
} qdf_molecule;

/* Allocate arrays for n atoms (n <= QDF_MAX_ATOMS); 0 on success. */
int qdf_molecule_alloc(qdf_molecule *m, int n_atoms);
void qdf_molecule_free(qdf_molecule *m);
/* Deep copy; 0 on success. */
int qdf_molecule_copy(qdf_molecule *dst, const qdf_molecule *src);
/* Sum of atomic numbers (the electron count of the neutral molecule). */
int qdf_molecule_electrons(const qdf_molecule *m);
/* Hill-order formula ("CH4", "C6H6", "C2H6O") into buf. */
void qdf_molecule_formula(const qdf_molecule *m, char *buf, int len);
/* Checks a reader must apply: at least one atom, finite coordinates within
 * 1e4 Angstrom, no two atoms closer than 0.1 Angstrom. Returns 0 if fine, else
 * writes a reason (no newline) into why. */
int qdf_molecule_validate(const qdf_molecule *m, char *why, int len);

#endif
