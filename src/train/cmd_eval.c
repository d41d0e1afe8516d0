/* cmd_eval.c: `qdf eval`: errors of one or two models on molecules with
 * reference energies, and the extrapolation curve (MAE by number of atoms),
 * as text, TSV, JSON and an SVG plot (svg_plot.h). */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "json_out.h"
#include "commands.h"
#include "dataset.h"
#include "evaluate.h"
#include "exitcodes.h"
#include "cli_args.h"
#include "model_io.h"
#include "ensemble.h"
#include "svg_plot.h"

/* Defined by `qdf predict` (cmd_predict.c) once it exists. */

#define KCAL_PER_EV 23.0605
#define EVAL_BATCH 16

static void usage(FILE *f) {
    fprintf(f,
        "usage: qdf eval --model M... [--model2 M2...] FILE... [--plot curve.svg] [--tsv out.tsv] [--json]\n\n"
        "Errors of a model on molecules with reference energies (txt, XYZ, extended XYZ, SDF or\n"
        "folders of raw QM9 files; targets in eV): the number of molecules, MAE and RMSE in eV and\n"
        "kcal/mol (1 eV = 23.0605 kcal/mol), and the extrapolation curve: MAE and count by number of\n"
        "atoms, atom counts beyond the model's training range (max_atoms in the model) marked as\n"
        "extrapolation, with separate MAEs for interpolation (<= max_atoms) and extrapolation.\n"
        "Molecules without a reference, or with an element the model has no orbitals for, are\n"
        "skipped (exit code 8).\n\n"
        "  --model FILE      the model (.h5); given K times (up to 16): an ensemble, the mean of the K\n"
        "                    models' energies, whose training range is the narrowest of theirs\n"
        "  --model2 FILE     a second model (or, repeated, ensemble), evaluated on the same molecules\n"
        "                    (compared in every output)\n"
        "  --plot FILE.svg   SVG line plot of MAE (kcal/mol) against the number of atoms\n"
        "  --tsv FILE        the curve table: n_atoms, count, MAE_eV, MAE_kcal_mol, model\n"
        "  --json            print the summary as JSON instead of text\n"
        "  --target NAME     property of raw QM9 files: u0_atomization (default), u0, homo, lumo, gap\n"
        "  --batch-size N    molecules per forward pass (16)\n"
        "  --orientations K  average each energy over K grid orientations (1-64; default: the\n"
        "                    model's own setting, 1 unless trained with --orientations)\n"
        "  --threads N       OpenMP threads (default: all cores)\n\n"
        "exit codes: 0 ok, 2 usage, 3 unreadable input or no references, 4 bad model,\n"
        "            5 cannot write an output, 8 some molecules skipped\n");
}

/* Per-model results. Curve bins are indexed by atom count. */
typedef struct eval_result {
    const char *paths[QDF_MAX_ENSEMBLE]; /* the model, or an ensemble's members (--model given K times) */
    int n_paths;
    char path[1024];         /* label: the path, or the members' paths joined by " + " */
    char short_label[256];   /* file names only (plot legend) */
    qdf_model m[QDF_MAX_ENSEMBLE];
    int loaded;              /* members loaded */
    int max_atoms, min_atoms;
    int n_mol;               /* molecules with a finite prediction and a reference */
    int n_unpredictable;     /* molecules with a reference but no prediction (NaN) */
    double mae, rmse;        /* eV, over (molecule, output) pairs */
    int n_in, n_ex;          /* molecules */
    double mae_in, mae_ex;   /* eV */
    int count[QDF_MAX_ATOMS + 1];
    double sum_abs[QDF_MAX_ATOMS + 1];
    int pairs[QDF_MAX_ATOMS + 1];
} eval_result;

static void compute(eval_result *r, const qdf_dataset *d, const double *pred) {
    const int n_out = r->m[0].hp.n_out;
    double sa = 0, ss = 0, sin_ = 0, sex = 0;
    int np = 0, pin = 0, pex = 0;
    for (int i = 0; i < d->n; i++) {
        const qdf_molecule *mol = &d->mols[i];
        const int nt = mol->n_targets < n_out ? mol->n_targets : n_out;
        if (nt < 1) continue;
        int ok = 1;
        for (int j = 0; j < nt; j++)
            if (!isfinite(pred[(size_t)i * n_out + j])) ok = 0;
        if (!ok) {
            r->n_unpredictable++;
            continue;
        }
        const int na = mol->n_atoms;
        const int ex = r->max_atoms > 0 && na > r->max_atoms;
        r->n_mol++;
        r->count[na]++;
        if (ex) r->n_ex++; else r->n_in++;
        for (int j = 0; j < nt; j++) {
            const double e = pred[(size_t)i * n_out + j] - mol->target[j];
            sa += fabs(e);
            ss += e * e;
            np++;
            r->sum_abs[na] += fabs(e);
            r->pairs[na]++;
            if (ex) { sex += fabs(e); pex++; } else { sin_ += fabs(e); pin++; }
        }
    }
    r->mae = np ? sa / np : NAN;
    r->rmse = np ? sqrt(ss / np) : NAN;
    r->mae_in = pin ? sin_ / pin : NAN;
    r->mae_ex = pex ? sex / pex : NAN;
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static void json_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.10g", v);
    else fputs("null", f);
}

static void print_text(FILE *f, const eval_result *r) {
    fprintf(f, "model %s (%s, %s; trained on ", r->path, r->m[0].target_name, r->m[0].target_unit);
    if (r->max_atoms > 0) fprintf(f, "%d-%d atoms)\n", r->min_atoms, r->max_atoms);
    else fprintf(f, "an unknown range of sizes)\n");
    fprintf(f, "  molecules      %d\n", r->n_mol);
    fprintf(f, "  MAE            %.6f eV   %.4f kcal/mol\n", r->mae, r->mae * KCAL_PER_EV);
    fprintf(f, "  RMSE           %.6f eV   %.4f kcal/mol\n", r->rmse, r->rmse * KCAL_PER_EV);
    if (r->max_atoms > 0) {
        fprintf(f, "  interpolation  (<= %d atoms) %d molecules, MAE %.6f eV   %.4f kcal/mol\n", r->max_atoms,
                r->n_in, r->mae_in, r->mae_in * KCAL_PER_EV);
        fprintf(f, "  extrapolation  (> %d atoms)  %d molecules, MAE %.6f eV   %.4f kcal/mol\n", r->max_atoms,
                r->n_ex, r->mae_ex, r->mae_ex * KCAL_PER_EV);
    }
    fprintf(f, "\n  extrapolation curve\n  %7s %7s %12s %14s\n", "atoms", "count", "MAE_eV", "MAE_kcal/mol");
    for (int a = 1; a <= QDF_MAX_ATOMS; a++) {
        if (!r->count[a]) continue;
        const double mae = r->sum_abs[a] / r->pairs[a];
        fprintf(f, "  %7d %7d %12.6f %14.4f%s\n", a, r->count[a], mae, mae * KCAL_PER_EV,
                r->max_atoms > 0 && a > r->max_atoms ? "   extrapolation" : "");
    }
}

static void print_json(FILE *f, const eval_result *r, int nr, int n_loaded, int n_skipped_read,
                       int n_no_ref) {
    fprintf(f, "{\"molecules_read\": %d, \"skipped_unreadable\": %d, \"skipped_no_reference\": %d, \"models\": [",
            n_loaded, n_skipped_read, n_no_ref);
    for (int k = 0; k < nr; k++) {
        const eval_result *e = &r[k];
        fprintf(f, "%s\n  {\"model\": ", k ? "," : "");
        qdf_json_string(f, e->path);
        fputs(", \"target\": ", f);
        qdf_json_string(f, e->m[0].target_name);
        fprintf(f, ", \"ensemble_size\": %d", e->n_paths);
        fprintf(f, ", \"min_atoms\": %d, \"max_atoms\": %d, \"n\": %d, \"skipped_unpredictable\": %d",
                e->min_atoms, e->max_atoms, e->n_mol, e->n_unpredictable);
        fputs(", \"mae_eV\": ", f); json_num(f, e->mae);
        fputs(", \"rmse_eV\": ", f); json_num(f, e->rmse);
        fputs(", \"mae_kcal_mol\": ", f); json_num(f, e->mae * KCAL_PER_EV);
        fputs(", \"rmse_kcal_mol\": ", f); json_num(f, e->rmse * KCAL_PER_EV);
        fprintf(f, ",\n   \"interpolation\": {\"n\": %d, \"mae_eV\": ", e->n_in);
        json_num(f, e->mae_in);
        fputs(", \"mae_kcal_mol\": ", f); json_num(f, e->mae_in * KCAL_PER_EV);
        fprintf(f, "}, \"extrapolation\": {\"n\": %d, \"mae_eV\": ", e->n_ex);
        json_num(f, e->mae_ex);
        fputs(", \"mae_kcal_mol\": ", f); json_num(f, e->mae_ex * KCAL_PER_EV);
        fputs("},\n   \"curve\": [", f);
        int first = 1;
        for (int a = 1; a <= QDF_MAX_ATOMS; a++) {
            if (!e->count[a]) continue;
            const double mae = e->sum_abs[a] / e->pairs[a];
            fprintf(f, "%s\n    {\"n_atoms\": %d, \"count\": %d, \"mae_eV\": ", first ? "" : ",", a, e->count[a]);
            json_num(f, mae);
            fputs(", \"mae_kcal_mol\": ", f); json_num(f, mae * KCAL_PER_EV);
            fprintf(f, ", \"extrapolation\": %s}", e->max_atoms > 0 && a > e->max_atoms ? "true" : "false");
            first = 0;
        }
        fputs("]}", f);
    }
    fputs("\n]}\n", f);
}

static int write_tsv(const char *path, const eval_result *r, int nr, char *err, int errlen) {
    qdf_atomic_file af;
    if (qdf_atomic_open(&af, path, err, errlen)) return -1;
    FILE *f = af.f;
    fprintf(f, "n_atoms\tcount\tMAE_eV\tMAE_kcal_mol\tmodel\textrapolation\n");
    for (int k = 0; k < nr; k++)
        for (int a = 1; a <= QDF_MAX_ATOMS; a++) {
            if (!r[k].count[a]) continue;
            const double mae = r[k].sum_abs[a] / r[k].pairs[a];
            fprintf(f, "%d\t%d\t%.9g\t%.9g\t%s\t%d\n", a, r[k].count[a], mae, mae * KCAL_PER_EV, r[k].path,
                    r[k].max_atoms > 0 && a > r[k].max_atoms);
        }
    return qdf_atomic_commit(&af, err, errlen);
}

static int write_plot(const char *path, const eval_result *r, int nr, char *err, int errlen) {
    double xs[2][QDF_MAX_ATOMS], ys[2][QDF_MAX_ATOMS];
    char labels[2][1100];
    qdf_svg_series s[2];
    for (int k = 0; k < nr; k++) {
        int n = 0;
        for (int a = 1; a <= QDF_MAX_ATOMS; a++) {
            if (!r[k].count[a]) continue;
            xs[k][n] = a;
            ys[k][n] = r[k].sum_abs[a] / r[k].pairs[a] * KCAL_PER_EV;
            n++;
        }
        /* the file name, or the whole path if the two models' file names are the same */
        const int same = nr > 1 && !strcmp(base_name(r[0].path), base_name(r[1].path));
        snprintf(labels[k], sizeof labels[k], "%s (MAE %.3g kcal/mol)", same ? r[k].path : r[k].short_label,
                 r[k].mae * KCAL_PER_EV);
        s[k] = (qdf_svg_series){labels[k], xs[k], ys[k], n};
    }
    char mlabel[128];
    qdf_svg_plot p = {"Extrapolation curve: MAE by number of atoms", r[0].m[0].target_name, "number of atoms",
                      "MAE (kcal/mol)", s, nr, NAN, NULL, 1};
    if (r[0].max_atoms > 0) {
        p.marker_x = r[0].max_atoms + 0.5;
        snprintf(mlabel, sizeof mlabel, "extrapolation (> %d atoms%s)", r[0].max_atoms,
                 nr > 1 && r[1].max_atoms != r[0].max_atoms ? ", first model" : "");
        p.marker_label = mlabel;
    }
    return qdf_svg_write(path, &p, err, errlen);
}

int qdf_cmd_eval(int argc, char **argv) {
    const char *plot = NULL, *tsv = NULL;
    eval_result *res = calloc(2, sizeof *res);
    int json = 0, batch = EVAL_BATCH, orientations = 0;
    qdf_reader_opts ropts = {QDF_QM9_U0_ATOMIZATION};
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int n_files = 0;
    if (!files || !res) {
        free(files);
        free(res);
        return QDF_EXIT_INPUT;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const int takes = !strcmp(a, "--model") || !strcmp(a, "--model2") || !strcmp(a, "--plot") ||
                          !strcmp(a, "--tsv") || !strcmp(a, "--target") || !strcmp(a, "--batch-size") ||
                          !strcmp(a, "--threads") || !strcmp(a, "--orientations");
        if (takes && !v) {
            fprintf(stderr, "qdf eval: %s needs a value (see qdf eval --help)\n", a);
            free(files);
            free(res);
            return QDF_EXIT_USAGE;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            free(files);
            free(res);
            return QDF_EXIT_OK;
        } else if (!strcmp(a, "--model") || !strcmp(a, "--model2")) {
            eval_result *r = &res[a[7] == '2'];
            if (r->n_paths == QDF_MAX_ENSEMBLE) {
                fprintf(stderr, "qdf eval: at most %d models per %s\n", QDF_MAX_ENSEMBLE, a);
                free(files);
                free(res);
                return QDF_EXIT_USAGE;
            }
            r->paths[r->n_paths++] = v;
            i++;
        } else if (!strcmp(a, "--plot")) { plot = v; i++;
        } else if (!strcmp(a, "--tsv")) { tsv = v; i++;
        } else if (!strcmp(a, "--json")) { json = 1;
        } else if (!strcmp(a, "--batch-size")) {
            i++;
            if (qdf_parse_int("qdf eval", a, v, 1, 256, &batch)) {
                free(files);
                free(res);
                return QDF_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--orientations")) {
            i++;
            if ((orientations = qdf_parse_orientations("qdf eval", v)) < 0) {
                free(files);
                free(res);
                return QDF_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--threads")) {
            i++;
            int nthr;
            if (qdf_parse_int("qdf eval", a, v, 1, 1024, &nthr)) {
                free(files);
                free(res);
                return QDF_EXIT_USAGE;
            }
            omp_set_num_threads(nthr);
        } else if (!strcmp(a, "--target")) {
            ropts.qm9_property = qdf_qm9_property_from_name(v);
            if (ropts.qm9_property < 0) {
                fprintf(stderr, "qdf eval: unknown --target '%s'\n", v);
                free(files);
                free(res);
                return QDF_EXIT_USAGE;
            }
            i++;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "qdf eval: unknown option '%s' (see qdf eval --help)\n", a);
            free(files);
            free(res);
            return QDF_EXIT_USAGE;
        } else {
            files[n_files++] = argv[i];
        }
    }
    if (!res[0].n_paths && (res[0].paths[0] = qdf_default_model_path()) != NULL) res[0].n_paths = 1;
    if (!res[0].n_paths || !n_files) {
        fprintf(stderr, "qdf eval: %s (see qdf eval --help)\n",
                !res[0].n_paths ? "--model is required" : "no input files given");
        free(files);
        free(res);
        return QDF_EXIT_USAGE;
    }

    int rc = QDF_EXIT_OK;
    char err[1024];
    const int nr = res[1].n_paths ? 2 : 1;
    qdf_dataset d;
    memset(&d, 0, sizeof d);
    double *pred = NULL, *members = NULL;
    qdf_ctx *ctx = NULL;
    for (int k = 0; k < nr; k++) {
        eval_result *r = &res[k];
        for (int q = 0; q < r->n_paths; q++) {
            qdf_model *m = &r->m[q];
            if (qdf_model_load(r->paths[q], m, NULL, NULL, 0, NULL, 0, err, sizeof err) != 0) {
                fprintf(stderr, "qdf eval: %s\n", err);
                rc = QDF_EXIT_MODEL;
                goto done;
            }
            r->loaded++;
            const int c = q > 0 ? qdf_ensemble_check(&r->m[0], r->paths[0], m, r->paths[q], err, sizeof err) : 0;
            if (c) fprintf(stderr, "qdf eval: %s\n", err);
            if (c < 0) {
                rc = QDF_EXIT_MODEL;
                goto done;
            }
            if (orientations) m->hp.orientations = orientations;
            /* an ensemble's training range: the narrowest of its members' */
            if (m->max_atoms > 0 && (r->max_atoms <= 0 || m->max_atoms < r->max_atoms)) r->max_atoms = m->max_atoms;
            if (q == 0 || m->min_atoms > r->min_atoms) r->min_atoms = m->min_atoms;
            const size_t used = strlen(r->path), sused = strlen(r->short_label);
            snprintf(r->path + used, sizeof r->path - used, "%s%s", q ? " + " : "", r->paths[q]);
            snprintf(r->short_label + sused, sizeof r->short_label - sused, "%s%s", q ? " + " : "",
                     base_name(r->paths[q]));
        }
    }
    if (qdf_dataset_load(&d, files, n_files, &ropts, stderr, err, sizeof err) != 0) {
        fprintf(stderr, "qdf eval: %s\n", err);
        rc = QDF_EXIT_INPUT;
        goto done;
    }
    int n_no_ref = 0;
    for (int i = 0; i < d.n; i++)
        if (d.mols[i].n_targets < 1) n_no_ref++;
    if (d.n == n_no_ref) {
        fprintf(stderr, "qdf eval: no molecule with a reference energy in the input (%d read)\n", d.n);
        rc = QDF_EXIT_INPUT;
        goto done;
    }
    if (n_no_ref) fprintf(stderr, "qdf eval: %d molecules without a reference skipped\n", n_no_ref);
    ctx = qdf_ctx_new(16 << 20);
    int any_unpred = 0;
    for (int k = 0; k < nr; k++) {
        const int K = res[k].n_paths;
        const size_t np = (size_t)(d.n ? d.n : 1) * res[k].m[0].hp.n_out;
        free(pred);
        free(members);
        pred = malloc(sizeof *pred * np);
        members = K > 1 ? malloc(sizeof *members * np * K) : NULL;
        if (!pred || !ctx || (K > 1 && !members)) {
            fprintf(stderr, "qdf eval: out of memory\n");
            rc = QDF_EXIT_INPUT;
            goto done;
        }
        /* an ensemble: the mean of its members' predictions (NaN if any member has none) */
        for (int q = 0; q < K; q++) qdf_predict_many(ctx, &res[k].m[q], d.mols, d.n, batch, K > 1 ? members + q * np : pred);
        if (K > 1) qdf_ensemble_reduce(members, K, np, np, pred, NULL);
        compute(&res[k], &d, pred);
        if (res[k].n_unpredictable) {
            fprintf(stderr, "qdf eval: %s: %d molecules skipped (an element the model has no orbitals for)\n",
                    res[k].path, res[k].n_unpredictable);
            any_unpred = 1;
        }
        if (res[k].n_mol == 0) {
            fprintf(stderr, "qdf eval: %s: no molecule could be evaluated\n", res[k].path);
            rc = QDF_EXIT_INPUT;
            goto done;
        }
    }
    if (json) {
        print_json(stdout, res, nr, d.n, d.n_skipped, n_no_ref);
    } else {
        printf("%d molecules read from %d input%s", d.n, n_files, n_files == 1 ? "" : "s");
        if (d.n_skipped) printf(" (%d unreadable skipped)", d.n_skipped);
        printf("\n\n");
        for (int k = 0; k < nr; k++) {
            if (k) printf("\n");
            print_text(stdout, &res[k]);
        }
    }
    fflush(stdout);
    if (tsv && write_tsv(tsv, res, nr, err, sizeof err) != 0) {
        fprintf(stderr, "qdf eval: %s\n", err);
        rc = QDF_EXIT_OUTPUT;
        goto done;
    }
    if (plot && write_plot(plot, res, nr, err, sizeof err) != 0) {
        fprintf(stderr, "qdf eval: %s\n", err);
        rc = QDF_EXIT_OUTPUT;
        goto done;
    }
    if (d.n_skipped || n_no_ref || any_unpred) rc = QDF_EXIT_PARTIAL;
done:
    if (ctx) qdf_ctx_free(ctx);
    free(pred);
    free(members);
    for (int k = 0; k < nr; k++)
        for (int q = 0; q < res[k].loaded; q++) qdf_model_free(&res[k].m[q]);
    free(res);
    qdf_dataset_free(&d);
    free(files);
    return rc;
}
