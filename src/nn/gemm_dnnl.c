/* gemm_dnnl.c: the oneDNN backend of qdf_gemm (float32 builds only), and a fused
 * dense-layer forward (matmul + bias + optional ReLU).
 *
 *   int qdf_gemm_dnnl(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
 *       Row-major C = alpha op(A) op(B) + beta C, same contract as cblas_sgemm.
 *       Returns 0 on success, nonzero if the case is not handled (the caller
 *       then falls back to OpenBLAS): K <= 0, leading dimensions too small, or
 *       any oneDNN error.
 *   int qdf_dense_dnnl_forward(x, n, in_f, w, b, out_f, relu, y)
 *       y (n x out_f) = x (n x in_f) W^T (W: out_f x in_f) [+ b (out_f)] [ReLU].
 *       y is overwritten (no need to pre-fill the bias). b may be NULL.
 *       Returns 0 on success, nonzero on failure (y then untouched or partial:
 *       recompute it another way).
 *
 * Mapping onto oneDNN's matmul primitive (dst = src x weights, 2-D, f32):
 *   src = op(A) (M x K), weights = op(B) (K x N), dst = C (M x N); transposes are
 *   expressed by strides only (no copies): op(A) has strides {lda, 1} or
 *   {1, lda}, op(B) {ldb, 1} or {1, ldb}, C {ldc, 1}.
 *   alpha -> output scale (mask 0) fixed at creation; beta != 0 -> sum post-op
 *   with scale beta (oneDNN applies output scales before post-ops, so
 *   dst = alpha src*wei + beta dst, exactly the BLAS contract). beta == 0 reads
 *   nothing from C (NaN/garbage in C is fine, as with BLAS).
 *
 * Primitive cache: one primitive per (ta, tb, N, lda, ldb, ldc, alpha, beta,
 *   M, K). The default is the "static" mode: exact M and K. The "runtime"
 *   mode (qdf_gemm_dnnl_set_runtime_dims(1)) corrupted the heap in training
 *   runs at dim 250 with oneDNN 2.6 (glibc: "corrupted size vs. prev_size" at
 *   the next free; 2 of 3 runs stopped by SIGTERM mid-epoch crashed, 0 of 5
 *   with static dims, 0 of 4 with OpenBLAS; invisible to ASan since the writes
 *   come from oneDNN's uninstrumented JIT code, most likely a scratchpad sized
 *   for the shape at creation). In runtime mode M and K are created as
 *   DNNL_RUNTIME_DIM_VAL and keyed as -1, so one primitive serves every batch
 *   size (M varies with the number of grid points in the forward and dx
 *   products, K in the dW = g^T x product). Mode "static"
 *   keys on the exact M and K: one primitive per batch shape, created in
 *   0.1-0.2 ms and then found in oneDNN's own primitive cache. The cache is a fixed-size array (CACHE_MAX = 64) searched
 *   linearly (a training run uses about a dozen keys); when full, the least
 *   recently used primitive is destroyed to make room. (oneDNN keeps its own
 *   primitive cache too, so re-creating an evicted shape is cheap.)
 *
 * Engine and stream: one CPU engine and one stream, created lazily on the
 *   first call; everything (primitives, stream, engine) is destroyed by an
 *   atexit handler, so ASan/valgrind see no leak.
 *
 * Threads: every entry point takes one process-wide mutex for the whole call
 *   (lookup, creation and execution), because a dnnl stream must not be used
 *   by two threads at once. Concurrent callers are therefore serialised
 *   (correct, not parallel); each call itself runs on oneDNN's OpenMP threads
 *   (OMP_NUM_THREADS). */
#if defined(QDF_HAVE_DNNL) && !defined(QDF_REAL_DOUBLE)

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int qdf_gemm_dnnl(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
                  int lda, const float *B, int ldb, float beta, float *C, int ldc);
int qdf_dense_dnnl_forward(const float *x, int n, int in_f, const float *w, const float *b,
                           int out_f, int relu, float *y);
void qdf_gemm_dnnl_set_runtime_dims(int on);
int qdf_gemm_dnnl_get_runtime_dims(void);
int qdf_gemm_dnnl_cache_size(void);
long qdf_gemm_dnnl_created(void);
const char *qdf_gemm_dnnl_impl(int slot);

#define CACHE_MAX 64

typedef struct {
    int kind; /* 0: gemm, 1: dense forward */
    int ta, tb, M, N, K, lda, ldb, ldc, flags;
    float alpha, beta;
} key_t_;

typedef struct {
    key_t_ key;
    dnnl_primitive_t prim;
    unsigned long long used; /* tick of the last use, for LRU eviction */
    char impl[32];
} entry_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t engine;
static dnnl_stream_t stream;
static int init_state; /* 0: not tried, 1: ready, -1: failed */
static int runtime_dims = 0;
static entry_t cache[CACHE_MAX];
static int ncache;
static unsigned long long tick;
static long ncreated; /* primitives created since start (tests check reuse) */

static void dnnl_cleanup(void) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < ncache; i++) dnnl_primitive_destroy(cache[i].prim);
    ncache = 0;
    if (stream) dnnl_stream_destroy(stream);
    if (engine) dnnl_engine_destroy(engine);
    stream = NULL;
    engine = NULL;
    init_state = 0;
    pthread_mutex_unlock(&lock);
}

/* called with the lock held */
static int ensure_init(void) {
    if (init_state) return init_state > 0 ? 0 : -1;
    init_state = -1;
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) {
        engine = NULL;
        return -1;
    }
    if (dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) != dnnl_success) {
        dnnl_engine_destroy(engine);
        engine = NULL;
        stream = NULL;
        return -1;
    }
    static int registered;
    if (!registered) {
        atexit(dnnl_cleanup);
        registered = 1;
    }
    init_state = 1;
    return 0;
}

static entry_t *lookup(const key_t_ *k) {
    for (int i = 0; i < ncache; i++)
        if (memcmp(&cache[i].key, k, sizeof *k) == 0) {
            cache[i].used = ++tick;
            return &cache[i];
        }
    return NULL;
}

/* Creates a primitive from the descriptor and attributes and stores it under k.
 * Takes ownership of nothing; returns the entry or NULL. */
static entry_t *insert(const key_t_ *k, const dnnl_matmul_desc_t *md, const_dnnl_primitive_attr_t attr) {
    dnnl_primitive_desc_t pd = NULL;
    if (dnnl_primitive_desc_create(&pd, md, attr, engine, NULL) != dnnl_success) return NULL;
    if (ncache == CACHE_MAX) { /* full: evict the least recently used entry */
        int lru = 0;
        for (int i = 1; i < ncache; i++)
            if (cache[i].used < cache[lru].used) lru = i;
        dnnl_primitive_destroy(cache[lru].prim);
        cache[lru] = cache[--ncache];
    }
    entry_t *e = &cache[ncache];
    const char *impl = NULL;
    e->impl[0] = 0;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success && impl) {
        strncpy(e->impl, impl, sizeof e->impl - 1);
        e->impl[sizeof e->impl - 1] = 0;
    }
    dnnl_status_t st = dnnl_primitive_create(&e->prim, pd);
    dnnl_primitive_desc_destroy(pd);
    if (st != dnnl_success) return NULL;
    e->key = *k;
    e->used = ++tick;
    ncache++;
    ncreated++;
    return e;
}

static int md2(dnnl_memory_desc_t *md, dnnl_dim_t r, dnnl_dim_t c, dnnl_dim_t sr, dnnl_dim_t sc) {
    dnnl_dims_t dims = {r, c}, strides = {sr, sc};
    return dnnl_memory_desc_init_by_strides(md, 2, dims, dnnl_f32, strides) == dnnl_success ? 0 : -1;
}

typedef struct {
    int arg;
    dnnl_memory_desc_t md;
    void *ptr;
} arg_t;

/* Creates memory objects for the call, executes, waits, frees them. */
static int run(dnnl_primitive_t prim, arg_t *a, int na) {
    dnnl_exec_arg_t args[4] = {{0}};
    if (na < 1 || na > 4) return -1;
    int made = 0, rc = 0;
    for (; made < na; made++) {
        args[made].arg = a[made].arg;
        if (dnnl_memory_create(&args[made].memory, &a[made].md, engine, a[made].ptr) != dnnl_success) {
            rc = -1;
            break;
        }
    }
    if (!rc && dnnl_primitive_execute(prim, stream, na, args) != dnnl_success) rc = -1;
    if (!rc && dnnl_stream_wait(stream) != dnnl_success) rc = -1;
    for (int i = 0; i < made; i++) dnnl_memory_destroy(args[i].memory);
    return rc;
}

static entry_t *create_gemm(const key_t_ *k) {
    const dnnl_dim_t RT = DNNL_RUNTIME_DIM_VAL;
    const dnnl_dim_t M = k->M < 0 ? RT : k->M, K = k->K < 0 ? RT : k->K, N = k->N;
    dnnl_memory_desc_t a, b, c;
    if (md2(&a, M, K, k->ta ? 1 : k->lda, k->ta ? k->lda : 1) ||
        md2(&b, K, N, k->tb ? 1 : k->ldb, k->tb ? k->ldb : 1) || md2(&c, M, N, k->ldc, 1))
        return NULL;
    dnnl_matmul_desc_t mm;
    if (dnnl_matmul_desc_init(&mm, &a, &b, NULL, &c) != dnnl_success) return NULL;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    entry_t *e = NULL;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success) return NULL;
    if (k->alpha != 1.0f && dnnl_primitive_attr_set_output_scales(attr, 1, 0, &k->alpha) != dnnl_success)
        goto out;
    if (k->beta != 0.0f) {
        if (dnnl_post_ops_create(&po) != dnnl_success) goto out;
        if (dnnl_post_ops_append_sum(po, k->beta) != dnnl_success) goto out;
        if (dnnl_primitive_attr_set_post_ops(attr, po) != dnnl_success) goto out;
    }
    e = insert(k, &mm, attr);
out:
    if (po) dnnl_post_ops_destroy(po);
    dnnl_primitive_attr_destroy(attr);
    return e;
}

int qdf_gemm_dnnl(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
                  int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0 || K <= 0) return 1;
    /* the BLAS minimum leading dimensions (row-major) */
    if (lda < (trans_a ? M : K) || ldb < (trans_b ? K : N) || ldc < N) return 1;
    key_t_ k;
    memset(&k, 0, sizeof k); /* padding too: the key is compared with memcmp */
    k.kind = 0;
    k.ta = !!trans_a;
    k.tb = !!trans_b;
    k.N = N;
    k.lda = lda;
    k.ldb = ldb;
    k.ldc = ldc;
    k.alpha = alpha;
    k.beta = beta;
    pthread_mutex_lock(&lock);
    k.M = runtime_dims ? -1 : M;
    k.K = runtime_dims ? -1 : K;
    int rc = 1;
    if (ensure_init() == 0) {
        entry_t *e = lookup(&k);
        if (!e) e = create_gemm(&k);
        if (e) {
            arg_t a[3];
            a[0].arg = DNNL_ARG_SRC;
            a[0].ptr = (void *)A;
            a[1].arg = DNNL_ARG_WEIGHTS;
            a[1].ptr = (void *)B;
            a[2].arg = DNNL_ARG_DST;
            a[2].ptr = C;
            if (!md2(&a[0].md, M, K, trans_a ? 1 : lda, trans_a ? lda : 1) &&
                !md2(&a[1].md, K, N, trans_b ? 1 : ldb, trans_b ? ldb : 1) &&
                !md2(&a[2].md, M, N, ldc, 1))
                rc = run(e->prim, a, 3) ? 1 : 0;
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static entry_t *create_dense(const key_t_ *k) {
    const dnnl_dim_t n = k->M < 0 ? DNNL_RUNTIME_DIM_VAL : k->M, in_f = k->K, out_f = k->N;
    dnnl_memory_desc_t x, w, b, y;
    /* weights = W^T: in_f x out_f, W stored out_f x in_f row-major */
    if (md2(&x, n, in_f, in_f, 1) || md2(&w, in_f, out_f, 1, in_f) || md2(&b, 1, out_f, out_f, 1) ||
        md2(&y, n, out_f, out_f, 1))
        return NULL;
    dnnl_matmul_desc_t mm;
    if (dnnl_matmul_desc_init(&mm, &x, &w, (k->flags & 1) ? &b : NULL, &y) != dnnl_success) return NULL;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    entry_t *e = NULL;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success) return NULL;
    if (k->flags & 2) {
        if (dnnl_post_ops_create(&po) != dnnl_success) goto out;
        if (dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f) != dnnl_success) goto out;
        if (dnnl_primitive_attr_set_post_ops(attr, po) != dnnl_success) goto out;
    }
    e = insert(k, &mm, attr);
out:
    if (po) dnnl_post_ops_destroy(po);
    dnnl_primitive_attr_destroy(attr);
    return e;
}

int qdf_dense_dnnl_forward(const float *x, int n, int in_f, const float *w, const float *b,
                           int out_f, int relu, float *y) {
    if (n <= 0 || in_f <= 0 || out_f <= 0) return 1;
    key_t_ k;
    memset(&k, 0, sizeof k);
    k.kind = 1;
    k.N = out_f;
    k.K = in_f;
    k.flags = (b ? 1 : 0) | (relu ? 2 : 0);
    k.alpha = 1.0f;
    pthread_mutex_lock(&lock);
    k.M = runtime_dims ? -1 : n;
    int rc = 1;
    if (ensure_init() == 0) {
        entry_t *e = lookup(&k);
        if (!e) e = create_dense(&k);
        if (e) {
            arg_t a[4];
            int na = 0;
            a[na].arg = DNNL_ARG_SRC;
            a[na].ptr = (void *)x;
            int bad = md2(&a[na++].md, n, in_f, in_f, 1);
            a[na].arg = DNNL_ARG_WEIGHTS;
            a[na].ptr = (void *)w;
            bad |= md2(&a[na++].md, in_f, out_f, 1, in_f);
            if (b) {
                a[na].arg = DNNL_ARG_BIAS;
                a[na].ptr = (void *)b;
                bad |= md2(&a[na++].md, 1, out_f, out_f, 1);
            }
            a[na].arg = DNNL_ARG_DST;
            a[na].ptr = y;
            bad |= md2(&a[na++].md, n, out_f, out_f, 1);
            if (!bad) rc = run(e->prim, a, na) ? 1 : 0;
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* Test and benchmark hooks (declared by their users; no header of their own). */
void qdf_gemm_dnnl_set_runtime_dims(int on) {
    pthread_mutex_lock(&lock);
    runtime_dims = !!on;
    pthread_mutex_unlock(&lock);
}
int qdf_gemm_dnnl_get_runtime_dims(void) { return runtime_dims; }
int qdf_gemm_dnnl_cache_size(void) {
    pthread_mutex_lock(&lock);
    int n = ncache;
    pthread_mutex_unlock(&lock);
    return n;
}
long qdf_gemm_dnnl_created(void) {
    pthread_mutex_lock(&lock);
    long n = ncreated;
    pthread_mutex_unlock(&lock);
    return n;
}
/* The oneDNN implementation chosen for cache slot i (e.g. "brg:avx512_core",
 * "gemm:jit"), or NULL. The pointer stays valid until exit. */
const char *qdf_gemm_dnnl_impl(int slot) {
    pthread_mutex_lock(&lock);
    const char *s = slot >= 0 && slot < ncache ? cache[slot].impl : NULL;
    pthread_mutex_unlock(&lock);
    return s;
}

#else
typedef int qdf_gemm_dnnl_unused; /* ISO C forbids an empty translation unit */
#endif
