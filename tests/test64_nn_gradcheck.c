/* test64_nn_gradcheck.c: every op of src/nn against central finite differences,
 * in double precision, on random inputs with several segments of unequal length
 * (including a one-row segment). Tolerance: 1e-6 relative (issue 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "ops.h"
#include "testutil.h"

#define TOL 1e-6
#define H 1e-6

/* three segments: 5, 1 and 3 rows */
static const int OFF[] = {0, 5, 6, 9};
static const qdf_segs SEGS = {3, OFF};

static qdf_tensor *b_gather(qdf_ctx *c, qdf_tensor **in, void *u) {
    (void)u;
    static const int idx[] = {2, 0, 2, 3, 1, 2};
    return qdf_gather_rows(c, in[0], idx, 6);
}
static qdf_tensor *b_matmul(qdf_ctx *c, qdf_tensor **in, void *u) {
    const int *t = u;
    return qdf_matmul(c, in[0], in[1], t[0], t[1]);
}
static qdf_tensor *b_linear(qdf_ctx *c, qdf_tensor **in, void *u) {
    const int *relu = u;
    return qdf_linear(c, in[0], in[1], relu[1] ? in[2] : NULL, relu[0]);
}
static qdf_tensor *b_relu(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_relu(c, in[0]); }
static qdf_tensor *b_add(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_add(c, in[0], in[1]); }
static qdf_tensor *b_sub(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_sub(c, in[0], in[1]); }
static qdf_tensor *b_mul(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_mul(c, in[0], in[1]); }
static qdf_tensor *b_mul_self(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_mul(c, in[0], in[0]); }
static qdf_tensor *b_square(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_square(c, in[0]); }
static qdf_tensor *b_scale(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_scale(c, in[0], -2.5); }
static qdf_tensor *b_dropout(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_dropout(c, in[0], 0.3, 0xD50Full); }
static qdf_tensor *b_row_sum(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_row_sum(c, in[0]); }
static qdf_tensor *b_l2norm(qdf_ctx *c, qdf_tensor **in, void *u) {
    static const real scale[] = {1.5, 0.7, 2.0};
    return qdf_seg_col_l2norm(c, in[0], SEGS, u ? scale : NULL);
}
static qdf_tensor *b_seg_sum(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_seg_sum(c, in[0], SEGS); }
static qdf_tensor *b_seg_mean(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_seg_mean(c, in[0], SEGS); }
static qdf_tensor *b_broadcast(qdf_ctx *c, qdf_tensor **in, void *u) { (void)u; return qdf_seg_broadcast(c, in[0], SEGS); }
static qdf_tensor *b_mse(qdf_ctx *c, qdf_tensor **in, void *u) {
    (void)u;
    qdf_tensor *t = qdf_tensor_wrap(c, in[1]->rows, in[1]->cols, in[1]->data);
    return qdf_mse(c, in[0], t);
}
static qdf_tensor *b_block_matmul(qdf_ctx *c, qdf_tensor **in, void *u) {
    (void)u;
    /* row segments 5,1,3 with widths 2,4,3: blocks 10 + 4 + 9 = 23 values */
    static const int koff[] = {0, 2, 6, 9};
    static const size_t boff[] = {0, 10, 14, 23};
    qdf_blocks *bl = qdf_ctx_alloc(c, sizeof *bl);
    bl->row_segs = SEGS;
    bl->col_segs = (qdf_segs){3, koff};
    bl->block_off = boff;
    return qdf_block_matmul(c, in[0], bl, in[1]);
}
/* A small model composed of ops only: a residual ReLU block, normalisation,
 * pooling and a broadcast back, to show that composition needs no hand-written
 * model-level backward. */
static qdf_tensor *b_composite(qdf_ctx *c, qdf_tensor **in, void *u) {
    (void)u;
    qdf_tensor *x = qdf_seg_col_l2norm(c, in[0], SEGS, NULL);
    qdf_tensor *h = qdf_linear(c, x, in[1], in[2], 1);
    h = qdf_add(c, h, x);                       /* residual */
    qdf_tensor *p = qdf_seg_sum(c, qdf_square(c, h), SEGS);
    qdf_tensor *bc = qdf_seg_broadcast(c, p, SEGS);
    return qdf_row_sum(c, qdf_mul(c, bc, h));
}

static void check(gc_build_fn f, qdf_tensor **in, int n, void *u, const char *label) {
    const double err = gc_check(f, in, n, u, H, label);
    assert_true(err <= TOL);
}

static void test_gather(void **st) {
    (void)st;
    qdf_tensor *in[1] = {gc_input(4, 3, 1, -1, 1)};
    check(b_gather, in, 1, NULL, "gather_rows");
    gc_input_free(in[0]);
}

static void test_matmul_all_transposes(void **st) {
    (void)st;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            const int M = 4, K = 3, N = 5;
            qdf_tensor *in[2] = {ta ? gc_input(K, M, 2, -1, 1) : gc_input(M, K, 2, -1, 1),
                                 tb ? gc_input(N, K, 3, -1, 1) : gc_input(K, N, 3, -1, 1)};
            int t[2] = {ta, tb};
            check(b_matmul, in, 2, t, "matmul");
            gc_input_free(in[0]);
            gc_input_free(in[1]);
        }
}

static void test_block_matmul(void **st) {
    (void)st;
    qdf_tensor *in[2] = {gc_input(23, 1, 4, -1, 1), gc_input(9, 4, 5, -1, 1)};
    check(b_block_matmul, in, 2, NULL, "block_matmul");
    gc_input_free(in[0]);
    gc_input_free(in[1]);
}

static void test_linear(void **st) {
    (void)st;
    for (int relu = 0; relu < 2; relu++)
        for (int bias = 0; bias < 2; bias++) {
            qdf_tensor *in[3] = {gc_input(9, 5, 6, -1, 1), gc_input(4, 5, 7, -1, 1), gc_input(1, 4, 8, -1, 1)};
            int u[2] = {relu, bias};
            check(b_linear, in, bias ? 3 : 2, u, relu ? "linear+relu" : "linear");
            for (int i = 0; i < 3; i++) gc_input_free(in[i]);
        }
}

static void test_elementwise(void **st) {
    (void)st;
    qdf_tensor *a = gc_input(9, 4, 9, -1, 1), *b = gc_input(9, 4, 10, -1, 1);
    qdf_tensor *ab[2] = {a, b};
    check(b_relu, ab, 1, NULL, "relu");
    check(b_add, ab, 2, NULL, "add");
    check(b_sub, ab, 2, NULL, "sub");
    check(b_mul, ab, 2, NULL, "mul");
    check(b_mul_self, ab, 1, NULL, "mul(x, x)");
    check(b_square, ab, 1, NULL, "square");
    check(b_scale, ab, 1, NULL, "scale");
    check(b_row_sum, ab, 1, NULL, "row_sum");
    check(b_dropout, ab, 1, NULL, "dropout p 0.3 (a fixed mask)");
    gc_input_free(a);
    gc_input_free(b);
}

static void test_segment_ops(void **st) {
    (void)st;
    qdf_tensor *x = gc_input(9, 4, 11, -1, 1), *s = gc_input(3, 4, 12, -1, 1);
    int one = 1;
    check(b_l2norm, &x, 1, NULL, "seg_col_l2norm");
    check(b_l2norm, &x, 1, &one, "seg_col_l2norm scaled");
    check(b_seg_sum, &x, 1, NULL, "seg_sum");
    check(b_seg_mean, &x, 1, NULL, "seg_mean");
    check(b_broadcast, &s, 1, NULL, "seg_broadcast");
    gc_input_free(x);
    gc_input_free(s);
}

static void test_mse(void **st) {
    (void)st;
    qdf_tensor *in[2] = {gc_input(3, 2, 13, -1, 1), gc_input(3, 2, 14, -1, 1)};
    in[1]->requires_grad = 0; /* the target */
    check(b_mse, in, 2, NULL, "mse");
    gc_input_free(in[0]);
    gc_input_free(in[1]);
}

static void test_composite(void **st) {
    (void)st;
    qdf_tensor *in[3] = {gc_input(9, 4, 15, -1, 1), gc_input(4, 4, 16, -1, 1), gc_input(1, 4, 17, -1, 1)};
    check(b_composite, in, 3, NULL, "composite residual model");
    for (int i = 0; i < 3; i++) gc_input_free(in[i]);
}

/* Dropout's values: on 200,000 elements of 1, the kept fraction is 1 - p to
 * 4 standard deviations and every kept element is 1 / (1 - p), so the mean is
 * kept; the same key gives the same mask, another key a different one; p = 0
 * returns the input. */
static void test_dropout_values(void **st) {
    (void)st;
    enum { N = 200000 };
    qdf_ctx *c = qdf_ctx_new(16 << 20);
    real *ones = qdf_ctx_alloc(c, sizeof(real) * N);
    for (int i = 0; i < N; i++) ones[i] = 1;
    qdf_tensor *x = qdf_tensor_wrap(c, 400, N / 400, ones);
    const double p = 0.25;
    qdf_tensor *y = qdf_dropout(c, x, p, 42), *y2 = qdf_dropout(c, x, p, 42), *z = qdf_dropout(c, x, p, 43);
    long kept = 0, same = 0, differ = 0;
    for (int i = 0; i < N; i++) {
        if (y->data[i] != 0) {
            kept++;
            assert_float_equal(y->data[i], 1 / (1 - p), 1e-12);
        }
        same += y->data[i] == y2->data[i];
        differ += y->data[i] != z->data[i];
    }
    const double sd = sqrt(N * p * (1 - p));
    assert_true(fabs(kept - N * (1 - p)) < 4 * sd);
    assert_int_equal(same, N);
    /* two independent masks disagree on 2 p (1 - p) of the elements */
    const double q = 2 * p * (1 - p);
    assert_true(fabs(differ - N * q) < 4 * sqrt(N * q * (1 - q)));
    assert_ptr_equal(qdf_dropout(c, x, 0, 42), x);
    qdf_ctx_free(c);
}

/* Values, not only gradients: known results for the forward passes. */
static void test_forward_values(void **st) {
    (void)st;
    qdf_ctx *c = qdf_ctx_new(1 << 16);
    real xd[] = {3, 1, 4, 2, 0, 0, 5, 7}; /* 4 x 2, segments {0,3,4}: rows 0-2 and row 3 */
    static const int off[] = {0, 3, 4};
    qdf_segs sg = {2, off};
    qdf_tensor *x = qdf_tensor_wrap(c, 4, 2, xd);
    qdf_tensor *n = qdf_seg_col_l2norm(c, x, sg, NULL);
    assert_float_equal(n->data[0], 0.6, 1e-12);   /* 3 / 5 */
    assert_float_equal(n->data[2], 0.8, 1e-12);   /* 4 / 5 */
    assert_float_equal(n->data[1], 1 / sqrt(5), 1e-12);
    assert_float_equal(n->data[6], 1.0, 1e-12);
    qdf_tensor *m = qdf_seg_mean(c, x, sg);
    assert_float_equal(m->data[0], 7.0 / 3, 1e-12);
    assert_float_equal(m->data[3], 7.0, 1e-12);
    real wd[] = {1, 2, -1, 0}, bd[] = {0.5, -10};
    qdf_tensor *w = qdf_tensor_wrap(c, 2, 2, wd), *b = qdf_tensor_wrap(c, 1, 2, bd);
    qdf_tensor *y = qdf_linear(c, x, w, b, 1); /* row 0: [3+2+0.5, -3-10 -> 0] */
    assert_float_equal(y->data[0], 5.5, 1e-12);
    assert_float_equal(y->data[1], 0.0, 1e-12);
    qdf_ctx_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward_values), cmocka_unit_test(test_gather),
        cmocka_unit_test(test_matmul_all_transposes), cmocka_unit_test(test_block_matmul),
        cmocka_unit_test(test_linear), cmocka_unit_test(test_elementwise),
        cmocka_unit_test(test_segment_ops), cmocka_unit_test(test_mse),
        cmocka_unit_test(test_composite), cmocka_unit_test(test_dropout_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
