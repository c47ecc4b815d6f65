/* cli/internal.h - what the files of cli/ share and nothing else includes:
 * the commands (cli.c's table runs them) and the helpers of more than one
 * group of commands (defined in cli.c). */
#ifndef RELCON_CLI_INTERNAL_H
#define RELCON_CLI_INTERNAL_H

#include <getopt.h>
#include <json-c/json.h>

#include "cli/cli.h"

/* The commands: argv[0] is the command's name.  Return an enum exit_code. */
int cmd_builds(struct context *ctx, int argc, char **argv);
int cmd_build(struct context *ctx, int argc, char **argv);
int cmd_config_keys(struct context *ctx, int argc, char **argv);
int cmd_images(struct context *ctx, int argc, char **argv);
int cmd_releases(struct context *ctx, int argc, char **argv);
int cmd_stacks(struct context *ctx, int argc, char **argv);
int cmd_stack(struct context *ctx, int argc, char **argv);
int cmd_ssh(struct context *ctx, int argc, char **argv);
int cmd_teardown(struct context *ctx, int argc, char **argv);
int cmd_launch(struct context *ctx, int argc, char **argv);
int cmd_unblock_build(struct context *ctx, int argc, char **argv);
int cmd_promote(struct context *ctx, int argc, char **argv);
int cmd_audit(struct context *ctx, int argc, char **argv);
int cmd_info(struct context *ctx, int argc, char **argv);

/* --branch, --limit, --json, --help: builds' options; simple_opts takes
 * --json and --help from it. */
extern const struct option build_opts[];

/* A JSON string, or JSON null for NULL. */
json_object *str_or_null(const char *s);

/* Pretty-print o and a newline to stdout. */
void print_json(json_object *o);

/* Sanitized, single-line, cut to width display columns, padded to width + 2
 * (the last column is not cut). */
void put_cell(const char *s, int width, int last);

/* Say what is wrong and the usage of cmd on stderr; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *msg);

/* "relcon: what: error" (error sanitized) on stderr; returns EXIT_FAILED. */
int cli_fail(const char *what, const char *error);

/* 0 when ctx has AWS, else says why on stderr and returns EXIT_USAGE. */
int need_aws(struct context *ctx, const char *cmd);

/* Options of a command that takes only --json and --help, and positional
 * (0 or 1) arguments, left at argv[optind].  0, -2 after --help (usage
 * printed), -1 on a usage error (said). */
int simple_opts(int argc, char **argv, const char *cmd, int *json, int positional);

/* A build by number or commit SHA (7 to 40 hex digits; the newest build of
 * the commit among the 100 most recent, or any with the full SHA).  *out is
 * malloc'd (bk_build_free and free).  Returns EXIT_OK, or says why on stderr
 * and returns an exit code. */
struct bk_build;
int find_build(struct context *ctx, const char *ref, struct bk_build **out);

/* Called right before a change is journaled and sent (CreateStack,
 * DeleteStack, an unblock): from then on an interruption (SIGINT, SIGTERM,
 * SIGHUP; cli.c) says the change goes on without relcon, not that nothing
 * was changed. */
void cli_sending(void);

/* Ask on the terminal "what: " and read a line: 1 when it is exactly name,
 * 0 when not, -1 when there is no terminal to ask on. */
int confirm_typed(const char *what, const char *name);

#endif
