/* test_cli_refit.c: `qdf refit` end to end on qm9_homolumo_tiny (seconds).
 *  - a model trained for one epoch (two outputs, mean pooling) is refitted:
 *    the JSON figures are consistent (training MAE after <= before, CV MAE
 *    >= training MAE after), the new file loads, only the readout changed
 *    (every other parameter bitwise equal), and refitting the result again is
 *    a fixed point;
 *  - --out equal to --model, missing --train and an unknown option exit 2;
 *    a missing input exits 3; a broken model exits 4; molecules with fewer
 *    reference values than the model's outputs exit 3 naming the molecule. */
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
#include "model_io.h"
#include "testutil.h"

static char TMP[256], TRAIN[512], VAL[512], MODEL[400];

static int setup(void **st) {
    (void)st;
    snprintf(TMP, sizeof TMP, "/tmp/qdf_cli_refit_XXXXXX");
    if (!mkdtemp(TMP)) return -1;
    snprintf(TRAIN, sizeof TRAIN, "%s/qm9_homolumo_tiny/train.txt", tu_datasets_dir());
    snprintf(VAL, sizeof VAL, "%s/qm9_homolumo_tiny/val.txt", tu_datasets_dir());
    if (access(TRAIN, R_OK) != 0) return 0;
    char out[400];
    snprintf(out, sizeof out, "%s/run", TMP);
    snprintf(MODEL, sizeof MODEL, "%s/run/model.h5", TMP);
    char *argv[] = {"train", "--train", TRAIN, "--out", out, "--epochs", "1", "--pooling", "mean", "--dim", "6",
                    "--hidden-hk", "5", "--layer-functional", "1", "--layer-hk", "1", "--quiet", NULL};
    return tu_run_cmd(qdf_cmd_train, argv, NULL) == QDF_EXIT_OK ? 0 : -1;
}

static int teardown(void **st) {
    (void)st;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", TMP);
    return system(cmd) == 0 ? 0 : -1;
}

static double json_number(const char *text, const char *key) {
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(text, pat);
    assert_non_null(p);
    return strtod(p + strlen(pat), NULL);
}

static void test_refit_changes_only_the_readout(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char out[500], out2[500], js[500], js2[500], text[2048];
    snprintf(out, sizeof out, "%s/refit.h5", TMP);
    snprintf(out2, sizeof out2, "%s/refit2.h5", TMP);
    snprintf(js, sizeof js, "%s/refit.json", TMP);
    snprintf(js2, sizeof js2, "%s/refit2.json", TMP);
    char *a[] = {"refit", "--model", MODEL, "--train", TRAIN, "--val", VAL, "--out", out, "--json", NULL};
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, a, js), QDF_EXIT_OK);
    assert_int_equal(tu_slurp(js, text, sizeof text), 0);
    printf("%s", text);
    const double before = json_number(text, "train_mae_before_eV"), after = json_number(text, "train_mae_after_eV");
    const double cv = json_number(text, "cv_mae_eV");
    assert_true(after < before);
    assert_true(cv >= after);
    assert_int_equal((int)json_number(text, "molecules"), 34);
    assert_true(isfinite(json_number(text, "val_mae_after_eV")));

    qdf_model m0, m1;
    char err[512];
    assert_int_equal(qdf_model_load(MODEL, &m0, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_int_equal(qdf_model_load(out, &m1, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_int_equal(m0.params.n, m1.params.n);
    for (int k = 0; k < m0.params.n; k++) {
        const qdf_tensor *p0 = m0.params.p[k], *p1 = m1.params.p[k];
        const int same = !memcmp(p0->data, p1->data, sizeof(real) * qdf_numel(p0));
        const int readout = p0 == m0.propW || p0 == m0.propb;
        assert_int_equal(same, !readout);
    }
    qdf_model_free(&m0);
    qdf_model_free(&m1);

    char *b[] = {"refit", "--model", out, "--train", TRAIN, "--out", out2, "--json", NULL};
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, b, js2), QDF_EXIT_OK);
    assert_int_equal(tu_slurp(js2, text, sizeof text), 0);
    assert_true(fabs(json_number(text, "train_mae_before_eV") - after) < 1e-4);
    assert_true(fabs(json_number(text, "train_mae_after_eV") - after) < 1e-4);
}

/* --orientations K: the new model keeps K, and its readout is the ridge
 * solution for the K-orientation features: refitting it again (with its own
 * setting) changes nothing, while the training MAE of the one-orientation
 * model differs. */
static void test_orientations(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char out[500], out2[500], js[500], text[2048];
    snprintf(out, sizeof out, "%s/orient.h5", TMP);
    snprintf(out2, sizeof out2, "%s/orient2.h5", TMP);
    snprintf(js, sizeof js, "%s/orient.json", TMP);
    char *a[] = {"refit", "--model", MODEL, "--train", TRAIN, "--out", out, "--orientations", "3", "--json", NULL};
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, a, js), QDF_EXIT_OK);
    assert_int_equal(tu_slurp(js, text, sizeof text), 0);
    const double fit3 = json_number(text, "train_mae_after_eV");
    qdf_model m;
    char err[512];
    assert_int_equal(qdf_model_load(out, &m, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_int_equal(m.hp.orientations, 3);
    qdf_model_free(&m);
    char *b[] = {"refit", "--model", out, "--train", TRAIN, "--out", out2, "--json", NULL};
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, b, js), QDF_EXIT_OK);
    assert_int_equal(tu_slurp(js, text, sizeof text), 0);
    printf("3 orientations: training MAE after the refit %.6f eV, on a second refit %.6f -> %.6f eV\n", fit3,
           json_number(text, "train_mae_before_eV"), json_number(text, "train_mae_after_eV"));
    assert_true(fabs(json_number(text, "train_mae_before_eV") - fit3) < 1e-4);
    assert_true(fabs(json_number(text, "train_mae_after_eV") - fit3) < 1e-4);
    char *c[] = {"refit", "--model", out, "--train", TRAIN, "--out", out2, "--orientations", "1", "--json", NULL};
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, c, js), QDF_EXIT_OK);
    assert_int_equal(tu_slurp(js, text, sizeof text), 0);
    printf("the same readout with 1 orientation: training MAE %.6f eV\n", json_number(text, "train_mae_before_eV"));
    assert_true(fabs(json_number(text, "train_mae_before_eV") - fit3) > 1e-4);
    char *bad[] = {"refit", "--model", MODEL, "--train", TRAIN, "--out", out, "--orientations", "65", NULL};
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, bad, NULL), QDF_EXIT_USAGE);
}

static void test_errors(void **st) {
    (void)st;
    if (access(TRAIN, R_OK) != 0) skip();
    char out[500], bad[500], one[500];
    snprintf(out, sizeof out, "%s/x.h5", TMP);
    snprintf(bad, sizeof bad, "%s/broken.h5", TMP);
    FILE *f = fopen(bad, "w");
    fputs("not an HDF5 file\n", f);
    fclose(f);
    char *same[] = {"refit", "--model", MODEL, "--train", TRAIN, "--out", MODEL, NULL};
    char *no_train[] = {"refit", "--model", MODEL, "--out", out, NULL};
    char *unknown[] = {"refit", "--model", MODEL, "--train", TRAIN, "--out", out, "--frobnicate", NULL};
    char *missing[] = {"refit", "--model", MODEL, "--train", "/nonexistent/x.txt", "--out", out, NULL};
    char *broken[] = {"refit", "--model", bad, "--train", TRAIN, "--out", out, NULL};
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, same, NULL), QDF_EXIT_USAGE);
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, no_train, NULL), QDF_EXIT_USAGE);
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, unknown, NULL), QDF_EXIT_USAGE);
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, missing, NULL), QDF_EXIT_INPUT);
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, broken, NULL), QDF_EXIT_MODEL);
    /* one reference value per molecule for a two-output model */
    snprintf(one, sizeof one, "%s/one_value.xyz", TMP);
    f = fopen(one, "w");
    fputs("3\nenergy=-1.5\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n", f);
    fclose(f);
    char *fewer[] = {"refit", "--model", MODEL, "--train", one, "--out", out, NULL};
    assert_int_equal(tu_run_cmd(qdf_cmd_refit, fewer, NULL), QDF_EXIT_INPUT);
    assert_int_not_equal(access(out, F_OK), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refit_changes_only_the_readout),
        cmocka_unit_test(test_orientations),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
