/* atomic_file.c: see atomic_file.h. */
#include "atomic_file.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int qdf_atomic_open(qdf_atomic_file *a, const char *path, char *err, int errlen) {
    a->f = NULL;
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp", path);
    a->f = fopen(a->tmp, "w");
    if (!a->f) {
        snprintf(err, errlen, "%s: cannot write (%s)", path, strerror(errno));
        return -1;
    }
    return 0;
}

int qdf_atomic_commit(qdf_atomic_file *a, char *err, int errlen) {
    int bad = ferror(a->f) || fflush(a->f) != 0 || fsync(fileno(a->f)) != 0;
    const int saved = errno;
    if (fclose(a->f) != 0) bad = 1;
    a->f = NULL;
    if (bad || rename(a->tmp, a->path) != 0) {
        snprintf(err, errlen, "%s: writing failed (%s); the previous file is kept", a->path,
                 strerror(bad ? saved : errno));
        unlink(a->tmp);
        return -1;
    }
    return 0;
}

void qdf_atomic_abort(qdf_atomic_file *a) {
    if (a->f) fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}
