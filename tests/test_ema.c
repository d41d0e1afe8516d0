/* test_ema.c: the parameter average (ema.h) against its closed form.
 *  - started at a and fed a constant c, the average after t updates is
 *    c + (a - c) prod_{i<=t} d_i, with d_i = min(decay, (1+i)/(10+i));
 *    the product is formed here in long double from the definition;
 *  - the warm-up: the first decay is 2/11; (1+i)/(10+i) reaches 0.95 at
 *    i = 170, and from there on the decay is the asked one;
 *  - fed a ramp p_t = t, the average lags by about decay / (1 - decay) steps
 *    once the warm-up is over (geometric series, exact for an infinite past);
 *  - swap twice leaves parameters and average as they were;
 *  - uniform (SWA) from update t0: after exponential updates, the average
 *    is the plain mean of the values fed since t0 (a ramp: its midpoint),
 *    and a resumed average continues the same mean; over 300,000 updates of
 *    scattered values the float mean stays within 1e-4 of the exact one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>

#include "ema.h"

static void test_constant_input(void **st) {
    (void)st;
    qdf_param_set ps = {0};
    qdf_tensor *w = qdf_param_new(&ps, "w", 2, 3);
    for (int i = 0; i < 6; i++) w->data[i] = (real)(i - 2); /* a */
    qdf_ema e;
    qdf_ema_init(&e, &ps, 0.95);
    for (int i = 0; i < 6; i++) w->data[i] = 10.0f; /* c */
    long double prod = 1;
    for (long t = 1; t <= 200; t++) {
        qdf_ema_update(&e, &ps);
        const long double warm = (1.0L + t) / (10.0L + t);
        prod *= warm < 0.95L ? warm : 0.95L;
        if (t % 25 == 1)
            for (int i = 0; i < 6; i++) {
                const double want = (double)(10 + ((i - 2) - 10) * prod);
                assert_float_equal(e.avg[0][i], want, 1e-5 * fabs(want) + 1e-6);
            }
    }
    assert_int_equal(e.updates, 200);
    assert_float_equal(qdf_ema_decay_at(&e, 1), 2.0 / 11.0, 1e-15);
    assert_float_equal(qdf_ema_decay_at(&e, 170), 0.95, 1e-15);
    assert_float_equal(qdf_ema_decay_at(&e, 5000), 0.95, 1e-15);
    assert_true(qdf_ema_decay_at(&e, 169) < 0.95);
    qdf_ema_free(&e);
    qdf_param_set_free(&ps);
}

static void test_uniform(void **st) {
    (void)st;
    qdf_param_set ps = {0};
    qdf_tensor *w = qdf_param_new(&ps, "w", 1, 2);
    qdf_ema e;
    w->data[0] = -50;
    w->data[1] = 3;
    qdf_ema_init(&e, &ps, 0.9);
    for (int t = 1; t <= 30; t++) qdf_ema_update(&e, &ps); /* exponential, at -50 */
    qdf_ema_start_uniform(&e);
    assert_int_equal(e.uniform_from, 30);
    assert_float_equal(qdf_ema_decay_at(&e, 31), 0.0, 0);
    assert_float_equal(qdf_ema_decay_at(&e, 34), 3.0 / 4.0, 1e-15);
    assert_float_equal(qdf_ema_decay_at(&e, 30), 0.9 < 31.0 / 40.0 ? 0.9 : 31.0 / 40.0, 1e-15);
    /* values 1..1000 fed after the start: the mean is 500.5, whatever came before */
    double sum = 0;
    for (int k = 1; k <= 1000; k++) {
        w->data[0] = (real)k;
        w->data[1] = (real)(k % 7);
        sum += k % 7;
        qdf_ema_update(&e, &ps);
        if (k == 1) assert_float_equal(e.avg[0][0], 1.0, 0);
        if (k == 600) {
            /* a checkpoint and resume: the copy carries on the same mean */
            qdf_ema r;
            qdf_ema_init(&r, &ps, 0.9);
            r.updates = e.updates;
            r.uniform_from = e.uniform_from;
            r.avg[0][0] = e.avg[0][0];
            r.avg[0][1] = e.avg[0][1];
            for (int j = 601; j <= 1000; j++) {
                w->data[0] = (real)j;
                qdf_ema_update(&r, &ps);
            }
            assert_float_equal(r.avg[0][0], 500.5, 1e-3);
            qdf_ema_free(&r);
        }
    }
    assert_float_equal(e.avg[0][0], 500.5, 1e-3);
    assert_float_equal(e.avg[0][1], sum / 1000, 1e-5);
    qdf_ema_free(&e);
    qdf_param_set_free(&ps);
}

/* A long uniform mean in float: 300,000 updates of 64 weights that scatter
 * by 20% about 0.05 (as weights do between batches) stay within 1e-4 of the
 * mean taken in double (measured: 2.7e-5). */
static void test_uniform_long(void **st) {
    (void)st;
    enum { N = 64, T = 300000 };
    qdf_param_set ps = {0};
    qdf_tensor *w = qdf_param_new(&ps, "w", 1, N);
    qdf_ema e;
    qdf_ema_init(&e, &ps, 0.999);
    qdf_ema_start_uniform(&e);
    static double sum[N];
    uint64_t x = 12345;
    for (int k = 1; k <= T; k++) {
        for (int i = 0; i < N; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            w->data[i] = (real)(0.05 * (1 + 0.2 * ((double)(x >> 11) / 9007199254740992.0 * 2 - 1) * 1.7320508));
            sum[i] += w->data[i];
        }
        qdf_ema_update(&e, &ps);
    }
    double worst = 0;
    for (int i = 0; i < N; i++) worst = fmax(worst, fabs(e.avg[0][i] - sum[i] / T) / (sum[i] / T));
    printf("uniform mean of %d updates: worst relative error %.2e\n", T, worst);
    assert_true(worst < 1e-4);
    qdf_ema_free(&e);
    qdf_param_set_free(&ps);
}

static void test_ramp_lag(void **st) {
    (void)st;
    qdf_param_set ps = {0};
    qdf_tensor *w = qdf_param_new(&ps, "w", 1, 1);
    qdf_ema e;
    w->data[0] = 0;
    qdf_ema_init(&e, &ps, 0.9);
    for (int t = 1; t <= 400; t++) {
        w->data[0] = (real)t;
        qdf_ema_update(&e, &ps);
    }
    /* lag of an EMA behind a unit ramp: d / (1 - d) = 9 steps */
    assert_float_equal(400.0 - e.avg[0][0], 9.0, 1e-3);
    qdf_ema_free(&e);
    qdf_param_set_free(&ps);
}

static void test_swap_twice(void **st) {
    (void)st;
    qdf_param_set ps = {0};
    qdf_tensor *w = qdf_param_new(&ps, "w", 1, 4), *b = qdf_param_new(&ps, "b", 1, 1);
    for (int i = 0; i < 4; i++) w->data[i] = (real)i;
    b->data[0] = -1;
    qdf_ema e;
    qdf_ema_init(&e, &ps, 0.5);
    for (int i = 0; i < 4; i++) w->data[i] = (real)(10 * i);
    b->data[0] = 7;
    qdf_ema_swap(&e, &ps);
    assert_float_equal(w->data[3], 3, 0);
    assert_float_equal(b->data[0], -1, 0);
    assert_float_equal(e.avg[0][3], 30, 0);
    qdf_ema_swap(&e, &ps);
    assert_float_equal(w->data[3], 30, 0);
    assert_float_equal(b->data[0], 7, 0);
    assert_float_equal(e.avg[1][0], -1, 0);
    qdf_ema_free(&e);
    qdf_param_set_free(&ps);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_input),
        cmocka_unit_test(test_ramp_lag),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_uniform_long),
        cmocka_unit_test(test_swap_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
