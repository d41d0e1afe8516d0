/* commands.h: the subcommands of the qdf program; each takes its own argv
 * (argv[0] = the subcommand name) and returns an exit code (exitcodes.h). */
#ifndef QDF_COMMANDS_H
#define QDF_COMMANDS_H

int qdf_cmd_train(int argc, char **argv);
int qdf_cmd_predict(int argc, char **argv);
int qdf_cmd_eval(int argc, char **argv);
int qdf_cmd_info(int argc, char **argv);
int qdf_cmd_density(int argc, char **argv);
int qdf_cmd_refit(int argc, char **argv);

/* The shipped default model: models/default.h5 next to the installed data
 * (PREFIX/share/qdf/models) or in the source tree; NULL if none is found. */
const char *qdf_default_model_path(void);
/* The paths searched for the default model, for error messages. */
const char *qdf_default_model_searched(void);
/* given if not NULL, else the default model; NULL (after the one-line
 * message "qdf CMD: no --model given and no default model found (looked
 * for ...)" on stderr) if there is none. */
const char *qdf_model_or_default(const char *given, const char *cmd);

#endif
