/* fuzz_model_load.c: libFuzzer target for the HDF5 model / checkpoint loader.
 * Each input is written to one file per process in /dev/shm (tmpfs; HDF5
 * resolves the real path of a file, so a memfd's /proc/self/fd/N does not
 * open), removed at exit. As in
 * qdf_train_run's resume: a first load without training state ("probe"); if it
 * succeeds, Adam is initialised for the model's parameters and the file is
 * loaded again with the training state (checkpoint path). libhdf5 itself is
 * not instrumented: its writes into qdf's buffers (H5LTread_dataset, dims of
 * H5LTget_*_info) are invisible to ASan, so the training state sits in front of
 * guard words that are checked after the load (an overflow aborts). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_io.h"

static int fuzz_fd = -1;
static char fuzz_path[128];

static void remove_file(void) { unlink(fuzz_path); }

/* libhdf5 trusts sizes from the file and may ask malloc for exabytes; it handles
 * the NULL (the load fails cleanly, as in a build without ASan), so let ASan's
 * malloc return NULL there instead of aborting (input hdf5_huge_alloc.h5).
 * Requests above 256 MB get NULL as well: a load of a model never needs them,
 * and a corrupt file made libhdf5 calloc 1.8 GB, which put the process's peak
 * RSS past libFuzzer's -rss_limit_mb=2048 a few hundred inputs later, an
 * out-of-memory report with no owner (fuzz/README.md, finding 10). */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1:max_allocation_size_mb=256"; }

/* ... and then leaks a few bytes of its own on that error path: leaks whose
 * allocation is inside libhdf5 are not qdf's (qdf frames are still reported). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libhdf5\n"; }

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    setenv("HDF5_USE_FILE_LOCKING", "FALSE", 0);
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(fuzz_path, sizeof fuzz_path, "%s/qdf_fuzz_model_%d.h5", dir, (int)getpid());
    fuzz_fd = open(fuzz_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fuzz_fd < 0) {
        perror(fuzz_path);
        abort();
    }
    atexit(remove_file);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (ftruncate(fuzz_fd, 0)) abort();
    for (size_t off = 0; off < size;) {
        const ssize_t w = pwrite(fuzz_fd, data + off, size - off, (off_t)off);
        if (w <= 0) abort();
        off += (size_t)w;
    }
    char err[512], files[256], card[QDF_CARD_MAX];
    qdf_model m;
    err[0] = 0;
    if (qdf_model_load(fuzz_path, &m, NULL, files, sizeof files, card, sizeof card, err, sizeof err)) {
        if (!err[0]) abort(); /* a failure always says why */
        return 0;
    }
    qdf_adam opt;
    qdf_adam_init(&opt, &m.params, 1e-4);
    struct {
        qdf_train_state st;
        uint64_t guard[64];
    } g;
    memset(&g, 0, sizeof g);
    memset(g.guard, 0xA5, sizeof g.guard);
    g.st.adam = &opt;
    qdf_model m2;
    err[0] = 0;
    const int rc = qdf_model_load(fuzz_path, &m2, &g.st, NULL, 0, NULL, 0, err, sizeof err);
    for (int i = 0; i < 64; i++)
        if (g.guard[i] != 0xA5A5A5A5A5A5A5A5ull) {
            fprintf(stderr, "fuzz_model_load: qdf_model_load wrote past qdf_train_state (guard word %d)\n", i);
            abort();
        }
    if (rc) {
        if (!err[0]) abort();
    } else {
        qdf_model_free(&m2);
    }
    qdf_adam_free(&opt);
    qdf_model_free(&m);
    return 0;
}
