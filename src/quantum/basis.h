/* basis.h: simplified Gaussian-type basis sets as QDF uses them.
 *
 * A basis-set name "I-OOG" reads as inner = I orbitals, outer = sum of the
 * digits O + O ("6-31G": inner 6, outer 4; "3-21G": inner 3, outer 3).
 * "STO-3G" gives one orbital per shell. Per element:
 *   Z <= 2:        outer x 1s
 *   Z 3..10:       inner x 1s, outer x 2s, outer x 2p
 *   Z 11..18:      inner x 1s, outer x 2s, outer x 2p, outer x 3s, outer x 3p
 * Every orbital *type* (element, shell, index: "C-2s-3") has its own learned
 * exponent zeta and coefficient vector. Radial-only "p" (the original QDF) is
 * the default; with angular p each p type becomes three types (px, py, pz:
 * "C-2px-0"), x/d, y/d, z/d times the radial function, in the molecule's frame.
 * Types are ordered by (Z, shell, component, index); an element's types are
 * contiguous and in that order are the orbitals of each of its atoms. */
#ifndef QDF_BASIS_H
#define QDF_BASIS_H

#include "elements.h"

#define QDF_BASIS_MAX_TYPES 1024
#define QDF_TYPE_NAME_MAX 16

typedef struct qdf_orbital_type {
    char name[QDF_TYPE_NAME_MAX];  /* "C-2s-3" */
    int z;       /* element */
    int q;       /* principal quantum number: phi = d^(q-1) exp(-zeta d^2) */
    int comp;    /* 0: radial only; 1, 2, 3: x/d, y/d, z/d (angular p) */
} qdf_orbital_type;

typedef struct qdf_basis {
    char name[16];
    int angular_p;
    int n_types;
    qdf_orbital_type types[QDF_BASIS_MAX_TYPES];
    int first[QDF_MAX_Z + 1];   /* first type of element Z, -1 if absent */
    int count[QDF_MAX_Z + 1];   /* orbitals per atom of element Z (0 if absent) */
} qdf_basis;

/* Build the basis for the given elements (atomic numbers, any order, repeats
 * ignored). Returns 0, or -1 with a one-line reason in err (unknown basis name,
 * element beyond Ar). */
int qdf_basis_build(qdf_basis *b, const char *name, const int *elements, int n_elements,
                    int angular_p, char *err, int errlen);
/* Space-separated type names in order (the model file's orbital table). */
int qdf_basis_type_names(const qdf_basis *b, char *buf, int len);
/* Does the basis have orbitals for element z? */
static inline int qdf_basis_has(const qdf_basis *b, int z) { return z >= 1 && z <= QDF_MAX_Z && b->count[z] > 0; }

#endif
