/* train.c: see train.h. */
#include "train.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "atomref.h"
#include "dataset.h"
#include "evaluate.h"
#include "frame.h"
#include "init_lsuv.h"
#include "readout.h"
#include "revive.h"
#include "exitcodes.h"
#include "model_io.h"
#include "ops.h"

volatile int qdf_train_stop_requested;

static void on_signal(int sig) {
    (void)sig;
    qdf_train_stop_requested = 1;
}

void qdf_train_opts_default(qdf_train_opts *o) {
    memset(o, 0, sizeof *o);
    qdf_hparams_default(&o->hp);
    o->epochs = 100;
    o->lr = 1e-4;
    o->lr_decay = 0.5;
    o->step_size = 200;
    o->batch_size = 4;
    o->seed = 1234;
    o->atomref = -1;
    o->scale_target = 1;
    o->clip = 0;
    o->eval_batch = 16;
    o->target_name = "energy";
}

/* printf-style append to the NUL-terminated buf of size n (truncates, never
 * overflows): the optional phrases of the model card's training note. */
__attribute__((format(printf, 3, 4))) static void append_note(char *buf, size_t n, const char *fmt, ...) {
    const size_t used = strlen(buf);
    if (used + 1 >= n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void join_files(char *buf, size_t len, char **a, int n) {
    size_t used = strlen(buf);
    for (int i = 0; i < n; i++) {
        int w = snprintf(buf + used, len > used ? len - used : 0, "%s%s", used ? " " : "", a[i]);
        if (w < 0) return;
        used += (size_t)w;
        if (used >= len) return;
    }
}

static int write_predictions(const char *path, const qdf_dataset *d, int n_out, const double *pred) {
    qdf_atomic_file af;
    char err[512];
    if (qdf_atomic_open(&af, path, err, sizeof err)) return -1;
    FILE *f = af.f;
    fprintf(f, "id\tn_atoms");
    for (int j = 0; j < n_out; j++) fprintf(f, "\tpredicted_%d_eV\treference_%d_eV\tabs_error_%d_eV", j, j, j);
    fprintf(f, "\n");
    for (int i = 0; i < d->n; i++) {
        fprintf(f, "%s\t%d", d->mols[i].id, d->mols[i].n_atoms);
        for (int j = 0; j < n_out; j++) {
            const double p = pred[(size_t)i * n_out + j], t = d->mols[i].target[j];
            fprintf(f, "\t%.6f\t%.6f\t%.6f", p, t, fabs(p - t));
        }
        fprintf(f, "\n");
    }
    return qdf_atomic_commit(&af, err, sizeof err);
}

void qdf_augment_rotation(uint64_t seed, int epoch, int mol, double R[9]) {
    qdf_rng r;
    qdf_rng_seed(&r, seed ^ (0x9E3779B97F4A7C15ULL * (((uint64_t)(uint32_t)epoch << 32) | (uint32_t)mol) + 1));
    qdf_frame_random_rotation(&r, R);
}

double qdf_train_step(qdf_ctx *fctx, qdf_ctx *ctx, qdf_model *m, qdf_adam *opt, double clip,
                      const qdf_molecule *const *mols, int nb, const double *turn, double dropout,
                      uint64_t dropout_key, double *lossV, double *abs_err_ev, double *seconds) {
    double t0 = now_s(), t1 = t0, t2 = t0;
    char err[256];
    *lossV = NAN;
    *abs_err_ev = NAN;
    qdf_ctx_reset(fctx);
    qdf_field *f = qdf_ctx_alloc(fctx, sizeof *f);
    if (qdf_field_build(fctx, f, mols, nb, &m->basis, &m->grid, m->hp.frame, err, sizeof err) != 0) {
        fprintf(stderr, "qdf: %s\n", err);
        return NAN;
    }
    if (turn) qdf_field_turn(f, &m->grid, turn);
    const int n_out = m->hp.n_out;
    real *tE = qdf_ctx_alloc(fctx, sizeof(real) * nb * n_out);
    for (int i = 0; i < nb; i++)
        for (int j = 0; j < n_out; j++) tE[i * n_out + j] = (real)qdf_model_target(m, mols[i], j);
    real *tV = qdf_ctx_alloc(fctx, sizeof(real) * (f->n_points + 1));
    qdf_potential_eval(f, m->hp.potential, m->hp.coulomb_smear, tV);

    /* energy step */
    t1 = now_s();
    qdf_ctx_reset(ctx);
    qdf_forward_out out;
    qdf_model_forward_train(ctx, m, f, 1, 0, dropout, dropout_key, &out);
    qdf_tensor *lE = qdf_mse(ctx, out.E, qdf_tensor_wrap(ctx, nb, n_out, tE));
    double ae = 0;
    for (int i = 0; i < nb; i++)
        for (int j = 0; j < n_out; j++)
            ae += fabs(qdf_model_energy_ev(m, mols[i], out.E->data + i * n_out, j) - mols[i]->target[j]);
    *abs_err_ev = ae;
    const double lossE = lE->data[0];
    qdf_backward(ctx, lE);
    if (clip > 0) qdf_clip_grad_norm(&m->params, clip);
    qdf_adam_step(opt, &m->params);
    qdf_param_set_zero_grad(&m->params);

    /* potential step: a fresh forward with the updated parameters */
    t2 = now_s();
    qdf_ctx_reset(ctx);
    qdf_model_forward(ctx, m, f, 0, 1, &out);
    qdf_tensor *lV = qdf_mse(ctx, out.V, qdf_tensor_wrap(ctx, f->n_points, 1, tV));
    *lossV = lV->data[0];
    qdf_backward(ctx, lV);
    if (clip > 0) qdf_clip_grad_norm(&m->params, clip);
    qdf_adam_step(opt, &m->params);
    qdf_param_set_zero_grad(&m->params);
    if (seconds) {
        const double t3 = now_s();
        seconds[0] = t1 - t0; /* inputs: grid, orbital table, targets */
        seconds[1] = t2 - t1; /* energy step */
        seconds[2] = t3 - t2; /* potential step */
    }
    return lossE;
}

/* On resume: drop log.tsv lines of epochs after the checkpoint (the line of an
 * epoch is written just before its checkpoint; a kill in between leaves one). */
static void trim_log(const char *path, int epochs) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char tmp[4300], line[1024];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *o = fopen(tmp, "w");
    if (!o) {
        fclose(f);
        return;
    }
    int dropped = 0;
    while (fgets(line, sizeof line, f)) {
        char *end;
        const long e = strtol(line, &end, 10);
        if (end != line && e > epochs) dropped = 1;
        else fputs(line, o);
    }
    fclose(f);
    const int ok = fflush(o) == 0 && fsync(fileno(o)) == 0;
    fclose(o);
    if (dropped && ok) rename(tmp, path);
    else unlink(tmp);
}

/* The energy readout (property weight and bias) and the per-element reference
 * energies: what qdf_readout_refit changes. */
typedef struct {
    real *w, *b;
    double atomref[QDF_MAX_TARGETS][QDF_MAX_Z + 1];
} readout_stash_t;

static void readout_stash(const qdf_model *m, readout_stash_t *s) {
    if (!s->w) {
        s->w = malloc(sizeof(real) * qdf_numel(m->propW));
        s->b = malloc(sizeof(real) * qdf_numel(m->propb));
    }
    memcpy(s->w, m->propW->data, sizeof(real) * qdf_numel(m->propW));
    memcpy(s->b, m->propb->data, sizeof(real) * qdf_numel(m->propb));
    memcpy(s->atomref, m->atomref, sizeof s->atomref);
}

static void readout_restore(qdf_model *m, const readout_stash_t *s) {
    memcpy(m->propW->data, s->w, sizeof(real) * qdf_numel(m->propW));
    memcpy(m->propb->data, s->b, sizeof(real) * qdf_numel(m->propb));
    memcpy(m->atomref, s->atomref, sizeof s->atomref);
}

static void readout_stash_free(readout_stash_t *s) {
    free(s->w);
    free(s->b);
}

static int check_out_dir(const char *dir, char *err, int errlen) {
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create output directory (%s)", dir, strerror(errno));
        return -1;
    }
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.qdf_write_probe", dir);
    FILE *f = fopen(probe, "w");
    if (!f) {
        snprintf(err, errlen, "%s: output directory is not writable (%s)", dir, strerror(errno));
        return -1;
    }
    /* a few MiB must fit: a model file is ~1.6 MiB, a checkpoint three times that */
    static char block[1 << 16];
    int ok = 1;
    for (int i = 0; i < 96 && ok; i++) ok = fwrite(block, 1, sizeof block, f) == sizeof block;
    ok = ok && fflush(f) == 0;
    fclose(f);
    unlink(probe);
    if (!ok) {
        snprintf(err, errlen, "%s: no room to write models (disk full?)", dir);
        return -1;
    }
    return 0;
}

int qdf_train_run(const qdf_train_opts *o) {
    char err[1024];
    if (check_out_dir(o->out_dir, err, sizeof err)) {
        fprintf(stderr, "qdf train: %s\n", err);
        return QDF_EXIT_OUTPUT;
    }
    qdf_dataset tr = {0}, va = {0}, te = {0};
    if (qdf_dataset_load(&tr, o->train, o->n_train, &o->ropts, stderr, err, sizeof err) ||
        qdf_dataset_load(&va, o->val, o->n_val, &o->ropts, stderr, err, sizeof err) ||
        qdf_dataset_load(&te, o->test, o->n_test, &o->ropts, stderr, err, sizeof err)) {
        fprintf(stderr, "qdf train: %s\n", err);
        return QDF_EXIT_INPUT;
    }
    if (tr.n == 0) {
        fprintf(stderr, "qdf train: no training molecules in the given files\n");
        return QDF_EXIT_INPUT;
    }
    int n_out = tr.mols[0].n_targets;
    for (int i = 0; i < tr.n; i++)
        if (tr.mols[i].n_targets != n_out) {
            fprintf(stderr, "qdf train: molecule %s has %d targets, the first has %d\n", tr.mols[i].id,
                    tr.mols[i].n_targets, n_out);
            return QDF_EXIT_INPUT;
        }
    if (n_out < 1) {
        fprintf(stderr, "qdf train: the training molecules carry no target values\n");
        return QDF_EXIT_INPUT;
    }
    int min_atoms, max_atoms, flags[QDF_MAX_Z + 1], elements[QDF_MAX_Z + 1], n_el = 0;
    qdf_dataset_stats(&tr, &min_atoms, &max_atoms, flags);
    for (int z = 1; z <= QDF_MAX_Z; z++)
        if (flags[z]) elements[n_el++] = z;

    char files[8192] = "";
    join_files(files, sizeof files, o->train, o->n_train);
    char last_path[4200], best_path[4200], log_path[4200], pred_path[4200];
    snprintf(last_path, sizeof last_path, "%s/last.h5", o->out_dir);
    snprintf(best_path, sizeof best_path, "%s/model.h5", o->out_dir);
    snprintf(log_path, sizeof log_path, "%s/log.tsv", o->out_dir);
    snprintf(pred_path, sizeof pred_path, "%s/predictions_val.tsv", o->out_dir);

    qdf_model m;
    qdf_adam opt;
    qdf_ema ema = {0};
    qdf_train_state st;
    memset(&st, 0, sizeof st);
    st.best_val_mae = INFINITY;
    qdf_rng_seed(&st.rng, o->seed);
    if (o->resume) {
        /* the model's shapes come from the checkpoint; Adam is sized after it */
        qdf_model probe;
        if (qdf_model_load(last_path, &probe, NULL, NULL, 0, NULL, 0, err, sizeof err)) {
            fprintf(stderr, "qdf train --resume: %s\n", err);
            return QDF_EXIT_MODEL;
        }
        qdf_adam_init(&opt, &probe.params, o->lr);
        st.adam = &opt;
        /* the average starts at the checkpoint's weights unless the checkpoint has one */
        if (o->ema_decay > 0 || o->swa_from > 0) {
            qdf_ema_init(&ema, &probe.params, o->ema_decay);
            st.ema = &ema;
        }
        qdf_model_free(&probe);
        if (qdf_model_load(last_path, &m, &st, NULL, 0, NULL, 0, err, sizeof err)) {
            fprintf(stderr, "qdf train --resume: %s\n", err);
            return QDF_EXIT_MODEL;
        }
        /* a label, not a training setting: a run started without it can be named when resumed */
        if (o->target_name_set) snprintf(m.target_name, sizeof m.target_name, "%s", o->target_name);
        if (o->orientations > 0) m.hp.orientations = o->orientations;
        fprintf(stderr, "qdf train: resuming %s after epoch %d (batch %d of the next)\n", last_path, st.epoch,
                st.batch_pos);
        trim_log(log_path, st.epoch);
    } else {
        qdf_hparams hp = o->hp;
        hp.n_out = n_out;
        if (o->orientations > 0) hp.orientations = o->orientations;
        if (qdf_model_init(&m, &hp, elements, n_el, &st.rng, err, sizeof err)) {
            fprintf(stderr, "qdf train: %s\n", err);
            return QDF_EXIT_USAGE;
        }
        snprintf(m.target_name, sizeof m.target_name, "%s", o->target_name);
        m.min_atoms = min_atoms;
        m.max_atoms = max_atoms;
        const int use_ref = o->atomref < 0 ? !hp.pool_mean : o->atomref;
        if (use_ref && qdf_atomref_fit(&m, &tr, err, sizeof err)) {
            fprintf(stderr, "qdf train: %s\n", err);
            return QDF_EXIT_INPUT;
        }
        m.target_scale = o->scale_target ? qdf_target_rms(&m, &tr) : 1;
        if (o->init_lsuv || o->refit_readout == QDF_REFIT_ON || o->revive_dead) {
            qdf_ctx *ictx = qdf_ctx_new(64 << 20);
            int bad = o->init_lsuv && qdf_init_lsuv(ictx, &m, &tr, 32, err, sizeof err);
            /* with PyTorch's initialisation about half the units start dead: the
             * inputs are too small to overcome a negative bias (revive.h) */
            qdf_revive_stats rs;
            if (!bad && o->revive_dead)
                bad = qdf_revive_dead_units(ictx, &m, &tr, 256, &st.rng, NULL, NULL, &rs, err, sizeof err);
            if (!bad && o->revive_dead && !o->quiet)
                fprintf(stderr, "qdf train: %d of the initial ReLU units were dead and are re-initialised\n", rs.total);
            /* the readout starts at its least-squares value for the initial features */
            if (!bad && o->refit_readout == QDF_REFIT_ON) bad = qdf_readout_refit(ictx, &m, &tr, o->eval_batch, NULL, err, sizeof err);
            qdf_ctx_free(ictx);
            if (bad) {
                fprintf(stderr, "qdf train: %s\n", err);
                return QDF_EXIT_INPUT;
            }
        }
        qdf_adam_init(&opt, &m.params, o->lr);
        st.adam = &opt;
        if (o->ema_decay > 0 || o->swa_from > 0) {
            qdf_ema_init(&ema, &m.params, o->ema_decay);
            st.ema = &ema;
        }
        memcpy(st.epoch_rng, st.rng.s, sizeof st.epoch_rng);
        FILE *lf = fopen(log_path, "w");
        if (!lf) {
            fprintf(stderr, "qdf train: %s: cannot write (%s)\n", log_path, strerror(errno));
            return QDF_EXIT_OUTPUT;
        }
        fprintf(lf, "epoch\tseconds\tloss_E\tloss_V\tMAE_train_eV\tMAE_val_eV\tMAE_test_eV\n");
        fclose(lf);
    }
    /* with the closed-form readout, gradient steps train only the features */
    /* weight decay shrinks the dense layers' matrices only: biases set the ReLU
     * thresholds, and the orbitals are normalised (their scale is no capacity) */
    opt.weight_decay = o->weight_decay;
    for (int k = 0; k < m.params.n; k++) {
        opt.frozen[k] = o->refit_readout == QDF_REFIT_ON && (m.params.p[k] == m.propW || m.params.p[k] == m.propb);
        opt.decay[k] = qdf_model_is_dense_weight(&m, m.params.p[k]);
    }
    fprintf(stderr,
            "qdf train: %d training, %d validation, %d test molecules (%d skipped); %d-%d atoms; %d orbital types; "
            "%zu parameters; target %s (%d value%s), atomref %s, scale %.4g eV\n",
            tr.n, va.n, te.n, tr.n_skipped + va.n_skipped + te.n_skipped, min_atoms, max_atoms, m.basis.n_types,
            qdf_param_set_numel(&m.params), m.target_name, n_out, n_out > 1 ? "s" : "", m.use_atomref ? "on" : "off",
            m.target_scale);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    qdf_ctx *fctx = qdf_ctx_new(8 << 20), *ctx = qdf_ctx_new(64 << 20);
    int *perm = malloc(sizeof(int) * tr.n);
    double *pred = malloc(sizeof(double) * (size_t)(va.n + te.n + 1) * n_out);
    const int n_batches = (tr.n + o->batch_size - 1) / o->batch_size;
    const int tty = isatty(2) && !o->quiet;
    int rc = QDF_EXIT_OK;
    const double t_start = now_s() - st.elapsed_s;
    const double session_start = now_s();
    char card[QDF_CARD_MAX];
    readout_stash_t sgd_readout = {0};

    for (int epoch = st.epoch; epoch < o->epochs; epoch++) {
        opt.lr = qdf_step_lr(o->lr, o->lr_decay, o->step_size, epoch);
        /* SWA: the average restarts as a uniform mean at the first batch of epoch
         * swa_from (a checkpoint taken later carries its start) */
        if (st.ema && o->swa_from > 0 && ema.uniform_from < 0 && epoch + 1 >= o->swa_from) qdf_ema_start_uniform(&ema);
        /* the epoch's permutation comes from the generator state saved at its start */
        memcpy(st.rng.s, st.epoch_rng, sizeof st.epoch_rng);
        for (int i = 0; i < tr.n; i++) perm[i] = i;
        qdf_rng_shuffle(&st.rng, perm, tr.n);
        double running = 0;
        int n_run = 0;
        for (int b = st.batch_pos; b < n_batches; b++) {
            const qdf_molecule *mols[256];
            double turn[256 * 9];
            int nb = 0;
            for (int i = b * o->batch_size; i < tr.n && nb < o->batch_size; i++) {
                if (o->augment_rotations) qdf_augment_rotation(o->seed, epoch, perm[i], turn + 9 * nb);
                mols[nb++] = &tr.mols[perm[i]];
            }
            double lV = NAN, ae = NAN;
            /* dropout masks from (seed, Adam step): a resumed run draws the same */
            const uint64_t dkey = qdf_hash64(o->seed ^ qdf_hash64((uint64_t)opt.step));
            const double lE = qdf_train_step(fctx, ctx, &m, &opt, o->clip, mols, nb, o->augment_rotations ? turn : NULL,
                                             o->dropout, dkey, &lV, &ae, NULL);
            if (!isfinite(lE) || !isfinite(lV) || (n_run > 50 && (lE > 1e3 * running / n_run + 1e3))) {
                fprintf(stderr,
                        "\nqdf train: diverged at epoch %d batch %d (loss_E %g, loss_V %g); stopping. The last good "
                        "model is %s (best validation) and %s (end of epoch %d)\n",
                        epoch + 1, b + 1, lE, lV, best_path, last_path, st.epoch);
                rc = QDF_EXIT_DIVERGED;
                goto done;
            }
            if (st.ema) qdf_ema_update(&ema, &m.params);
            running += lE;
            n_run++;
            st.acc[0] += lE * nb;
            st.acc[1] += lV * nb;
            st.acc[2] += ae;
            st.acc[3] += nb * n_out;
            st.batch_pos = b + 1;
            if (tty && (b % 10 == 0 || b + 1 == n_batches)) {
                const double el = now_s() - session_start;
                const double done = (epoch - st.epoch) * (double)n_batches + (b + 1);
                const double total = (o->epochs - st.epoch) * (double)n_batches;
                const double eta = done > 0 ? el / done * (total - done) : 0;
                fprintf(stderr, "\repoch %d/%d  batch %d/%d  loss_E %.4g  ETA %02d:%02d:%02d   ", epoch + 1, o->epochs,
                        b + 1, n_batches, running / n_run, (int)(eta / 3600), (int)(eta / 60) % 60, (int)eta % 60);
            }
            if (qdf_train_stop_requested) break;
        }
        if (qdf_train_stop_requested && st.batch_pos < n_batches) {
            /* mid-epoch: checkpoint the position, so --resume continues exactly here */
            st.elapsed_s = now_s() - t_start;
            if (qdf_model_save(last_path, &m, &st, files, NULL, err, sizeof err)) {
                fprintf(stderr, "\nqdf train: %s\n", err);
                rc = QDF_EXIT_OUTPUT;
            } else {
                fprintf(stderr, "\nqdf train: interrupted in epoch %d at batch %d; checkpoint %s written. Resume with: "
                        "qdf train --resume %s (and the same data options)\n", epoch + 1, st.batch_pos, last_path,
                        o->out_dir);
                rc = QDF_EXIT_INTERRUPTED;
            }
            goto done;
        }
        /* end of epoch: dead units first (the live weights and the average) */
        if (o->revive_dead) {
            qdf_revive_stats rs;
            if (qdf_revive_dead_units(ctx, &m, &tr, 256, &st.rng, &opt, st.ema, &rs, err, sizeof err)) {
                fprintf(stderr, "\nqdf train: %s\n", err);
                rc = QDF_EXIT_INPUT;
                goto done;
            }
            if (!o->quiet) {
                fprintf(stderr, "%srevived %d dead ReLU units (functional", tty ? "\r" : "", rs.total);
                for (int l = 0; l < m.hp.layer_functional; l++) fprintf(stderr, " %d", rs.dead[0][l]);
                fprintf(stderr, "; HK");
                for (int l = 0; l < m.hp.layer_HK; l++) fprintf(stderr, " %d", rs.dead[1][l]);
                fprintf(stderr, ") on %ld grid points of %d training molecules\n", rs.points, rs.molecules);
            }
        }
        /* validation and model.h5 see the averaged weights and, with "select", the
         * refitted readout; both are put back before the checkpoint */
        if (st.ema) qdf_ema_swap(&ema, &m.params);
        if (o->refit_readout == QDF_REFIT_SELECT) readout_stash(&m, &sgd_readout);
        if (o->refit_readout != QDF_REFIT_OFF) {
            qdf_readout_fit fit;
            if (qdf_readout_refit(ctx, &m, &tr, o->eval_batch, &fit, err, sizeof err)) {
                fprintf(stderr, "\nqdf train: %s\n", err);
                rc = QDF_EXIT_INPUT;
                goto done;
            }
            if (!o->quiet)
                fprintf(stderr, "%sreadout refit: ridge %g (5-fold CV MAE %.4f eV), training MAE %.4f eV\n",
                        tty ? "\r" : "", fit.lambda, fit.cv_mae_ev, fit.train_mae_ev);
        }
        const double mae_val = qdf_dataset_mae(ctx, &m, &va, o->eval_batch, pred);
        const double mae_test = qdf_dataset_mae(ctx, &m, &te, o->eval_batch, pred + (size_t)va.n * n_out);
        const double lossE = st.acc[0] / tr.n, lossV = st.acc[1] / tr.n, mae_train = st.acc[2] / st.acc[3];
        st.epoch = epoch + 1;
        st.batch_pos = 0;
        memset(st.acc, 0, sizeof st.acc);
        memcpy(st.epoch_rng, st.rng.s, sizeof st.epoch_rng);
        st.elapsed_s = now_s() - t_start;
        int improved = va.n > 0 ? mae_val < st.best_val_mae : 1;
        if (improved) {
            st.best_val_mae = va.n > 0 ? mae_val : NAN;
            st.best_epoch = st.epoch;
        }
        char notes[512] = "";
        if (st.ema && o->ema_decay > 0)
            append_note(notes, sizeof notes, "; weights averaged over the steps (EMA decay %g)", o->ema_decay);
        if (st.ema && ema.uniform_from >= 0)
            append_note(notes, sizeof notes, "; weights averaged uniformly over every batch from epoch %d (SWA)",
                        o->swa_from);
        if (o->augment_rotations) append_note(notes, sizeof notes, "; grids turned at random per molecule and epoch");
        if (o->dropout > 0) append_note(notes, sizeof notes, "; dropout %g on the functional's hidden units", o->dropout);
        if (o->weight_decay > 0)
            append_note(notes, sizeof notes, "; AdamW weight decay %g on the dense weights", o->weight_decay);
        snprintf(card, sizeof card,
                 "epoch %d of %d; best validation MAE %.5f eV (%.4f kcal/mol) at epoch %d; training MAE %.5f eV; "
                 "wall time %.0f s; lr %g decay %g every %d epochs; batch %d; seed %llu%s%s%s%s",
                 st.epoch, o->epochs, st.best_val_mae, st.best_val_mae * 23.0605, st.best_epoch, mae_train,
                 st.elapsed_s, o->lr, o->lr_decay, o->step_size, o->batch_size, (unsigned long long)o->seed,
                 o->refit_readout == QDF_REFIT_ON       ? "; readout refit by ridge after each epoch"
                 : o->refit_readout == QDF_REFIT_SELECT ? "; readout of this file refitted by ridge after the epoch"
                                                        : "",
                 o->init_lsuv ? "; lsuv initialisation" : "", notes,
                 o->revive_dead ? "; dead ReLU units revived after each epoch" : "");
        if (improved) {
            if (qdf_model_save(best_path, &m, NULL, files, card, err, sizeof err)) {
                fprintf(stderr, "\nqdf train: %s\n", err);
                rc = QDF_EXIT_OUTPUT;
                goto done;
            }
            if (va.n > 0) write_predictions(pred_path, &va, n_out, pred);
        }
        if (o->refit_readout == QDF_REFIT_SELECT) readout_restore(&m, &sgd_readout);
        if (st.ema) qdf_ema_swap(&ema, &m.params);
        /* the log line first: a kill before the checkpoint is renamed leaves a line that
         * --resume drops (trim_log) and writes again */
        FILE *lf = fopen(log_path, "a");
        if (lf) {
            fprintf(lf, "%d\t%.1f\t%.6g\t%.6g\t%.6f\t%.6f\t%.6f\n", st.epoch, st.elapsed_s, lossE, lossV, mae_train,
                    mae_val, mae_test);
            fclose(lf);
        }
        if (qdf_model_save(last_path, &m, &st, files, card, err, sizeof err)) {
            fprintf(stderr, "\nqdf train: %s\n", err);
            rc = QDF_EXIT_OUTPUT;
            goto done;
        }
        fprintf(stderr, "%sepoch %4d  %7.0f s  loss_E %.5g  loss_V %.5g  MAE train %.4f eV  val %.4f eV  test %.4f eV%s\n",
                tty ? "\r" : "", st.epoch, st.elapsed_s, lossE, lossV, mae_train, mae_val, mae_test,
                improved ? "  *" : "");
        if (qdf_train_stop_requested) {
            fprintf(stderr, "qdf train: interrupted after epoch %d; resume with: qdf train --resume %s\n", st.epoch,
                    o->out_dir);
            rc = QDF_EXIT_INTERRUPTED;
            goto done;
        }
        if (o->max_minutes > 0 && now_s() - session_start > 60 * o->max_minutes) {
            fprintf(stderr, "qdf train: time limit of %g min reached after epoch %d; resume with --resume %s\n",
                    o->max_minutes, st.epoch, o->out_dir);
            break;
        }
    }
done:
    readout_stash_free(&sgd_readout);
    qdf_ema_free(&ema);
    free(perm);
    free(pred);
    qdf_ctx_free(fctx);
    qdf_ctx_free(ctx);
    qdf_adam_free(&opt);
    qdf_model_free(&m);
    qdf_dataset_free(&tr);
    qdf_dataset_free(&va);
    qdf_dataset_free(&te);
    return rc;
}
