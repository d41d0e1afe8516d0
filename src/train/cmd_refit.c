/* cmd_refit.c: `qdf refit`: refit a trained model's energy readout (and its
 * per-element reference energies) by ridge regression on a training set, in
 * seconds, keeping every learned orbital and functional layer (readout.h).
 * Uses: polish a model whose readout still carries the noise of the last
 * gradient steps; adapt a model to a new level of theory with the same
 * geometries. The new file is written atomically; the input is not touched. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "commands.h"
#include "dataset.h"
#include "evaluate.h"
#include "exitcodes.h"
#include "json_out.h"
#include "model_io.h"
#include "readout.h"

static void usage(FILE *f) {
    fprintf(f,
        "usage: qdf refit --model M --train FILE... --out NEW.h5 [--val FILE...] [--json]\n\n"
        "Refits the model's energy readout (the last linear layer) and its per-element reference\n"
        "energies (eV/atom) by ridge regression on the pooled features of the training molecules;\n"
        "the ridge strength is chosen by 5-fold cross-validation on those molecules alone. All\n"
        "other weights are kept. Prints the training MAE before and after (eV), the CV MAE, and\n"
        "the validation MAE before and after when --val is given (reported only, never used\n"
        "for a choice).\n\n"
        "options:\n"
        "  --model M         model file (default: the shipped default model)\n"
        "  --train FILE...   molecules with reference energies in eV (the model's training files\n"
        "                    for a polish; any inputs qdf predict reads)\n"
        "  --out NEW.h5      the refitted model (written atomically; may not be M itself)\n"
        "  --val FILE...     report the MAE on these before and after\n"
        "  --batch N         molecules per forward pass (8)\n"
        "  --orientations K  the new model averages each energy over K grid orientations (1-64),\n"
        "                    and the readout is fitted to the averaged features (default: the\n"
        "                    model's own setting)\n"
        "  --json            one JSON object on stdout with the figures\n"
        "  --help            this text\n"
        "exit codes: 0 ok, 2 usage, 3 bad input, 4 no model / bad model, 5 cannot write output\n");
}

int qdf_cmd_refit(int argc, char **argv) {
    const char *model = NULL, *out = NULL;
    char **train = NULL, **val = NULL;
    int n_train = 0, n_val = 0, batch = 8, json = 0, orientations = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return QDF_EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--train") || !strcmp(a, "--val")) {
            const int is_train = !strcmp(a, "--train");
            if (qdf_take_list(argc, argv, &i, is_train ? &train : &val, is_train ? &n_train : &n_val)) {
                fprintf(stderr, "qdf refit: %s needs at least one file (see qdf refit --help)\n", a);
                return QDF_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--model") || !strcmp(a, "--out") || !strcmp(a, "--batch") ||
                   !strcmp(a, "--orientations")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "qdf refit: %s needs a value (see qdf refit --help)\n", a);
                return QDF_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--model")) model = v;
            else if (!strcmp(a, "--out")) out = v;
            else if (!strcmp(a, "--batch")) {
                if (qdf_parse_int("qdf refit", a, v, 1, 256, &batch)) return QDF_EXIT_USAGE;
            }
            else if ((orientations = qdf_parse_orientations("qdf refit", v)) < 0)
                return QDF_EXIT_USAGE;
        } else {
            fprintf(stderr, "qdf refit: unknown argument '%s' (see qdf refit --help)\n", a);
            return QDF_EXIT_USAGE;
        }
    }
    if (!n_train || !out) {
        fprintf(stderr, "qdf refit: --train and --out are required (see qdf refit --help)\n");
        return QDF_EXIT_USAGE;
    }
    model = qdf_model_or_default(model, "refit");
    if (!model) return QDF_EXIT_MODEL;
    if (!strcmp(model, out)) {
        fprintf(stderr, "qdf refit: --out must differ from --model (%s)\n", model);
        return QDF_EXIT_USAGE;
    }
    static char files[8192], card[QDF_CARD_MAX];
    char err[4096];
    qdf_model *m = calloc(1, sizeof *m);
    if (qdf_model_load(model, m, NULL, files, sizeof files, card, sizeof card, err, sizeof err)) {
        fprintf(stderr, "qdf refit: %s\n", err);
        free(m);
        return QDF_EXIT_MODEL;
    }
    if (orientations) m->hp.orientations = orientations;
    qdf_dataset tr = {0}, va = {0};
    qdf_reader_opts ro = {0};
    int rc = QDF_EXIT_OK;
    qdf_ctx *ctx = qdf_ctx_new(64 << 20);
    if (qdf_dataset_load(&tr, train, n_train, &ro, stderr, err, sizeof err) ||
        qdf_dataset_load(&va, val, n_val, &ro, stderr, err, sizeof err)) {
        fprintf(stderr, "qdf refit: %s\n", err);
        rc = QDF_EXIT_INPUT;
        goto done;
    }
    for (int i = 0; i < tr.n; i++)
        if (tr.mols[i].n_targets < m->hp.n_out) {
            fprintf(stderr, "qdf refit: molecule %s has %d reference values, the model has %d outputs\n", tr.mols[i].id,
                    tr.mols[i].n_targets, m->hp.n_out);
            rc = QDF_EXIT_INPUT;
            goto done;
        }
    const double va0 = qdf_dataset_mae(ctx, m, &va, batch, NULL);
    qdf_readout_fit fit;
    if (qdf_readout_refit(ctx, m, &tr, batch, &fit, err, sizeof err)) {
        fprintf(stderr, "qdf refit: %s\n", err);
        rc = QDF_EXIT_INPUT;
        goto done;
    }
    const double va1 = qdf_dataset_mae(ctx, m, &va, batch, NULL), tr0 = fit.train_mae_before_ev;
    char newcard[QDF_CARD_MAX];
    snprintf(newcard, sizeof newcard, "%.*s; readout refitted by ridge %g on %d molecules (training MAE %.5f -> %.5f eV)",
             (int)(sizeof newcard) - 200, card, fit.lambda, fit.n_used, tr0, fit.train_mae_ev);
    if (qdf_model_save(out, m, NULL, files, newcard, err, sizeof err)) {
        fprintf(stderr, "qdf refit: %s\n", err);
        rc = QDF_EXIT_OUTPUT;
        goto done;
    }
    if (json) {
        printf("{\"model\": ");
        qdf_json_string(stdout, model);
        printf(", \"out\": ");
        qdf_json_string(stdout, out);
        printf(", \"molecules\": %d, \"ridge\": %g, \"train_mae_before_eV\": %.6f, "
               "\"train_mae_after_eV\": %.6f, \"cv_mae_eV\": %.6f, \"val_mae_before_eV\": %.6f, "
               "\"val_mae_after_eV\": %.6f}\n",
               fit.n_used, fit.lambda, tr0, fit.train_mae_ev, fit.cv_mae_ev, va0, va1);
    } else {
        printf("qdf refit: %d molecules, ridge %g: training MAE %.4f -> %.4f eV (5-fold CV %.4f eV); wrote %s\n",
               fit.n_used, fit.lambda, tr0, fit.train_mae_ev, fit.cv_mae_ev, out);
    }
    if (!json && va.n)
        printf("qdf refit: validation MAE %.4f -> %.4f eV (%.2f -> %.2f kcal/mol) on %d molecules\n", va0, va1,
               va0 * 23.0605, va1 * 23.0605, va.n);
done:
    qdf_ctx_free(ctx);
    qdf_dataset_free(&tr);
    qdf_dataset_free(&va);
    qdf_model_free(m);
    free(m);
    return rc;
}
