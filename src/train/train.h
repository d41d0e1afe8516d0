/* train.h: the QDF training loop.
 *
 * For each mini-batch (molecules as separate segments): one Adam step on the
 * energy loss (MSE of E in model units over the batch), then a fresh forward
 * and one Adam step on the potential loss (MSE of V over all points of the
 * batch) with the same optimiser. The learning rate decays by lr_decay every
 * step_size epochs; the training set is shuffled each epoch with the seeded
 * generator. After each epoch: optionally a closed-form refit of the energy
 * readout on the training set (readout.h), then validation (and test) MAE in eV, a line in
 * DIR/log.tsv, DIR/last.h5 (checkpoint) and, when validation improves,
 * DIR/model.h5 and DIR/predictions_val.tsv, all written atomically. */
#ifndef QDF_TRAIN_H
#define QDF_TRAIN_H

#include <stdint.h>

#include "model.h"
#include "reader.h"

enum { QDF_REFIT_OFF = 0, QDF_REFIT_ON = 1, QDF_REFIT_SELECT = 2 };

typedef struct qdf_train_opts {
    char **train, **val, **test;
    int n_train, n_val, n_test;
    const char *out_dir;
    qdf_hparams hp;
    int epochs;
    double lr, lr_decay;
    int step_size;
    int batch_size;
    uint64_t seed;
    int atomref;          /* 1: fit per-element reference energies (default for sum pooling) */
    int scale_target;     /* 1: divide the model-space target by its training RMS */
    double clip;          /* global gradient-norm clip; <= 0 off */
    int init_lsuv;        /* 1: data-dependent unit-variance initialisation of the dense layers (init_lsuv.h) */
    int refit_readout;    /* QDF_REFIT_ON: ridge refit of the readout + atomref after each epoch
                             (readout.h); the gradient steps then leave the readout alone.
                             QDF_REFIT_SELECT: the steps train everything; after each epoch a
                             refitted copy of the readout is validated and saved as DIR/model.h5,
                             while the training state (DIR/last.h5) keeps its own readout */
    double weight_decay;  /* AdamW's decoupled weight decay on the dense layers' weight matrices
                             (not biases, orbital exponents or LCAO coefficients); 0: off */
    double ema_decay;     /* > 0: validate and save an exponential moving average of the
                             parameters (ema.h) with this decay per batch; 0: off */
    double dropout;       /* probability of inverted dropout on the functional's hidden
                             units in the energy step (0: off) */
    int swa_from;         /* > 0: from the start of this epoch (1-based) on, the averaged
                             weights are the uniform mean since then (SWA; ema.h) */
    int orientations;     /* > 0: the model's hp.orientations (also on resume); 0: keep / default 1 */
    int augment_rotations; /* 1: each epoch, turn every training molecule's grid by a random
                             rotation (qdf_augment_rotation); validation keeps the model's frame */
    int revive_dead;      /* 1: after each epoch, re-initialise ReLU units that are dead on a
                             sample of 256 training molecules (revive.h) */
    int resume;
    int eval_batch;
    double max_minutes;   /* stop after the epoch that crosses this wall time (0: no limit) */
    int quiet;
    const char *target_name;
    int target_name_set;     /* given on the command line: relabels a resumed model too */
    qdf_reader_opts ropts;
} qdf_train_opts;

void qdf_train_opts_default(qdf_train_opts *o);
/* Returns a process exit code (0 success; see qdf --help for the others). */
int qdf_train_run(const qdf_train_opts *o);

/* One training step on a batch of nb molecules: an energy step, then a fresh
 * forward and a potential step. Returns the energy loss (model units); *lossV
 * the potential loss, *abs_err_ev the sum of |E - target| in eV before the
 * update; seconds (may be NULL) gets {inputs, energy step, potential step}.
 * turn (may be NULL): nb rotations (3x3 row-major) applied to the molecules'
 * grids (qdf_field_turn). dropout: probability of the energy step's dropout
 * on the functional's hidden units (0: none), masks from dropout_key
 * (qdf_model_forward_train). fctx holds the batch's field, ctx the activations
 * (both reset here). */
double qdf_train_step(qdf_ctx *fctx, qdf_ctx *ctx, qdf_model *m, qdf_adam *opt, double clip,
                      const qdf_molecule *const *mols, int nb, const double *turn, double dropout,
                      uint64_t dropout_key, double *lossV, double *abs_err_ev, double *seconds);

/* The grid rotation of rotation augmentation for training molecule index mol
 * in epoch (0-based) of a run with this seed: a function of the three only, so
 * a resumed run turns the grids as an uninterrupted one. */
void qdf_augment_rotation(uint64_t seed, int epoch, int mol, double R[9]);

/* Set by SIGINT/SIGTERM handlers: finish the step, checkpoint, exit. */
extern volatile int qdf_train_stop_requested;

#endif
