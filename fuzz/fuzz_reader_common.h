/* fuzz_reader_common.h: one libFuzzer entry shared by the four reader targets.
 * qdf_reader_open takes a path (its FILE* entry open_file() is static), so each
 * input is written to one memfd created at start-up and opened through
 * /proc/self/fd/N: no disk I/O, no temp-file clean-up. The format is forced
 * (QDF_FUZZ_FORMAT), so the path needs no extension. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "reader.h"

#ifndef QDF_FUZZ_FORMAT
#error "define QDF_FUZZ_FORMAT"
#endif

static int fuzz_fd = -1;
static char fuzz_path[64];

static int fuzz_write(const uint8_t *data, size_t size) {
    if (fuzz_fd < 0) {
        fuzz_fd = memfd_create("qdf_fuzz", 0);
        if (fuzz_fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(fuzz_path, sizeof fuzz_path, "/proc/self/fd/%d", fuzz_fd);
    }
    if (ftruncate(fuzz_fd, 0)) abort();
    size_t off = 0;
    while (off < size) {
        const ssize_t w = pwrite(fuzz_fd, data + off, size - off, (off_t)off);
        if (w <= 0) abort();
        off += (size_t)w;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_write(data, size);
    /* the last byte picks the QM9 property (exercised by the QM9 reader only) */
    qdf_reader_opts opts = {.qm9_property = size ? data[size - 1] % QDF_QM9_N_PROPERTIES : 0};
    char err[512];
    qdf_reader *r = qdf_reader_open(fuzz_path, QDF_FUZZ_FORMAT, &opts, err, sizeof err);
    if (!r) {
        if (!err[0]) abort(); /* documented: NULL comes with a reason */
        return 0;
    }
    qdf_molecule m;
    memset(&m, 0, sizeof m);
    for (int guard = 0; guard < 1000000; guard++) {
        err[0] = 0;
        const int rc = qdf_reader_next(r, &m, err, sizeof err);
        if (rc == 0) break;
        if (rc == 1) {
            /* contract: a returned molecule is valid */
            if (m.n_atoms < 1 || m.n_atoms > QDF_MAX_ATOMS) abort();
            if (m.n_targets < 0 || m.n_targets > QDF_MAX_TARGETS) abort();
            if (!memchr(m.id, 0, sizeof m.id)) abort();
            continue;
        }
        if (rc == -1 || rc == -2) {
            if (!err[0]) abort(); /* every skip/error carries a message */
            if (strchr(err, '\n')) abort(); /* one line */
            if (rc == -2) break; /* single input: the next call returns 0 anyway */
            continue;
        }
        abort(); /* unknown return code */
    }
    qdf_molecule_free(&m);
    qdf_reader_close(r);
    return 0;
}
