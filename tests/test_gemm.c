/* test_gemm.c: qdf_gemm with both backends (OpenBLAS, oneDNN) against a naive
 * triple loop in double, for the four transpose combinations, (alpha, beta) in
 * {(1,0), (1,1), (0.5,2)}, odd shapes, leading dimensions larger than the
 * minimum, one cached oneDNN primitive serving several M (and K), and the fused
 * oneDNN dense forward. Error bound, norm-wise:
 *   ||C - C_ref||_F <= 1e-5 sqrt(K) (|alpha| ||op(A)||_F ||op(B)||_F + |beta| ||C0||_F)
 * (the float32 rounding of a length-K dot product grows like sqrt(K) eps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gemm.h"

/* oneDNN backend hooks (src/nn/gemm_dnnl.c; no header of their own) */
int qdf_gemm_dnnl(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
                  int lda, const float *B, int ldb, float beta, float *C, int ldc);
int qdf_dense_dnnl_forward(const float *x, int n, int in_f, const float *w, const float *b,
                           int out_f, int relu, float *y);
void qdf_gemm_dnnl_set_runtime_dims(int on);
long qdf_gemm_dnnl_created(void);

static unsigned long long rng_state = 88172645463325252ull;
static float urand(void) { /* xorshift64, uniform in [-1, 1) */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((rng_state >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
}
static float *rnd(size_t n) {
    float *p = malloc(sizeof(float) * (n ? n : 1));
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) p[i] = urand();
    return p;
}

/* one test case: storage, reference and the original C */
typedef struct {
    int ta, tb, M, N, K, lda, ldb, ldc;
    float alpha, beta;
    float *A, *B, *C0;
    double *ref;
    double bound;
} gcase;

static void case_init(gcase *c, int ta, int tb, int M, int N, int K, int pad, float alpha, float beta) {
    c->ta = ta;
    c->tb = tb;
    c->M = M;
    c->N = N;
    c->K = K;
    c->alpha = alpha;
    c->beta = beta;
    c->lda = (ta ? M : K) + pad;
    c->ldb = (tb ? K : N) + pad;
    c->ldc = N + pad;
    const int ra = ta ? K : M, rb = tb ? N : K;
    c->A = rnd((size_t)ra * c->lda);
    c->B = rnd((size_t)rb * c->ldb);
    c->C0 = rnd((size_t)M * c->ldc);
    c->ref = malloc(sizeof(double) * (size_t)M * N);
    assert_non_null(c->ref);
    double na = 0, nb = 0, nc = 0;
    for (int i = 0; i < M; i++)
        for (int k = 0; k < K; k++) {
            double a = ta ? c->A[(size_t)k * c->lda + i] : c->A[(size_t)i * c->lda + k];
            na += a * a;
        }
    for (int k = 0; k < K; k++)
        for (int j = 0; j < N; j++) {
            double b = tb ? c->B[(size_t)j * c->ldb + k] : c->B[(size_t)k * c->ldb + j];
            nb += b * b;
        }
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++) {
                double a = ta ? c->A[(size_t)k * c->lda + i] : c->A[(size_t)i * c->lda + k];
                double b = tb ? c->B[(size_t)j * c->ldb + k] : c->B[(size_t)k * c->ldb + j];
                s += a * b;
            }
            double c0 = c->C0[(size_t)i * c->ldc + j];
            nc += c0 * c0;
            c->ref[(size_t)i * N + j] = alpha * s + (beta != 0 ? beta * c0 : 0.0);
        }
    c->bound = 1e-5 * sqrt((double)K) * (fabs(alpha) * sqrt(na) * sqrt(nb) + fabs(beta) * sqrt(nc));
}
static void case_free(gcase *c) {
    free(c->A);
    free(c->B);
    free(c->C0);
    free(c->ref);
}

/* Runs the case through fn-like dispatch: backend >= 0 via qdf_gemm with that
 * backend, backend == -1 via qdf_gemm_dnnl directly (must not fall back). */
static void case_check(const gcase *c, int backend) {
    const size_t csz = (size_t)c->M * c->ldc;
    float *C = malloc(sizeof(float) * csz);
    assert_non_null(C);
    memcpy(C, c->C0, sizeof(float) * csz);
    if (c->beta == 0) /* beta = 0 must not read C */
        for (int i = 0; i < c->M; i++)
            for (int j = 0; j < c->N; j++) C[(size_t)i * c->ldc + j] = NAN;
    if (backend < 0) {
        int rc = qdf_gemm_dnnl(c->ta, c->tb, c->M, c->N, c->K, c->alpha, c->A, c->lda, c->B, c->ldb,
                               c->beta, C, c->ldc);
        assert_int_equal(rc, 0);
    } else {
        qdf_gemm_set_backend((qdf_gemm_backend)backend);
        qdf_gemm(c->ta, c->tb, c->M, c->N, c->K, c->alpha, c->A, c->lda, c->B, c->ldb, c->beta, C,
                 c->ldc);
    }
    double err = 0;
    for (int i = 0; i < c->M; i++) {
        for (int j = 0; j < c->N; j++) {
            double d = C[(size_t)i * c->ldc + j] - c->ref[(size_t)i * c->N + j];
            err += d * d;
        }
        for (int j = c->N; j < c->ldc; j++) /* padding untouched */
            assert_true(C[(size_t)i * c->ldc + j] == c->C0[(size_t)i * c->ldc + j]);
    }
    err = sqrt(err);
    if (!(err <= c->bound))
        fail_msg("%s ta=%d tb=%d M=%d N=%d K=%d lda=%d ldb=%d ldc=%d alpha=%g beta=%g: err %.3g > %.3g",
                 backend < 0 ? "dnnl-direct" : qdf_gemm_backend_name((qdf_gemm_backend)backend), c->ta,
                 c->tb, c->M, c->N, c->K, c->lda, c->ldb, c->ldc, c->alpha, c->beta, err, c->bound);
    free(C);
}

static const float AB[3][2] = {{1, 0}, {1, 1}, {0.5f, 2}};

static void run_shape(int M, int N, int K, int pad) {
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int s = 0; s < 3; s++) {
                gcase c;
                case_init(&c, ta, tb, M, N, K, pad, AB[s][0], AB[s][1]);
                case_check(&c, QDF_GEMM_OPENBLAS);
                case_check(&c, QDF_GEMM_ONEDNN);
                case_check(&c, -1);
                case_free(&c);
            }
    qdf_gemm_set_backend(QDF_GEMM_OPENBLAS);
}

static void test_1x1x1(void **st) { (void)st; run_shape(1, 1, 1, 0); }
static void test_7x3x5(void **st) { (void)st; run_shape(7, 3, 5, 0); }
static void test_7x3x5_padded(void **st) { (void)st; run_shape(7, 3, 5, 4); }
static void test_700x250x250(void **st) { (void)st; run_shape(700, 250, 250, 0); }
static void test_700x250x250_padded(void **st) { (void)st; run_shape(700, 250, 250, 3); }

/* Static-dims mode (one primitive per exact shape) gives the same results. */
static void test_static_dims(void **st) {
    (void)st;
    qdf_gemm_dnnl_set_runtime_dims(0);
    run_shape(33, 17, 9, 2);
    qdf_gemm_dnnl_set_runtime_dims(1);
}

/* One primitive for every M (forward, dx) and every K (dW): the dense-layer
 * products at several batch sizes must create no primitive after the first size. */
static void test_runtime_dims_reuse(void **st) {
    (void)st;
    const int F = 29, Ms[] = {5, 61, 130, 61, 7};
    qdf_gemm_dnnl_set_runtime_dims(1);
    long before = -1;
    for (size_t r = 0; r < sizeof Ms / sizeof *Ms; r++) {
        gcase f, dx, dw;
        case_init(&f, 0, 1, Ms[r], F, F, 0, 1, 1);  /* y = x W^T (+ bias in C) */
        case_init(&dx, 0, 0, Ms[r], F, F, 0, 1, 1); /* dx += g W */
        case_init(&dw, 1, 0, F, F, Ms[r], 0, 1, 1); /* dW += g^T x: K varies */
        case_check(&f, -1);
        case_check(&dx, -1);
        case_check(&dw, -1);
        if (before < 0)
            before = qdf_gemm_dnnl_created();
        else
            assert_int_equal(qdf_gemm_dnnl_created(), before);
        case_free(&f);
        case_free(&dx);
        case_free(&dw);
    }
}

/* Cases oneDNN declines fall back (nonzero) and qdf_gemm still gets them right. */
static void test_fallback(void **st) {
    (void)st;
    float a = 2, b = 3, c = 5;
    assert_int_not_equal(qdf_gemm_dnnl(0, 0, 1, 1, 0, 1, &a, 1, &b, 1, 1, &c, 1), 0); /* K = 0 */
    assert_int_not_equal(qdf_gemm_dnnl(0, 0, 2, 2, 2, 1, &a, 1, &b, 2, 0, &c, 2), 0); /* lda < K */
    qdf_gemm_set_backend(QDF_GEMM_ONEDNN);
    qdf_gemm(0, 0, 1, 1, 0, 1, &a, 1, &b, 1, 2, &c, 1); /* C = 2 C via OpenBLAS */
    assert_true(c == 10);
    qdf_gemm_set_backend(QDF_GEMM_OPENBLAS);
}

static void dense_case(int n, int in_f, int out_f, int with_bias, int relu) {
    float *x = rnd((size_t)n * in_f), *w = rnd((size_t)out_f * in_f), *b = rnd(out_f);
    float *y = malloc(sizeof(float) * (size_t)n * out_f);
    assert_non_null(y);
    for (size_t i = 0; i < (size_t)n * out_f; i++) y[i] = NAN;
    assert_int_equal(qdf_dense_dnnl_forward(x, n, in_f, w, with_bias ? b : NULL, out_f, relu, y), 0);
    double err = 0, nrm = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < out_f; j++) {
            double s = with_bias ? b[j] : 0, sa = with_bias ? fabs(b[j]) : 0;
            for (int k = 0; k < in_f; k++) {
                s += (double)x[(size_t)i * in_f + k] * w[(size_t)j * in_f + k];
                sa += fabs((double)x[(size_t)i * in_f + k] * w[(size_t)j * in_f + k]);
            }
            if (relu && s < 0) s = 0;
            double d = y[(size_t)i * out_f + j] - s;
            err += d * d;
            nrm += sa * sa;
        }
    double bound = 1e-5 * sqrt((double)in_f) * sqrt(nrm);
    if (!(sqrt(err) <= bound))
        fail_msg("dense n=%d in=%d out=%d bias=%d relu=%d: err %.3g > %.3g", n, in_f, out_f, with_bias,
                 relu, sqrt(err), bound);
    free(x);
    free(w);
    free(b);
    free(y);
}

static void test_dense_forward(void **st) {
    (void)st;
    for (int bias = 0; bias < 2; bias++)
        for (int relu = 0; relu < 2; relu++) {
            dense_case(1, 1, 1, bias, relu);
            dense_case(7, 5, 3, bias, relu);
            dense_case(700, 250, 250, bias, relu);
            dense_case(123, 250, 250, bias, relu); /* same primitive, other n */
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_1x1x1),
        cmocka_unit_test(test_7x3x5),
        cmocka_unit_test(test_7x3x5_padded),
        cmocka_unit_test(test_700x250x250),
        cmocka_unit_test(test_700x250x250_padded),
        cmocka_unit_test(test_static_dims),
        cmocka_unit_test(test_runtime_dims_reuse),
        cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_dense_forward),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
