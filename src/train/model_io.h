/* model_io.h: model files and training checkpoints in HDF5.
 *
 * Layout (format "qdf-model-1"):
 *   /                attributes: format, qdf_version, basis, radius_A,
 *                    grid_interval_A, dim, layer_functional, hidden_HK, layer_HK,
 *                    pooling ("sum"|"mean"), n_out, angular_p, frame
 *                    ("lab"|"principal"), potential, coulomb_smear_A, target_name,
 *                    target_unit, target_scale, use_atomref, min_atoms, max_atoms,
 *                    orbital_types (space-separated names, in parameter row
 *                    order), training_files, card (free text: metrics)
 *   /elements        int[k]: atomic numbers seen in training
 *   /atomref_eV      double[n_out][19]: eV per atom of element Z (column Z)
 *   /params/NAME     float32[rows][cols], one per parameter
 *   /train/...       checkpoints only: Adam moments (/train/adam_m/NAME,
 *                    /train/adam_v/NAME), adam_step, rng_state (uint64[4]),
 *                    epoch, best_val_mae_eV, best_epoch, elapsed_s; with --ema-decay
 *                    the parameter average /train/ema/NAME, ema_updates, ema_decay
 * Files are written to PATH.tmp, flushed, closed and renamed over PATH, so a
 * crash leaves either the old file or the new one. */
#ifndef QDF_MODEL_IO_H
#define QDF_MODEL_IO_H

#include <stdint.h>

#include "ema.h"
#include "model.h"

typedef struct qdf_train_state {
    qdf_adam *adam;          /* moments to save/restore (may be NULL) */
    qdf_ema *ema;            /* parameter average to save/restore (may be NULL); a checkpoint
                                without one leaves it as the caller initialised it */
    qdf_rng rng;
    int epoch;               /* epochs completed */
    double best_val_mae;     /* eV */
    int best_epoch;
    double elapsed_s;
    /* position inside an interrupted epoch (batch_pos = 0: at an epoch start) */
    uint64_t epoch_rng[4];   /* generator state before this epoch's shuffle */
    int batch_pos;           /* batches of the epoch already done */
    double acc[4];           /* the epoch's running sums: loss_E, loss_V, |err| eV, count */
} qdf_train_state;

#define QDF_CARD_MAX 4096

/* card: free text stored with the model (may be NULL); files: training files. */
int qdf_model_save(const char *path, const qdf_model *m, const qdf_train_state *st, const char *files,
                   const char *card, char *err, int errlen);
/* Load a model (and, if st is given and the file has one, the training state;
 * st->adam must then be initialised for m's parameters). On error returns -1
 * with a one-line reason naming the file. files/card (may be NULL) receive the
 * stored strings. */
int qdf_model_load(const char *path, qdf_model *m, qdf_train_state *st, char *files, int files_len,
                   char *card, int card_len, char *err, int errlen);

#endif
