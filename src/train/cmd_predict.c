/* cmd_predict.c: `qdf predict`: energies of the molecules in one or more files.
 *
 * Streaming: molecules are read into a chunk (64 or more), the chunk is
 * predicted (batches of --batch molecules per forward, the batches spread over
 * OpenMP threads, each thread with its own qdf_ctx; the model is read-only),
 * written in input order, and the chunk's slots are reused, so memory does not
 * grow with the size of the library.
 *
 * Ensembles: --model given K times (models of the same target) predicts every
 * molecule with each model; the energy is their mean and spread_eV their
 * sample standard deviation, an uncertainty for screening. Averaging two
 * independently trained qm9_u0 models cut the error 10-20% (NOTES.md, session 6). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json_out.h"
#include "commands.h"
#include "elements.h"
#include "ensemble.h"
#include "evaluate.h"
#include "exitcodes.h"
#include "cli_args.h"
#include "model_io.h"
#include "reader.h"


#define EV_TO_KCAL 23.0605
#define MAX_COLS (6 + 5 * QDF_MAX_TARGETS)
#define CELL_MAX 160

enum { OUT_TSV, OUT_CSV, OUT_JSONL };

static void usage(FILE *f) {
    fprintf(f,
        "usage: qdf predict [--model M]... [--format tsv|csv|jsonl] [--out FILE] [--input-format FMT]\n"
        "                   [--batch N] [--threads N] INPUT...\n\n"
        "Predicts the energy of every molecule in the INPUT files (txt, XYZ, extended XYZ, raw QM9,\n"
        "SDF/MOL; '-' = standard input; a directory = every file in it) and writes one row per molecule,\n"
        "in input order:\n"
        "  id, formula (Hill order), n_atoms, energy_eV, energy_kcal_mol (1 eV = 23.0605 kcal/mol),\n"
        "  reference_eV, abs_error_eV   only when the first molecules read carry a reference energy,\n"
        "  flag                         empty; 'outside_domain:atoms>N' (more atoms than any training\n"
        "                               molecule; still predicted); 'unsupported_element:X' (an element\n"
        "                               the model has no orbitals for; not predicted, energies empty/null)\n"
        "Models with several outputs give energy_eV_0, energy_kcal_mol_0, energy_eV_1, ... (and\n"
        "reference_eV_J, abs_error_eV_J).\n"
        "With --model given K > 1 times (an ensemble; the models must have the same targets) the energy\n"
        "is the mean of the K predictions and a column spread_eV (spread_eV_J) after the energies gives\n"
        "their sample standard deviation in eV, an uncertainty; a molecule is predicted only when every\n"
        "model supports its elements, and flagged outside_domain beyond the smallest training range.\n\n"
        "options:\n"
        "  --model M                model file (default: the shipped models/default.h5, searched in\n"
        "                           EXE_DIR/../share/qdf/models, the source tree, EXE_DIR/../models);\n"
        "                           repeat for an ensemble (up to 16 models)\n"
        "  --format tsv|csv|jsonl   output format (tsv, with a header line; csv with a header; jsonl:\n"
        "                           one JSON object per molecule with the same keys, null when missing)\n"
        "  --out FILE               write the rows to FILE (default: standard output)\n"
        "  --input-format FMT       auto (default: by extension and content), txt, xyz (also extended\n"
        "                           XYZ), qm9, sdf\n"
        "  --batch N                molecules per forward pass (8; 1-256)\n"
        "  --orientations K         average each energy over K grid orientations, K times the work\n"
        "                           (1-64; default: the model's own setting)\n"
        "  --threads N              OpenMP threads; batches run in parallel (default: all cores)\n"
        "  --help                   this text\n\n"
        "Bad molecules are skipped with one line each on standard error (FILE:LINE: molecule ID: reason);\n"
        "a summary (molecules read, predicted, skipped by reason, MAE in eV and kcal/mol when references\n"
        "exist, an ensemble's mean spread_eV, molecules per second) ends the run on standard error; a\n"
        "progress line is shown only when standard error is a terminal.\n"
        "exit codes: 0 ok; 2 usage; 3 an input could not be read at all (the others still run);\n"
        "            4 no model / bad model; 5 cannot write the output; 8 some molecules skipped or not\n"
        "            predicted (bad molecule, unsupported element)\n");
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* ---- output ---- */

typedef struct writer {
    FILE *f;
    int fmt, n_out, n_models, with_ref, header_done, ncols;
    char names[MAX_COLS][32];
} writer;

static void add_col(writer *w, const char *base, int j) {
    if (w->n_out > 1) snprintf(w->names[w->ncols++], 32, "%s_%d", base, j);
    else snprintf(w->names[w->ncols++], 32, "%s", base);
}

static void setup_columns(writer *w) {
    w->ncols = 0;
    snprintf(w->names[w->ncols++], 32, "id");
    snprintf(w->names[w->ncols++], 32, "formula");
    snprintf(w->names[w->ncols++], 32, "n_atoms");
    for (int j = 0; j < w->n_out; j++) {
        add_col(w, "energy_eV", j);
        add_col(w, "energy_kcal_mol", j);
    }
    if (w->n_models > 1)
        for (int j = 0; j < w->n_out; j++) add_col(w, "spread_eV", j);
    if (w->with_ref)
        for (int j = 0; j < w->n_out; j++) {
            add_col(w, "reference_eV", j);
            add_col(w, "abs_error_eV", j);
        }
    snprintf(w->names[w->ncols++], 32, "flag");
}

static void put_csv(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void write_header(writer *w) {
    if (w->fmt == OUT_JSONL) return;
    for (int c = 0; c < w->ncols; c++) {
        if (c) fputc(w->fmt == OUT_CSV ? ',' : '\t', w->f);
        fputs(w->names[c], w->f);
    }
    fputc('\n', w->f);
}

/* cells: text of each column; present[c] = 0: missing; numeric[c]: JSON number. */
static void write_row(writer *w, char cells[][CELL_MAX], const int *present, const int *numeric) {
    if (w->fmt == OUT_JSONL) {
        fputc('{', w->f);
        for (int c = 0; c < w->ncols; c++) {
            if (c) fputs(", ", w->f);
            qdf_json_string(w->f, w->names[c]);
            fputs(": ", w->f);
            if (!present[c]) fputs("null", w->f);
            else if (numeric[c]) fputs(cells[c], w->f);
            else qdf_json_string(w->f, cells[c]);
        }
        fputs("}\n", w->f);
        return;
    }
    for (int c = 0; c < w->ncols; c++) {
        if (c) fputc(w->fmt == OUT_CSV ? ',' : '\t', w->f);
        if (!present[c]) continue;
        if (w->fmt == OUT_CSV) put_csv(w->f, cells[c]);
        else fputs(cells[c], w->f);
    }
    fputc('\n', w->f);
}

/* ---- the run ---- */

typedef struct stats {
    long read, predicted, bad, unsupported, outside, failed;
    long unsup_z[QDF_MAX_Z + 2];
    double abs_err_sum;
    long n_err;
    double spread_sum; /* ensembles: sum of spread_eV over predicted (molecule, output) pairs */
    long n_spread;
} stats;

typedef struct chunk {
    qdf_molecule *mols; /* cap slots, reused (the readers reallocate their arrays) */
    qdf_molecule *sup;  /* shallow copies of the predictable ones */
    int *sup_idx, *bad_z;
    double *pred;       /* n_models x cap x n_out: model k's energies of the supported molecules */
    double *mean, *spread; /* n_sup x n_out: over the models */
    int n, cap;
} chunk;

/* The models of the run: one, or an ensemble of the same targets. */
typedef struct ensemble {
    qdf_model *m;  /* n models */
    int n;
    int max_atoms; /* the smallest training range (0: unknown) */
} ensemble;

static int supports(const ensemble *e, int z) {
    for (int k = 0; k < e->n; k++)
        if (!qdf_basis_has(&e->m[k].basis, z)) return 0;
    return 1;
}

static void flush_chunk(chunk *ch, const ensemble *e, qdf_ctx **ctxs, int nthr, int batch, writer *w, stats *st) {
    const int n_out = e->m[0].hp.n_out, K = e->n;
    if (!w->header_done) {
        w->with_ref = 0;
        for (int i = 0; i < ch->n; i++)
            if (ch->mols[i].n_targets > 0) w->with_ref = 1;
        setup_columns(w);
        write_header(w);
        w->header_done = 1;
    }
    int n_sup = 0;
    for (int i = 0; i < ch->n; i++) {
        const qdf_molecule *mol = &ch->mols[i];
        ch->bad_z[i] = 0;
        for (int a = 0; a < mol->n_atoms && !ch->bad_z[i]; a++)
            if (!supports(e, mol->z[a])) ch->bad_z[i] = mol->z[a] > 0 ? mol->z[a] : -1;
        if (!ch->bad_z[i]) {
            ch->sup[n_sup] = *mol;
            ch->sup_idx[i] = n_sup++;
        } else {
            ch->sup_idx[i] = -1;
        }
    }
    const int n_batches = (n_sup + batch - 1) / batch;
    for (int k = 0; k < K; k++) {
        double *pk = ch->pred + (size_t)k * ch->cap * n_out;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthr) if (nthr > 1 && n_batches > 1)
        for (int b = 0; b < n_batches; b++) {
            const int i0 = b * batch, nb = i0 + batch <= n_sup ? batch : n_sup - i0;
            qdf_predict_many(ctxs[omp_get_thread_num()], &e->m[k], ch->sup + i0, nb, batch, pk + (size_t)i0 * n_out);
        }
    }
    qdf_ensemble_reduce(ch->pred, K, (size_t)ch->cap * n_out, (size_t)n_sup * n_out, ch->mean, ch->spread);

    char cells[MAX_COLS][CELL_MAX];
    int present[MAX_COLS], numeric[MAX_COLS];
    for (int i = 0; i < ch->n; i++) {
        const qdf_molecule *mol = &ch->mols[i];
        int c = 0;
        snprintf(cells[c], CELL_MAX, "%s", mol->id);
        present[c] = 1, numeric[c++] = 0;
        qdf_molecule_formula(mol, cells[c], CELL_MAX);
        present[c] = 1, numeric[c++] = 0;
        snprintf(cells[c], CELL_MAX, "%d", mol->n_atoms);
        present[c] = 1, numeric[c++] = 1;
        const double *p = ch->sup_idx[i] >= 0 ? ch->mean + (size_t)ch->sup_idx[i] * n_out : NULL;
        int ok = p != NULL;
        for (int j = 0; p && j < n_out; j++)
            if (!isfinite(p[j])) ok = 0;
        for (int j = 0; j < n_out; j++) {
            snprintf(cells[c], CELL_MAX, "%.6f", ok ? p[j] : 0.0);
            present[c] = ok, numeric[c++] = 1;
            snprintf(cells[c], CELL_MAX, "%.4f", ok ? p[j] * EV_TO_KCAL : 0.0);
            present[c] = ok, numeric[c++] = 1;
        }
        for (int j = 0; K > 1 && j < n_out; j++) {
            snprintf(cells[c], CELL_MAX, "%.6f", ok ? ch->spread[(size_t)ch->sup_idx[i] * n_out + j] : 0.0);
            present[c] = ok, numeric[c++] = 1;
        }
        if (w->with_ref)
            for (int j = 0; j < n_out; j++) {
                const int has_ref = j < mol->n_targets && isfinite(mol->target[j]);
                snprintf(cells[c], CELL_MAX, "%.6f", has_ref ? mol->target[j] : 0.0);
                present[c] = has_ref, numeric[c++] = 1;
                snprintf(cells[c], CELL_MAX, "%.6f", has_ref && ok ? fabs(p[j] - mol->target[j]) : 0.0);
                present[c] = has_ref && ok, numeric[c++] = 1;
            }
        /* statistics (references count for the MAE whether or not they are printed) */
        if (ok) {
            st->predicted++;
            for (int j = 0; K > 1 && j < n_out; j++) {
                st->spread_sum += ch->spread[(size_t)ch->sup_idx[i] * n_out + j];
                st->n_spread++;
            }
            for (int j = 0; j < n_out && j < mol->n_targets; j++)
                if (isfinite(mol->target[j])) {
                    st->abs_err_sum += fabs(p[j] - mol->target[j]);
                    st->n_err++;
                }
        }
        cells[c][0] = 0;
        if (ch->bad_z[i]) {
            const char *sym = ch->bad_z[i] > 0 ? qdf_element_symbol(ch->bad_z[i]) : NULL;
            if (sym) snprintf(cells[c], CELL_MAX, "unsupported_element:%s", sym);
            else snprintf(cells[c], CELL_MAX, "unsupported_element:Z%d", ch->bad_z[i]);
            st->unsupported++;
            st->unsup_z[ch->bad_z[i] > 0 && ch->bad_z[i] <= QDF_MAX_Z ? ch->bad_z[i] : QDF_MAX_Z + 1]++;
        } else if (!ok) {
            snprintf(cells[c], CELL_MAX, "prediction_failed");
            st->failed++;
        } else if (e->max_atoms > 0 && mol->n_atoms > e->max_atoms) {
            snprintf(cells[c], CELL_MAX, "outside_domain:atoms>%d", e->max_atoms);
            st->outside++;
        }
        present[c] = cells[c][0] != 0, numeric[c++] = 0;
        write_row(w, cells, present, numeric);
    }
    ch->n = 0;
}

int qdf_cmd_predict(int argc, char **argv) {
    const char *model_paths[QDF_MAX_ENSEMBLE] = {NULL}, *out_path = NULL;
    int n_models = 0;
    int out_fmt = OUT_TSV, batch = 8, nthr = omp_get_max_threads(), orientations = 0;
    qdf_format in_fmt = QDF_FMT_AUTO;
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int n_inputs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int has = i + 1 < argc;
        const char *v = has ? argv[i + 1] : NULL;
#define NEED_VALUE()                                                                       \
    do {                                                                                   \
        if (!has) {                                                                        \
            fprintf(stderr, "qdf predict: %s needs a value (see qdf predict --help)\n", a); \
            free(inputs);                                                                  \
            return QDF_EXIT_USAGE;                                                         \
        }                                                                                  \
        i++;                                                                               \
    } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            free(inputs);
            return QDF_EXIT_OK;
        } else if (!strcmp(a, "--model")) {
            NEED_VALUE();
            if (n_models == QDF_MAX_ENSEMBLE) {
                fprintf(stderr, "qdf predict: at most %d models (--model given more often)\n", QDF_MAX_ENSEMBLE);
                free(inputs);
                return QDF_EXIT_USAGE;
            }
            model_paths[n_models++] = v;
        } else if (!strcmp(a, "--out")) { NEED_VALUE(); out_path = v;
        } else if (!strcmp(a, "--format")) {
            NEED_VALUE();
            if (!strcmp(v, "tsv")) out_fmt = OUT_TSV;
            else if (!strcmp(v, "csv")) out_fmt = OUT_CSV;
            else if (!strcmp(v, "jsonl")) out_fmt = OUT_JSONL;
            else {
                fprintf(stderr, "qdf predict: --format is tsv, csv or jsonl, not '%s'\n", v);
                free(inputs);
                return QDF_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--input-format")) {
            NEED_VALUE();
            const int f = qdf_format_from_name(v);
            if (f < 0) {
                fprintf(stderr, "qdf predict: --input-format is auto, txt, xyz, qm9 or sdf, not '%s'\n", v);
                free(inputs);
                return QDF_EXIT_USAGE;
            }
            in_fmt = (qdf_format)f;
        } else if (!strcmp(a, "--orientations")) {
            NEED_VALUE();
            if ((orientations = qdf_parse_orientations("qdf predict", v)) < 0) {
                free(inputs);
                return QDF_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--batch")) {
            NEED_VALUE();
            if (qdf_parse_int("qdf predict", a, v, 1, 256, &batch)) {
                free(inputs);
                return QDF_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--threads")) {
            NEED_VALUE();
            if (qdf_parse_int("qdf predict", a, v, 1, 1024, &nthr)) {
                free(inputs);
                return QDF_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "qdf predict: unknown option '%s' (see qdf predict --help)\n", a);
            free(inputs);
            return QDF_EXIT_USAGE;
        } else {
            inputs[n_inputs++] = argv[i];
        }
#undef NEED_VALUE
    }
    if (!n_inputs) {
        fprintf(stderr, "qdf predict: no input files (use '-' for standard input; see qdf predict --help)\n");
        free(inputs);
        return QDF_EXIT_USAGE;
    }
    omp_set_num_threads(nthr);

    char err[4096];
    if (!n_models) {
        model_paths[0] = qdf_model_or_default(NULL, "predict");
        if (!model_paths[0]) {
            free(inputs);
            return QDF_EXIT_MODEL;
        }
        n_models = 1;
    }
    ensemble ens = {calloc((size_t)n_models, sizeof *ens.m), 0, 0};
    if (!ens.m) {
        fprintf(stderr, "qdf predict: out of memory\n");
        free(inputs);
        return QDF_EXIT_MODEL;
    }
    for (int k = 0; k < n_models; k++) {
        qdf_model *mk = &ens.m[k];
        int bad = 0;
        if (qdf_model_load(model_paths[k], mk, NULL, NULL, 0, NULL, 0, err, sizeof err)) {
            fprintf(stderr, "qdf predict: %s\n", err);
        } else {
            ens.n++;
            const int c = k > 0 ? qdf_ensemble_check(&ens.m[0], model_paths[0], mk, model_paths[k], err, sizeof err) : 0;
            if (c) fprintf(stderr, "qdf predict: %s\n", err);
            bad = c < 0;
        }
        if (ens.n != k + 1 || bad) {
            for (int q = 0; q < ens.n; q++) qdf_model_free(&ens.m[q]);
            free(ens.m);
            free(inputs);
            return QDF_EXIT_MODEL;
        }
        if (orientations) mk->hp.orientations = orientations;
        if (mk->max_atoms > 0 && (ens.max_atoms == 0 || mk->max_atoms < ens.max_atoms)) ens.max_atoms = mk->max_atoms;
    }
    const int n_out = ens.m[0].hp.n_out;

    writer w;
    memset(&w, 0, sizeof w);
    w.fmt = out_fmt;
    w.n_out = n_out;
    w.n_models = n_models;
    w.f = stdout;
    if (out_path && strcmp(out_path, "-")) {
        w.f = fopen(out_path, "w");
        if (!w.f) {
            fprintf(stderr, "qdf predict: %s: cannot write (%m)\n", out_path);
            for (int k = 0; k < n_models; k++) qdf_model_free(&ens.m[k]);
            free(ens.m);
            free(inputs);
            return QDF_EXIT_OUTPUT;
        }
    }

    chunk ch;
    ch.cap = 4 * batch * nthr;
    if (ch.cap < 64) ch.cap = 64;
    if (ch.cap > 4096) ch.cap = 4096;
    ch.n = 0;
    ch.mols = calloc((size_t)ch.cap, sizeof *ch.mols);
    ch.sup = calloc((size_t)ch.cap, sizeof *ch.sup);
    ch.sup_idx = calloc((size_t)ch.cap, sizeof *ch.sup_idx);
    ch.bad_z = calloc((size_t)ch.cap, sizeof *ch.bad_z);
    ch.pred = calloc((size_t)n_models * ch.cap * n_out, sizeof *ch.pred);
    ch.mean = calloc((size_t)ch.cap * n_out, sizeof *ch.mean);
    ch.spread = calloc((size_t)ch.cap * n_out, sizeof *ch.spread);
    qdf_ctx **ctxs = calloc((size_t)nthr, sizeof *ctxs);
    for (int t = 0; t < nthr; t++) ctxs[t] = qdf_ctx_new(8 << 20);

    stats st;
    memset(&st, 0, sizeof st);
    int input_failed = 0;
    const int tty = isatty(2);
    int progress_shown = 0;
    qdf_reader_opts ropts = {0};
    const double t0 = now_s();
    double last_progress = t0;
    for (int k = 0; k < n_inputs; k++) {
        qdf_reader *r = qdf_reader_open(inputs[k], in_fmt, &ropts, err, sizeof err);
        if (!r) {
            if (progress_shown) fputc('\n', stderr), progress_shown = 0;
            fprintf(stderr, "%s\n", err);
            input_failed = 1;
            continue;
        }
        for (;;) {
            const int rc = qdf_reader_next(r, &ch.mols[ch.n], err, sizeof err);
            if (rc == 0) break;
            if (rc < 0) {
                if (progress_shown) fputc('\n', stderr), progress_shown = 0;
                fprintf(stderr, "%s\n", err);
                if (rc == -1) st.bad++;
                else input_failed = 1;
                continue;
            }
            st.read++;
            if (++ch.n == ch.cap) {
                flush_chunk(&ch, &ens, ctxs, nthr, batch, &w, &st);
                if (tty && now_s() - last_progress > 0.5) {
                    last_progress = now_s();
                    fprintf(stderr, "\rqdf predict: %ld molecules, %.1f/s   ", st.read, st.read / (last_progress - t0));
                    progress_shown = 1;
                }
            }
        }
        qdf_reader_close(r);
    }
    if (ch.n > 0 || !w.header_done) flush_chunk(&ch, &ens, ctxs, nthr, batch, &w, &st);
    const double dt = now_s() - t0;
    if (progress_shown) fputc('\n', stderr);

    int rc = QDF_EXIT_OK;
    if (fflush(w.f) || ferror(w.f)) {
        fprintf(stderr, "qdf predict: %s: write error (%m)\n", out_path ? out_path : "standard output");
        rc = QDF_EXIT_OUTPUT;
    }
    if (w.f != stdout && fclose(w.f)) {
        fprintf(stderr, "qdf predict: %s: write error (%m)\n", out_path);
        rc = QDF_EXIT_OUTPUT;
    }

    /* summary */
    const long skipped = st.bad + st.unsupported + st.failed;
    fprintf(stderr, "qdf predict: %ld molecules read, %ld predicted, %ld skipped", st.read + st.bad, st.predicted,
            skipped);
    if (skipped) {
        const char *sep = " (";
        if (st.bad) fprintf(stderr, "%s%ld unreadable", sep, st.bad), sep = ", ";
        if (st.unsupported) {
            fprintf(stderr, "%s%ld unsupported element", sep, st.unsupported);
            const char *s2 = ": ";
            for (int z = 1; z <= QDF_MAX_Z + 1; z++)
                if (st.unsup_z[z]) {
                    const char *sym = z <= QDF_MAX_Z ? qdf_element_symbol(z) : NULL;
                    fprintf(stderr, "%s%s %ld", s2, sym ? sym : "other", st.unsup_z[z]);
                    s2 = ", ";
                }
            sep = "; ";
        }
        if (st.failed) fprintf(stderr, "%s%ld prediction failed", sep, st.failed);
        fputc(')', stderr);
    }
    if (st.outside) fprintf(stderr, "; %ld outside the training domain (> %d atoms)", st.outside, ens.max_atoms);
    if (n_models > 1) {
        fprintf(stderr, "; ensemble of %d models", n_models);
        if (st.n_spread) fprintf(stderr, ", mean spread %.6f eV", st.spread_sum / st.n_spread);
    }
    if (st.n_err)
        fprintf(stderr, "; MAE %.6f eV (%.4f kcal/mol) over %ld references", st.abs_err_sum / st.n_err,
                st.abs_err_sum / st.n_err * EV_TO_KCAL, st.n_err);
    fprintf(stderr, "; %.1f molecules/s (%d thread%s, %.2f s)\n", dt > 0 ? st.read / dt : 0.0, nthr,
            nthr > 1 ? "s" : "", dt);

    for (int t = 0; t < nthr; t++) qdf_ctx_free(ctxs[t]);
    free(ctxs);
    for (int i = 0; i < ch.cap; i++) qdf_molecule_free(&ch.mols[i]);
    free(ch.mols);
    free(ch.sup);
    free(ch.sup_idx);
    free(ch.bad_z);
    free(ch.pred);
    free(ch.mean);
    free(ch.spread);
    for (int k = 0; k < n_models; k++) qdf_model_free(&ens.m[k]);
    free(ens.m);
    free(inputs);
    if (rc) return rc;
    if (input_failed) return QDF_EXIT_INPUT;
    if (skipped) return QDF_EXIT_PARTIAL;
    return QDF_EXIT_OK;
}
