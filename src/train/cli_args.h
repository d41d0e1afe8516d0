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

#endif
