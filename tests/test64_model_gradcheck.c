/* test64_model_gradcheck.c: finite differences (double precision, <= 1e-6
 * relative) for the gradients of the whole QDF chain: with respect to the
 * orbital exponents zeta, the LCAO coefficients and the dense layers, through
 * the energy head and through rho into the Hohenberg-Kohn head, for radial and
 * angular p orbitals, sum and mean pooling, on a batch of three molecules of
 * unequal size. Step h = 1e-5: the weighted sum of V over ~300 points is large
 * next to single gradient entries, so a smaller step is dominated by rounding
 * (measured: max rel err 6.6e-8 at h = 1e-5, 1e-6 at 1e-6, 8.8e-6 at 1e-7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>

#include "model.h"
#include "molecules.h"
#include "testutil.h"

typedef struct {
    qdf_model *m;
    const qdf_molecule *mols[3];
    int want; /* 0: E, 1: V */
} gc_user;

static qdf_tensor *build(qdf_ctx *ctx, qdf_tensor **in, void *u) {
    (void)in; /* the inputs are the model's own parameters */
    gc_user *g = u;
    qdf_field f;
    char err[256];
    qdf_field *fp = qdf_ctx_alloc(ctx, sizeof f);
    assert_int_equal(qdf_field_build(ctx, fp, g->mols, 3, &g->m->basis, &g->m->grid, g->m->hp.frame, err, sizeof err), 0);
    qdf_forward_out o;
    qdf_model_forward(ctx, g->m, fp, g->want == 0, g->want == 1, &o);
    return g->want == 0 ? o.E : o.V;
}

static void run(const char *basis, int angular, int pool_mean, int n_out) {
    qdf_hparams hp;
    qdf_hparams_default(&hp);
    snprintf(hp.basis, sizeof hp.basis, "%s", basis);
    hp.dim = 5;
    hp.hidden_HK = 4;
    hp.layer_functional = 2;
    hp.layer_HK = 2;
    hp.angular_p = angular;
    hp.pool_mean = pool_mean;
    hp.n_out = n_out;
    hp.radius = 0.6;  /* fewer points: 19 per atom at spacing 0.3 */
    const int el[] = {1, 6, 7, 8};
    qdf_rng r;
    qdf_rng_seed(&r, 11);
    qdf_model m;
    char err[256];
    assert_int_equal(qdf_model_init(&m, &hp, el, 4, &r, err, sizeof err), 0);
    for (int t = 0; t < m.basis.n_types; t++) m.zeta->data[t] = 0.6 + 0.13 * (t % 5);
    qdf_molecule a, b, c;
    tm_water(&a);
    tm_hcn(&b);
    tm_methane(&c);
    gc_user u = {&m, {&a, &b, &c}, 0};
    char label[96];
    for (int want = 0; want < 2; want++) {
        u.want = want;
        snprintf(label, sizeof label, "%s %s%s %s", basis, angular ? "angular " : "", pool_mean ? "mean" : "sum",
                 want ? "V" : "E");
        const double e = gc_check(build, m.params.p, m.params.n, &u, 1e-5, label);
        assert_true(e <= 1e-6);
    }
    qdf_molecule_free(&a);
    qdf_molecule_free(&b);
    qdf_molecule_free(&c);
    qdf_model_free(&m);
}

static void test_radial_sum(void **st) { (void)st; run("6-31G", 0, 0, 1); }
static void test_angular_mean_two_outputs(void **st) { (void)st; run("3-21G", 1, 1, 2); }

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radial_sum),
        cmocka_unit_test(test_angular_mean_two_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
