/* reader.h: streaming molecule readers (txt, XYZ / extended XYZ, raw QM9,
 * SDF / MOL V2000). One molecule in memory at a time; see datasets/FORMATS.md. */
#ifndef QDF_READER_H
#define QDF_READER_H

#include <stdio.h>

#include "molecule.h"

typedef enum { QDF_FMT_AUTO = 0, QDF_FMT_TXT, QDF_FMT_XYZ, QDF_FMT_QM9, QDF_FMT_SDF } qdf_format;
typedef struct qdf_reader qdf_reader;

/* Properties of raw QM9 files selectable as the target (all in eV). */
enum {
    QDF_QM9_U0_ATOMIZATION = 0, /* U0 minus free-atom U0 references (default) */
    QDF_QM9_U0,                 /* total U0 */
    QDF_QM9_HOMO,
    QDF_QM9_LUMO,
    QDF_QM9_GAP,
    QDF_QM9_N_PROPERTIES
};

typedef struct qdf_reader_opts {
    int qm9_property; /* for raw QM9 files: which property becomes the target; default U0
                         atomization energy in eV (QM9 free-atom U0 references). */
} qdf_reader_opts;

/* Index of a QM9 property name ("u0_atomization", "u0", "homo", "lumo", "gap";
 * case-insensitive), or -1. */
int qdf_qm9_property_from_name(const char *name);
/* Name of property index p, or NULL. */
const char *qdf_qm9_property_name(int p);
/* NULL-terminated list of the names (for --help). */
extern const char *const qdf_qm9_property_names[];
/* Format from a name ("auto", "txt", "xyz", "extxyz", "qm9", "sdf", "mol"), or -1. */
int qdf_format_from_name(const char *name);

/* path "-" = stdin; a directory = every regular file in it (sorted by name, e.g. a
 * folder of raw QM9 .xyz files). fmt AUTO detects by extension (.txt .xyz .extxyz
 * .sdf .mol .sd) and by content (raw QM9: 2nd line starts with "gdb "). Returns
 * NULL with err = "PATH: reason" on failure (missing file, unreadable, directory
 * empty, binary garbage). */
qdf_reader *qdf_reader_open(const char *path, qdf_format fmt, const qdf_reader_opts *opts, char *err,
                            int errlen);
/* 1: a molecule was read into *m (the reader (re)allocates m's arrays with
 *    qdf_molecule_alloc; the caller frees with qdf_molecule_free; initialise with
 *    memset 0 before the first call).
 * 0: end of input.
 * -1: one bad molecule was skipped; err = "FILE:LINE: molecule ID: reason" (one
 *    line, no newline), and the reader has resynchronised so the next call
 *    continues with the next molecule.
 * -2: unrecoverable error for this input (I/O error, binary garbage); err says why.
 *    For a directory the error concerns one file; the next call continues with the
 *    next file. */
int qdf_reader_next(qdf_reader *r, qdf_molecule *m, char *err, int errlen);
void qdf_reader_close(qdf_reader *r);
const char *qdf_format_name(qdf_format f);
/* Format of the file currently being read (after auto-detection). */
qdf_format qdf_reader_format(const qdf_reader *r);

/* ---- internal: shared by reader.c and reader_*.c, not a public API ---- */

#define QDF_LINE_MAX (1 << 20) /* longest accepted line (bytes) */

typedef struct qdf_lines {
    FILE *f;
    int own; /* fclose at the end */
    char *blk;
    size_t blen, bpos;
    int eof, ioerr;
    char *line;
    size_t cap, len;
    long lineno; /* number of the line last returned (1-based) */
    int pushed;
} qdf_lines;

/* 1 line in *out, 0 end of file, -2 I/O error / NUL byte / line too long (why set). */
int qdf_lines_next(qdf_lines *lr, char **out, const char **why);
/* Return the last line again on the next call (one level). */
void qdf_lines_unread(qdf_lines *lr);

typedef struct {
    const char *s;
    int n;
} qdf_span;

/* Whitespace-split line into at most maxt spans; returns the total token count. */
int qdf_split(const char *line, qdf_span *t, int maxt);
/* Parse a whole token as a decimal number (nan/inf accepted here, callers check
 * finiteness); star_exp: also accept Mathematica "*^" exponents. 0 ok, -1 bad. */
int qdf_span_num(qdf_span t, int star_exp, double *v);
/* Parse a whole token as a decimal integer. 0 ok, -1 bad. */
int qdf_span_int(qdf_span t, long *v);
/* 1 if the line is blank (only whitespace). */
int qdf_blank(const char *line);
/* 1 if the line is a single integer token (an XYZ count line). */
int qdf_lone_int(const char *line);

/* The molecule being assembled by a format reader. */
typedef struct qdf_rmol {
    char id[QDF_ID_MAX];
    int n;
    int z[QDF_MAX_ATOMS];
    double xyz[3 * QDF_MAX_ATOMS];
    int nt;
    double t[QDF_MAX_TARGETS];
} qdf_rmol;

struct qdf_reader {
    qdf_reader_opts opts;
    qdf_format fmt_req;
    char **files; /* NULL for a single path */
    int nfiles, ifile;
    char *path;   /* as given */
    char *fname;  /* file being read, for messages */
    char *base;   /* its basename, for FILE#k ids */
    int is_open;
    qdf_lines lr;
    qdf_format fmt;
    int k;          /* molecules started in this file (1-based index of the current one) */
    long mol_line;  /* first line of the current molecule */
    int file_nt;    /* n_targets of the first good molecule of this file, -1 before */
    int resync;     /* the format reader must resynchronise before the next molecule */
    qdf_rmol cur;
};

/* Format a "FILE:LINE: molecule ID: reason" message into err and return -1. id
 * NULL: "molecule #k". line <= 0: the current line. */
int qdf_rerr(qdf_reader *r, char *err, int errlen, long line, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Parse "Sym x y z [extra...]" (extra columns allowed if extra_ok; Sym may also be
 * an atomic number) and append to r->cur; on failure writes the reason into why
 * and returns -1. */
int qdf_parse_atom(qdf_reader *r, const char *line, int extra_ok, int star_exp, char *why, int wlen);
/* Energy-like key (energy, E, energy_eV, energy_kcal_mol, energy_hartree, ...;
 * case-insensitive): returns the factor to eV, or 0 if the key is not one. */
double qdf_energy_key_factor(const char *key, int keylen);

/* qdf_lines_next on the current file; -2 formats "FILE:LINE: reason" into err. */
int qdf_getline(qdf_reader *r, char **line, char *err, int errlen);

/* XYZ-style resynchronisation: skip to the next line holding one integer (an atom
 * count line) and leave it unread. 1 found, 0 end of file, -2 error. */
int qdf_xyz_resync(qdf_reader *r, char *err, int errlen);
/* Read blank lines, then the count line of an XYZ-style record (r->k, r->mol_line
 * set). 1 ok (*n set), 0 end of file, -1 bad count (message), -2 error. */
int qdf_xyz_count(qdf_reader *r, long *n, char *err, int errlen);

/* Per-format readers: same return convention as qdf_reader_next, filling r->cur. */
int qdf_read_txt(qdf_reader *r, char *err, int errlen);
int qdf_read_xyz(qdf_reader *r, char *err, int errlen);
int qdf_read_qm9(qdf_reader *r, char *err, int errlen);
int qdf_read_sdf(qdf_reader *r, char *err, int errlen);

#endif
