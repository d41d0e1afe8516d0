/* atomic_file.h: write a file so that readers (and a crash) see either the old
 * contents or the complete new ones: write PATH.tmp, flush, fsync, rename. */
#ifndef QDF_ATOMIC_FILE_H
#define QDF_ATOMIC_FILE_H

#include <stdio.h>

typedef struct qdf_atomic_file {
    FILE *f;
    char path[4096], tmp[4100];
} qdf_atomic_file;

/* Open PATH.tmp for writing; 0, or -1 with err "PATH: reason". */
int qdf_atomic_open(qdf_atomic_file *a, const char *path, char *err, int errlen);
/* Flush, fsync, close and rename over PATH; on any failure the temporary file
 * is removed, PATH is left as it was, and -1 returns with err. */
int qdf_atomic_commit(qdf_atomic_file *a, char *err, int errlen);
/* Give up: close and remove the temporary file. */
void qdf_atomic_abort(qdf_atomic_file *a);

#endif
