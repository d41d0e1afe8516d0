/* test_nn_vs_torch.c: the engine against PyTorch over 50 Adam steps (issue 2).
 *
 * tests/fixtures/nn_adam50.txt is written by tests/reference/nn_reference.py
 * (PyTorch 1.13, float32): a network of two Linear+ReLU layers, column L2
 * normalisation within segments, sum pooling per segment, a last Linear and an
 * MSE loss, trained 50 steps with torch.optim.Adam(lr=1e-2). We build the same
 * network from qdf ops, start from torch's initial weights and compare the loss
 * at every step, the gradients at step 1 and every parameter after steps 1 and
 * 50. The same comparison runs on tests/fixtures/nn_adamw50.txt: torch.optim.AdamW
 * with weight decay 0.5 on the three weight matrices and none on the biases
 * (our qdf_adam with weight_decay and decay[] set the same way). Another test
 * checks that the steady-state loop performs no system allocation.
 *
 * Tolerance: 1e-4, norm-wise relative per tensor, ||ours - torch||_2 / ||torch||_2.
 * An elementwise relative error is not meaningful here: float32 rounding error
 * scales with the magnitude of the whole computation, not of each entry, and
 * entries that are (nearly) zero -- gradients of units that a ReLU switched off,
 * sums that cancel, parameters crossing zero -- would turn an absolute error of
 * 1e-8 into an arbitrarily large relative one. The norm-wise error is the
 * standard backward-stable measure for a tensor and still catches any entry
 * that is off by more than 1e-4 of the tensor's scale. Losses are scalars and
 * compared with an ordinary relative error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "adam.h"
#include "fixture.h"
#include "ops.h"
#include "param.h"
#include "testutil.h"

#define TOL 1e-4
#define STEPS 50

static const char *PARAMS[] = {"l1.weight", "l1.bias", "l2.weight", "l2.bias", "l3.weight", "l3.bias"};
#define N_PARAMS 6

typedef struct net {
    qdf_fixture *fx;
    qdf_param_set ps;
    qdf_tensor *w[N_PARAMS];
    int n_rows, n_in, n_out, n_seg;
    real *x, *target;
    int off[8];
    qdf_segs segs;
} net;

/* ||a - b||_2 / ||b||_2 (b the reference; absolute if b is zero). */
static double normwise_relerr(const real *a, const double *b, size_t n) {
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)a[i] - b[i];
        num += d * d;
        den += b[i] * b[i];
    }
    return den > 0 ? sqrt(num / den) : sqrt(num);
}

static real *to_real(const double *d, size_t n) {
    real *r = test_malloc(sizeof(real) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) r[i] = (real)d[i];
    return r;
}

static void net_load_from(net *nt, const char *fixture) {
    memset(nt, 0, sizeof *nt);
    nt->fx = fx_load_test(fixture);
    assert_non_null(nt->fx);
    const char *names = fx_str(nt->fx, "param_names");
    assert_non_null(names);
    assert_string_equal(names, "l1.weight l1.bias l2.weight l2.bias l3.weight l3.bias");
    int r, c;
    const int *off = fx_ints(nt->fx, "seg_off", &r, &c);
    assert_non_null(off);
    assert_true(r * c <= 8);
    nt->n_seg = r * c - 1;
    for (int i = 0; i <= nt->n_seg; i++) nt->off[i] = off[i];
    nt->segs = (qdf_segs){nt->n_seg, nt->off};
    const double *x = fx_array(nt->fx, "x", &nt->n_rows, &nt->n_in);
    assert_non_null(x);
    assert_int_equal(nt->n_rows, nt->off[nt->n_seg]);
    nt->x = to_real(x, (size_t)nt->n_rows * nt->n_in);
    const double *t = fx_array(nt->fx, "target", &r, &nt->n_out);
    assert_non_null(t);
    assert_int_equal(r, nt->n_seg);
    nt->target = to_real(t, (size_t)r * nt->n_out);
    for (int k = 0; k < N_PARAMS; k++) {
        char key[64];
        snprintf(key, sizeof key, "init.%s", PARAMS[k]);
        const double *v = fx_array(nt->fx, key, &r, &c);
        assert_non_null(v);
        nt->w[k] = qdf_param_new(&nt->ps, PARAMS[k], r, c);
        for (int i = 0; i < r * c; i++) nt->w[k]->data[i] = (real)v[i];
    }
    /* shapes as the engine expects them: W out x in, b 1 x out */
    assert_int_equal(nt->w[0]->cols, nt->n_in);
    assert_int_equal(nt->w[1]->rows, 1);
    assert_int_equal(nt->w[5]->cols, nt->n_out);
}

static void net_load(net *nt) { net_load_from(nt, "nn_adam50.txt"); }

static void net_free(net *nt) {
    qdf_param_set_free(&nt->ps);
    test_free(nt->x);
    test_free(nt->target);
    fx_free(nt->fx);
}

static qdf_tensor *net_forward(qdf_ctx *ctx, net *nt) {
    qdf_tensor *x = qdf_tensor_wrap(ctx, nt->n_rows, nt->n_in, nt->x);
    qdf_tensor *t = qdf_tensor_wrap(ctx, nt->n_seg, nt->n_out, nt->target);
    qdf_tensor *h = qdf_linear(ctx, x, nt->w[0], nt->w[1], 1);
    h = qdf_linear(ctx, h, nt->w[2], nt->w[3], 1);
    h = qdf_seg_col_l2norm(ctx, h, nt->segs, NULL);
    h = qdf_seg_sum(ctx, h, nt->segs);
    qdf_tensor *y = qdf_linear(ctx, h, nt->w[4], nt->w[5], 0);
    return qdf_mse(ctx, y, t);
}

/* Compare every parameter (or its gradient) with the fixture's <prefix>.<name>;
 * returns the largest norm-wise relative error. */
static double compare_params(net *nt, const char *prefix, int grads) {
    double worst = 0;
    for (int k = 0; k < N_PARAMS; k++) {
        char key[64];
        snprintf(key, sizeof key, "%s.%s", prefix, PARAMS[k]);
        int r, c;
        const double *ref = fx_array(nt->fx, key, &r, &c);
        assert_non_null(ref);
        assert_int_equal(r, nt->w[k]->rows);
        assert_int_equal(c, nt->w[k]->cols);
        const double e = normwise_relerr(grads ? nt->w[k]->grad : nt->w[k]->data, ref, (size_t)r * c);
        printf("  %-20s norm-wise rel err %.3g\n", key, e);
        if (e > TOL) fprintf(stderr, "  %s: norm-wise relative error %.3g > %g\n", key, e, TOL);
        if (e > worst) worst = e;
    }
    return worst;
}

/* wd > 0: AdamW with decay on the weights (w[0], w[2], w[4]), not the biases. */
static void adam50_matches_torch(const char *fixture, double wd) {
    net nt;
    net_load_from(&nt, fixture);
    int nl, one;
    const double *loss_ref = fx_array(nt.fx, "loss", &nl, &one);
    assert_non_null(loss_ref);
    assert_int_equal(nl, STEPS);

    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    qdf_adam opt;
    qdf_adam_init(&opt, &nt.ps, 1e-2);
    opt.weight_decay = wd;
    for (int k = 0; k < N_PARAMS; k += 2) opt.decay[k] = wd > 0;
    qdf_param_set_zero_grad(&nt.ps);
    double worst_loss = 0, worst_grad = 0, worst_p1 = 0, worst_p50 = 0;
    int worst_loss_step = 0;
    for (int step = 1; step <= STEPS; step++) {
        qdf_ctx_reset(ctx);
        qdf_tensor *loss = net_forward(ctx, &nt);
        qdf_backward(ctx, loss);
        const double e = tu_relerr(loss->data[0], loss_ref[step - 1], 1e-30);
        if (e > worst_loss) {
            worst_loss = e;
            worst_loss_step = step;
        }
        if (e > TOL)
            fprintf(stderr, "  step %d: loss %.9g, torch %.9g, rel err %.3g\n", step,
                    (double)loss->data[0], loss_ref[step - 1], e);
        if (step == 1) {
            const double *o = fx_array(nt.fx, "output.step1", NULL, NULL);
            assert_non_null(o);
            printf("step 1 gradients:\n");
            worst_grad = compare_params(&nt, "grad1", 1);
        }
        qdf_adam_step(&opt, &nt.ps);
        qdf_param_set_zero_grad(&nt.ps);
        if (step == 1) {
            printf("parameters after step 1:\n");
            worst_p1 = compare_params(&nt, "after1", 0);
        }
    }
    printf("parameters after step %d:\n", STEPS);
    worst_p50 = compare_params(&nt, "after50", 0);
    printf("max rel err: loss %.3g (step %d), step-1 gradients %.3g, parameters after step 1 %.3g, "
           "after step %d %.3g\n",
           worst_loss, worst_loss_step, worst_grad, worst_p1, STEPS, worst_p50);
    assert_true(worst_loss <= TOL);
    assert_true(worst_grad <= TOL);
    assert_true(worst_p1 <= TOL);
    assert_true(worst_p50 <= TOL);
    qdf_adam_free(&opt);
    qdf_ctx_free(ctx);
    net_free(&nt);
}

static void test_adam50_matches_torch(void **st) {
    (void)st;
    adam50_matches_torch("nn_adam50.txt", 0);
}

static void test_adamw50_matches_torch(void **st) {
    (void)st;
    adam50_matches_torch("nn_adamw50.txt", 0.5);
}

/* Issue 2: no malloc/free in the steady-state loop. The context starts with a
 * deliberately small arena, so step 1 has to grow it and the reset before step
 * 2 consolidates the blocks into one (one allocation: warm-up). From the end of
 * step 2 on, the arena must obtain no memory from the system, and the tape
 * must not grow either. */
static void test_no_system_alloc_in_steady_state(void **st) {
    (void)st;
    net nt;
    net_load(&nt);
    qdf_ctx *ctx = qdf_ctx_new(4096);
    qdf_adam opt;
    qdf_adam_init(&opt, &nt.ps, 1e-2);
    qdf_param_set_zero_grad(&nt.ps);
    size_t allocs_after[STEPS + 1] = {0};
    int cap_nodes_after[STEPS + 1] = {0};
    for (int step = 1; step <= STEPS; step++) {
        qdf_ctx_reset(ctx);
        qdf_tensor *loss = net_forward(ctx, &nt);
        qdf_backward(ctx, loss);
        qdf_adam_step(&opt, &nt.ps);
        qdf_param_set_zero_grad(&nt.ps);
        allocs_after[step] = ctx->arena.n_system_allocs;
        cap_nodes_after[step] = ctx->cap_nodes;
    }
    printf("arena system allocations: after step 1 %zu, step 2 %zu, step %d %zu; capacity %zu, "
           "peak %zu bytes\n",
           allocs_after[1], allocs_after[2], STEPS, allocs_after[STEPS], ctx->arena.capacity,
           ctx->arena.peak);
    assert_true(allocs_after[1] > 1);                     /* step 1 did outgrow 4 KB */
    assert_true(allocs_after[2] <= allocs_after[1] + 1);  /* at most the consolidation */
    for (int step = 3; step <= STEPS; step++) {
        assert_int_equal(allocs_after[step], allocs_after[2]);
        assert_int_equal(cap_nodes_after[step], cap_nodes_after[2]);
    }
    qdf_adam_free(&opt);
    qdf_ctx_free(ctx);
    net_free(&nt);
}

/* The same with an arena sized from the start: not a single allocation after
 * qdf_ctx_new. */
static void test_no_system_alloc_when_reserved(void **st) {
    (void)st;
    net nt;
    net_load(&nt);
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    const size_t before = ctx->arena.n_system_allocs;
    qdf_adam opt;
    qdf_adam_init(&opt, &nt.ps, 1e-2);
    for (int step = 1; step <= STEPS; step++) {
        qdf_ctx_reset(ctx);
        qdf_backward(ctx, net_forward(ctx, &nt));
        qdf_adam_step(&opt, &nt.ps);
        qdf_param_set_zero_grad(&nt.ps);
        assert_int_equal(ctx->arena.n_system_allocs, before);
    }
    qdf_adam_free(&opt);
    qdf_ctx_free(ctx);
    net_free(&nt);
}

/* The fixture reader itself: records of every kind, comments, shapes. */
static void test_fixture_reader(void **st) {
    (void)st;
    char path[] = "/tmp/qdf_fixture_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# a comment\narray a 2 3\n1 2 3\n4 5\n  6e-1\n# between\n"
          "int n 1 3\n-1 0 7\nstr s\nhello world  x\narray e 0 0\n",
          f);
    fclose(f);
    qdf_fixture *fx = fx_load(path);
    assert_non_null(fx);
    int r, c;
    const double *a = fx_array(fx, "a", &r, &c);
    assert_non_null(a);
    assert_int_equal(r, 2);
    assert_int_equal(c, 3);
    assert_float_equal(a[5], 0.6, 0);
    const int *n = fx_ints(fx, "n", &r, &c);
    assert_non_null(n);
    assert_int_equal(n[0], -1);
    assert_int_equal(n[2], 7);
    assert_string_equal(fx_str(fx, "s"), "hello world  x");
    assert_null(fx_array(fx, "n", NULL, NULL));   /* wrong kind */
    assert_null(fx_array(fx, "missing", NULL, NULL));
    assert_non_null(fx_array(fx, "e", &r, &c));
    assert_int_equal(fx_count(fx), 4);
    fx_free(fx);
    f = fopen(path, "w");
    fputs("array a 2 2\n1 2 3\n", f);   /* too few values */
    fclose(f);
    assert_null(fx_load(path));
    remove(path);
    assert_null(fx_load("/nonexistent/fixture.txt"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_reader),
        cmocka_unit_test(test_adam50_matches_torch),
        cmocka_unit_test(test_adamw50_matches_torch),
        cmocka_unit_test(test_no_system_alloc_in_steady_state),
        cmocka_unit_test(test_no_system_alloc_when_reserved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
