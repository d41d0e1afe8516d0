#!/bin/sh
# .ci/fuzz_triage.sh LOG: names the owner of the crash a libFuzzer/ASan log
# reports, from its first stack trace: prints "libhdf5", "qdf" or "unknown"
# (always exits 0 when LOG is readable).
#
# The owner is the innermost frame that is neither sanitizer/libFuzzer runtime
# nor libc:
#   - runtime: a frame inside the fuzz binary itself with no source location,
#     "in NAME (/path/fuzz_target+0x...)". Interceptors are spelt
#     "__interceptor_memcpy" by clang 14 but plain "strdup" by newer clangs, so
#     names are not a reliable test; the missing "file.c:LINE" is. (qdf frames
#     always carry one: the targets are built with -g.)
#   - libc: "(/lib/.../libc.so.6+0x...)" or a glibc source path
#     ("string/../sysdeps/...", "csu/...").
# A frame that cannot be symbolised at all ("#1 0x7f... (/lib/.../libhdf5...so+0x...)")
# counts by its module.
set -eu
log=$1
awk '
/^ +#[0-9]+ 0x/ {
    line = $0
    if (seen_trace && $1 == "#0") exit        # a second trace: only the first counts
    seen_trace = 1
    if (line ~ /libhdf5/) { print "libhdf5"; found = 1; exit }
    if (line ~ /\/libc\.so|\/libm\.so|\/libstdc\+\+|\/ld-linux|[ (]string\/|[ (]csu\/|sysdeps\//) next
    if (line ~ /\([^()]*\+0x[0-9a-f]+\)/ && line !~ /\.[ch]:[0-9]+/) next   # runtime: no source
    print "qdf"; found = 1; exit
}
END { if (!found) print "unknown" }
' "$log"
