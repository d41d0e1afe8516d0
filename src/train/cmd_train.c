/* cmd_train.c: `qdf train`: option parsing for the training loop (train.h). */
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "commands.h"
#include "exitcodes.h"
#include "train.h"

static void usage(FILE *f) {
    fprintf(f,
        "usage: qdf train --train FILE... --val FILE... [--test FILE...] --out DIR [options]\n"
        "       qdf train --resume DIR --train FILE... --val FILE... [same options as the first run]\n\n"
        "Trains a QDF model. Inputs: txt, XYZ, extended XYZ, SDF files or folders of raw QM9 files;\n"
        "targets in eV. Writes DIR/log.tsv (epoch, seconds, loss_E, loss_V, MAE_train_eV, MAE_val_eV,\n"
        "MAE_test_eV), DIR/model.h5 (best validation MAE), DIR/last.h5 (checkpoint after every epoch)\n"
        "and DIR/predictions_val.tsv. loss_E is in model units ((E - atomref) / scale)^2; loss_V in\n"
        "the potential's units squared; MAE_train_eV is the mean over the epoch's batches before\n"
        "each update.\n\n"
        "data:\n"
        "  --train FILE...          training inputs (required)\n"
        "  --val FILE...            validation inputs (model.h5 keeps the best epoch on these)\n"
        "  --test FILE...           reported every epoch, never used for choices\n"
        "  --out DIR                output directory (created)\n"
        "  --resume DIR             continue DIR/last.h5 with its optimiser state and random stream\n"
        "  --target NAME            property of raw QM9 files: u0_atomization (default), u0, homo, lumo, gap\n"
        "  --target-name TEXT       label stored in the model (default 'energy'); with --resume, renames\n"
        "model (defaults as the original QDF):\n"
        "  --basis NAME             6-31G (default), 3-21G, STO-3G\n"
        "  --radius A               grid radius around each atom, Angstrom (0.75)\n"
        "  --grid-interval A        grid spacing, Angstrom (0.3)\n"
        "  --dim N                  orbitals / functional width (250)\n"
        "  --layer-functional N     dense ReLU layers of the energy functional (3)\n"
        "  --hidden-hk N            width of the Hohenberg-Kohn map (250)\n"
        "  --layer-hk N             dense ReLU layers of the HK map (3)\n"
        "  --pooling sum|mean       sum for energies (default), mean for intensive targets\n"
        "  --angular-p              angular p orbitals (x/d, y/d, z/d) instead of radial-only 2p (off)\n"
        "  --frame principal|lab    grid frame: principal axes, rotation-invariant (default), or lab axes (original)\n"
        "  --potential gaussian|coulomb   HK target: -sum Z exp(-d^2) (default) or smeared Coulomb\n"
        "  --coulomb-smear A        smearing width of the Coulomb potential, Angstrom (0.2)\n"
        "optimisation:\n"
        "  --epochs N               epochs (100)\n"
        "  --lr X                   Adam learning rate (1e-4)\n"
        "  --lr-decay X             factor applied every --step-size epochs (0.5)\n"
        "  --step-size N            epochs between decays (200)\n"
        "  --batch-size N           molecules per batch (4)\n"
        "  --seed N                 seed of the one random generator (1234)\n"
        "  --atomref on|off         fit per-element reference energies, eV/atom (on for sum pooling)\n"
        "  --scale-target on|off    divide the target by its training RMS, eV (on)\n"
        "  --clip X                 clip gradients to this global L2 norm (off)\n"
        "  --init pytorch|lsuv      initial weights: PyTorch's (default, as the original) or rescaled so\n"
        "                           every dense unit has mean 0, variance 1 on 32 training molecules and\n"
        "                           the energy predictions there mean 0, spread 0.1 (target RMS units)\n"
        "  --refit-readout on|off|select\n"
        "                           on: after each epoch, refit the energy readout and atomref by ridge\n"
        "                           regression on the training set (strength by 5-fold CV on it);\n"
        "                           the gradient steps then train only the features.\n"
        "                           select: the gradient steps train everything, as with off; after\n"
        "                           each epoch a refitted copy of the readout is validated and saved\n"
        "                           in DIR/model.h5 (the training state keeps its own readout) (off)\n"
        "  --revive-dead on|off     before the first epoch and after each epoch, re-initialise the\n"
        "                           ReLU units that are active on no grid point of 256 training\n"
        "                           molecules; their outgoing weights start at zero, so the outputs\n"
        "                           do not change (off)\n"
        "  --orientations K         validation and the saved models average each energy over K grid\n"
        "                           orientations (qdf eval/predict do too), K times the work;\n"
        "                           1-64; on --resume, changes the model's setting (1)\n"
        "  --augment-rotations on|off\n"
        "                           each epoch, turn every training molecule's grid (and angular\n"
        "                           orbitals) about its atoms by a random rotation, drawn from the\n"
        "                           seed, epoch and molecule; validation and prediction keep the\n"
        "                           model's frame (off)\n"
        "  --ema-decay X            validate and save an exponential moving average of the weights,\n"
        "                           decay X per batch (e.g. 0.999: about 1000 batches); the steps\n"
        "                           still train the live weights; with --refit-readout off or select (off)\n"
        "  --dropout P              drop each hidden unit of the energy functional at each grid\n"
        "                           point with probability P in the energy steps (inverted\n"
        "                           dropout, masks drawn from the seed and step; prediction and\n"
        "                           validation use every unit); 0 <= P < 1 (0: off)\n"
        "  --swa-from EPOCH         stochastic weight averaging: from the start of epoch EPOCH on,\n"
        "                           validate and save the plain mean of the weights after every\n"
        "                           batch since then (before it, the --ema-decay average, or the\n"
        "                           live weights); with --refit-readout off or select (off)\n"
        "  --weight-decay X         AdamW's decoupled weight decay: every Adam step (two per batch)\n"
        "                           first multiplies the dense layers' weight matrices by 1 - lr*X\n"
        "                           (X per unit learning rate, dimensionless; biases, orbital\n"
        "                           exponents and LCAO coefficients are not decayed) (0: off)\n"
        "  --max-minutes X          stop (with a checkpoint) after the epoch that passes X minutes\n"
        "  --threads N              OpenMP threads (default: all cores)\n"
        "  --quiet                  no progress line\n");
}

static int onoff(const char *s) { return !strcmp(s, "on") || !strcmp(s, "1") || !strcmp(s, "yes"); }

int qdf_cmd_train(int argc, char **argv) {
    qdf_train_opts o;
    qdf_train_opts_default(&o);
    static char resume_dir[4096];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int has = i + 1 < argc;
        const char *v = has ? argv[i + 1] : NULL;
#define NEED_VALUE()                                                                   \
    do {                                                                               \
        if (!has) {                                                                    \
            fprintf(stderr, "qdf train: %s needs a value (see qdf train --help)\n", a); \
            return QDF_EXIT_USAGE;                                                     \
        }                                                                              \
        i++;                                                                           \
    } while (0)
#define NEED_DOUBLE(dst)                                                                        \
    do {                                                                                        \
        NEED_VALUE();                                                                           \
        if (qdf_parse_double("qdf train", a, v, &(dst))) return QDF_EXIT_USAGE;                  \
    } while (0)
#define NEED_INT(dst, lo, hi)                                                            \
    do {                                                                                 \
        NEED_VALUE();                                                                    \
        if (qdf_parse_int("qdf train", a, v, lo, hi, &(dst))) return QDF_EXIT_USAGE;      \
    } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return QDF_EXIT_OK;
        } else if (!strcmp(a, "--train") || !strcmp(a, "--val") || !strcmp(a, "--test")) {
            char ***dst = a[2] == 't' && a[3] == 'r' ? &o.train : a[2] == 'v' ? &o.val : &o.test;
            int *n = a[2] == 't' && a[3] == 'r' ? &o.n_train : a[2] == 'v' ? &o.n_val : &o.n_test;
            if (qdf_take_list(argc, argv, &i, dst, n)) {
                fprintf(stderr, "qdf train: %s needs at least one file\n", a);
                return QDF_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--out")) { NEED_VALUE(); o.out_dir = v;
        } else if (!strcmp(a, "--resume")) { NEED_VALUE(); snprintf(resume_dir, sizeof resume_dir, "%s", v); o.out_dir = resume_dir; o.resume = 1;
        } else if (!strcmp(a, "--target")) {
            NEED_VALUE();
            o.ropts.qm9_property = qdf_qm9_property_from_name(v);
            if (o.ropts.qm9_property < 0) {
                fprintf(stderr, "qdf train: unknown --target '%s'\n", v);
                return QDF_EXIT_USAGE;
            }
            o.target_name = v;
        } else if (!strcmp(a, "--target-name")) { NEED_VALUE(); o.target_name = v; o.target_name_set = 1;
        } else if (!strcmp(a, "--basis")) { NEED_VALUE(); snprintf(o.hp.basis, sizeof o.hp.basis, "%s", v);
        } else if (!strcmp(a, "--radius")) { NEED_DOUBLE(o.hp.radius);
        } else if (!strcmp(a, "--grid-interval")) { NEED_DOUBLE(o.hp.grid_interval);
        } else if (!strcmp(a, "--dim")) { NEED_INT(o.hp.dim, 1, 100000);
        } else if (!strcmp(a, "--layer-functional")) { NEED_INT(o.hp.layer_functional, 0, QDF_MAX_LAYERS);
        } else if (!strcmp(a, "--hidden-hk")) { NEED_INT(o.hp.hidden_HK, 1, 100000);
        } else if (!strcmp(a, "--layer-hk")) { NEED_INT(o.hp.layer_HK, 0, QDF_MAX_LAYERS);
        } else if (!strcmp(a, "--pooling")) {
            NEED_VALUE();
            if (strcmp(v, "sum") && strcmp(v, "mean")) {
                fprintf(stderr, "qdf train: --pooling is sum or mean, not '%s'\n", v);
                return QDF_EXIT_USAGE;
            }
            o.hp.pool_mean = !strcmp(v, "mean");
        } else if (!strcmp(a, "--angular-p")) { o.hp.angular_p = 1;
        } else if (!strcmp(a, "--frame")) {
            NEED_VALUE();
            if (strcmp(v, "lab") && strcmp(v, "principal")) {
                fprintf(stderr, "qdf train: --frame is principal or lab, not '%s'\n", v);
                return QDF_EXIT_USAGE;
            }
            o.hp.frame = !strcmp(v, "lab") ? QDF_FRAME_LAB : QDF_FRAME_PRINCIPAL;
        } else if (!strcmp(a, "--potential")) {
            NEED_VALUE();
            if (qdf_potential_from_name(v) < 0) {
                fprintf(stderr, "qdf train: --potential is gaussian or coulomb, not '%s'\n", v);
                return QDF_EXIT_USAGE;
            }
            o.hp.potential = qdf_potential_from_name(v);
        } else if (!strcmp(a, "--coulomb-smear")) { NEED_DOUBLE(o.hp.coulomb_smear);
        } else if (!strcmp(a, "--epochs")) { NEED_INT(o.epochs, 0, 10000000);
        } else if (!strcmp(a, "--lr")) { NEED_DOUBLE(o.lr);
        } else if (!strcmp(a, "--lr-decay")) { NEED_DOUBLE(o.lr_decay);
        } else if (!strcmp(a, "--step-size")) { NEED_INT(o.step_size, 1, INT_MAX);
        } else if (!strcmp(a, "--batch-size")) { NEED_INT(o.batch_size, 1, 256);
        } else if (!strcmp(a, "--seed")) { NEED_VALUE();
            unsigned long long seed;
            if (qdf_parse_u64("qdf train", a, v, &seed)) return QDF_EXIT_USAGE;
            o.seed = seed;
        } else if (!strcmp(a, "--atomref")) { NEED_VALUE(); o.atomref = onoff(v);
        } else if (!strcmp(a, "--scale-target")) { NEED_VALUE(); o.scale_target = onoff(v);
        } else if (!strcmp(a, "--clip")) { NEED_DOUBLE(o.clip);
        } else if (!strcmp(a, "--init")) {
            NEED_VALUE();
            if (strcmp(v, "pytorch") && strcmp(v, "lsuv")) {
                fprintf(stderr, "qdf train: --init is pytorch or lsuv, not '%s'\n", v);
                return QDF_EXIT_USAGE;
            }
            o.init_lsuv = !strcmp(v, "lsuv");
        } else if (!strcmp(a, "--refit-readout")) { NEED_VALUE();
            if (!strcmp(v, "select")) o.refit_readout = QDF_REFIT_SELECT;
            else if (onoff(v)) o.refit_readout = QDF_REFIT_ON;
            else if (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "no")) o.refit_readout = QDF_REFIT_OFF;
            else {
                fprintf(stderr, "qdf train: --refit-readout takes on, off or select, not '%s'\n", v);
                return QDF_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--revive-dead")) { NEED_VALUE(); o.revive_dead = onoff(v);
        } else if (!strcmp(a, "--ema-decay")) { NEED_DOUBLE(o.ema_decay);
        } else if (!strcmp(a, "--dropout")) { NEED_DOUBLE(o.dropout);
        } else if (!strcmp(a, "--swa-from")) { NEED_VALUE();
            if (qdf_parse_int("qdf train", a, v, 1, 1000000, &o.swa_from)) return QDF_EXIT_USAGE;
        } else if (!strcmp(a, "--orientations")) { NEED_VALUE();
            if ((o.orientations = qdf_parse_orientations("qdf train", v)) < 0) return QDF_EXIT_USAGE;
        } else if (!strcmp(a, "--augment-rotations")) { NEED_VALUE(); o.augment_rotations = onoff(v);
        } else if (!strcmp(a, "--weight-decay")) { NEED_DOUBLE(o.weight_decay);
        } else if (!strcmp(a, "--max-minutes")) { NEED_DOUBLE(o.max_minutes);
        } else if (!strcmp(a, "--threads")) { NEED_VALUE();
            int nthr;
            if (qdf_parse_int("qdf train", a, v, 1, 1024, &nthr)) return QDF_EXIT_USAGE;
            omp_set_num_threads(nthr);
        } else if (!strcmp(a, "--quiet")) { o.quiet = 1;
        } else {
            fprintf(stderr, "qdf train: unknown option '%s' (see qdf train --help)\n", a);
            return QDF_EXIT_USAGE;
        }
#undef NEED_VALUE
#undef NEED_DOUBLE
#undef NEED_INT
    }
    if (!o.n_train || !o.out_dir) {
        fprintf(stderr, "qdf train: --train and --out (or --resume) are required (see qdf train --help)\n");
        return QDF_EXIT_USAGE;
    }
    /* integer options are range-checked by qdf_parse_int above */
    if (!(o.lr > 0) || !(o.lr_decay > 0) || !(o.clip >= 0) || !(o.max_minutes >= 0) || !(o.hp.coulomb_smear > 0)) {
        fprintf(stderr, "qdf train: --lr, --lr-decay and --coulomb-smear (A) must be > 0, --clip and --max-minutes "
                        ">= 0 (0: off); got %g, %g, %g, %g, %g\n",
                o.lr, o.lr_decay, o.hp.coulomb_smear, o.clip, o.max_minutes);
        return QDF_EXIT_USAGE;
    }
    if (!(o.ema_decay >= 0 && o.ema_decay < 1)) {
        fprintf(stderr, "qdf train: --ema-decay is a number in [0, 1), not %g\n", o.ema_decay);
        return QDF_EXIT_USAGE;
    }
    if (!(o.dropout >= 0 && o.dropout < 1)) {
        fprintf(stderr, "qdf train: --dropout is a probability in [0, 1), not '%g'\n", o.dropout);
        return QDF_EXIT_USAGE;
    }
    if (!(o.weight_decay >= 0 && o.weight_decay * o.lr < 1)) {
        fprintf(stderr, "qdf train: --weight-decay is a number >= 0 with lr * X < 1, not %g\n", o.weight_decay);
        return QDF_EXIT_USAGE;
    }
    if ((o.ema_decay > 0 || o.swa_from > 0) && o.refit_readout == QDF_REFIT_ON) {
        fprintf(stderr, "qdf train: --ema-decay and --swa-from average weights the steps train; with "
                        "--refit-readout on the readout is not trained: use --refit-readout select\n");
        return QDF_EXIT_USAGE;
    }
    return qdf_train_run(&o);
}
