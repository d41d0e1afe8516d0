/* field.h: the grid field of a batch of molecules, built on the fly from their
 * geometries in a context's arena (nothing is cached between steps).
 *
 * Molecules are segments: molecule s owns points pt_off[s] .. pt_off[s+1]-1,
 * orbitals orb_off[s] .. orb_off[s+1]-1 and atoms atom_off[s] .. atom_off[s+1]-1,
 * and its basis-matrix block (points x orbitals, row-major) starts at
 * blk_off[s] in the ragged basis-matrix tensor. */
#ifndef QDF_FIELD_H
#define QDF_FIELD_H

#include "basis.h"
#include "grid.h"
#include "molecule.h"
#include "tape.h"

typedef enum { QDF_FRAME_LAB = 0, QDF_FRAME_PRINCIPAL = 1 } qdf_frame_kind;

typedef struct qdf_field {
    int n_mol, n_points, n_orbs, n_atoms;
    int *pt_off, *orb_off, *atom_off;     /* n_mol + 1 each */
    size_t *blk_off;                      /* n_mol + 1 */
    qdf_blocks blocks;                    /* rows: points, cols: orbitals */
    qdf_segs pt_segs, orb_segs;
    double *points;       /* n_points x 3, Angstrom */
    int *orb_type;        /* n_orbs: index into the basis's types */
    int *orb_atom;        /* n_orbs: index into atom_* (batch-global) */
    double *atom_xyz;     /* n_atoms x 3, Angstrom */
    int *atom_z;          /* n_atoms */
    double *frames;       /* n_mol x 9 (axes as columns) */
    int *n_electrons;     /* n_mol */
    double orbital_cutoff; /* skip orbital values with zeta d^2 above this (orbitals.h) */
} qdf_field;

/* Build the field of n molecules. Returns 0, or -1 with err naming the
 * molecule (an element the basis lacks). */
int qdf_field_build(qdf_ctx *ctx, qdf_field *f, const qdf_molecule *const *mols, int n,
                    const qdf_basis *b, const qdf_grid *g, qdf_frame_kind frame, char *err, int errlen);

/* Turn every molecule's grid: frame s becomes F_s R_s (R: n_mol rotations,
 * 3x3 row-major each) and its points are recomputed from the atoms, so the
 * grid (and the angular orbitals) sit at another orientation around the same
 * atoms. Training with random R is the rotation augmentation of qdf train. */
void qdf_field_turn(qdf_field *f, const qdf_grid *g, const double *R);

#endif
