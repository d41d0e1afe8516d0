/* test_revive.c: re-initialising dead ReLU units (revive.h) on 10 small
 * molecules (all in the sample's first chunk).
 *  - four units are killed by a bias of -100 (two functional layers, two HK
 *    layers); the units dead before, counted here in double with plain loops,
 *    are exactly the ones revived;
 *  - afterwards every unit is active on some point, and each revived unit on
 *    half of the points (its bias is minus the median of its pre-activation);
 *  - E and V of every molecule are unchanged (outgoing weights start at 0);
 *  - the revived entries have a zero first Adam moment, the tensor's mean
 *    second moment, and the average holds their new values; other entries
 *    keep theirs. */
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
#include "revive.h"
#include "testutil.h"

#define N_MOL 10

/* Activity counts of every ReLU unit (stack 0 functional, 1 HK), recomputed in
 * double from psi and rho. */
static void count_active(const qdf_model *m, const qdf_forward_out *o, long act[2][4][16]) {
    const int P = o->psi->rows;
    memset(act, 0, sizeof(long) * 2 * 4 * 16);
    double *x = malloc(sizeof(double) * P * 16), *y = malloc(sizeof(double) * P * 16);
    for (int s = 0; s < 2; s++) {
        int in;
        if (s == 0) {
            in = m->hp.dim;
            for (int i = 0; i < P * in; i++) x[i] = o->psi->data[i];
        } else {
            in = m->hp.hidden_HK;
            for (int r = 0; r < P; r++)
                for (int j = 0; j < in; j++) x[r * in + j] = (double)o->rho->data[r] * m->densW->data[j] + m->densb->data[j];
        }
        const int L = s == 0 ? m->hp.layer_functional : m->hp.layer_HK;
        for (int l = 0; l < L; l++) {
            const qdf_tensor *W = s == 0 ? m->fW[l] : m->hkW[l], *b = s == 0 ? m->fb[l] : m->hkb[l];
            const int out = W->rows;
            for (int r = 0; r < P; r++)
                for (int j = 0; j < out; j++) {
                    double v = b->data[j];
                    for (int i = 0; i < in; i++) v += x[r * in + i] * W->data[j * in + i];
                    y[r * out + j] = v > 0 ? v : 0;
                    act[s][l][j] += v > 0;
                }
            double *t = x;
            x = y;
            y = t;
            in = out;
        }
    }
    free(x);
    free(y);
}

static void forward(qdf_ctx *ctx, qdf_model *m, const qdf_dataset *d, qdf_forward_out *o) {
    const qdf_molecule *mols[N_MOL];
    for (int i = 0; i < N_MOL; i++) mols[i] = &d->mols[i];
    char err[256];
    qdf_field f;
    qdf_ctx_reset(ctx);
    assert_int_equal(qdf_field_build(ctx, &f, mols, N_MOL, &m->basis, &m->grid, m->hp.frame, err, sizeof err), 0);
    qdf_model_forward(ctx, m, &f, 1, 1, o);
}

static void test_dead_units_come_back_without_changing_outputs(void **st) {
    (void)st;
    qdf_model m;
    char err[256];
    assert_int_equal(tu_small_model(&m, 12, 7, 2, 2, 5), 0);
    qdf_dataset d;
    tu_jittered_dataset(&d, N_MOL);
    m.fb[0]->data[2] = -100;
    m.fb[1]->data[5] = -100;
    m.hkb[0]->data[1] = -100;
    m.hkb[1]->data[3] = -100;

    qdf_ctx *ctx = qdf_ctx_new(16 << 20);
    qdf_ctx_set_grad(ctx, 0);
    qdf_forward_out o;
    forward(ctx, &m, &d, &o);
    const int P = o.psi->rows;
    long before[2][4][16], after[2][4][16];
    count_active(&m, &o, before);
    int n_dead = 0;
    for (int s = 0; s < 2; s++)
        for (int l = 0; l < 2; l++)
            for (int j = 0; j < (s ? 7 : 12); j++) n_dead += before[s][l][j] == 0;
    assert_int_equal(before[0][0][2] + before[0][1][5] + before[1][0][1] + before[1][1][3], 0);
    double E0[N_MOL], *V0 = malloc(sizeof(double) * P);
    for (int i = 0; i < N_MOL; i++) E0[i] = o.E->data[i];
    for (int r = 0; r < P; r++) V0[r] = o.V->data[r];

    qdf_adam opt;
    qdf_adam_init(&opt, &m.params, 1e-3);
    for (int k = 0; k < m.params.n; k++)
        for (size_t i = 0; i < qdf_numel(m.params.p[k]); i++) {
            opt.m[k][i] = 1;
            opt.v[k][i] = (real)(1 + i % 3);
        }
    qdf_ema ema;
    qdf_ema_init(&ema, &m.params, 0.9);
    for (int k = 0; k < ema.n; k++)
        for (size_t i = 0; i < qdf_numel(m.params.p[k]); i++) ema.avg[k][i] += 1;
    qdf_rng rng;
    qdf_rng_seed(&rng, 9);
    qdf_revive_stats rs;
    qdf_ctx *rctx = qdf_ctx_new(16 << 20); /* its own scratch: ctx holds the forward */
    assert_int_equal(qdf_revive_dead_units(rctx, &m, &d, 256, &rng, &opt, &ema, &rs, err, sizeof err), 0);
    qdf_ctx_free(rctx);
    printf("dead before: %d; revived: %d (functional %d %d, HK %d %d) on %ld points\n", n_dead, rs.total,
           rs.dead[0][0], rs.dead[0][1], rs.dead[1][0], rs.dead[1][1], rs.points);
    assert_int_equal(rs.total, n_dead);
    assert_int_equal(rs.points, P);
    assert_int_equal(rs.molecules, N_MOL);

    forward(ctx, &m, &d, &o);
    count_active(&m, &o, after);
    for (int s = 0; s < 2; s++)
        for (int l = 0; l < 2; l++)
            for (int j = 0; j < (s ? 7 : 12); j++) {
                assert_true(after[s][l][j] > 0);
                if (before[s][l][j] == 0) {
                    const double frac = (double)after[s][l][j] / P;
                    assert_true(frac > 0.45 && frac < 0.55);
                }
            }
    for (int i = 0; i < N_MOL; i++) assert_true(tu_relerr(o.E->data[i], E0[i], 1e-6) < 1e-5);
    for (int r = 0; r < P; r++) assert_true(fabs(o.V->data[r] - V0[r]) <= 1e-5 * fabs(V0[r]) + 1e-6);

    /* the revived row of functional layer 0, unit 2: first moment zero, second
     * the mean of the tensor's before (1, 2, 3 repeating over 144 entries: 2),
     * average = value */
    const int k0 = 2 /* zeta, coef, then fW[0] */;
    assert_ptr_equal(m.params.p[k0], m.fW[0]);
    for (int i = 0; i < 12; i++) {
        assert_float_equal(opt.m[k0][2 * 12 + i], 0, 0);
        assert_float_equal(opt.v[k0][2 * 12 + i], 2, 1e-6);
        assert_float_equal(ema.avg[k0][2 * 12 + i], m.fW[0]->data[2 * 12 + i], 0);
        assert_float_equal(opt.m[k0][3 * 12 + i], 1, 0); /* a live row keeps its moments */
    }
    free(V0);
    qdf_ema_free(&ema);
    qdf_adam_free(&opt);
    qdf_ctx_free(ctx);
    qdf_model_free(&m);
    qdf_dataset_free(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dead_units_come_back_without_changing_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
