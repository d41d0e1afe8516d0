/* kill_at_rename.c: LD_PRELOAD shim for tests/kill_resume.sh. Wraps rename(2):
 * on the QDF_KILL_NTH-th (1-based) rename onto a path ending in last.h5 it
 * SIGKILLs the process just before (QDF_KILL_WHEN=before) or just after
 * (QDF_KILL_WHEN=after) the rename: the two sides of the checkpoint commit. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rename(const char *from, const char *to) {
    static int (*real)(const char *, const char *);
    static int count;
    if (!real) real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    const char *nth = getenv("QDF_KILL_NTH"), *when = getenv("QDF_KILL_WHEN");
    const size_t n = strlen(to);
    const int hit = nth && n >= 7 && !strcmp(to + n - 7, "last.h5") && ++count == atoi(nth);
    const int after = when && !strcmp(when, "after");
    if (hit && !after) raise(SIGKILL);
    const int rc = real(from, to);
    if (hit && after) raise(SIGKILL);
    return rc;
}
