/* gemm.h: the engine's one matrix-product entry point (row-major).
 *
 *   C (M x N) = alpha * op(A) op(B) + beta * C,   op(A): M x K, op(B): K x N
 *
 * Backends: OpenBLAS cblas_sgemm/dgemm, and oneDNN's matmul primitive (float32
 * builds only; primitives cached per shape, see gemm_dnnl.c). The default is the
 * faster one on our shapes as measured by bench/gemm_bench (see the note in
 * gemm.c); qdf_gemm_set_backend switches at run time for benchmarks. */
#ifndef QDF_GEMM_H
#define QDF_GEMM_H

#include "real.h"

typedef enum { QDF_GEMM_OPENBLAS = 0, QDF_GEMM_ONEDNN = 1 } qdf_gemm_backend;

void qdf_gemm(int trans_a, int trans_b, int M, int N, int K, real alpha,
              const real *A, int lda, const real *B, int ldb, real beta, real *C, int ldc);

/* A dense layer's forward: y (n x out_f) = x (n x in_f) W^T (W: out_f x in_f)
 * [+ b] [ReLU]; y is overwritten, b may be NULL. On oneDNN one fused matmul
 * primitive with bias and a ReLU post-op; otherwise GEMM then one pass. */
void qdf_dense_forward(int n, int in_f, int out_f, const real *x, const real *w, const real *b, int relu, real *y);

void qdf_gemm_set_backend(qdf_gemm_backend b);
qdf_gemm_backend qdf_gemm_get_backend(void);
const char *qdf_gemm_backend_name(qdf_gemm_backend b);

/* Floating-point operations done through qdf_gemm since the last reset
 * (2*M*N*K each), for the GFLOP/s figures of the benchmarks. */
double qdf_gemm_flops(void);
void qdf_gemm_reset_flops(void);

#endif
