/* cli/cli.c - the table of headless commands (cli_is_command, cli_usage,
 * cli_run) and the helpers the groups of commands share: builds.c has the
 * Buildkite, images and releases commands, stacks.c the stack ones. */
#include "cli/cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/internal.h"
#include "core/sanitize.h"
#include "core/textwidth.h"
#include "release/context.h"

struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(struct context *ctx, int argc, char **argv);
};

static const struct command commands[] = {
	{"builds", "[--branch B] [--limit N] [--artifacts] [--json]",
	 "recent builds of the pipeline with their block steps; --artifacts: and each one's AMIs, templates, "
	 "public release and stacks",
	 cmd_builds},
	{"build", "COMMIT|NUMBER [--json]",
	 "one build: jobs, block steps (who unblocked them, when), AMIs, template URLs", cmd_build},
	{"images", "COMMIT [--json]", "a commit's AMIs per region, launch permissions against the expected accounts",
	 cmd_images},
	{"releases", "[--json]", "alpha and named releases in the public bucket, with their template URLs",
	 cmd_releases},
	{"stacks", "[--json]", "CloudFormation stacks in the region: relcon's first, with owner, commit, expiry",
	 cmd_stacks},
	{"stack", "NAME [--json]", "one stack: status, parameters, outputs (nested too), resources, events, hosts",
	 cmd_stack},
	{"launch", "COMMIT --key KEYPAIR [--name STACK] [--param K=V]... [--ttl 8h] [--yes] [--wait] [--json]",
	 "launch a super-stack from a commit's internal template (the plan is shown; asks for the name without --yes)",
	 cmd_launch},
	{"teardown", "STACK|--expired [--yes] [--wait] [--retain LOGICAL_ID,...]",
	 "delete a stack relcon launched, or every expired one (asks first without --yes; --retain after "
	 "DELETE_FAILED)",
	 cmd_teardown},
	{"ssh", "STACK [--host bastion|LOGICAL_ID] [-- COMMAND...]",
	 "SSH into a stack's host through its bastion (the route is printed first)", cmd_ssh},
	{"unblock-build", "COMMIT [--yes] [--wait] [--json]",
	 "unblock \"Build AMIs and CloudFormation templates\" (it spends money); --wait follows the AMI build and "
	 "smoke test",
	 cmd_unblock_build},
	{"promote", "alpha COMMIT | release COMMIT --name NAME [--override] [--yes] [--wait] [--json]",
	 "publish an alpha or a named release: preflight checklist, plan of public URLs, guards; --wait follows the "
	 "deploy and checks each URL",
	 cmd_promote},
	{"audit", "[--json]",
	 "the audit journal: every mutating action, newest first, with its outcome (or \"no outcome\")", cmd_audit},
	{"info", "[--json]",
	 "every path in use and where each setting came from: config, themes, state, log, Buildkite, AWS credential "
	 "source (never a secret)",
	 cmd_info},
	{"config-keys", "", "every configuration key with its default", cmd_config_keys},
};

int cli_is_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, name))
			return 1;
	return 0;
}

void cli_usage(FILE *out, const char *command)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (command && strcmp(command, commands[i].name))
			continue;
		fprintf(out, "  relcon %s %s\n      %s\n", commands[i].name, commands[i].args, commands[i].help);
	}
}

/* ---- interruption ---------------------------------------------------------- */

/* The commands that change something.  SIGINT, SIGTERM and SIGHUP end them
 * as they end any program -- killed by the signal, so a shell says 130, 143
 * or 129 -- after one line on stderr saying whether a change had been sent
 * (cli_sending).  The journal needs nothing more: each line is whole (one
 * write, fsync'd), and an intent whose answer never came reads "no
 * outcome". */
static const char *const changing[] = {"launch", "teardown", "unblock-build", "promote"};
static volatile sig_atomic_t sent;

static void say(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));
	(void)r;
}

/* Only async-signal-safe calls: write(2), then the default action. */
static void on_interrupt(int sig)
{
	say("\nrelcon: interrupted (");
	say(sig == SIGINT ? "SIGINT)" : sig == SIGTERM ? "SIGTERM)" : "SIGHUP)");
	say(sent ? ": what was sent goes on without relcon; relcon audit shows it (\"no outcome\" when its answer "
		   "had not come)\n"
		 : " before anything was changed\n");
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_interrupts(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction sa, old;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_interrupt;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESETHAND;
		/* A signal ignored by the parent (nohup, a background job's
		 * SIGINT) stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

void cli_sending(void)
{
	sent = 1;
}

int cli_run(struct context *ctx, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof changing / sizeof changing[0]; i++)
		if (!strcmp(changing[i], argv[0]))
			catch_interrupts();
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, argv[0]))
			return commands[i].run(ctx, argc, argv);
	fprintf(stderr, "relcon: unknown command '%s'\n", argv[0]);
	return EXIT_USAGE;
}

/* ---- JSON ---------------------------------------------------------------- */

json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

void print_json(json_object *o)
{
	/* The exact original strings: no slash escaping, UTF-8 as is, but what
	 * could act on a terminal (C1, bidi, invisible characters) as \u
	 * escapes and invalid UTF-8 as \ufffd (sanitize_json). */
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *safe = sanitize_json(s);
	fputs(safe, stdout);
	fputc('\n', stdout);
	free(safe);
}

/* ---- text ------------------------------------------------------------------ */

/* Sanitized, single-line, cut to width display columns, padded to width + 2
 * (the last column is not cut). */
void put_cell(const char *s, int width, int last)
{
	char *clean = sanitize_str(s ? s : "", SANITIZE_FIRST_LINE);
	int used;
	size_t n = last ? strlen(clean) : text_fit(clean, width, &used);
	fwrite(clean, 1, n, stdout);
	if (!last)
		for (; used < width + 2; used++)
			fputc(' ', stdout);
	free(clean);
}

/* ---- options and errors ------------------------------------------------------ */

const struct option build_opts[] = {
	{"branch", required_argument, NULL, 'b'}, {"limit", required_argument, NULL, 'n'},
	{"artifacts", no_argument, NULL, 'a'},    {"json", no_argument, NULL, 'j'},
	{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
};

int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "relcon %s: %s\nusage:\n", cmd, msg);
	cli_usage(stderr, cmd);
	return EXIT_USAGE;
}

int cli_fail(const char *what, const char *error)
{
	char *clean = sanitize_str(error, SANITIZE_ONE_LINE);
	fprintf(stderr, "relcon: %s: %s\n", what, clean);
	free(clean);
	return EXIT_FAILED;
}

int need_aws(struct context *ctx, const char *cmd)
{
	if (ctx->aws)
		return 0;
	fprintf(stderr, "relcon %s: AWS is not available: %s\n", cmd, ctx->aws_error ? ctx->aws_error : "?");
	return EXIT_USAGE;
}

int simple_opts(int argc, char **argv, const char *cmd, int *json, int positional)
{
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", build_opts, NULL)) != -1) {
		if (c == 'j')
			*json = 1;
		else if (c == 'h') {
			cli_usage(stdout, cmd);
			return -2;
		} else {
			usage_error(cmd, "unknown option");
			return -1;
		}
	}
	if (argc - optind != positional) {
		usage_error(cmd, positional ? "expected one COMMIT" : "unexpected argument");
		return -1;
	}
	return 0;
}
