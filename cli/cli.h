/* cli/cli.h - headless subcommands: the same operations as the TUI, with
 * text or --json output and the exit codes of DESIGN.md. */
#ifndef RELCON_CLI_CLI_H
#define RELCON_CLI_CLI_H

#include <stdio.h>

#include "buildkite/model.h"
#include "core/config.h"

struct context;

enum exit_code { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_REFUSED = 3 };

/* Nonzero when name is a headless subcommand. */
int cli_is_command(const char *name);

/* Run subcommand argv[0] with its arguments.  ctx is set up by the caller
 * (config loaded, Buildkite resolved).  Returns an enum exit_code. */
int cli_run(struct context *ctx, int argc, char **argv);

/* Print the usage of all commands, or of one (NULL = all). */
void cli_usage(FILE *out, const char *command);

/* What main.c knows of the run and the context does not, for `relcon
 * info`: the --config value (NULL when not given), the --debug log file
 * (NULL when not logging) and whether --read-only was given.  The strings
 * are borrowed and must outlive cli_run. */
struct cli_run_info {
	const char *config_flag;
	const char *log_path;
	int read_only_flag;
};
void cli_set_run_info(const struct cli_run_info *ri);

/* JSON for builds (json-c objects, caller puts them).  Exposed for tests. */
struct json_object;
struct json_object *cli_build_json(const struct bk_build *b, const struct config *cfg, int with_jobs);

#endif
