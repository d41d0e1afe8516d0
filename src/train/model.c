/* model.c: see model.h. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"
#include "orbitals.h"
#include "rng.h"

void qdf_hparams_default(qdf_hparams *hp) {
    memset(hp, 0, sizeof *hp);
    snprintf(hp->basis, sizeof hp->basis, "6-31G");
    hp->radius = 0.75;
    hp->grid_interval = 0.3;
    hp->dim = 250;
    hp->layer_functional = 3;
    hp->hidden_HK = 250;
    hp->layer_HK = 3;
    hp->pool_mean = 0;
    hp->n_out = 1;
    hp->angular_p = 0;
    hp->frame = QDF_FRAME_PRINCIPAL;
    hp->potential = QDF_POT_GAUSSIAN;
    hp->coulomb_smear = 0.2;
    hp->orientations = 1;
}

int qdf_model_init(qdf_model *m, const qdf_hparams *hp, const int *elements, int n_elements,
                   qdf_rng *rng, char *err, int errlen) {
    memset(m, 0, sizeof *m);
    m->hp = *hp;
    if (hp->dim < 1 || hp->hidden_HK < 1 || hp->n_out < 1 || hp->n_out > QDF_MAX_TARGETS ||
        hp->layer_functional < 0 || hp->layer_functional > QDF_MAX_LAYERS || hp->layer_HK < 0 ||
        hp->layer_HK > QDF_MAX_LAYERS) {
        snprintf(err, errlen, "invalid model sizes (dim %d, hidden_HK %d, layers %d/%d, outputs %d)", hp->dim,
                 hp->hidden_HK, hp->layer_functional, hp->layer_HK, hp->n_out);
        return -1;
    }
    if (qdf_basis_build(&m->basis, hp->basis, elements, n_elements, hp->angular_p, err, errlen)) return -1;
    if (qdf_grid_init(&m->grid, hp->radius, hp->grid_interval, err, errlen)) return -1;
    for (int i = 0; i < n_elements; i++) m->elements[elements[i]] = 1;
    m->target_scale = 1;
    snprintf(m->target_name, sizeof m->target_name, "energy");
    snprintf(m->target_unit, sizeof m->target_unit, "eV");
    m->min_atoms = 0;
    m->max_atoms = 0;

    qdf_param_set *ps = &m->params;
    const int T = m->basis.n_types, D = hp->dim, H = hp->hidden_HK;
    char name[64];
    /* Order of creation = order of initialisation draws (as the PyTorch model's
     * modules: embeddings, then layers in order). */
    m->zeta = qdf_param_new(ps, "zeta", T, 1);
    m->coef = qdf_param_new(ps, "coef", T, D);
    for (int l = 0; l < hp->layer_functional; l++) {
        snprintf(name, sizeof name, "functional.%d.weight", l);
        m->fW[l] = qdf_param_new(ps, name, D, D);
        snprintf(name, sizeof name, "functional.%d.bias", l);
        m->fb[l] = qdf_param_new(ps, name, 1, D);
    }
    m->propW = qdf_param_new(ps, "property.weight", hp->n_out, D);
    m->propb = qdf_param_new(ps, "property.bias", 1, hp->n_out);
    m->densW = qdf_param_new(ps, "density.weight", H, 1);
    m->densb = qdf_param_new(ps, "density.bias", 1, H);
    for (int l = 0; l < hp->layer_HK; l++) {
        snprintf(name, sizeof name, "hk.%d.weight", l);
        m->hkW[l] = qdf_param_new(ps, name, H, H);
        snprintf(name, sizeof name, "hk.%d.bias", l);
        m->hkb[l] = qdf_param_new(ps, name, 1, H);
    }
    m->potW = qdf_param_new(ps, "potential.weight", 1, H);
    m->potb = qdf_param_new(ps, "potential.bias", 1, 1);

    if (rng) {
        qdf_init_const(m->zeta, 1);
        qdf_init_normal(rng, m->coef);
        for (int l = 0; l < hp->layer_functional; l++) qdf_init_linear(rng, m->fW[l], m->fb[l]);
        qdf_init_linear(rng, m->propW, m->propb);
        qdf_init_linear(rng, m->densW, m->densb);
        for (int l = 0; l < hp->layer_HK; l++) qdf_init_linear(rng, m->hkW[l], m->hkb[l]);
        qdf_init_linear(rng, m->potW, m->potb);
    }
    return 0;
}

void qdf_model_free(qdf_model *m) { qdf_param_set_free(&m->params); }

int qdf_model_is_dense_weight(const qdf_model *m, const qdf_tensor *t) {
    if (t == m->propW || t == m->densW || t == m->potW) return 1;
    for (int l = 0; l < m->hp.layer_functional; l++)
        if (t == m->fW[l]) return 1;
    for (int l = 0; l < m->hp.layer_HK; l++)
        if (t == m->hkW[l]) return 1;
    return 0;
}

void qdf_model_forward(qdf_ctx *ctx, qdf_model *m, const qdf_field *f, int want_energy, int want_hk,
                       qdf_forward_out *out) {
    qdf_model_forward_train(ctx, m, f, want_energy, want_hk, 0, 0, out);
}

void qdf_model_forward_train(qdf_ctx *ctx, qdf_model *m, const qdf_field *f, int want_energy, int want_hk,
                             double dropout, uint64_t key, qdf_forward_out *out) {
    memset(out, 0, sizeof *out);
    const int S = f->n_mol, D = m->hp.dim;
    qdf_tensor *phi = qdf_basis_matrix(ctx, f, &m->basis, m->zeta);
    qdf_tensor *c = qdf_gather_rows(ctx, m->coef, f->orb_type, f->n_orbs);
    c = qdf_seg_col_l2norm(ctx, c, f->orb_segs, NULL);
    qdf_tensor *psi = qdf_block_matmul(ctx, phi, &f->blocks, c);
    real *scale = qdf_ctx_alloc(ctx, sizeof(real) * (S + 1));
    for (int s = 0; s < S; s++) scale[s] = (real)sqrt((double)f->n_electrons[s] / D);
    psi = qdf_seg_col_l2norm(ctx, psi, f->pt_segs, scale);
    out->phi = phi;
    out->psi = psi;
    if (want_energy) {
        qdf_tensor *h = psi;
        for (int l = 0; l < m->hp.layer_functional; l++) {
            h = qdf_linear(ctx, h, m->fW[l], m->fb[l], 1);
            h = qdf_dropout(ctx, h, dropout, key ^ qdf_hash64((uint64_t)l + 1)); /* h itself when 0 */
        }
        h = m->hp.pool_mean ? qdf_seg_mean(ctx, h, f->pt_segs) : qdf_seg_sum(ctx, h, f->pt_segs);
        out->pooled = h;
        out->E = qdf_linear(ctx, h, m->propW, m->propb, 0);
    }
    if (want_hk) {
        qdf_tensor *rho = qdf_row_sum(ctx, qdf_square(ctx, psi));
        qdf_tensor *h = qdf_linear(ctx, rho, m->densW, m->densb, 0);
        for (int l = 0; l < m->hp.layer_HK; l++) h = qdf_linear(ctx, h, m->hkW[l], m->hkb[l], 1);
        out->rho = rho;
        out->V = qdf_linear(ctx, h, m->potW, m->potb, 0);
    }
}

static double atomref_sum(const qdf_model *m, const qdf_molecule *mol, int j) {
    if (!m->use_atomref) return 0;
    double s = 0;
    for (int a = 0; a < mol->n_atoms; a++)
        if (mol->z[a] >= 1 && mol->z[a] <= QDF_MAX_Z) s += m->atomref[j][mol->z[a]];
    return s;
}

double qdf_model_energy_ev(const qdf_model *m, const qdf_molecule *mol, const real *E_row, int j) {
    return (double)E_row[j] * m->target_scale + atomref_sum(m, mol, j);
}

double qdf_model_target(const qdf_model *m, const qdf_molecule *mol, int j) {
    return (mol->target[j] - atomref_sum(m, mol, j)) / m->target_scale;
}
