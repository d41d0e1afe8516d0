/* test_init_lsuv.c: the data-dependent initialisation (init_lsuv.h).
 * After qdf_init_lsuv on a set of 10 molecules (all used as the sample), the
 * pre-activation of every unit of every dense layer, recomputed here in
 * double with plain loops from psi/rho of the same molecules, has mean 0 and
 * standard deviation 1 over the points; the directions of the weight rows
 * are those of PyTorch's initialisation (rows only rescaled); the energy
 * readout's row is rescaled so that the model's predictions on the sample
 * have mean 0 and sd QDF_LSUV_READOUT_SD; the potential readout is
 * untouched; and before it, with PyTorch's initialisation, the first
 * layer's units are far from that (the test can fail). */
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
#include "init_lsuv.h"
#include "molecules.h"
#include "testutil.h"

#define N_MOL 10

/* Largest |mean| and |sd - 1| over the units of y = x W^T + b (n x out). */
static void unit_stats(const double *x, int n, int in_f, const qdf_tensor *W, const qdf_tensor *b, double *max_mean,
                       double *max_sd_err, double *y) {
    const int out_f = W->rows;
    *max_mean = *max_sd_err = 0;
    for (int j = 0; j < out_f; j++) {
        double s = 0, ss = 0;
        for (int r = 0; r < n; r++) {
            double v = b->data[j];
            for (int i = 0; i < in_f; i++) v += x[(size_t)r * in_f + i] * W->data[(size_t)j * in_f + i];
            y[(size_t)r * out_f + j] = v;
            s += v;
            ss += v * v;
        }
        const double mean = s / n, sd = sqrt(ss / n - mean * mean);
        *max_mean = fmax(*max_mean, fabs(mean));
        *max_sd_err = fmax(*max_sd_err, fabs(sd - 1));
    }
}

static void test_units_have_zero_mean_unit_variance(void **st) {
    (void)st;
    qdf_model m;
    char err[256];
    enum { DIM = 12, HK = 7 };
    assert_int_equal(tu_small_model(&m, DIM, HK, 2, 2, 21), 0);
    const qdf_hparams hp = m.hp;
    qdf_dataset d;
    tu_jittered_dataset(&d, N_MOL);
    real W0[DIM * DIM], P0[DIM], V0[HK];
    memcpy(W0, m.fW[1]->data, sizeof W0);
    memcpy(P0, m.propW->data, sizeof P0);
    memcpy(V0, m.potW->data, sizeof V0);

    /* psi and rho of the same molecules (the sample is the whole set) */
    qdf_ctx *ctx = qdf_ctx_new(16 << 20);
    const qdf_molecule *mols[N_MOL];
    for (int i = 0; i < N_MOL; i++) mols[i] = &d.mols[i];
    qdf_field f;
    assert_int_equal(qdf_field_build(ctx, &f, mols, N_MOL, &m.basis, &m.grid, m.hp.frame, err, sizeof err), 0);
    qdf_forward_out o;
    qdf_model_forward(ctx, &m, &f, 0, 1, &o);
    const int P = o.psi->rows, D = hp.dim, H = hp.hidden_HK;
    double *x = malloc(sizeof(double) * P * DIM), *y = malloc(sizeof(double) * P * DIM);
    for (int i = 0; i < P * D; i++) x[i] = o.psi->data[i];
    double mm, sd;
    unit_stats(x, P, D, m.fW[0], m.fb[0], &mm, &sd, y);
    printf("pytorch init, layer 0: max |mean| %.3g, max |sd - 1| %.3g\n", mm, sd);
    assert_true(sd > 0.5);

    qdf_ctx *ictx = qdf_ctx_new(16 << 20); /* its own scratch: ctx holds psi and rho */
    assert_int_equal(qdf_init_lsuv(ictx, &m, &d, 32, err, sizeof err), 0);
    qdf_ctx_free(ictx);
    /* functional layers */
    for (int l = 0; l < hp.layer_functional; l++) {
        unit_stats(x, P, D, m.fW[l], m.fb[l], &mm, &sd, y);
        printf("functional %d: max |mean| %.3g, max |sd - 1| %.3g\n", l, mm, sd);
        assert_true(mm < 1e-4 && sd < 1e-4);
        for (int i = 0; i < P * D; i++) x[i] = y[i] > 0 ? y[i] : 0;
    }
    /* density layer (no activation), then the HK layers */
    for (int i = 0; i < P; i++) x[i] = o.rho->data[i];
    unit_stats(x, P, 1, m.densW, m.densb, &mm, &sd, y);
    printf("density: max |mean| %.3g, max |sd - 1| %.3g\n", mm, sd);
    assert_true(mm < 1e-4 && sd < 1e-4);
    for (int i = 0; i < P * H; i++) x[i] = y[i];
    for (int l = 0; l < hp.layer_HK; l++) {
        unit_stats(x, P, H, m.hkW[l], m.hkb[l], &mm, &sd, y);
        printf("hk %d: max |mean| %.3g, max |sd - 1| %.3g\n", l, mm, sd);
        assert_true(mm < 1e-4 && sd < 1e-4);
        for (int i = 0; i < P * H; i++) x[i] = y[i] > 0 ? y[i] : 0;
    }
    /* rows rescaled, not turned: W[j,:] = c_j W0[j,:] with c_j > 0 */
    for (int j = 0; j < D; j++) {
        const double c = m.fW[1]->data[j * D] / W0[j * D];
        assert_true(c > 0);
        for (int i = 0; i < D; i++) assert_true(fabs(m.fW[1]->data[j * D + i] - c * W0[j * D + i]) <= 1e-5 * fabs(c * W0[j * D + i]) + 1e-12);
    }
    /* the energy readout: row rescaled (c > 0) so that the predictions on the
     * sample have mean 0 and sd QDF_LSUV_READOUT_SD; the potential readout untouched */
    const double c = m.propW->data[0] / P0[0];
    assert_true(c > 0);
    for (int i = 0; i < D; i++) assert_true(fabs(m.propW->data[i] - c * P0[i]) <= 1e-5 * fabs(c * P0[i]) + 1e-12);
    assert_memory_equal(V0, m.potW->data, sizeof(real) * H);
    qdf_forward_out o2;
    qdf_model_forward(ctx, &m, &f, 1, 0, &o2);
    double es = 0, ess = 0;
    for (int k = 0; k < N_MOL; k++) {
        es += o2.E->data[k];
        ess += (double)o2.E->data[k] * o2.E->data[k];
    }
    const double emean = es / N_MOL, esd = sqrt(ess / N_MOL - emean * emean);
    printf("energy readout: predictions mean %.3g, sd %.6g (want 0, %g)\n", emean, esd, QDF_LSUV_READOUT_SD);
    assert_true(fabs(emean) < 1e-5);
    assert_true(fabs(esd - QDF_LSUV_READOUT_SD) < 1e-4 * QDF_LSUV_READOUT_SD);
    free(x);
    free(y);
    qdf_ctx_free(ctx);
    qdf_model_free(&m);
    qdf_dataset_free(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_have_zero_mean_unit_variance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
