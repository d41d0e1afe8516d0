/* reader.c: reader dispatch, format detection, directory iteration, and the
 * helpers shared by the per-format readers (line buffer, tokens, numbers). */
#include "reader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "elements.h"

#define BLK 65536

/* ---------------- line buffer ---------------- */

static int lines_fill(qdf_lines *lr) {
    if (lr->eof) return 0;
    const size_t n = fread(lr->blk, 1, BLK, lr->f);
    if (n == 0) {
        if (ferror(lr->f)) lr->ioerr = 1;
        lr->eof = 1;
        return 0;
    }
    lr->blen = n;
    lr->bpos = 0;
    return 1;
}

int qdf_lines_next(qdf_lines *lr, char **out, const char **why) {
    if (lr->pushed) {
        lr->pushed = 0;
        lr->lineno++;
        *out = lr->line;
        return 1;
    }
    lr->len = 0;
    int got = 0;
    for (;;) {
        if (lr->bpos == lr->blen && !lines_fill(lr)) break;
        const char *s = lr->blk + lr->bpos;
        const size_t avail = lr->blen - lr->bpos;
        const char *nl = memchr(s, '\n', avail);
        const size_t take = nl ? (size_t)(nl - s) : avail;
        if (memchr(s, 0, take)) {
            *why = "NUL byte (binary data, not a text molecule file)";
            return -2;
        }
        if (lr->len + take + 1 > lr->cap) {
            if (lr->len + take + 1 > QDF_LINE_MAX) {
                *why = "line longer than 1 MiB";
                return -2;
            }
            size_t nc = lr->cap ? lr->cap : 256;
            while (nc < lr->len + take + 1) nc *= 2;
            char *nb = realloc(lr->line, nc);
            if (!nb) {
                *why = "out of memory";
                return -2;
            }
            lr->line = nb;
            lr->cap = nc;
        }
        memcpy(lr->line + lr->len, s, take);
        lr->len += take;
        lr->bpos += take + (nl ? 1 : 0);
        got = 1;
        if (nl) break;
    }
    if (lr->ioerr) {
        *why = "read error";
        return -2;
    }
    if (!got) return 0;
    if (lr->len && lr->line[lr->len - 1] == '\r') lr->len--;
    lr->line[lr->len] = 0;
    lr->lineno++;
    *out = lr->line;
    return 1;
}

void qdf_lines_unread(qdf_lines *lr) {
    lr->pushed = 1;
    lr->lineno--;
}

int qdf_getline(qdf_reader *r, char **line, char *err, int errlen) {
    const char *why = "";
    const int rc = qdf_lines_next(&r->lr, line, &why);
    if (rc == -2) snprintf(err, (size_t)errlen, "%s:%ld: %s", r->fname, r->lr.lineno + 1, why);
    return rc;
}

/* ---------------- tokens and numbers ---------------- */

int qdf_split(const char *line, qdf_span *t, int maxt) {
    int n = 0;
    const char *p = line;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) break;
        const char *s = p;
        while (*p && !isspace((unsigned char)*p)) p++;
        if (n < maxt) {
            t[n].s = s;
            t[n].n = (int)(p - s);
        }
        n++;
    }
    return n;
}

int qdf_span_num(qdf_span t, int star_exp, double *v) {
    char tmp[80];
    if (t.n <= 0 || t.n >= (int)sizeof tmp) return -1;
    int j = 0;
    for (int i = 0; i < t.n; i++) {
        if (star_exp && t.s[i] == '*' && i + 1 < t.n && t.s[i + 1] == '^') {
            tmp[j++] = 'e';
            i++;
        } else {
            tmp[j++] = t.s[i];
        }
    }
    tmp[j] = 0;
    const char *body = tmp + (tmp[0] == '+' || tmp[0] == '-');
    if (!strcasecmp(body, "nan") || !strcasecmp(body, "inf") || !strcasecmp(body, "infinity")) {
        *v = strtod(tmp, NULL);
        return 0;
    }
    int digits = 0;
    for (const char *c = tmp; *c; c++) {
        if (isdigit((unsigned char)*c)) digits = 1;
        else if (!strchr("+-.eE", *c)) return -1; /* no hex floats, no stray characters */
    }
    if (!digits) return -1;
    char *end;
    errno = 0;
    const double x = strtod(tmp, &end);
    if (end != tmp + j || end == tmp) return -1;
    if (errno == ERANGE && fabs(x) > 1) { /* overflow: report as infinite */
        *v = x;
        return 0;
    }
    *v = x;
    return 0;
}

int qdf_span_int(qdf_span t, long *v) {
    char tmp[32];
    if (t.n <= 0 || t.n >= (int)sizeof tmp) return -1;
    memcpy(tmp, t.s, (size_t)t.n);
    tmp[t.n] = 0;
    for (int i = 0; i < t.n; i++)
        if (!isdigit((unsigned char)tmp[i]) && !(i == 0 && (tmp[i] == '-' || tmp[i] == '+'))) return -1;
    char *end;
    errno = 0;
    const long x = strtol(tmp, &end, 10);
    if (errno || *end || end == tmp) return -1;
    *v = x;
    return 0;
}

int qdf_blank(const char *line) {
    for (; *line; line++)
        if (!isspace((unsigned char)*line)) return 0;
    return 1;
}

int qdf_lone_int(const char *line) {
    qdf_span t[2];
    long v;
    return qdf_split(line, t, 2) == 1 && qdf_span_int(t[0], &v) == 0;
}

/* ---------------- messages, atoms, energy keys ---------------- */

int qdf_rerr(qdf_reader *r, char *err, int errlen, long line, const char *id, const char *fmt, ...) {
    char why[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    for (char *c = why; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
    if (line <= 0) line = r->lr.lineno;
    if (id && *id)
        snprintf(err, (size_t)errlen, "%s:%ld: molecule %s: %s", r->fname, line, id, why);
    else
        snprintf(err, (size_t)errlen, "%s:%ld: molecule #%d: %s", r->fname, line, r->k, why);
    r->resync = 1;
    return -1;
}

/* Print a token for a message, shortened and without control characters. */
static void show(char *buf, int len, qdf_span t) {
    int n = t.n < len - 4 ? t.n : len - 4;
    int j = 0;
    for (int i = 0; i < n; i++) buf[j++] = isprint((unsigned char)t.s[i]) ? t.s[i] : '?';
    if (n < t.n) buf[j++] = '.', buf[j++] = '.', buf[j++] = '.';
    buf[j] = 0;
}

int qdf_parse_atom(qdf_reader *r, const char *line, int extra_ok, int star_exp, char *why, int wlen) {
    qdf_span t[5];
    const int nt = qdf_split(line, t, 5);
    char s[40];
    if (nt < 4 || (!extra_ok && nt != 4)) {
        snprintf(why, (size_t)wlen, "expected an atom line 'Symbol x y z', got %d field%s", nt,
                 nt == 1 ? "" : "s");
        return -1;
    }
    if (r->cur.n >= QDF_MAX_ATOMS) {
        snprintf(why, (size_t)wlen, "more than %d atoms", QDF_MAX_ATOMS);
        return -1;
    }
    int z = 0;
    long zl;
    if (qdf_span_int(t[0], &zl) == 0) {
        z = zl >= 1 && zl <= QDF_MAX_Z ? (int)zl : 0;
    } else if (t[0].n <= 3) {
        char sym[4];
        memcpy(sym, t[0].s, (size_t)t[0].n);
        sym[t[0].n] = 0;
        z = qdf_element_z(sym);
    }
    if (!z) {
        show(s, sizeof s, t[0]);
        snprintf(why, (size_t)wlen, "unknown element '%s'", s);
        return -1;
    }
    double x[3];
    for (int d = 0; d < 3; d++) {
        if (qdf_span_num(t[1 + d], star_exp, &x[d])) {
            show(s, sizeof s, t[1 + d]);
            snprintf(why, (size_t)wlen, "bad number '%s' for coordinate %c", s, "xyz"[d]);
            return -1;
        }
        if (!isfinite(x[d])) {
            show(s, sizeof s, t[1 + d]);
            snprintf(why, (size_t)wlen, "coordinate %c is not finite ('%s')", "xyz"[d], s);
            return -1;
        }
        if (fabs(x[d]) > 1e4) {
            snprintf(why, (size_t)wlen, "coordinate %c = %g beyond 1e4 Angstrom", "xyz"[d], x[d]);
            return -1;
        }
    }
    const int i = r->cur.n++;
    r->cur.z[i] = z;
    memcpy(r->cur.xyz + 3 * i, x, sizeof x);
    return 0;
}

#define HA_EV 27.211386
#define KCAL_PER_EV 23.0605

double qdf_energy_key_factor(const char *key, int n) {
    static const struct { const char *k; double f; } K[] = {
        {"energy", 1.0},           {"e", 1.0},           {"energy_ev", 1.0},
        {"e_ev", 1.0},             {"energy_kcal_mol", 1.0 / KCAL_PER_EV},
        {"energy_kcal/mol", 1.0 / KCAL_PER_EV},          {"energy_kcalmol", 1.0 / KCAL_PER_EV},
        {"energy_hartree", HA_EV}, {"energy_ha", HA_EV}, {"energy_au", HA_EV},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++)
        if ((int)strlen(K[i].k) == n && !strncasecmp(key, K[i].k, (size_t)n)) return K[i].f;
    return 0;
}

/* ---------------- formats ---------------- */

const char *qdf_format_name(qdf_format f) {
    switch (f) {
    case QDF_FMT_AUTO: return "auto";
    case QDF_FMT_TXT: return "txt";
    case QDF_FMT_XYZ: return "xyz";
    case QDF_FMT_QM9: return "qm9";
    case QDF_FMT_SDF: return "sdf";
    }
    return "?";
}

int qdf_format_from_name(const char *s) {
    if (!s) return -1;
    if (!strcasecmp(s, "auto")) return QDF_FMT_AUTO;
    if (!strcasecmp(s, "txt")) return QDF_FMT_TXT;
    if (!strcasecmp(s, "xyz") || !strcasecmp(s, "extxyz")) return QDF_FMT_XYZ;
    if (!strcasecmp(s, "qm9")) return QDF_FMT_QM9;
    if (!strcasecmp(s, "sdf") || !strcasecmp(s, "mol") || !strcasecmp(s, "sd")) return QDF_FMT_SDF;
    return -1;
}

qdf_format qdf_reader_format(const qdf_reader *r) { return r->fmt; }

static qdf_format by_extension(const char *name) {
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (!dot || (slash && dot < slash)) return QDF_FMT_AUTO;
    dot++;
    if (!strcasecmp(dot, "txt")) return QDF_FMT_TXT;
    if (!strcasecmp(dot, "xyz") || !strcasecmp(dot, "extxyz")) return QDF_FMT_XYZ;
    if (!strcasecmp(dot, "sdf") || !strcasecmp(dot, "mol") || !strcasecmp(dot, "sd")) return QDF_FMT_SDF;
    return QDF_FMT_AUTO;
}

/* Copy line i (0-based) of the first block into buf; 0 if absent. */
static int block_line(const char *b, size_t n, int i, char *buf, size_t len) {
    size_t p = 0;
    for (int k = 0; k < i; k++) {
        const char *nl = memchr(b + p, '\n', n - p);
        if (!nl) return 0;
        p = (size_t)(nl - b) + 1;
    }
    if (p >= n) return 0;
    const char *nl = memchr(b + p, '\n', n - p);
    size_t e = nl ? (size_t)(nl - b) : n;
    size_t l = e - p < len - 1 ? e - p : len - 1;
    memcpy(buf, b + p, l);
    buf[l] = 0;
    if (l && buf[l - 1] == '\r') buf[l - 1] = 0;
    return 1;
}

/* Binary garbage: NUL bytes or many control / invalid bytes in the first block. */
static int looks_binary(const char *b, size_t n) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char c = (unsigned char)b[i];
        if (c == 0) return 1;
        if ((c < 32 && !isspace(c)) || c == 127) bad++;
    }
    return bad * 50 > n; /* > 2 % control characters */
}

/* Content sniffing on the first block (not consumed). */
static qdf_format sniff(const char *b, size_t n, qdf_format ext) {
    char l1[256], l2[256], l4[256];
    const int h1 = block_line(b, n, 0, l1, sizeof l1), h2 = block_line(b, n, 1, l2, sizeof l2);
    const int h4 = block_line(b, n, 3, l4, sizeof l4);
    if (h2 && !strncmp(l2, "gdb ", 4)) return QDF_FMT_QM9;
    if (ext != QDF_FMT_AUTO) return ext;
    if (h4 && (strstr(l4, "V2000") || strstr(l4, "V3000"))) return QDF_FMT_SDF;
    if (h1 && qdf_lone_int(l1)) return QDF_FMT_XYZ;
    if (h2) {
        qdf_span t[6];
        const int nt = qdf_split(l2, t, 6);
        double v;
        if (nt == 4 && !qdf_span_num(t[1], 0, &v) && !qdf_span_num(t[3], 0, &v)) return QDF_FMT_TXT;
    }
    return QDF_FMT_AUTO;
}

static void close_file(qdf_reader *r) {
    if (!r->is_open) return;
    if (r->lr.own && r->lr.f) fclose(r->lr.f);
    free(r->lr.blk);
    free(r->lr.line);
    memset(&r->lr, 0, sizeof r->lr);
    r->is_open = 0;
}

static void set_name(qdf_reader *r, const char *name) {
    free(r->fname);
    r->fname = strdup(name);
    const char *sl = strrchr(r->fname, '/');
    r->base = sl ? (char *)sl + 1 : r->fname;
}

/* Open one file (or stdin) and detect its format. 0 ok, -2 with err "PATH: reason". */
static int open_file(qdf_reader *r, const char *path, char *err, int errlen) {
    const int is_stdin = !strcmp(path, "-");
    set_name(r, is_stdin ? "<stdin>" : path);
    memset(&r->lr, 0, sizeof r->lr);
    if (is_stdin) {
        r->lr.f = stdin;
    } else {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(err, (size_t)errlen, "%s: is a directory", path);
            return -2;
        }
        r->lr.f = fopen(path, "rb");
        if (!r->lr.f) {
            snprintf(err, (size_t)errlen, "%s: %s", path, strerror(errno));
            return -2;
        }
        r->lr.own = 1;
    }
    r->lr.blk = malloc(BLK);
    if (!r->lr.blk) {
        if (r->lr.own) fclose(r->lr.f);
        snprintf(err, (size_t)errlen, "%s: out of memory", r->fname);
        return -2;
    }
    r->is_open = 1;
    lines_fill(&r->lr);
    if (r->lr.ioerr) {
        snprintf(err, (size_t)errlen, "%s: read error", r->fname);
        close_file(r);
        return -2;
    }
    if (looks_binary(r->lr.blk, r->lr.blen)) {
        snprintf(err, (size_t)errlen, "%s: binary data (not a text molecule file)", r->fname);
        close_file(r);
        return -2;
    }
    qdf_format f = r->fmt_req;
    if (f == QDF_FMT_AUTO || f == QDF_FMT_XYZ) {
        const qdf_format ext = is_stdin ? QDF_FMT_AUTO : by_extension(path);
        const qdf_format s = sniff(r->lr.blk, r->lr.blen, f == QDF_FMT_XYZ ? QDF_FMT_XYZ : ext);
        f = s;
    }
    if (f == QDF_FMT_AUTO) {
        if (r->lr.blen == 0) f = QDF_FMT_TXT; /* empty file: no molecules in any format */
        else {
            snprintf(err, (size_t)errlen, "%s: cannot detect the file format (name it .txt, .xyz, .sdf)",
                     r->fname);
            close_file(r);
            return -2;
        }
    }
    r->fmt = f;
    r->k = 0;
    r->file_nt = -1;
    r->resync = 0;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

qdf_reader *qdf_reader_open(const char *path, qdf_format fmt, const qdf_reader_opts *opts, char *err,
                            int errlen) {
    char dummy[8];
    if (!err || errlen <= 0) err = dummy, errlen = sizeof dummy;
    err[0] = 0;
    if (!path || !*path) {
        snprintf(err, (size_t)errlen, "(empty path): no input given");
        return NULL;
    }
    if ((int)fmt < QDF_FMT_AUTO || fmt > QDF_FMT_SDF) {
        snprintf(err, (size_t)errlen, "%s: unknown format %d", path, (int)fmt);
        return NULL;
    }
    qdf_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, (size_t)errlen, "%s: out of memory", path);
        return NULL;
    }
    if (opts) r->opts = *opts;
    if (r->opts.qm9_property < 0 || r->opts.qm9_property >= QDF_QM9_N_PROPERTIES) {
        snprintf(err, (size_t)errlen, "%s: unknown QM9 property %d", path, r->opts.qm9_property);
        free(r);
        return NULL;
    }
    r->fmt_req = fmt;
    r->path = strdup(path);
    struct stat st;
    if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            snprintf(err, (size_t)errlen, "%s: %s", path, strerror(errno));
            qdf_reader_close(r);
            return NULL;
        }
        struct dirent *e;
        int cap = 0;
        const size_t pl = strlen(path);
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue; /* ., .., hidden files */
            char *full = malloc(pl + strlen(e->d_name) + 2);
            if (!full) break;
            sprintf(full, "%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/", e->d_name);
            struct stat fs;
            if (stat(full, &fs) || !S_ISREG(fs.st_mode)) {
                free(full);
                continue;
            }
            if (r->nfiles == cap) {
                cap = cap ? 2 * cap : 64;
                char **nf = realloc(r->files, sizeof(char *) * (size_t)cap);
                if (!nf) {
                    free(full);
                    break;
                }
                r->files = nf;
            }
            r->files[r->nfiles++] = full;
        }
        closedir(d);
        if (r->nfiles == 0) {
            snprintf(err, (size_t)errlen, "%s: directory has no regular files", path);
            qdf_reader_close(r);
            return NULL;
        }
        qsort(r->files, (size_t)r->nfiles, sizeof(char *), cmp_str);
        set_name(r, path);
        return r;
    }
    if (open_file(r, path, err, errlen)) {
        qdf_reader_close(r);
        return NULL;
    }
    r->nfiles = 1;
    return r;
}

void qdf_reader_close(qdf_reader *r) {
    if (!r) return;
    close_file(r);
    for (int i = 0; r->files && i < r->nfiles; i++) free(r->files[i]);
    free(r->files);
    free(r->path);
    free(r->fname);
    free(r);
}

int qdf_reader_next(qdf_reader *r, qdf_molecule *m, char *err, int errlen) {
    char dummy[8];
    if (!err || errlen <= 0) err = dummy, errlen = sizeof dummy;
    err[0] = 0;
    if (!r) return -2;
    for (;;) {
        if (!r->is_open) {
            if (!r->files || r->ifile >= r->nfiles) return 0;
            const int i = r->ifile++;
            if (open_file(r, r->files[i], err, errlen)) return -2;
        }
        int rc;
        r->cur.id[0] = 0;
        r->cur.n = 0;
        r->cur.nt = 0;
        switch (r->fmt) {
        case QDF_FMT_TXT: rc = qdf_read_txt(r, err, errlen); break;
        case QDF_FMT_XYZ: rc = qdf_read_xyz(r, err, errlen); break;
        case QDF_FMT_QM9: rc = qdf_read_qm9(r, err, errlen); break;
        case QDF_FMT_SDF: rc = qdf_read_sdf(r, err, errlen); break;
        default: rc = -2; snprintf(err, (size_t)errlen, "%s: no format", r->fname);
        }
        if (rc == 0 || rc == -2) {
            close_file(r);
            if (!r->files) r->ifile = r->nfiles = 1; /* single input: done */
            if (rc == -2) return -2;
            continue;
        }
        if (rc == -1) return -1;
        /* a molecule: validate, check the target count, hand it over */
        qdf_rmol *c = &r->cur;
        qdf_molecule view = {.n_atoms = c->n, .z = c->z, .xyz = c->xyz, .n_targets = c->nt};
        memcpy(view.target, c->t, sizeof c->t);
        char why[256];
        /* (the molecule was read to its end: no resynchronisation needed) */
        if (qdf_molecule_validate(&view, why, sizeof why)) {
            qdf_rerr(r, err, errlen, r->mol_line, c->id, "%s", why);
            r->resync = 0;
            return -1;
        }
        if (r->file_nt >= 0 && c->nt != r->file_nt) {
            qdf_rerr(r, err, errlen, r->mol_line, c->id,
                     "%d target value%s, but the first molecule of this file has %d", c->nt,
                     c->nt == 1 ? "" : "s", r->file_nt);
            r->resync = 0;
            return -1;
        }
        r->file_nt = c->nt;
        if (qdf_molecule_alloc(m, c->n)) {
            snprintf(err, (size_t)errlen, "%s: out of memory", r->fname);
            return -2;
        }
        r->resync = 0;
        memcpy(m->id, c->id, sizeof m->id);
        m->id[QDF_ID_MAX - 1] = 0;
        memcpy(m->z, c->z, sizeof(int) * (size_t)c->n);
        memcpy(m->xyz, c->xyz, sizeof(double) * 3 * (size_t)c->n);
        m->n_targets = c->nt;
        memset(m->target, 0, sizeof m->target);
        memcpy(m->target, c->t, sizeof(double) * (size_t)c->nt);
        return 1;
    }
}
