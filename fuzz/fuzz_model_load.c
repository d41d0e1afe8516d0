/* fuzz_model_load.c: libFuzzer target for the HDF5 model / checkpoint loader.
 * Each input is written to a memfd opened by path (/proc/self/fd/N). As in
 * qdf_train_run's resume: a first load without training state ("probe"); if it
 * succeeds, Adam is initialised for the model's parameters and the file is
 * loaded again with the training state (checkpoint path). Note: libhdf5 itself
 * is not instrumented; ASan sees qdf's own accesses and heap misuse only. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model_io.h"

static int fuzz_fd = -1;
static char fuzz_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    setenv("HDF5_USE_FILE_LOCKING", "FALSE", 0);
    fuzz_fd = memfd_create("qdf_fuzz_model", 0);
    if (fuzz_fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(fuzz_path, sizeof fuzz_path, "/proc/self/fd/%d", fuzz_fd);
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
    qdf_train_state st;
    memset(&st, 0, sizeof st);
    st.adam = &opt;
    qdf_model m2;
    err[0] = 0;
    if (qdf_model_load(fuzz_path, &m2, &st, NULL, 0, NULL, 0, err, sizeof err)) {
        if (!err[0]) abort();
    } else {
        qdf_model_free(&m2);
    }
    qdf_adam_free(&opt);
    qdf_model_free(&m);
    return 0;
}
