/* test_cli_predict.c: `qdf predict` and `qdf info` (cmd_predict.c, cmd_info.c).
 * A tiny model (dim 8, one epoch on 5 molecules with made-up targets, H C N O F)
 * is trained in a fresh mkdtemp directory; every command runs in a forked child
 * (stdout, stderr and stdin redirected to files; the parent never starts
 * OpenMP, so fork is safe) and the output files are parsed:
 *  - the example library in xyz, extxyz, txt and sdf gives the same molecules
 *    in input order with the same energies (sdf: 4-decimal coordinates, 1e-4);
 *  - a library larger than one chunk (3 x 37 molecules, 2 threads, batch 3)
 *    keeps input order and the energies of the single run;
 *  - a bad molecule in the middle: the others are predicted, exit 8, one stderr
 *    line naming the file;
 *  - an element without orbitals in the model (S): row flagged
 *    unsupported_element:S, energies empty; exit 8;
 *  - --format jsonl: every line an object with all keys; --format csv with
 *    references: reference_eV and abs_error_eV columns;
 *  - '-' reads standard input; a missing model: exit 4 naming the path; a
 *    missing input next to a good one: exit 3, the good one still predicted;
 *  - qdf info prints the card, --json has the keys;
 *  - an ensemble (--model twice): energy = mean of the single-model runs,
 *    spread_eV = their sample standard deviation |a-b|/sqrt(2); the same model
 *    twice has spread 0; different targets are refused (exit 4), 17 models
 *    are a usage error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "dataset.h"
#include "evaluate.h"
#include "exitcodes.h"
#include "model_io.h"
#include "testutil.h"

static char DIR_[256], MODEL[300], MODEL2[420], MODEL3[420], EX[1024];

/* Run fn(argv) in a child with stdin from in_path (or /dev/null) and
 * stdout/stderr into DIR_/out.txt, DIR_/err.txt; returns the exit code. */
static int run(int (*fn)(int, char **), const char *in_path, ...) {
    char *argv[64];
    int argc = 0;
    va_list ap;
    va_start(ap, in_path);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL && argc < 63;) argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid == 0) {
        char p[400];
        int fd = open(in_path ? in_path : "/dev/null", O_RDONLY);
        dup2(fd, 0);
        snprintf(p, sizeof p, "%s/out.txt", DIR_);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        snprintf(p, sizeof p, "%s/err.txt", DIR_);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        const int rc = fn(argc, argv);
        fflush(stdout);
        fflush(stderr);
        _exit(rc);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static char *slurp(const char *name) {
    char p[400];
    snprintf(p, sizeof p, "%s/%s", DIR_, name);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static void write_file(const char *name, const char *text, char *path, size_t plen) {
    snprintf(path, plen, "%s/%s", DIR_, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A parsed delimited table (the output file). */
#define MAXR 200
#define MAXC 16
typedef struct {
    int nr, nc;
    char *hdr[MAXC];
    char *cell[MAXR][MAXC];
    char *buf;
} table;

static void split(char *line, char sep, char **out, int *n) {
    *n = 0;
    char *s = line;
    for (;;) {
        char *e = strchr(s, sep);
        if (*n < MAXC) out[(*n)++] = s;
        if (!e) break;
        *e = 0;
        s = e + 1;
    }
}

static void read_table(table *t, char sep) {
    memset(t, 0, sizeof *t);
    t->buf = slurp("out.txt");
    char *save = NULL;
    char *line = strtok_r(t->buf, "\n", &save);
    assert_non_null(line);
    split(line, sep, t->hdr, &t->nc);
    while ((line = strtok_r(NULL, "\n", &save)) && t->nr < MAXR) {
        int n;
        split(line, sep, t->cell[t->nr], &n);
        assert_int_equal(n, t->nc);
        t->nr++;
    }
}

static int col(const table *t, const char *name) {
    for (int c = 0; c < t->nc; c++)
        if (!strcmp(t->hdr[c], name)) return c;
    fail_msg("no column %s", name);
    return -1;
}

static int count_lines_with(const char *text, const char *needle) {
    int n = 0;
    const char *s = text;
    while (*s) {
        const char *e = strchr(s, '\n');
        const size_t len = e ? (size_t)(e - s) : strlen(s);
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), s);
        if (strstr(line, needle)) n++;
        s += len + (e ? 1 : 0);
    }
    return n;
}

static const char *TRAIN_TXT =
    "methane\nC 0 0 0\nH 0.62758 0.62758 0.62758\nH 0.62758 -0.62758 -0.62758\n"
    "H -0.62758 0.62758 -0.62758\nH -0.62758 -0.62758 0.62758\n-17.2\n\n"
    "water\nO 0 0 0\nH 0.958 0 0\nH -0.239864 0.927485 0\n-10.1\n\n"
    "ammonia\nN 0 0 0\nH 0.93753 0 -0.381028\nH -0.468765 0.811924 -0.381028\nH -0.468765 -0.811924 -0.381028\n"
    "-12.0\n\n"
    "hydrogen_fluoride\nF 0 0 0\nH 0.917 0 0\n-6.1\n\n"
    "fluoromethane\nC 0 0 0\nF 1.383 0 0\nH -0.365 -1.032376 0\nH -0.365 0.516188 0.894064\n"
    "H -0.365 0.516188 -0.894064\n-17.9\n";

static int setup(void **st) {
    (void)st;
    snprintf(DIR_, sizeof DIR_, "/tmp/qdf_cli_predict_XXXXXX");
    if (!mkdtemp(DIR_)) return -1;
    snprintf(EX, sizeof EX, "%s/../datasets/examples", tu_tests_dir());
    char train[400], out[400];
    write_file("train.txt", TRAIN_TXT, train, sizeof train);
    snprintf(out, sizeof out, "%s/model", DIR_);
    const int rc = run(qdf_cmd_train, NULL, "train", "--train", train, "--out", out, "--dim", "8", "--hidden-hk",
                       "8", "--epochs", "1", "--quiet", "--threads", "1", NULL);
    if (rc != 0) {
        fprintf(stderr, "training the test model failed (exit %d)\n", rc);
        return -1;
    }
    snprintf(MODEL, sizeof MODEL, "%s/model/model.h5", DIR_);
    /* two more, from another seed: the ensemble's members (test_ensemble) */
    const char *names[2] = {"made-up energy", "made-up gap"};
    char *paths[2] = {MODEL2, MODEL3};
    for (int k = 0; k < 2; k++) {
        snprintf(out, sizeof out, "%s/model%d", DIR_, k + 2);
        if (run(qdf_cmd_train, NULL, "train", "--train", train, "--out", out, "--dim", "8", "--hidden-hk", "8",
                "--epochs", "1", "--seed", "7", "--target-name", names[k], "--quiet", "--threads", "1", NULL)) {
            fprintf(stderr, "training test model %d failed\n", k + 2);
            return -1;
        }
        snprintf(paths[k], sizeof MODEL2, "%s/model.h5", out);
    }
    return 0;
}

static int teardown(void **st) {
    (void)st;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", DIR_);
    return system(cmd) == 0 ? 0 : -1;
}

static int predict_tsv(const char *input, table *t) {
    const int rc = run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, input, NULL);
    read_table(t, '\t');
    return rc;
}

static void test_formats_agree(void **st) {
    (void)st;
    const char *ext[4] = {"xyz", "extxyz", "txt", "sdf"};
    table t[4];
    for (int k = 0; k < 4; k++) {
        char p[1100];
        snprintf(p, sizeof p, "%s/examples.%s", EX, ext[k]);
        assert_int_equal(predict_tsv(p, &t[k]), 0);
        assert_int_equal(t[k].nr, 37);
        assert_string_equal(t[k].hdr[0], "id");
        assert_int_equal(t[k].nc, 6); /* id formula n_atoms energy_eV energy_kcal_mol flag */
    }
    /* input order: the ids as in the txt file */
    char *txt = NULL;
    {
        char p[1100];
        snprintf(p, sizeof p, "%s/examples.txt", EX);
        FILE *f = fopen(p, "r");
        assert_non_null(f);
        txt = calloc(1, 1 << 16);
        assert_true(fread(txt, 1, (1 << 16) - 1, f) > 0);
        fclose(f);
    }
    int r = 0;
    for (char *s = txt, *prev_blank = txt; *s; s++) {
        if (s == prev_blank) {
            char id[96];
            sscanf(s, "%95s", id);
            assert_true(r < 37);
            assert_string_equal(t[2].cell[r][0], id);
            r++;
            prev_blank = NULL;
        }
        if (s[0] == '\n' && s[1] == '\n') prev_blank = s + 2;
    }
    assert_int_equal(r, 37);
    free(txt);
    const int e = col(&t[0], "energy_eV"), kc = col(&t[0], "energy_kcal_mol");
    for (int i = 0; i < 37; i++) {
        const double e0 = atof(t[0].cell[i][e]);
        assert_true(isfinite(e0) && t[0].cell[i][e][0]);
        assert_true(fabs(atof(t[0].cell[i][kc]) - e0 * 23.0605) < 1e-3);
        for (int k = 1; k < 4; k++) {
            assert_string_equal(t[k].cell[i][0], t[0].cell[i][0]);
            assert_string_equal(t[k].cell[i][1], t[0].cell[i][1]);
            const double ek = atof(t[k].cell[i][e]);
            const double tol = k == 3 ? 1e-4 : 1e-9;
            if (tu_relerr(ek, e0, 1e-3) > tol)
                fail_msg("%s: %s %.6f vs xyz %.6f", ext[k], t[k].cell[i][0], ek, e0);
        }
    }
    for (int k = 0; k < 4; k++) free(t[k].buf);
}

/* The expected energies of test_orientations, printed one per line:
 * argv = {_, model, input, K}. Run in a child (run()), as the library's
 * OpenMP must not start in this process, which forks afterwards. */
static int energies_with_orientations(int argc, char **argv) {
    if (argc != 4) return 2;
    qdf_model m;
    char err[512];
    if (qdf_model_load(argv[1], &m, NULL, NULL, 0, NULL, 0, err, sizeof err)) return 4;
    m.hp.orientations = atoi(argv[3]);
    qdf_dataset d = {0};
    char *files[1] = {argv[2]};
    qdf_reader_opts ro = {0};
    if (qdf_dataset_load(&d, files, 1, &ro, NULL, err, sizeof err)) return 3;
    double *e = malloc(sizeof(double) * d.n);
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    qdf_predict_many(ctx, &m, d.mols, d.n, 8, e);
    printf("energy_eV\n");
    for (int i = 0; i < d.n; i++) printf("%.9f\n", e[i]);
    qdf_ctx_free(ctx);
    free(e);
    qdf_dataset_free(&d);
    qdf_model_free(&m);
    return 0;
}

/* --orientations K: the energies are the model's averaged over K grid
 * orientations (qdf_predict_many with hp.orientations = K, tested in
 * test_eval.c), not the one-orientation energies; 0 is refused. */
static void test_orientations(void **st) {
    (void)st;
    char p[1100];
    snprintf(p, sizeof p, "%s/examples.xyz", EX);
    table t1, t4, ref;
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, p, NULL), 0);
    read_table(&t1, '\t');
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, "--orientations", "4", p, NULL), 0);
    read_table(&t4, '\t');
    assert_int_equal(run(energies_with_orientations, NULL, "expect", MODEL, p, "4", NULL), 0);
    read_table(&ref, '\t');
    assert_int_equal(ref.nr, t4.nr);
    const int c = col(&t4, "energy_eV");
    int differ = 0;
    for (int i = 0; i < t4.nr; i++) {
        const double e = atof(ref.cell[i][0]);
        assert_float_equal(atof(t4.cell[i][c]), e, 1e-5 * (1 + fabs(e)));
        differ += fabs(atof(t4.cell[i][c]) - atof(t1.cell[i][c])) > 1e-5;
    }
    printf("%d of %d energies change with 4 orientations\n", differ, t4.nr);
    assert_true(differ > t4.nr / 2);
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, "--orientations", "0", p, NULL),
                     QDF_EXIT_USAGE);
    free(t1.buf);
    free(t4.buf);
    free(ref.buf);
}

/* The raw QM9 file of methane (formats/, with its Mulliken column and *^
 * exponents) and the same geometry written as XYZ give the same energy, and
 * the raw file's reference (U0 atomization, -17.172181 eV) is reported. */
static void test_raw_qm9_file(void **st) {
    (void)st;
    char raw[1100], xyz[600];
    snprintf(raw, sizeof raw, "%s/formats/dsgdb9nsd_000001.xyz", tu_datasets_dir());
    FILE *f = fopen(raw, "r");
    if (!f) skip();
    char line[512], body[2048] = "";
    int n = 0;
    assert_non_null(fgets(line, sizeof line, f));
    n = atoi(line);
    assert_int_equal(n, 5);
    assert_non_null(fgets(line, sizeof line, f)); /* gdb 1 ... properties */
    strcat(body, "5\nmethane from raw QM9\n");
    for (int a = 0; a < n; a++) {
        char sym[8], x[64], y[64], z[64];
        assert_non_null(fgets(line, sizeof line, f));
        assert_int_equal(sscanf(line, "%7s %63s %63s %63s", sym, x, y, z), 4);
        char row[256];
        snprintf(row, sizeof row, "%s %s %s %s\n", sym, x, y, z);
        strcat(body, row);
    }
    fclose(f);
    snprintf(xyz, sizeof xyz, "%s/methane_from_raw.xyz", DIR_);
    f = fopen(xyz, "w");
    assert_non_null(f);
    fputs(body, f);
    fclose(f);
    table a, b;
    assert_int_equal(predict_tsv(raw, &a), 0);
    assert_int_equal(predict_tsv(xyz, &b), 0);
    assert_int_equal(a.nr, 1);
    assert_string_equal(a.cell[0][col(&a, "id")], "dsgdb9nsd_000001");
    assert_string_equal(a.cell[0][col(&a, "formula")], "CH4");
    assert_true(fabs(atof(a.cell[0][col(&a, "reference_eV")]) - (-17.172181)) < 1e-5);
    const double ea = atof(a.cell[0][col(&a, "energy_eV")]), eb = atof(b.cell[0][col(&b, "energy_eV")]);
    assert_true(tu_relerr(ea, eb, 1e-3) < 1e-9);
    free(a.buf);
    free(b.buf);
}

static void test_order_across_chunks(void **st) {
    (void)st;
    char p[1100], big[400];
    snprintf(p, sizeof p, "%s/examples.xyz", EX);
    table one;
    assert_int_equal(predict_tsv(p, &one), 0);
    char *x = NULL;
    {
        FILE *f = fopen(p, "r");
        x = calloc(1, 1 << 16);
        assert_true(fread(x, 1, (1 << 16) - 1, f) > 0);
        fclose(f);
    }
    char *three = malloc(3 * strlen(x) + 1);
    sprintf(three, "%s%s%s", x, x, x);
    write_file("three.xyz", three, big, sizeof big);
    free(three);
    free(x);
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, "--threads", "2", "--batch", "3", big,
                         NULL),
                     0);
    table t;
    read_table(&t, '\t');
    assert_int_equal(t.nr, 111);
    const int e = col(&t, "energy_eV");
    for (int i = 0; i < 111; i++) {
        assert_string_equal(t.cell[i][0], one.cell[i % 37][0]);
        assert_true(tu_relerr(atof(t.cell[i][e]), atof(one.cell[i % 37][e]), 1e-3) < 1e-5);
    }
    free(t.buf);
    free(one.buf);
}

static void test_bad_molecule_in_middle(void **st) {
    (void)st;
    char p[400];
    write_file("bad_middle.xyz",
               "3\nwater\nO 0 0 0\nH 0.958 0 0\nH -0.24 0.93 0\n"
               "2\nbroken\nH 0 0 0\nH 0.74 zz 0\n"
               "2\nhf\nF 0 0 0\nH 0.917 0 0\n",
               p, sizeof p);
    table t;
    assert_int_equal(predict_tsv(p, &t), 8);
    assert_int_equal(t.nr, 2);
    assert_string_equal(t.cell[0][0], "water");
    assert_string_equal(t.cell[1][0], "hf");
    assert_true(t.cell[1][col(&t, "energy_eV")][0] != 0);
    char *err = slurp("err.txt");
    assert_int_equal(count_lines_with(err, p), 1);
    assert_int_equal(count_lines_with(err, "broken"), 1);
    assert_non_null(strstr(err, "1 unreadable"));
    free(err);
    free(t.buf);
}

static void test_unsupported_element(void **st) {
    (void)st;
    char p[400];
    write_file("sulfur.xyz",
               "3\nhydrogen_sulfide\nS 0 0 0\nH 1.336 0 0\nH -0.04 1.335 0\n"
               "3\nwater\nO 0 0 0\nH 0.958 0 0\nH -0.24 0.93 0\n",
               p, sizeof p);
    table t;
    assert_int_equal(predict_tsv(p, &t), 8);
    assert_int_equal(t.nr, 2);
    const int e = col(&t, "energy_eV"), k = col(&t, "energy_kcal_mol"), fl = col(&t, "flag");
    assert_string_equal(t.cell[0][0], "hydrogen_sulfide");
    assert_string_equal(t.cell[0][1], "H2S");
    assert_string_equal(t.cell[0][fl], "unsupported_element:S");
    assert_string_equal(t.cell[0][e], "");
    assert_string_equal(t.cell[0][k], "");
    assert_string_equal(t.cell[1][fl], "");
    assert_true(t.cell[1][e][0] != 0);
    free(t.buf);
}

static void test_jsonl_and_csv(void **st) {
    (void)st;
    char p[1100];
    snprintf(p, sizeof p, "%s/examples.sdf", EX);
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, "--format", "jsonl", p, NULL), 0);
    char *out = slurp("out.txt");
    int n = 0;
    const char *keys[] = {"\"id\": ", "\"formula\": ", "\"n_atoms\": ", "\"energy_eV\": ", "\"energy_kcal_mol\": ",
                          "\"flag\": "};
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        const size_t len = strlen(line);
        assert_true(line[0] == '{' && line[len - 1] == '}');
        for (int k = 0; k < 6; k++) assert_non_null(strstr(line, keys[k]));
        n++;
    }
    assert_int_equal(n, 37);
    free(out);

    /* references (the training file) in csv: reference and error columns, MAE in the summary */
    char train[400];
    snprintf(train, sizeof train, "%s/train.txt", DIR_);
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, "--format", "csv", train, NULL), 0);
    table t;
    read_table(&t, ',');
    assert_int_equal(t.nr, 5);
    const int e = col(&t, "energy_eV"), r = col(&t, "reference_eV"), a = col(&t, "abs_error_eV");
    assert_true(fabs(atof(t.cell[1][r]) - -10.1) < 1e-9);
    assert_true(fabs(atof(t.cell[1][a]) - fabs(atof(t.cell[1][e]) - -10.1)) < 2e-6);
    free(t.buf);
    char *err = slurp("err.txt");
    assert_non_null(strstr(err, "MAE"));
    assert_non_null(strstr(err, "kcal/mol"));
    free(err);
}

static void test_stdin(void **st) {
    (void)st;
    char p[1100];
    snprintf(p, sizeof p, "%s/examples.xyz", EX);
    table a, b;
    assert_int_equal(predict_tsv(p, &a), 0);
    assert_int_equal(run(qdf_cmd_predict, p, "predict", "--model", MODEL, "-", NULL), 0);
    read_table(&b, '\t');
    assert_int_equal(b.nr, a.nr);
    for (int i = 0; i < a.nr; i++)
        for (int c = 0; c < a.nc; c++) assert_string_equal(a.cell[i][c], b.cell[i][c]);
    free(a.buf);
    free(b.buf);
}

static void test_missing_model_and_input(void **st) {
    (void)st;
    char p[1100], nomodel[400], noinput[400];
    snprintf(p, sizeof p, "%s/examples.xyz", EX);
    snprintf(nomodel, sizeof nomodel, "%s/no_such_model.h5", DIR_);
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", nomodel, p, NULL), 4);
    char *err = slurp("err.txt");
    assert_non_null(strstr(err, nomodel));
    free(err);
    assert_int_equal(run(qdf_cmd_info, NULL, "info", "--model", nomodel, NULL), 4);

    snprintf(noinput, sizeof noinput, "%s/no_such_input.xyz", DIR_);
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, noinput, p, NULL), 3);
    table t;
    read_table(&t, '\t');
    assert_int_equal(t.nr, 37);
    free(t.buf);
    err = slurp("err.txt");
    assert_int_equal(count_lines_with(err, noinput), 1);
    free(err);
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, "--format", "xml", p, NULL), 2);
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--help", NULL), 0);
}

static void test_ensemble(void **st) {
    (void)st;
    char p[1100];
    snprintf(p, sizeof p, "%s/examples.xyz", EX);
    table a, b, ab, aa;
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, p, NULL), 0);
    read_table(&a, '\t');
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL2, p, NULL), 0);
    read_table(&b, '\t');
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, "--model", MODEL2, p, NULL), 0);
    read_table(&ab, '\t');
    char *err = slurp("err.txt");
    assert_non_null(strstr(err, "ensemble of 2 models, mean spread "));
    const double mean_spread = atof(strstr(err, "mean spread ") + strlen("mean spread "));
    assert_non_null(strstr(err, "made-up energy")); /* the note: a generic and a named target */
    free(err);
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, "--model", MODEL, p, NULL), 0);
    read_table(&aa, '\t');
    assert_int_equal(ab.nr, a.nr);
    assert_int_equal(aa.nr, a.nr);
    assert_int_equal(a.nc + 1, ab.nc);
    const int ce = col(&a, "energy_eV"), cm = col(&ab, "energy_eV"), cs = col(&ab, "spread_eV");
    assert_int_equal(cs, cm + 2); /* after energy_eV, energy_kcal_mol */
    int spread = 0;
    for (int i = 0; i < a.nr; i++) {
        const double ea = atof(a.cell[i][ce]), eb = atof(b.cell[i][ce]);
        assert_string_equal(ab.cell[i][0], a.cell[i][0]);
        assert_float_equal(atof(ab.cell[i][cm]), 0.5 * (ea + eb), 2e-6);
        assert_float_equal(atof(ab.cell[i][cs]), fabs(ea - eb) / sqrt(2.0), 2e-6);
        assert_float_equal(atof(aa.cell[i][cm]), ea, 2e-6);
        assert_float_equal(atof(aa.cell[i][cs]), 0.0, 1e-12);
        spread += fabs(ea - eb) > 1e-3;
    }
    assert_true(spread > a.nr / 2); /* the two seeds really differ */
    double sum_spread = 0;
    for (int i = 0; i < ab.nr; i++) sum_spread += atof(ab.cell[i][cs]);
    assert_float_equal(mean_spread, sum_spread / ab.nr, 2e-6); /* the summary's mean spread */
    free(a.buf);
    free(b.buf);
    free(ab.buf);
    free(aa.buf);

    /* two named, different targets: not one ensemble */
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL2, "--model", MODEL3, p, NULL),
                     QDF_EXIT_MODEL);
    err = slurp("err.txt");
    assert_int_equal(count_lines_with(err, "not one ensemble"), 1);
    assert_non_null(strstr(err, MODEL3));
    free(err);
    /* a missing member: exit 4 naming it */
    char nomodel[400];
    snprintf(nomodel, sizeof nomodel, "%s/no_such_model.h5", DIR_);
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", MODEL, "--model", nomodel, p, NULL),
                     QDF_EXIT_MODEL);
    err = slurp("err.txt");
    assert_non_null(strstr(err, nomodel));
    free(err);
    /* 17 models */
    const char *m = MODEL;
    assert_int_equal(run(qdf_cmd_predict, NULL, "predict", "--model", m, "--model", m, "--model", m, "--model", m,
                         "--model", m, "--model", m, "--model", m, "--model", m, "--model", m, "--model", m,
                         "--model", m, "--model", m, "--model", m, "--model", m, "--model", m, "--model", m,
                         "--model", m, p, NULL),
                     QDF_EXIT_USAGE);
}

static void test_info(void **st) {
    (void)st;
    assert_int_equal(run(qdf_cmd_info, NULL, "info", "--model", MODEL, NULL), 0);
    char *out = slurp("out.txt");
    assert_non_null(strstr(out, "train.txt"));
    assert_non_null(strstr(out, "H C N O F"));
    assert_non_null(strstr(out, "epoch 1 of 1"));
    assert_non_null(strstr(out, "dim 8"));
    free(out);
    assert_int_equal(run(qdf_cmd_info, NULL, "info", "--model", MODEL, "--json", NULL), 0);
    out = slurp("out.txt");
    const char *keys[] = {"\"target_name\"", "\"training_files\"", "\"elements\"", "\"min_atoms\"", "\"max_atoms\"",
                          "\"card\"", "\"hyperparameters\"", "\"orbital_types\"", "\"parameters\"",
                          "\"file_size_bytes\""};
    for (int k = 0; k < 10; k++) assert_non_null(strstr(out, keys[k]));
    assert_non_null(strstr(out, "\"dim\": 8"));
    assert_true(out[0] == '{');
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats_agree),
        cmocka_unit_test(test_orientations),       cmocka_unit_test(test_raw_qm9_file),
        cmocka_unit_test(test_order_across_chunks),
        cmocka_unit_test(test_bad_molecule_in_middle), cmocka_unit_test(test_unsupported_element),
        cmocka_unit_test(test_jsonl_and_csv),       cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_missing_model_and_input), cmocka_unit_test(test_info),
        cmocka_unit_test(test_ensemble),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
