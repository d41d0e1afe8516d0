/* fixture.c: see fixture.h. The file is read whole and tokenised in place; a
 * fixture is a few hundred KB at most, so lookups are linear scans. */
#include "fixture.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

enum { FX_ARRAY, FX_INT, FX_STR };

typedef struct fx_record {
    int kind;
    char *name;
    int rows, cols;
    double *d;
    int *i;
    char *s;
} fx_record;

struct qdf_fixture {
    char *path;
    fx_record *rec;
    int n, cap;
};

typedef struct fx_parser {
    const char *p, *end, *path;
    int line;
} fx_parser;

/* Skip whitespace and '#' comments (to the end of their line). */
static void skip_space(fx_parser *ps) {
    while (ps->p < ps->end) {
        if (*ps->p == '\n') {
            ps->line++;
            ps->p++;
        } else if (isspace((unsigned char)*ps->p)) {
            ps->p++;
        } else if (*ps->p == '#') {
            while (ps->p < ps->end && *ps->p != '\n') ps->p++;
        } else {
            break;
        }
    }
}

/* The next whitespace-delimited token, copied into buf; 0 at end of input. */
static int next_token(fx_parser *ps, char *buf, size_t size) {
    skip_space(ps);
    if (ps->p >= ps->end) return 0;
    size_t k = 0;
    while (ps->p < ps->end && !isspace((unsigned char)*ps->p)) {
        if (k + 1 < size) buf[k++] = *ps->p;
        ps->p++;
    }
    buf[k] = 0;
    return 1;
}

static int fail(fx_parser *ps, const char *what) {
    fprintf(stderr, "fixture %s:%d: %s\n", ps->path, ps->line, what);
    return 0;
}

static fx_record *add_record(qdf_fixture *fx) {
    if (fx->n == fx->cap) {
        fx->cap = fx->cap ? 2 * fx->cap : 64;
        fx->rec = realloc(fx->rec, sizeof(fx_record) * (size_t)fx->cap);
        if (!fx->rec) abort();
    }
    fx_record *r = &fx->rec[fx->n++];
    memset(r, 0, sizeof *r);
    return r;
}

static int parse(qdf_fixture *fx, fx_parser *ps) {
    char tok[512], name[512];
    while (next_token(ps, tok, sizeof tok)) {
        int kind;
        if (!strcmp(tok, "array")) kind = FX_ARRAY;
        else if (!strcmp(tok, "int")) kind = FX_INT;
        else if (!strcmp(tok, "str")) kind = FX_STR;
        else return fail(ps, "expected 'array', 'int' or 'str'");
        if (!next_token(ps, name, sizeof name)) return fail(ps, "missing record name");
        fx_record *r = add_record(fx);
        r->kind = kind;
        r->name = strdup(name);
        if (kind == FX_STR) {
            /* the rest of this line must be empty; the value is the next line */
            while (ps->p < ps->end && *ps->p != '\n') {
                if (!isspace((unsigned char)*ps->p)) return fail(ps, "text after str name");
                ps->p++;
            }
            if (ps->p < ps->end) {
                ps->p++;
                ps->line++;
            }
            const char *b = ps->p;
            while (ps->p < ps->end && *ps->p != '\n') ps->p++;
            size_t len = (size_t)(ps->p - b);
            while (len && (b[len - 1] == '\r')) len--;
            r->s = malloc(len + 1);
            memcpy(r->s, b, len);
            r->s[len] = 0;
            continue;
        }
        char *e;
        if (!next_token(ps, tok, sizeof tok)) return fail(ps, "missing rows");
        long rows = strtol(tok, &e, 10);
        if (*e || rows < 0) return fail(ps, "bad rows");
        if (!next_token(ps, tok, sizeof tok)) return fail(ps, "missing cols");
        long cols = strtol(tok, &e, 10);
        if (*e || cols < 0) return fail(ps, "bad cols");
        r->rows = (int)rows;
        r->cols = (int)cols;
        const size_t n = (size_t)rows * (size_t)cols;
        if (kind == FX_ARRAY) r->d = malloc(sizeof(double) * (n ? n : 1));
        else r->i = malloc(sizeof(int) * (n ? n : 1));
        for (size_t k = 0; k < n; k++) {
            if (!next_token(ps, tok, sizeof tok)) return fail(ps, "too few values");
            errno = 0;
            if (kind == FX_ARRAY) {
                r->d[k] = strtod(tok, &e);
            } else {
                long v = strtol(tok, &e, 10);
                r->i[k] = (int)v;
            }
            if (*e || e == tok || errno == ERANGE) {
                char msg[700];
                snprintf(msg, sizeof msg, "bad value '%s' in %s", tok, r->name);
                return fail(ps, msg);
            }
        }
    }
    return 1;
}

qdf_fixture *fx_load(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fixture %s: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "fixture %s: read error\n", path);
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[size] = 0;
    qdf_fixture *fx = calloc(1, sizeof *fx);
    fx->path = strdup(path);
    fx_parser ps = {buf, buf + size, path, 1};
    const int ok = parse(fx, &ps);
    free(buf);
    if (!ok) {
        fx_free(fx);
        return NULL;
    }
    return fx;
}

qdf_fixture *fx_load_test(const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/fixtures/%s", tu_tests_dir(), name);
    return fx_load(path);
}

void fx_free(qdf_fixture *fx) {
    if (!fx) return;
    for (int k = 0; k < fx->n; k++) {
        free(fx->rec[k].name);
        free(fx->rec[k].d);
        free(fx->rec[k].i);
        free(fx->rec[k].s);
    }
    free(fx->rec);
    free(fx->path);
    free(fx);
}

static const fx_record *find(const qdf_fixture *fx, const char *name, int kind) {
    if (!fx) return NULL;
    for (int k = 0; k < fx->n; k++)
        if (fx->rec[k].kind == kind && !strcmp(fx->rec[k].name, name)) return &fx->rec[k];
    return NULL;
}

const double *fx_array(const qdf_fixture *fx, const char *name, int *rows, int *cols) {
    const fx_record *r = find(fx, name, FX_ARRAY);
    if (!r) return NULL;
    if (rows) *rows = r->rows;
    if (cols) *cols = r->cols;
    return r->d;
}

const int *fx_ints(const qdf_fixture *fx, const char *name, int *rows, int *cols) {
    const fx_record *r = find(fx, name, FX_INT);
    if (!r) return NULL;
    if (rows) *rows = r->rows;
    if (cols) *cols = r->cols;
    return r->i;
}

const char *fx_str(const qdf_fixture *fx, const char *name) {
    const fx_record *r = find(fx, name, FX_STR);
    return r ? r->s : NULL;
}

static const fx_record *find_shape(const qdf_fixture *fx, const char *name, int kind, int rows,
                                   int cols) {
    const fx_record *r = find(fx, name, kind);
    if (!r) {
        fprintf(stderr, "fixture %s: no %s record '%s'\n", fx ? fx->path : "(null)",
                kind == FX_ARRAY ? "array" : "int", name);
        abort();
    }
    if ((rows >= 0 && r->rows != rows) || (cols >= 0 && r->cols != cols)) {
        fprintf(stderr, "fixture %s: '%s' is %d x %d, expected %d x %d\n", fx->path, name,
                r->rows, r->cols, rows, cols);
        abort();
    }
    return r;
}

const double *fx_array_shape(const qdf_fixture *fx, const char *name, int rows, int cols) {
    return find_shape(fx, name, FX_ARRAY, rows, cols)->d;
}

const int *fx_ints_shape(const qdf_fixture *fx, const char *name, int rows, int cols) {
    return find_shape(fx, name, FX_INT, rows, cols)->i;
}

int fx_count(const qdf_fixture *fx) { return fx ? fx->n : 0; }
const char *fx_name(const qdf_fixture *fx, int i) {
    return fx && i >= 0 && i < fx->n ? fx->rec[i].name : NULL;
}
