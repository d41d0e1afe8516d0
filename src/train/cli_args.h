/* cli_args.h: argument helpers shared by the qdf commands. */
#ifndef QDF_CLI_ARGS_H
#define QDF_CLI_ARGS_H

/* The values after a multi-value option (argv[*i] is the option): every
 * following argument up to the next one starting with "--". On return *out
 * points into argv, *n is the count and *i the last value's index. 0 if at
 * least one value was given, -1 otherwise. */
int qdf_take_list(int argc, char **argv, int *i, char ***out, int *n);

/* The value of --orientations (1 .. QDF_MAX_ORIENTATIONS); otherwise -1 after
 * a one-line error on stderr naming the command (e.g. "qdf eval"). */
int qdf_parse_orientations(const char *cmd, const char *v);

/* Strict numbers for option values: the whole of v must be one finite number
 * (strtod syntax: "0.05", "1e-4") or one integer in [lo, hi] (base 10). 0 on
 * success; otherwise *out is untouched and -1 after a one-line error on stderr
 * naming the command and flag ("qdf train: --dropout takes a number, not
 * 'abc'"). atof/atoi read "abc" as 0 and "1e-4x" as 1e-4 without a word. */
int qdf_parse_double(const char *cmd, const char *flag, const char *v, double *out);
int qdf_parse_int(const char *cmd, const char *flag, const char *v, long lo, long hi, int *out);
int qdf_parse_u64(const char *cmd, const char *flag, const char *v, unsigned long long *out);

#endif
