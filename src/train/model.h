/* model.h: the QDF model: hyperparameters, parameters, and the forward pass
 * composed from engine ops (the backward is derived by the tape).
 *
 *   field (points) -> Phi = basis_matrix(zeta)                 ragged P_s x K_s
 *   C = seg_col_l2norm(gather(coef, orbital types), orbitals)  K x dim
 *   Psi = seg_col_l2norm(block_matmul(Phi, C), points, sqrt(N_e / dim))   P x dim
 *   energy head: h = Psi; layer_functional x relu(linear); pool (sum|mean) per
 *                molecule; E = linear(dim -> n_out)            S x n_out
 *   rho = row_sum(Psi^2)                                       P x 1
 *   HK head: V = linear(relu-layers(linear(rho, 1 -> hidden_HK)))  P x 1
 *
 * Energies are in eV; internally the targets are shifted by the per-element
 * reference energies (atomref) and scaled by target_scale for training. */
#ifndef QDF_MODEL_H
#define QDF_MODEL_H

#include <stdint.h>

#include "adam.h"
#include "basis.h"
#include "field.h"
#include "grid.h"
#include "param.h"
#include "potential.h"

#define QDF_MAX_LAYERS 8

typedef struct qdf_hparams {
    char basis[16];          /* "6-31G" */
    double radius;           /* grid radius, Angstrom (0.75) */
    double grid_interval;    /* grid spacing, Angstrom (0.3) */
    int dim;                 /* 250 */
    int layer_functional;    /* 3 */
    int hidden_HK;           /* 250 */
    int layer_HK;            /* 3 */
    int pool_mean;           /* 0: sum (extensive energies), 1: mean (HOMO/LUMO) */
    int n_out;               /* targets per molecule */
    int angular_p;           /* 0 (original radial-only 2p) */
    int frame;               /* QDF_FRAME_PRINCIPAL (rotation-invariant grid, default) */
    int potential;           /* QDF_POT_GAUSSIAN */
    double coulomb_smear;    /* Angstrom, for the coulomb potential (0.2) */
    int orientations;        /* predictions average the energy over this many grid orientations
                                (qdf_frame_orientation; 1: the model's frame only, the default) */
} qdf_hparams;

void qdf_hparams_default(qdf_hparams *hp);

typedef struct qdf_model {
    qdf_hparams hp;
    qdf_basis basis;
    qdf_grid grid;
    qdf_param_set params;
    qdf_tensor *zeta, *coef;
    qdf_tensor *fW[QDF_MAX_LAYERS], *fb[QDF_MAX_LAYERS];
    qdf_tensor *propW, *propb;
    qdf_tensor *densW, *densb;
    qdf_tensor *hkW[QDF_MAX_LAYERS], *hkb[QDF_MAX_LAYERS];
    qdf_tensor *potW, *potb;
    /* target handling (stored in the model file) */
    double atomref[QDF_MAX_TARGETS][QDF_MAX_Z + 1];  /* eV per atom of element Z */
    int use_atomref;
    double target_scale;     /* E_model = (E - atomref) / target_scale */
    char target_name[64], target_unit[16];
    /* training domain */
    int elements[QDF_MAX_Z + 1];   /* 1 if seen in training */
    int min_atoms, max_atoms;
} qdf_model;

/* Create a model for the given elements with freshly initialised parameters
 * (PyTorch's initialisation from the seeded generator). 0 or -1 with err. */
int qdf_model_init(qdf_model *m, const qdf_hparams *hp, const int *elements, int n_elements,
                   qdf_rng *rng, char *err, int errlen);
void qdf_model_free(qdf_model *m);
/* 1 if t is the weight matrix of one of the model's dense layers (functional,
 * property, density, HK, potential): what weight decay shrinks. */
int qdf_model_is_dense_weight(const qdf_model *m, const qdf_tensor *t);

/* The forward pass over a field. Outputs (arena tensors): E (S x n_out, model
 * units: see target_scale), psi, rho, V (P x 1). Any may be NULL if not wanted;
 * skip_hk = 1 skips the HK branch (prediction). */
typedef struct qdf_forward_out {
    qdf_tensor *E, *psi, *rho, *V, *phi;
    qdf_tensor *pooled;   /* S x dim: the pooled last functional layer (input of E) */
} qdf_forward_out;
void qdf_model_forward(qdf_ctx *ctx, qdf_model *m, const qdf_field *f, int want_energy, int want_hk,
                       qdf_forward_out *out);
/* The same for a training step: inverted dropout with probability dropout on
 * the output of every ReLU layer of the energy functional, masks drawn from
 * key (op_dropout.c); dropout 0 is qdf_model_forward. */
void qdf_model_forward_train(qdf_ctx *ctx, qdf_model *m, const qdf_field *f, int want_energy, int want_hk,
                             double dropout, uint64_t key, qdf_forward_out *out);

/* Energy in eV of molecule s from the model output row (adds atomref back). */
double qdf_model_energy_ev(const qdf_model *m, const qdf_molecule *mol, const real *E_row, int j);
/* Model-unit target of a molecule (what the energy loss compares to). */
double qdf_model_target(const qdf_model *m, const qdf_molecule *mol, int j);

#endif
