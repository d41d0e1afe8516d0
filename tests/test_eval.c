/* test_eval.c: `qdf eval` on a tiny set with known errors.
 * A small random model predicts five molecules (3, 3, 5, 9 and 12 atoms); the
 * references written to the input are its own predictions plus known offsets,
 * so the MAE/RMSE, the curve (MAE by atom count) and the interpolation /
 * extrapolation split (the model says max_atoms = 5) are known exactly. Checks
 * the TSV, the JSON summary, and the SVG (well-formed enough: axis labels, one
 * polyline per model, the extrapolation marker) with one and two models.
 * Orientation averaging: a model with hp.orientations = 3 predicts the mean of
 * the three energies of the grid turned by qdf_frame_orientation(0..2),
 * computed here step by step; it stays rotation-invariant; qdf eval
 * --orientations uses it. Ensembles (--model twice): the errors of the mean of
 * the two models' energies, computed here from each model's predictions; the
 * narrower training range (5 atoms) splits interpolation / extrapolation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dataset.h"
#include "evaluate.h"
#include "exitcodes.h"
#include "frame.h"
#include "model_io.h"
#include "molecules.h"
#include "svg_plot.h"
#include "testutil.h"

/* defined by qdf predict (another file) once it exists */

static char DIR_[64];
static char MODEL[256], MODEL2[256], DATA[256], TSV[256], SVG[256], JSON[256];
static const double OFFSET[5] = {0.1, -0.3, 0.2, 0.5, -1.0};   /* eV: water, hcn, methane, ethanol, benzene */

static void make_model(qdf_model *m, uint64_t seed) {
    assert_int_equal(tu_small_model(m, 8, 4, 1, 1, seed), 0);
    m->min_atoms = 3;
    m->max_atoms = 5;
}

static int setup(void **st) {
    (void)st;
    snprintf(DIR_, sizeof DIR_, "/tmp/qdf_eval_XXXXXX");
    if (!mkdtemp(DIR_)) return -1;
    snprintf(MODEL, sizeof MODEL, "%s/a.h5", DIR_);
    snprintf(MODEL2, sizeof MODEL2, "%s/b.h5", DIR_);
    snprintf(DATA, sizeof DATA, "%s/mols.xyz", DIR_);
    snprintf(TSV, sizeof TSV, "%s/curve.tsv", DIR_);
    snprintf(SVG, sizeof SVG, "%s/curve.svg", DIR_);
    snprintf(JSON, sizeof JSON, "%s/out.json", DIR_);
    qdf_model m, m2;
    make_model(&m, 3);
    make_model(&m2, 4);
    m2.max_atoms = 9;
    char err[256];
    if (qdf_model_save(MODEL, &m, NULL, "", NULL, err, sizeof err)) return -1;
    if (qdf_model_save(MODEL2, &m2, NULL, "", NULL, err, sizeof err)) return -1;
    /* molecules with references = model prediction + offset */
    qdf_molecule mols[5];
    tm_water(&mols[0]);
    tm_hcn(&mols[1]);
    tm_methane(&mols[2]);
    tm_ethanol(&mols[3]);
    tm_benzene(&mols[4]);
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    double pred[5];
    qdf_predict_many(ctx, &m, mols, 5, 16, pred);
    FILE *f = fopen(DATA, "w");
    static const char *sym[] = {"", "H", "", "", "", "", "C", "N", "O"};
    for (int i = 0; i < 5; i++) {
        fprintf(f, "%d\nid=mol%d energy=%.17g\n", mols[i].n_atoms, i, pred[i] + OFFSET[i]);
        for (int a = 0; a < mols[i].n_atoms; a++)
            fprintf(f, "%s %.12f %.12f %.12f\n", sym[mols[i].z[a]], mols[i].xyz[3 * a], mols[i].xyz[3 * a + 1],
                    mols[i].xyz[3 * a + 2]);
        qdf_molecule_free(&mols[i]);
    }
    fclose(f);
    qdf_ctx_free(ctx);
    qdf_model_free(&m);
    qdf_model_free(&m2);
    return 0;
}

static int teardown(void **st) {
    (void)st;
    unlink(MODEL), unlink(MODEL2), unlink(DATA), unlink(TSV), unlink(SVG), unlink(JSON);
    return rmdir(DIR_);
}

/* Run qdf eval with stdout captured into JSON. */
static int run_eval(int argc, char **argv) {
    fflush(stdout);
    const int saved = dup(1);
    const int fd = open(JSON, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    const int rc = qdf_cmd_eval(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    return rc;
}

static double json_after(const char *s, const char *key) {
    const char *p = strstr(s, key);
    assert_non_null(p);
    return atof(p + strlen(key));
}

static void test_errors_and_curve(void **st) {
    (void)st;
    char *argv[] = {"eval", "--model", MODEL, DATA, "--tsv", TSV, "--plot", SVG, "--json", NULL};
    assert_int_equal(run_eval(9, argv), QDF_EXIT_OK);
    static char buf[1 << 16];
    assert_int_equal(tu_slurp(JSON, buf, sizeof buf), 0);
    /* |offsets| 0.1 0.3 0.2 0.5 1.0: MAE 2.1 / 5; RMSE sqrt(1.39 / 5); atoms 3 3 5 (<= 5) | 9 12 */
    const double tol = 2e-6;   /* float32 predictions written with 17 digits: only reordering noise */
    assert_true(fabs(json_after(buf, "\"n\": ") - 5) < 1e-12);
    assert_true(fabs(json_after(buf, "\"mae_eV\": ") - 0.42) < tol);
    assert_true(fabs(json_after(buf, "\"rmse_eV\": ") - sqrt(1.39 / 5)) < tol);
    assert_true(fabs(json_after(buf, "\"mae_kcal_mol\": ") - 0.42 * 23.0605) < 23.0605 * tol);
    const char *in = strstr(buf, "\"interpolation\"");
    assert_non_null(in);
    assert_true(fabs(json_after(in, "\"n\": ") - 3) < 1e-12);
    assert_true(fabs(json_after(in, "\"mae_eV\": ") - 0.2) < tol);
    const char *ex = strstr(buf, "\"extrapolation\": {");
    assert_non_null(ex);
    assert_true(fabs(json_after(ex, "\"n\": ") - 2) < 1e-12);
    assert_true(fabs(json_after(ex, "\"mae_eV\": ") - 0.75) < tol);
    /* the TSV: one row per atom count, sorted */
    assert_int_equal(tu_slurp(TSV, buf, sizeof buf), 0);
    const int want_n[4] = {3, 5, 9, 12}, want_c[4] = {2, 1, 1, 1}, want_x[4] = {0, 0, 1, 1};
    const double want_mae[4] = {0.2, 0.2, 0.5, 1.0};
    char *line = strtok(buf, "\n");
    assert_string_equal(line, "n_atoms\tcount\tMAE_eV\tMAE_kcal_mol\tmodel\textrapolation");
    for (int r = 0; r < 4; r++) {
        line = strtok(NULL, "\n");
        assert_non_null(line);
        int n, c, x;
        double mae, kcal;
        char model[256];
        assert_int_equal(sscanf(line, "%d\t%d\t%lf\t%lf\t%255s\t%d", &n, &c, &mae, &kcal, model, &x), 6);
        assert_int_equal(n, want_n[r]);
        assert_int_equal(c, want_c[r]);
        assert_int_equal(x, want_x[r]);
        assert_true(fabs(mae - want_mae[r]) < tol);
        assert_true(fabs(kcal - want_mae[r] * 23.0605) < 23.0605 * tol);
        assert_string_equal(model, MODEL);
    }
    assert_null(strtok(NULL, "\n"));
    /* the SVG */
    assert_int_equal(tu_slurp(SVG, buf, sizeof buf), 0);
    assert_non_null(strstr(buf, "<?xml"));
    assert_non_null(strstr(buf, ">number of atoms</text>"));
    assert_non_null(strstr(buf, ">MAE (kcal/mol)</text>"));
    assert_non_null(strstr(buf, "class=\"extrapolation\""));
    assert_non_null(strstr(buf, "</svg>"));
    int polylines = 0;
    for (const char *p = buf; (p = strstr(p, "<polyline")); p++) polylines++;
    assert_int_equal(polylines, 1);
}

static void test_two_models(void **st) {
    (void)st;
    char *argv[] = {"eval", "--model", MODEL, "--model2", MODEL2, DATA, "--tsv", TSV, "--plot", SVG, NULL};
    assert_int_equal(run_eval(10, argv), QDF_EXIT_OK);
    static char buf[1 << 16];
    assert_int_equal(tu_slurp(JSON, buf, sizeof buf), 0);   /* the text summary */
    assert_non_null(strstr(buf, "extrapolation curve"));
    assert_non_null(strstr(buf, "b.h5"));
    assert_int_equal(tu_slurp(TSV, buf, sizeof buf), 0);
    int rows = 0, rows2 = 0;
    for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
        rows++;
        if (strstr(l, "b.h5")) rows2++;
    }
    assert_int_equal(rows, 1 + 4 + 4);
    assert_int_equal(rows2, 4);
    assert_int_equal(tu_slurp(SVG, buf, sizeof buf), 0);
    int polylines = 0;
    for (const char *p = buf; (p = strstr(p, "<polyline")); p++) polylines++;
    assert_int_equal(polylines, 2);
    assert_non_null(strstr(buf, "a.h5 (MAE"));
    assert_non_null(strstr(buf, "b.h5 (MAE"));
    assert_non_null(strstr(buf, "stroke=\"#1f77b4\""));
    assert_non_null(strstr(buf, "stroke=\"#d62728\""));
}

static void test_ensemble(void **st) {
    (void)st;
    /* expected: the mean of the two models' own predictions against the references */
    qdf_model ma, mb;
    char err[256];
    assert_int_equal(qdf_model_load(MODEL, &ma, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_int_equal(qdf_model_load(MODEL2, &mb, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    qdf_dataset d;
    char *files[1] = {DATA};
    qdf_reader_opts ropts = {0};
    assert_int_equal(qdf_dataset_load(&d, files, 1, &ropts, NULL, err, sizeof err), 0);
    assert_int_equal(d.n, 5);
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    double pa[5], pb[5];
    qdf_predict_many(ctx, &ma, d.mols, 5, 16, pa);
    qdf_predict_many(ctx, &mb, d.mols, 5, 16, pb);
    double sum = 0, sum_in = 0, differ = 0;
    for (int i = 0; i < 5; i++) {
        const double e = fabs(0.5 * (pa[i] + pb[i]) - d.mols[i].target[0]);
        sum += e;
        if (d.mols[i].n_atoms <= 5) sum_in += e;
        differ += fabs(pa[i] - pb[i]) > 1e-3;
    }
    assert_true(differ >= 4); /* the two models really differ */
    qdf_ctx_free(ctx);
    qdf_dataset_free(&d);
    qdf_model_free(&ma);
    qdf_model_free(&mb);

    char *argv[] = {"eval", "--model", MODEL, "--model", MODEL2, DATA, "--json", "--plot", SVG, NULL};
    assert_int_equal(run_eval(9, argv), QDF_EXIT_OK);
    static char buf[1 << 16];
    assert_int_equal(tu_slurp(JSON, buf, sizeof buf), 0);
    const double tol = 2e-6;
    assert_true(fabs(json_after(buf, "\"ensemble_size\": ") - 2) < 1e-12);
    assert_true(fabs(json_after(buf, "\"max_atoms\": ") - 5) < 1e-12); /* min(5, 9) */
    assert_true(fabs(json_after(buf, "\"mae_eV\": ") - sum / 5) < tol);
    const char *in = strstr(buf, "\"interpolation\"");
    assert_non_null(in);
    assert_true(fabs(json_after(in, "\"n\": ") - 3) < 1e-12);
    assert_true(fabs(json_after(in, "\"mae_eV\": ") - sum_in / 3) < tol);
    assert_int_equal(tu_slurp(SVG, buf, sizeof buf), 0);
    assert_non_null(strstr(buf, "a.h5 + b.h5 (MAE"));

    /* the same model twice is that model: MAE 2.1 / 5 as in test_errors_and_curve */
    char *same[] = {"eval", "--model", MODEL, "--model", MODEL, DATA, "--json", NULL};
    assert_int_equal(run_eval(7, same), QDF_EXIT_OK);
    assert_int_equal(tu_slurp(JSON, buf, sizeof buf), 0);
    assert_true(fabs(json_after(buf, "\"mae_eV\": ") - 0.42) < tol);
}

static void test_usage_and_errors(void **st) {
    (void)st;
    char *a1[] = {"eval", DATA, NULL};
    char *a2[] = {"eval", "--model", DATA, DATA, NULL};        /* not a model */
    char *a3[] = {"eval", "--model", MODEL, "/nonexistent/x.xyz", NULL};
    char *a4[] = {"eval", "--model", MODEL, DATA, "--bogus", NULL};
    /* without --model: the shipped default model if there is one, else a usage error */
    if (!qdf_default_model_path()) assert_int_equal(run_eval(2, a1), QDF_EXIT_USAGE);
    assert_int_equal(run_eval(4, a2), QDF_EXIT_MODEL);
    assert_int_equal(run_eval(4, a3), QDF_EXIT_INPUT);
    assert_int_equal(run_eval(5, a4), QDF_EXIT_USAGE);
}

/* Energy (eV, output 0) of one molecule with the grid turned by orientation r. */
static double energy_turned(qdf_model *m, const qdf_molecule *mol, int r) {
    double R[9];
    qdf_frame_orientation(r, R);
    real E[QDF_MAX_TARGETS];
    assert_int_equal(tu_energy_rows(m, mol, R, E), 0);
    return qdf_model_energy_ev(m, mol, E, 0);
}

static void test_orientation_average(void **st) {
    (void)st;
    qdf_model m;
    make_model(&m, 3);
    qdf_molecule mols[3], rot;
    tm_ethanol(&mols[0]);
    tm_water(&mols[1]);
    tm_benzene(&mols[2]);
    tm_ethanol(&rot);
    double R[9];
    const double t[3] = {1.5, -0.5, 2};
    tm_random_rotation(9, R);
    tm_transform(&rot, R, t);
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    double p1[3], p3[3], prot;
    qdf_predict_many(ctx, &m, mols, 3, 16, p1);
    m.hp.orientations = 3;
    qdf_predict_many(ctx, &m, mols, 3, 2, p3);   /* batches of 2 and 1 */
    qdf_predict_many(ctx, &m, &rot, 1, 1, &prot);
    for (int i = 0; i < 3; i++) {
        const double e0 = energy_turned(&m, &mols[i], 0), e1 = energy_turned(&m, &mols[i], 1),
                     e2 = energy_turned(&m, &mols[i], 2);
        printf("molecule %d: E in 3 orientations %.6f %.6f %.6f eV, mean %.6f, predicted %.6f (1 orientation %.6f)\n",
               i, e0, e1, e2, (e0 + e1 + e2) / 3, p3[i], p1[i]);
        assert_float_equal(e0, p1[i], 1e-6 * (1 + fabs(e0)));
        assert_float_equal(p3[i], (e0 + e1 + e2) / 3, 1e-5 * (1 + fabs(e0)));
        assert_true(fabs(e1 - e0) > 1e-6 * (1 + fabs(e0)));   /* the orientations differ */
    }
    printf("rotated and moved ethanol: %.6f eV (unrotated %.6f)\n", prot, p3[0]);
    assert_float_equal(prot, p3[0], 1e-5 * (1 + fabs(p3[0])));

    /* qdf eval --orientations 3 reports the MAE of those predictions */
    char *argv[] = {"eval", "--model", MODEL, DATA, "--json", "--orientations", "3", NULL};
    assert_int_equal(run_eval(7, argv), QDF_EXIT_OK);
    qdf_molecule all[5];
    tm_water(&all[0]);
    tm_hcn(&all[1]);
    tm_methane(&all[2]);
    tm_ethanol(&all[3]);
    tm_benzene(&all[4]);
    double q1[5], q3[5], mae = 0;
    m.hp.orientations = 1;
    qdf_predict_many(ctx, &m, all, 5, 16, q1);
    m.hp.orientations = 3;
    qdf_predict_many(ctx, &m, all, 5, 16, q3);
    for (int i = 0; i < 5; i++) mae += fabs(q3[i] - (q1[i] + OFFSET[i])) / 5;
    char buf[4096];
    FILE *f = fopen(JSON, "r");
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    printf("qdf eval --orientations 3: %s", buf);
    assert_float_equal(json_after(buf, "\"mae_eV\": "), mae, 1e-6);
    char *bad[] = {"eval", "--model", MODEL, DATA, "--orientations", "0", NULL};
    assert_int_equal(run_eval(6, bad), QDF_EXIT_USAGE);
    for (int i = 0; i < 5; i++) qdf_molecule_free(&all[i]);
    for (int i = 0; i < 3; i++) qdf_molecule_free(&mols[i]);
    qdf_molecule_free(&rot);
    qdf_ctx_free(ctx);
    qdf_model_free(&m);
}

static void test_ticks(void **st) {
    (void)st;
    double t0, step;
    int n = qdf_svg_ticks(0, 48.4, 6, &t0, &step);
    assert_true(step == 10 && t0 == 0 && n == 5);
    n = qdf_svg_ticks(2.6, 20.4, 10, &t0, &step);
    assert_true(step == 2 && t0 == 4 && n == 9);
    n = qdf_svg_ticks(0, 0.013, 6, &t0, &step);
    assert_true(fabs(step - 0.002) < 1e-15 && n == 7);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_and_curve),
        cmocka_unit_test(test_two_models),
        cmocka_unit_test(test_ensemble),
        cmocka_unit_test(test_usage_and_errors),
        cmocka_unit_test(test_orientation_average),
        cmocka_unit_test(test_ticks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
