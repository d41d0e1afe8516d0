/* test_cli_train.c: `qdf train` end to end on tiny settings (seconds):
 *  - two targets with mean pooling (qm9_homolumo_tiny: HOMO and LUMO): the
 *    model has 2 outputs, mean pooling, no atomref; log.tsv has a header and
 *    one line per epoch with 7 columns; predictions_val.tsv has a row per
 *    validation molecule;
 *  - every model option reaches the model file (basis, radius, spacing, dim,
 *    layers, angular p, lab frame, Coulomb potential and its width, atomref);
 *  - resuming: 2 epochs then --resume to 4 gives the same log.tsv (all
 *    columns but seconds) as 4 uninterrupted epochs with the same seed;
 *  - --refit-readout on: the saved readout is the ridge solution for the
 *    saved features (a second refit leaves it where it is), which a run
 *    without the option is not; with select, the training (log) is that of
 *    a run without it, model.h5 has the ridge readout, last.h5 its own;
 *  - --ema-decay: resuming gives the straight run's log, and model.h5 holds
 *    the average stored in last.h5, not its live weights;
 *  - --swa-from: resuming across the start of the uniform mean gives the
 *    straight run's log; last.h5 records where the mean started (the end of
 *    the epoch before), model.h5 holds that mean, and the card says so;
 *  - --dropout: resuming gives the straight run's log, which differs from the
 *    run without it; the card says so;
 *  - --revive-dead on: resuming gives the straight run's log;
 *  - --weight-decay: resuming gives the straight run's log; every dense weight
 *    matrix ends smaller than in the same run without decay (by more than the
 *    decay factor's bound below), biases are not shrunk by it, and the card
 *    says so;
 *  - --augment-rotations on: resuming gives the straight run's log, which
 *    differs from the log without augmentation (same seed); the card says so;
 *  - a diverging run (NaN loss) stops with exit 6;
 *  - bad options exit 2, an unwritable output directory exits 5 before
 *    training, and a missing input exits 3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "exitcodes.h"
#include "dataset.h"
#include "model_io.h"
#include "readout.h"
#include "testutil.h"

static char TMP[256], TRAIN[512], VAL[512];

static int run(char **argv) { return tu_run_cmd(qdf_cmd_train, argv, NULL); }

static int setup(void **st) {
    (void)st;
    snprintf(TMP, sizeof TMP, "/tmp/qdf_cli_train_XXXXXX");
    if (!mkdtemp(TMP)) return -1;
    snprintf(TRAIN, sizeof TRAIN, "%s/qm9_homolumo_tiny/train.txt", tu_datasets_dir());
    snprintf(VAL, sizeof VAL, "%s/qm9_homolumo_tiny/val.txt", tu_datasets_dir());
    return 0;
}

static int teardown(void **st) {
    (void)st;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", TMP);
    return system(cmd) == 0 ? 0 : -1;
}

static int count_lines(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int n = 0, c;
    while ((c = fgetc(f)) != EOF) n += c == '\n';
    fclose(f);
    return n;
}

#define SMALL "--dim", "6", "--hidden-hk", "5", "--layer-functional", "1", "--layer-hk", "1", "--quiet"

static void test_two_targets_mean_pooling(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char out[400], p[500];
    snprintf(out, sizeof out, "%s/homolumo", TMP);
    char *argv[] = {"train", "--train", TRAIN, "--val", VAL, "--out", out, "--pooling", "mean", "--epochs", "2", SMALL, NULL};
    assert_int_equal(run(argv), QDF_EXIT_OK);
    qdf_model m;
    char err[512];
    snprintf(p, sizeof p, "%s/model.h5", out);
    assert_int_equal(qdf_model_load(p, &m, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_int_equal(m.hp.n_out, 2);
    assert_int_equal(m.hp.pool_mean, 1);
    assert_int_equal(m.use_atomref, 0);
    qdf_model_free(&m);
    snprintf(p, sizeof p, "%s/log.tsv", out);
    assert_int_equal(count_lines(p), 3);
    snprintf(p, sizeof p, "%s/predictions_val.tsv", out);
    assert_int_equal(count_lines(p), 1 + 4);
}

static void test_options_reach_the_model(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char out[400], p[500];
    snprintf(out, sizeof out, "%s/options", TMP);
    char *argv[] = {"train", "--train", TRAIN, "--out", out, "--epochs", "1", "--basis", "STO-3G", "--radius", "0.6",
                    "--grid-interval", "0.25", "--angular-p", "--frame", "lab", "--potential", "coulomb",
                    "--coulomb-smear", "0.35", "--atomref", "on", "--pooling", "sum", "--orientations", "3", SMALL, NULL};
    assert_int_equal(run(argv), QDF_EXIT_OK);
    qdf_model m;
    char err[512];
    snprintf(p, sizeof p, "%s/model.h5", out);
    assert_int_equal(qdf_model_load(p, &m, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_string_equal(m.hp.basis, "STO-3G");
    assert_float_equal(m.hp.radius, 0.6, 1e-12);
    assert_float_equal(m.hp.grid_interval, 0.25, 1e-12);
    assert_int_equal(m.hp.dim, 6);
    assert_int_equal(m.hp.hidden_HK, 5);
    assert_int_equal(m.hp.layer_functional, 1);
    assert_int_equal(m.hp.layer_HK, 1);
    assert_int_equal(m.hp.angular_p, 1);
    assert_int_equal(m.hp.frame, QDF_FRAME_LAB);
    assert_int_equal(m.hp.potential, QDF_POT_COULOMB);
    assert_float_equal(m.hp.coulomb_smear, 0.35, 1e-12);
    assert_int_equal(m.hp.orientations, 3);
    assert_int_equal(m.use_atomref, 1);
    assert_int_equal(m.basis.count[6], 1 + 1 + 3); /* STO-3G, angular: 1s, 2s, 2px 2py 2pz */
    qdf_model_free(&m);
}

/* log.tsv without the seconds column */
static char *log_without_seconds(const char *dir) {
    char p[500];
    snprintf(p, sizeof p, "%s/log.tsv", dir);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    static char buf[2][8192];
    static int which;
    char *out = buf[which ^= 1];
    out[0] = 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (tab1 && tab2) memmove(tab1, tab2, strlen(tab2) + 1);
        strncat(out, line, 8191 - strlen(out));
    }
    fclose(f);
    return out;
}

/* 4 epochs straight (in TMP/TAG_straight, returned in a) and 2 epochs, then
 * --resume to 4 (TAG_resumed), both with the option opt val: the logs must be
 * equal in every column but the seconds. */
static void assert_resume_matches(const char *tag, char *opt, char *val, char a[400]) {
    char b[400];
    snprintf(a, 400, "%s/%s_straight", TMP, tag);
    snprintf(b, sizeof b, "%s/%s_resumed", TMP, tag);
    char *full[] = {"train", "--train", TRAIN, "--val", VAL, "--out", a, "--epochs", "4", opt, val, "--batch-size", "3", SMALL, NULL};
    char *part[] = {"train", "--train", TRAIN, "--val", VAL, "--out", b, "--epochs", "2", opt, val, "--batch-size", "3", SMALL, NULL};
    char *rest[] = {"train", "--train", TRAIN, "--val", VAL, "--resume", b, "--epochs", "4", opt, val, "--batch-size", "3", SMALL, NULL};
    assert_int_equal(run(full), QDF_EXIT_OK);
    assert_int_equal(run(part), QDF_EXIT_OK);
    assert_int_equal(run(rest), QDF_EXIT_OK);
    const char *la = log_without_seconds(a), *lb = log_without_seconds(b);
    printf("%s (%s %s):\n%s", tag, opt, val, la);
    assert_string_equal(la, lb);
}

static void test_resume_reproduces_the_log(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char a[400];
    assert_resume_matches("plain", "--seed", "77", a);
    /* --target-name on a resumed run renames the model (a label only) */
    char b[400], p[500], err[512];
    snprintf(b, sizeof b, "%s/plain_resumed", TMP);
    char *more[] = {"train", "--train", TRAIN, "--val", VAL, "--resume", b, "--epochs", "5", "--seed", "77",
                    "--batch-size", "3", "--target-name", "renamed on resume", SMALL, NULL};
    assert_int_equal(run(more), QDF_EXIT_OK);
    snprintf(p, sizeof p, "%s/last.h5", b);
    qdf_model m;
    assert_int_equal(qdf_model_load(p, &m, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_string_equal(m.target_name, "renamed on resume");
    qdf_model_free(&m);
}

/* --target on raw QM9 files names the model after the property; a resumed run
 * that repeats --target for its data keeps a --target-name label given at the
 * start (only --target-name relabels). */
static void test_target_on_resume(void **st) {
    (void)st;
    char src[600], raw[400], out[400], p[600], cmd[2048];
    snprintf(src, sizeof src, "%s/formats/dsgdb9nsd_000001.xyz", tu_datasets_dir());
    if (access(src, R_OK) != 0) skip();
    snprintf(raw, sizeof raw, "%s/raw_qm9", TMP);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/a.xyz'", raw, src, raw);
    assert_int_equal(system(cmd), 0);
    snprintf(out, sizeof out, "%s/target_run", TMP);
    char *a[] = {"train", "--train", raw, "--out", out, "--epochs", "1", "--target", "u0", "--target-name", "my label", "--atomref", "off",
                 SMALL, NULL};
    char *b[] = {"train", "--train", raw, "--resume", out, "--epochs", "2", "--target", "u0", SMALL, NULL};
    assert_int_equal(run(a), QDF_EXIT_OK);
    assert_int_equal(run(b), QDF_EXIT_OK);
    qdf_model m;
    char err[512];
    snprintf(p, sizeof p, "%s/last.h5", out);
    assert_int_equal(qdf_model_load(p, &m, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_string_equal(m.target_name, "my label");
    qdf_model_free(&m);
    char out2[400];
    snprintf(out2, sizeof out2, "%s/target_run2", TMP);
    char *c[] = {"train", "--train", raw, "--out", out2, "--epochs", "1", "--target", "u0", "--atomref", "off", SMALL, NULL};
    assert_int_equal(run(c), QDF_EXIT_OK);
    snprintf(p, sizeof p, "%s/last.h5", out2);
    assert_int_equal(qdf_model_load(p, &m, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_string_equal(m.target_name, "u0");
    qdf_model_free(&m);
}

/* Largest relative change of property.weight when the model at path is
 * refitted once more on the training set. */
static double refit_change(const char *path) {
    qdf_model m;
    char err[512];
    assert_int_equal(qdf_model_load(path, &m, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    qdf_dataset d = {0};
    qdf_reader_opts ro = {0};
    char *files[] = {TRAIN};
    assert_int_equal(qdf_dataset_load(&d, files, 1, &ro, NULL, err, sizeof err), 0);
    const size_t n = (size_t)m.propW->rows * m.propW->cols;
    real *w0 = malloc(sizeof(real) * n);
    memcpy(w0, m.propW->data, sizeof(real) * n);
    qdf_ctx *ctx = qdf_ctx_new(16 << 20);
    assert_int_equal(qdf_readout_refit(ctx, &m, &d, 8, NULL, err, sizeof err), 0);
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        num = fmax(num, fabs((double)m.propW->data[i] - w0[i]));
        den = fmax(den, fabs((double)w0[i]));
    }
    free(w0);
    qdf_ctx_free(ctx);
    qdf_dataset_free(&d);
    qdf_model_free(&m);
    return num / den;
}

/* refit_change in a child process: the parent must not start OpenMP or
 * oneDNN threads, or the later forked runs can deadlock in libgomp */
static double refit_change_forked(const char *path) {
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        const double c = refit_change(path);
        const ssize_t w = write(fd[1], &c, sizeof c);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    close(fd[1]);
    double c = NAN;
    const ssize_t r = read(fd[0], &c, sizeof c);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_int_equal(r, (ssize_t)sizeof c);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return c;
}

static void test_refit_readout(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char on[400], off[400], p[500];
    snprintf(on, sizeof on, "%s/refit_on", TMP);
    snprintf(off, sizeof off, "%s/refit_off", TMP);
    char *a[] = {"train", "--train", TRAIN, "--out", on, "--epochs", "2", "--pooling", "mean", "--refit-readout", "on", SMALL, NULL};
    char *b[] = {"train", "--train", TRAIN, "--out", off, "--epochs", "2", "--pooling", "mean", SMALL, NULL};
    assert_int_equal(run(a), QDF_EXIT_OK);
    assert_int_equal(run(b), QDF_EXIT_OK);
    snprintf(p, sizeof p, "%s/last.h5", on);
    const double c_on = refit_change_forked(p);
    snprintf(p, sizeof p, "%s/last.h5", off);
    const double c_off = refit_change_forked(p);
    printf("readout change on a second refit: %.3g with --refit-readout, %.3g without\n", c_on, c_off);
    assert_true(c_on < 1e-3);
    assert_true(c_off > 1e-2);

    /* select: the same training as off (identical log), model.h5 carries the
     * ridge readout of the features and last.h5 the gradient-trained one */
    char sel[400];
    snprintf(sel, sizeof sel, "%s/refit_select", TMP);
    char *c[] = {"train", "--train", TRAIN, "--out", sel, "--epochs", "2", "--pooling", "mean", "--refit-readout", "select", SMALL, NULL};
    assert_int_equal(run(c), QDF_EXIT_OK);
    const char *l_off = log_without_seconds(off), *l_sel = log_without_seconds(sel);
    assert_string_equal(l_off, l_sel);
    snprintf(p, sizeof p, "%s/model.h5", sel);
    const double c_best = refit_change_forked(p);
    snprintf(p, sizeof p, "%s/last.h5", sel);
    const double c_last = refit_change_forked(p);
    printf("select: readout change on a second refit: %.3g in model.h5, %.3g in last.h5\n", c_best, c_last);
    assert_true(c_best < 1e-3);
    assert_true(c_last > 1e-2);
    char *d[] = {"train", "--train", TRAIN, "--out", sel, "--refit-readout", "sometimes", SMALL, NULL};
    assert_int_equal(run(d), QDF_EXIT_USAGE);
}

/* DIR/model.h5 holds the weight average that DIR/last.h5 carries, not the
 * live weights (which differ from it). Returns the average's update count and
 * the start of its uniform part (ema.h). */
static void assert_best_is_average(const char *dir, long *updates, long *uniform_from) {
    qdf_model best, last;
    char p[500], err[512];
    snprintf(p, sizeof p, "%s/model.h5", dir);
    assert_int_equal(qdf_model_load(p, &best, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    snprintf(p, sizeof p, "%s/last.h5", dir);
    qdf_train_state ts;
    memset(&ts, 0, sizeof ts);
    qdf_ema ema;
    qdf_ema_init(&ema, &best.params, 0.8); /* shapes; the values come from last.h5 */
    for (int k = 0; k < ema.n; k++) memset(ema.avg[k], 0, sizeof(real) * qdf_numel(best.params.p[k]));
    ts.ema = &ema;
    assert_int_equal(qdf_model_load(p, &last, &ts, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_true(ema.updates > 0);
    double live_diff = 0;
    for (int k = 0; k < best.params.n; k++)
        for (size_t i = 0; i < qdf_numel(best.params.p[k]); i++) {
            assert_float_equal(best.params.p[k]->data[i], ema.avg[k][i], 0);
            live_diff = fmax(live_diff, fabs(best.params.p[k]->data[i] - last.params.p[k]->data[i]));
        }
    assert_true(live_diff > 0);
    *updates = ema.updates;
    *uniform_from = ema.uniform_from;
    qdf_ema_free(&ema);
    qdf_model_free(&best);
    qdf_model_free(&last);
}

/* --ema-decay: a resumed run gives the same log (the validation column is the
 * average's) as a straight one, and model.h5 holds the average the checkpoint
 * carries, not the live weights. */
static void test_ema(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char a[400];
    assert_resume_matches("ema", "--ema-decay", "0.9", a);

    char c[400];
    snprintf(c, sizeof c, "%s/ema_noval", TMP);
    char *noval[] = {"train", "--train", TRAIN, "--out", c, "--epochs", "2", "--ema-decay", "0.8", SMALL, NULL};
    assert_int_equal(run(noval), QDF_EXIT_OK);
    long updates, uniform_from;
    assert_best_is_average(c, &updates, &uniform_from);
    assert_int_equal(uniform_from, -1);

    char *bad1[] = {"train", "--train", TRAIN, "--out", c, "--ema-decay", "1.5", SMALL, NULL};
    char *bad2[] = {"train", "--train", TRAIN, "--out", c, "--ema-decay", "0.9", "--refit-readout", "on", SMALL, NULL};
    assert_int_equal(run(bad1), QDF_EXIT_USAGE);
    assert_int_equal(run(bad2), QDF_EXIT_USAGE);
}

/* The model card stored in DIR/FILE contains text. */
static void assert_card_has(const char *dir, const char *file, const char *text) {
    qdf_model m;
    char p[500], err[512], card[QDF_CARD_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    assert_int_equal(qdf_model_load(p, &m, NULL, NULL, 0, card, sizeof card, err, sizeof err), 0);
    assert_non_null(strstr(card, text));
    qdf_model_free(&m);
}

/* --swa-from: the start of the uniform mean survives a checkpoint, and the
 * saved weights are the mean, not the live ones. */
static void test_swa(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char a[400], c[400];
    assert_resume_matches("swa", "--swa-from", "2", a);

    snprintf(c, sizeof c, "%s/swa_noval", TMP);
    char *noval[] = {"train", "--train", TRAIN, "--out", c, "--epochs", "3", "--swa-from", "2", SMALL, NULL};
    assert_int_equal(run(noval), QDF_EXIT_OK);
    long updates, uniform_from;
    assert_best_is_average(c, &updates, &uniform_from);
    /* three epochs of equal length; the mean started after the first */
    assert_true(uniform_from > 0);
    assert_int_equal(updates, 3 * uniform_from);
    assert_card_has(c, "model.h5", "averaged uniformly over every batch from epoch 2 (SWA)");

    char *bad1[] = {"train", "--train", TRAIN, "--out", c, "--swa-from", "0", SMALL, NULL};
    char *bad2[] = {"train", "--train", TRAIN, "--out", c, "--swa-from", "2", "--refit-readout", "on", SMALL, NULL};
    char *bad3[] = {"train", "--train", TRAIN, "--out", c, "--swa-from", "2x", SMALL, NULL};
    assert_int_equal(run(bad1), QDF_EXIT_USAGE);
    assert_int_equal(run(bad2), QDF_EXIT_USAGE);
    assert_int_equal(run(bad3), QDF_EXIT_USAGE);
}

/* --revive-dead on: the revival draws from the run's generator, so resuming
 * still gives the straight run's log; the card says it was used. */
static void test_revive_dead(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char a[400];
    assert_resume_matches("revive", "--revive-dead", "on", a);
    assert_card_has(a, "last.h5", "dead ReLU units revived");
}

/* Frobenius norm of parameter name in DIR/last.h5. */
static double param_norm(const char *dir, const char *name) {
    qdf_model m;
    char p[500], err[512];
    snprintf(p, sizeof p, "%s/last.h5", dir);
    assert_int_equal(qdf_model_load(p, &m, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    const qdf_tensor *t = qdf_param_find(&m.params, name);
    assert_non_null(t);
    double s = 0;
    for (size_t i = 0; i < qdf_numel(t); i++) s += (double)t->data[i] * t->data[i];
    qdf_model_free(&m);
    return sqrt(s);
}

/* --weight-decay X: with lr 1e-3 and X 200, every Adam step scales the dense
 * weights by 0.8 before its update; over the 4 epochs of 2 steps per batch the
 * decay alone would take them to nothing, so they end at the scale one Adam
 * step can give (lr), far below their size without decay. Biases are not
 * decayed and keep their scale. */
static void test_weight_decay(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char a[400], plain[400];
    assert_resume_matches("wd", "--weight-decay", "200", a);
    snprintf(plain, sizeof plain, "%s/wd_plain", TMP);
    char *nowd[] = {"train", "--train", TRAIN, "--val", VAL, "--out", plain, "--epochs", "4", "--batch-size", "3", SMALL, NULL};
    assert_int_equal(run(nowd), QDF_EXIT_OK);
    char *wd_lr[] = {"train", "--train", TRAIN, "--val", VAL, "--out", a, "--epochs", "4", "--lr", "1e-3",
                     "--weight-decay", "200", "--batch-size", "3", SMALL, NULL};
    char *plain_lr[] = {"train", "--train", TRAIN, "--val", VAL, "--out", plain, "--epochs", "4", "--lr", "1e-3",
                        "--batch-size", "3", SMALL, NULL};
    assert_int_equal(run(wd_lr), QDF_EXIT_OK);
    assert_int_equal(run(plain_lr), QDF_EXIT_OK);
    const char *weights[] = {"functional.0.weight", "property.weight", "density.weight", "hk.0.weight",
                             "potential.weight"};
    for (int k = 0; k < 5; k++) {
        const double nw = param_norm(a, weights[k]), n0 = param_norm(plain, weights[k]);
        printf("%-20s norm %.4g with weight decay, %.4g without\n", weights[k], nw, n0);
        assert_true(nw < 0.2 * n0);
    }
    const char *biases[] = {"functional.0.bias", "hk.0.bias"};
    for (int k = 0; k < 2; k++) {
        const double nw = param_norm(a, biases[k]), n0 = param_norm(plain, biases[k]);
        printf("%-20s norm %.4g with weight decay, %.4g without\n", biases[k], nw, n0);
        assert_true(nw > 0.5 * n0);
    }
    assert_card_has(a, "last.h5", "AdamW weight decay 200");
    char *bad1[] = {"train", "--train", TRAIN, "--out", a, "--weight-decay", "-1", SMALL, NULL};
    char *bad2[] = {"train", "--train", TRAIN, "--out", a, "--lr", "0.1", "--weight-decay", "10", SMALL, NULL};
    assert_int_equal(run(bad1), QDF_EXIT_USAGE);
    assert_int_equal(run(bad2), QDF_EXIT_USAGE);
}

/* opt on_val: resuming gives the straight run's log, which differs from the
 * log of the same run with opt off_val (same seed), and last.h5's card has
 * card_text. */
static void assert_option_changes_training(const char *tag, char *opt, char *on_val, char *off_val,
                                           const char *card_text) {
    char a[400], plain[400];
    assert_resume_matches(tag, opt, on_val, a);
    snprintf(plain, sizeof plain, "%s/%s_plain", TMP, tag);
    char *off[] = {"train", "--train", TRAIN, "--val", VAL, "--out", plain, "--epochs", "4", opt, off_val,
                   "--batch-size", "3", SMALL, NULL};
    assert_int_equal(run(off), QDF_EXIT_OK);
    const char *la = log_without_seconds(a), *lp = log_without_seconds(plain);
    assert_string_not_equal(la, lp);
    assert_card_has(a, "last.h5", card_text);
}

/* --augment-rotations on: the rotations are drawn from (seed, epoch, molecule),
 * so a resumed run repeats the straight one; the training (log) differs from
 * the same run without them. */
static void test_augment_rotations(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    assert_option_changes_training("rot", "--augment-rotations", "on", "off", "grids turned at random");
}

/* --dropout: masks from (seed, Adam step), so resuming gives the straight
 * run's log, which differs from the run without dropout; the card says so;
 * out-of-range values are refused. */
static void test_dropout(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    assert_option_changes_training("dropout", "--dropout", "0.2", "0", "dropout 0.2 on the functional's hidden units");
    char out[400];
    snprintf(out, sizeof out, "%s/dropout_bad", TMP);
    char *bad1[] = {"train", "--train", TRAIN, "--out", out, "--dropout", "1", SMALL, NULL};
    char *bad2[] = {"train", "--train", TRAIN, "--out", out, "--dropout", "-0.1", SMALL, NULL};
    assert_int_equal(run(bad1), QDF_EXIT_USAGE);
    assert_int_equal(run(bad2), QDF_EXIT_USAGE);
}

/* Every optional phrase of the card's training note at once: the note buffer
 * held 256 bytes and these five need about 270, so the last was cut. */
static void test_card_all_notes(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char out[400];
    snprintf(out, sizeof out, "%s/all_notes", TMP);
    char *a[] = {"train", "--train", TRAIN, "--out", out, "--epochs", "1", "--ema-decay", "0.999",
                 "--swa-from", "1", "--refit-readout", "select", "--augment-rotations", "on", "--dropout", "0.125",
                 "--weight-decay", "0.0625", SMALL, NULL};
    assert_int_equal(run(a), QDF_EXIT_OK);
    assert_card_has(out, "last.h5", "(EMA decay 0.999)");
    assert_card_has(out, "last.h5", "every batch from epoch 1 (SWA)");
    assert_card_has(out, "last.h5", "grids turned at random per molecule and epoch");
    assert_card_has(out, "last.h5", "dropout 0.125 on the functional's hidden units");
    assert_card_has(out, "last.h5", "AdamW weight decay 0.0625 on the dense weights");
}

static void test_errors(void **st) {
    (void)st;
    char out[400];
    snprintf(out, sizeof out, "%s/err", TMP);
    char *a1[] = {"train", "--train", TRAIN, "--out", out, "--pooling", "max", NULL};
    char *a2[] = {"train", "--out", out, NULL};
    char *a3[] = {"train", "--train", "/nonexistent/file.txt", "--out", out, NULL};
    char *a4[] = {"train", "--train", TRAIN, "--out", "/proc/qdf_cannot_write_here", NULL};
    char *a5[] = {"train", "--train", TRAIN, "--out", out, "--bogus", NULL};
    char *a6[] = {"train", "--train", TRAIN, "--out", out, "--init", "xavier", NULL};
    assert_int_equal(run(a1), QDF_EXIT_USAGE);
    assert_int_equal(run(a2), QDF_EXIT_USAGE);
    assert_int_equal(run(a3), QDF_EXIT_INPUT);
    assert_int_equal(run(a4), QDF_EXIT_OUTPUT);
    assert_int_equal(run(a5), QDF_EXIT_USAGE);
    assert_int_equal(run(a6), QDF_EXIT_USAGE);
    /* option values refused: numbers are parsed strictly (atof read the first
     * three as 0, 1e-4 and 2 and trained), and values the parser accepts but
     * training cannot use */
    static const char *refused[][2] = {{"--dropout", "abc"}, {"--lr", "1e-4x"},      {"--epochs", "2.5"},
                                       {"--lr-decay", "0"},  {"--clip", "-1"},       {"--max-minutes", "-5"},
                                       {"--coulomb-smear", "0"}};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        char *a[] = {"train", "--train", TRAIN, "--out", out, (char *)refused[k][0], (char *)refused[k][1], NULL};
        assert_int_equal(run(a), QDF_EXIT_USAGE);
    }
}

/* --init lsuv: the run starts from normalised layers (the unit statistics are
 * tested in test_init_lsuv.c) and says so in the model card. */
static void test_init_lsuv_option(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char out[400];
    snprintf(out, sizeof out, "%s/lsuv", TMP);
    char *a[] = {"train", "--train", TRAIN, "--out", out, "--epochs", "1", "--pooling", "mean", "--init", "lsuv", SMALL, NULL};
    assert_int_equal(run(a), QDF_EXIT_OK);
    assert_card_has(out, "model.h5", "lsuv initialisation");
}

/* Divergence: an absurd learning rate makes the parameters infinite after the
 * first step; the next loss is NaN, training stops with exit 6 and the model
 * of the last good epoch (none here: no model.h5 is written) is left alone. */
static void test_divergence_stops(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char out[400], p[500];
    snprintf(out, sizeof out, "%s/diverge", TMP);
    char *argv[] = {"train", "--train", TRAIN, "--out", out, "--epochs", "3", "--lr", "1e30", "--batch-size", "2", SMALL, NULL};
    assert_int_equal(run(argv), QDF_EXIT_DIVERGED);
    snprintf(p, sizeof p, "%s/model.h5", out);
    assert_int_not_equal(access(p, F_OK), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_targets_mean_pooling),
        cmocka_unit_test(test_options_reach_the_model),
        cmocka_unit_test(test_resume_reproduces_the_log),
        cmocka_unit_test(test_target_on_resume),
        cmocka_unit_test(test_refit_readout),
        cmocka_unit_test(test_ema),
        cmocka_unit_test(test_swa),
        cmocka_unit_test(test_dropout),
        cmocka_unit_test(test_weight_decay),
        cmocka_unit_test(test_augment_rotations),
        cmocka_unit_test(test_revive_dead),
        cmocka_unit_test(test_init_lsuv_option),
        cmocka_unit_test(test_card_all_notes),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_divergence_stops),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
