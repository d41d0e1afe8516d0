/* test_readout.c: the closed-form readout refit (readout.h).
 *
 * 60 molecules (water, HCN, methane, ethanol, benzene, each with 12 random
 * distortions of up to 0.08 Angstrom per coordinate) and a small random
 * model. Known answers:
 *  - targets that are exactly a linear function of the model's pooled
 *    features plus per-element energies: after the refit the model's own
 *    forward (qdf_predict_many) reproduces them (the readout and atomref were
 *    solved for, not just some fit);
 *  - noisy targets: the fit reports the training MAE that the model's forward
 *    had before and has after, it is no worse than the least-squares optimum allows (below the
 *    MAE of the random readout, and the CV strength is one of the grid), and
 *    molecules the model cannot handle are left out instead of poisoning the
 *    fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "evaluate.h"
#include "molecules.h"
#include "readout.h"
#include "rng.h"
#include "testutil.h"

#define N_MOL 60

static void make_model(qdf_model *m, double scale) {
    assert_int_equal(tu_small_model(m, 8, 4, 1, 1, 11), 0);
    m->use_atomref = 1;
    memset(m->atomref, 0, sizeof m->atomref);
    m->atomref[0][1] = -13.0; /* a starting atomref the refit must correct */
    m->target_scale = scale;
}

static void make_dataset(qdf_dataset *d) {
    void (*make[5])(qdf_molecule *) = {tm_water, tm_hcn, tm_methane, tm_ethanol, tm_benzene};
    d->mols = calloc(N_MOL, sizeof(qdf_molecule));
    d->n = d->cap = N_MOL;
    qdf_rng r;
    qdf_rng_seed(&r, 5);
    for (int i = 0; i < N_MOL; i++) {
        make[i % 5](&d->mols[i]);
        for (int k = 0; k < 3 * d->mols[i].n_atoms; k++) d->mols[i].xyz[k] += 0.16 * (qdf_rng_uniform(&r) - 0.5);
        snprintf(d->mols[i].id, sizeof d->mols[i].id, "m%d", i);
        d->mols[i].n_targets = 1;
    }
}

/* Targets: scale * (w . h + b) + sum_Z a_Z n_Z (+ noise), eV. */
static void set_targets(qdf_ctx *ctx, qdf_model *m, qdf_dataset *d, double noise) {
    const int D = m->hp.dim;
    double *H = malloc(sizeof(double) * N_MOL * D);
    qdf_pooled_many(ctx, m, d->mols, d->n, 7, H);
    const double w[8] = {0.3, -0.2, 0.05, 0.4, -0.1, 0.25, -0.35, 0.15};
    const double a[9] = {0, -0.5, 0, 0, 0, 0, -1.5, -2.0, -2.5};
    qdf_rng r;
    qdf_rng_seed(&r, 9);
    for (int i = 0; i < d->n; i++) {
        double t = 0.7;
        for (int f = 0; f < D; f++) t += w[f] * H[(size_t)i * D + f];
        t *= m->target_scale;
        for (int k = 0; k < d->mols[i].n_atoms; k++) t += a[d->mols[i].z[k]];
        d->mols[i].target[0] = t + noise * (qdf_rng_uniform(&r) - 0.5);
    }
    free(H);
}

static void test_exact_linear_targets_are_reproduced(void **st) {
    (void)st;
    qdf_model m;
    make_model(&m, 1.7);
    qdf_dataset d = {0};
    make_dataset(&d);
    qdf_ctx *ctx = qdf_ctx_new(16 << 20);
    set_targets(ctx, &m, &d, 0);
    const double before = qdf_dataset_mae(ctx, &m, &d, 5, NULL);
    qdf_readout_fit fit;
    char err[256];
    assert_int_equal(qdf_readout_refit(ctx, &m, &d, 4, &fit, err, sizeof err), 0);
    const double after = qdf_dataset_mae(ctx, &m, &d, 5, NULL);
    printf("exact: MAE before %.4g eV, after %.3g eV (fit says %.3g, lambda %g, %d molecules)\n", before, after,
           fit.train_mae_ev, fit.lambda, fit.n_used);
    assert_true(before > 1.0);
    assert_true(fabs(fit.train_mae_before_ev - before) <= 1e-5 * before); /* from the refit's own features */
    assert_true(after < 2e-3);  /* float32 forward of energies of ~-40 eV */
    assert_int_equal(fit.n_used, N_MOL);
    qdf_ctx_free(ctx);
    qdf_model_free(&m);
    qdf_dataset_free(&d);
}

static void test_noisy_targets_fit_matches_forward(void **st) {
    (void)st;
    qdf_model m;
    make_model(&m, 0.9);
    qdf_dataset d = {0};
    make_dataset(&d);
    qdf_ctx *ctx = qdf_ctx_new(16 << 20);
    set_targets(ctx, &m, &d, 0.4);
    /* a molecule with an element the model has no orbitals for (Si) is left out */
    d.mols[7].z[0] = 14;
    const double before = qdf_dataset_mae(ctx, &m, &d, 5, NULL);
    qdf_readout_fit fit;
    char err[256];
    assert_int_equal(qdf_readout_refit(ctx, &m, &d, 4, &fit, err, sizeof err), 0);
    const double after = qdf_dataset_mae(ctx, &m, &d, 5, NULL);
    printf("noisy: MAE before %.4g eV, after %.4g eV (fit %.4g, CV %.4g, lambda %g)\n", before, after,
           fit.train_mae_ev, fit.cv_mae_ev, fit.lambda);
    assert_int_equal(fit.n_used, N_MOL - 1);
    assert_true(after < before);
    assert_true(fabs(fit.train_mae_before_ev - before) <= 1e-5 * before);
    assert_true(after < 0.4);  /* uniform noise of width 0.4 eV has MAE 0.1; the fit is near it */
    assert_true(fabs(after - fit.train_mae_ev) < 1e-3);
    assert_true(fit.cv_mae_ev >= fit.train_mae_ev - 1e-9); /* held-out folds cannot beat the fit itself */
    const double l10 = log10(fit.lambda);
    assert_true(fabs(l10 - round(l10)) < 1e-9 && l10 >= -12 && l10 <= 0);
    qdf_ctx_free(ctx);
    qdf_model_free(&m);
    qdf_dataset_free(&d);
}

static void test_too_few_molecules_is_an_error(void **st) {
    (void)st;
    qdf_model m;
    make_model(&m, 1);
    qdf_dataset d = {0};
    make_dataset(&d);
    const int keep = d.n;
    d.n = 6;
    qdf_ctx *ctx = qdf_ctx_new(16 << 20);
    char err[256] = "";
    assert_int_equal(qdf_readout_refit(ctx, &m, &d, 4, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "too few"));
    d.n = keep;
    qdf_ctx_free(ctx);
    qdf_model_free(&m);
    qdf_dataset_free(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_linear_targets_are_reproduced),
        cmocka_unit_test(test_noisy_targets_fit_matches_forward),
        cmocka_unit_test(test_too_few_molecules_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
