/* field.c: see field.h. */
#include "field.h"

#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "orbitals.h"

int qdf_field_build(qdf_ctx *ctx, qdf_field *f, const qdf_molecule *const *mols, int n,
                    const qdf_basis *b, const qdf_grid *g, qdf_frame_kind frame, char *err, int errlen) {
    memset(f, 0, sizeof *f);
    f->n_mol = n;
    f->orbital_cutoff = QDF_ORBITAL_CUTOFF;
    f->pt_off = qdf_ctx_alloc(ctx, sizeof(int) * (n + 1));
    f->orb_off = qdf_ctx_alloc(ctx, sizeof(int) * (n + 1));
    f->atom_off = qdf_ctx_alloc(ctx, sizeof(int) * (n + 1));
    f->blk_off = qdf_ctx_alloc(ctx, sizeof(size_t) * (n + 1));
    f->n_electrons = qdf_ctx_alloc(ctx, sizeof(int) * (n + 1));
    f->frames = qdf_ctx_alloc(ctx, sizeof(double) * 9 * (n + 1));
    f->pt_off[0] = f->orb_off[0] = f->atom_off[0] = 0;
    f->blk_off[0] = 0;
    for (int s = 0; s < n; s++) {
        const qdf_molecule *m = mols[s];
        int norb = 0, ne = 0;
        for (int a = 0; a < m->n_atoms; a++) {
            if (!qdf_basis_has(b, m->z[a])) {
                const char *sym = qdf_element_symbol(m->z[a]);
                snprintf(err, errlen, "molecule %s: element %s has no orbitals in this model (basis %s)",
                         m->id, sym ? sym : "?", b->name);
                return -1;
            }
            norb += b->count[m->z[a]];
            ne += m->z[a];
        }
        f->n_electrons[s] = ne;
        f->atom_off[s + 1] = f->atom_off[s] + m->n_atoms;
        f->pt_off[s + 1] = f->pt_off[s] + m->n_atoms * g->n;
        f->orb_off[s + 1] = f->orb_off[s] + norb;
        f->blk_off[s + 1] = f->blk_off[s] + (size_t)m->n_atoms * g->n * norb;
    }
    f->n_points = f->pt_off[n];
    f->n_orbs = f->orb_off[n];
    f->n_atoms = f->atom_off[n];
    f->points = qdf_ctx_alloc(ctx, sizeof(double) * 3 * (f->n_points + 1));
    f->orb_type = qdf_ctx_alloc(ctx, sizeof(int) * (f->n_orbs + 1));
    f->orb_atom = qdf_ctx_alloc(ctx, sizeof(int) * (f->n_orbs + 1));
    f->atom_xyz = qdf_ctx_alloc(ctx, sizeof(double) * 3 * (f->n_atoms + 1));
    f->atom_z = qdf_ctx_alloc(ctx, sizeof(int) * (f->n_atoms + 1));
    for (int s = 0; s < n; s++) {
        const qdf_molecule *m = mols[s];
        const int a0 = f->atom_off[s];
        memcpy(f->atom_xyz + 3 * a0, m->xyz, sizeof(double) * 3 * m->n_atoms);
        memcpy(f->atom_z + a0, m->z, sizeof(int) * m->n_atoms);
        double *F = f->frames + 9 * s;
        if (frame == QDF_FRAME_PRINCIPAL)
            qdf_frame_principal(m->z, m->xyz, m->n_atoms, F);
        else
            qdf_frame_identity(F);
        qdf_grid_points(g, m->xyz, m->n_atoms, F, f->points + 3 * (size_t)f->pt_off[s]);
        int k = f->orb_off[s];
        for (int a = 0; a < m->n_atoms; a++) {
            const int z = m->z[a];
            for (int t = 0; t < b->count[z]; t++, k++) {
                f->orb_type[k] = b->first[z] + t;
                f->orb_atom[k] = a0 + a;
            }
        }
    }
    f->pt_segs = (qdf_segs){n, f->pt_off};
    f->orb_segs = (qdf_segs){n, f->orb_off};
    f->blocks.row_segs = f->pt_segs;
    f->blocks.col_segs = f->orb_segs;
    f->blocks.block_off = f->blk_off;
    return 0;
}

void qdf_field_turn(qdf_field *f, const qdf_grid *g, const double *R) {
    for (int s = 0; s < f->n_mol; s++) {
        double *F = f->frames + 9 * s, FR[9];
        const double *Rs = R + 9 * s;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                FR[3 * i + j] = F[3 * i + 0] * Rs[0 + j] + F[3 * i + 1] * Rs[3 + j] + F[3 * i + 2] * Rs[6 + j];
        memcpy(F, FR, sizeof FR);
        const int a0 = f->atom_off[s];
        qdf_grid_points(g, f->atom_xyz + 3 * (size_t)a0, f->atom_off[s + 1] - a0, F,
                        f->points + 3 * (size_t)f->pt_off[s]);
    }
}
