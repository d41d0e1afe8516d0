/* gemm.c: qdf_gemm dispatch. See gemm.h.
 *
 * Backend choice: measured by bench/gemm_bench on the project machine (2-core
 * AMD EPYC, AVX-512) for our shapes (M = 700..5600 grid points, N = K = 250);
 * the figures are in the README's performance section. OpenBLAS is the default
 * until that benchmark says otherwise; oneDNN is selectable. */
#include "gemm.h"

#include <cblas.h>

#ifdef QDF_HAVE_DNNL
#ifndef QDF_REAL_DOUBLE
/* weak: the float build links gemm_dnnl.c; until then the call falls back */
__attribute__((weak)) int qdf_gemm_dnnl(int trans_a, int trans_b, int M, int N, int K, float alpha,
                                        const float *A, int lda, const float *B, int ldb, float beta,
                                        float *C, int ldc);
#endif
#endif

static qdf_gemm_backend backend = QDF_GEMM_OPENBLAS;
static double flops_done;

void qdf_gemm_set_backend(qdf_gemm_backend b) { backend = b; }
qdf_gemm_backend qdf_gemm_get_backend(void) { return backend; }
const char *qdf_gemm_backend_name(qdf_gemm_backend b) {
    return b == QDF_GEMM_ONEDNN ? "oneDNN" : "OpenBLAS";
}
double qdf_gemm_flops(void) { return flops_done; }
void qdf_gemm_reset_flops(void) { flops_done = 0; }

void qdf_gemm(int trans_a, int trans_b, int M, int N, int K, real alpha,
              const real *A, int lda, const real *B, int ldb, real beta, real *C, int ldc) {
    if (M <= 0 || N <= 0) return;
#pragma omp atomic
    flops_done += 2.0 * M * N * K;
#if defined(QDF_HAVE_DNNL) && !defined(QDF_REAL_DOUBLE)
    if (backend == QDF_GEMM_ONEDNN && qdf_gemm_dnnl &&
        qdf_gemm_dnnl(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) == 0)
        return;
#endif
#ifdef QDF_REAL_DOUBLE
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}
