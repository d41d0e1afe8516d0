/* gemm.c: qdf_gemm dispatch. See gemm.h.
 *
 * Backend choice: oneDNN (matmul primitive, src/nn/gemm_dnnl.c) is the default
 * in float32 builds; OpenBLAS is the fallback for anything oneDNN declines and
 * the only backend of the float64 build.
 *
 * Measured 2026-11-22 on the project machine: 2-core AMD EPYC (family 26, Zen 5,
 * AVX-512 + BF16/VNNI, VM, shared with other developers' builds), OpenBLAS
 * 0.3.21 (pthreads; its runtime dispatch picks the *Haswell* AVX2 kernels on
 * this CPU), oneDNN 2.6.3 (OpenMP; gemm:jit with runtime M/K). Command, 3 runs
 * per configuration, each 25 interleaved repetitions:
 *   OMP_NUM_THREADS=T OPENBLAS_NUM_THREADS=T [OMP_WAIT_POLICY=PASSIVE] build/gemm_bench --tsv
 * GFLOP/s = median over the 3 runs of the per-run medians; "x" = median paired
 * speedup t(OpenBLAS)/t(oneDNN). N = K = 250 (dW: M = 250, K = rows).
 *
 *                        1 thread                 2 threads, PASSIVE wait
 *   kernel    rows   OpenBLAS oneDNN   x      OpenBLAS oneDNN   x
 *   sgemm1024  -       102     197   1.95       188     198   1.08
 *   fwd xW^T   700      98     147   1.55       147     134   0.99
 *   dx  gW     700      95     177   1.88       150     159   1.15
 *   dW  g^Tx   700      94     167   1.89       136     159   1.27
 *   fwd xW^T  2800      96     164   1.73       166     156   0.98
 *   dx  gW    2800      96     172   1.86       166     172   1.06
 *   dW  g^Tx  2800      94     170   1.81       140     176   1.26
 *   fwd xW^T  5600      95     161   1.72       167     168   1.03
 *   dx  gW    5600      95     171   1.80       167     173   1.04
 *   dW  g^Tx  5600      92     168   1.87       142     172   1.25
 *   dense fwd (bias+ReLU; OpenBLAS as op_linear.c does it vs the fused
 *   qdf_dense_dnnl_forward): 1.76-1.96x at 1 thread, 1.35-1.72x at 2 threads.
 * With 2 threads and the default (spinning) OpenMP wait policy the two thread
 * pools (OpenBLAS pthreads + libgomp) oversubscribe the 2 cores and single runs
 * swing by 10-50x for either backend (oneDNN 2.5-3x faster in the calm run;
 * kernel rates up to 350 GFLOP/s), so those numbers are not tabulated here.
 * Why oneDNN: faster or equal on every kernel in every configuration measured,
 * and with it the float32 engine uses a single (OpenMP) thread pool. Caveat:
 * the 1-thread margin is mostly OpenBLAS's CPU misdetection; with
 * OPENBLAS_CORETYPE=SkylakeX OpenBLAS reaches oneDNN's rate (0.86-1.17x). */
#include "gemm.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#ifdef QDF_HAVE_DNNL
#ifndef QDF_REAL_DOUBLE
int qdf_gemm_dnnl(int trans_a, int trans_b, int M, int N, int K, float alpha,
                                        const float *A, int lda, const float *B, int ldb, float beta,
                                        float *C, int ldc);
int qdf_dense_dnnl_forward(const float *x, int n, int in_f, const float *w, const float *b, int out_f, int relu,
                           float *y);
#endif
#endif

#if defined(QDF_HAVE_DNNL) && !defined(QDF_REAL_DOUBLE)
static qdf_gemm_backend backend = QDF_GEMM_ONEDNN;
#else
static qdf_gemm_backend backend = QDF_GEMM_OPENBLAS;
#endif
static double flops_done;

void qdf_gemm_set_backend(qdf_gemm_backend b) { backend = b; }
qdf_gemm_backend qdf_gemm_get_backend(void) { return backend; }

/* QDF_GEMM=openblas|onednn in the environment selects the backend of a run
 * (for benchmarks and for isolating a backend when debugging). */
__attribute__((constructor)) static void backend_from_env(void) {
    const char *e = getenv("QDF_GEMM");
    if (!e) return;
    if (!strcmp(e, "openblas")) backend = QDF_GEMM_OPENBLAS;
#if defined(QDF_HAVE_DNNL) && !defined(QDF_REAL_DOUBLE)
    if (!strcmp(e, "onednn")) backend = QDF_GEMM_ONEDNN;
#endif
}
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
    if (backend == QDF_GEMM_ONEDNN &&
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

void qdf_dense_forward(int n, int in_f, int out_f, const real *x, const real *w, const real *b, int relu, real *y) {
    if (n <= 0 || out_f <= 0) return;
#if defined(QDF_HAVE_DNNL) && !defined(QDF_REAL_DOUBLE)
    if (backend == QDF_GEMM_ONEDNN && qdf_dense_dnnl_forward(x, n, in_f, w, b, out_f, relu, y) == 0) {
#pragma omp atomic
        flops_done += 2.0 * n * out_f * in_f;
        return;
    }
#endif
    /* y = x W^T by GEMM, then bias and ReLU in one pass over y (instead of
     * copying the bias into every row for a beta = 1 GEMM and a second pass
     * for the ReLU: 9% of a prediction's time went to that copy) */
    qdf_gemm(0, 1, n, out_f, in_f, 1, x, in_f, w, in_f, 0, y, out_f);
    if (!b && !relu) return;
#pragma omp parallel for if ((size_t)n * out_f > 65536) schedule(static)
    for (int r = 0; r < n; r++) {
        real *yr = y + (size_t)r * out_f;
        if (b)
            for (int j = 0; j < out_f; j++) yr[j] += b[j];
        if (relu)
            for (int j = 0; j < out_f; j++) yr[j] = yr[j] > 0 ? yr[j] : 0;
    }
}
