/* main.c - argument parsing; picks the TUI or a headless command. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "release/context.h"
#include "tui/actions.h"
#include "tui/tui.h"
#include "views/views.h"

static void usage(FILE *out)
{
	fprintf(out,
		"relcon %s - release console for AMI + CloudFormation releases\n"
		"\n"
		"usage:\n"
		"  relcon [OPTIONS]                 the console (TUI)\n"
		"  relcon [OPTIONS] COMMAND [ARGS]  a headless command\n"
		"\n"
		"commands:\n",
		RELCON_VERSION);
	cli_usage(out, NULL);
	fprintf(out, "  relcon keys\n      the console's key bindings (Markdown table)\n"
		     "\n"
		     "options (anywhere on the line):\n"
		     "  --config FILE   configuration file (default $RELCON_CONFIG, else\n"
		     "                  $XDG_CONFIG_HOME/relcon/config.yaml)\n"
		     "  --profile NAME  AWS profile (default $AWS_PROFILE, else \"default\")\n"
		     "  --region R      AWS region (default $AWS_REGION, the profile's, aws.region)\n"
		     "  --read-only     refuse every operation that changes anything\n"
		     "  --debug[=FILE]  log to FILE (default $XDG_STATE_HOME/relcon/debug.log),\n"
		     "                  secrets redacted\n"
		     "  --no-color      no colours (also: NO_COLOR=1)\n"
		     "  --help, -h      this help;  relcon COMMAND --help for one command\n"
		     "  --version       print the version\n"
		     "\n"
		     "exit codes: 0 done, 1 the operation failed, 2 usage or config error,\n"
		     "            3 refused by a guard or precondition, 130 killed by SIGINT (Ctrl-C),\n"
		     "            143 killed by SIGTERM, 129 killed by SIGHUP\n");
}

struct globals {
	const char *config;
	const char *profile, *region;
	const char *debug; /* "" = default path */
	int read_only, no_color, help, version;
};

/* Take the global options out of argv wherever they are (before "--"). */
static int take_globals(int *argc, char **argv, struct globals *g)
{
	int out = 1;
	int i;
	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			break;
		} else if (!strcmp(a, "--config")) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "relcon: --config needs a file\n");
				return -1;
			}
			g->config = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			g->config = a + 9;
		} else if (!strcmp(a, "--profile") || !strcmp(a, "--region")) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "relcon: %s needs a value\n", a);
				return -1;
			}
			*(a[2] == 'p' ? &g->profile : &g->region) = argv[++i];
		} else if (!strncmp(a, "--profile=", 10)) {
			g->profile = a + 10;
		} else if (!strncmp(a, "--region=", 9)) {
			g->region = a + 9;
		} else if (!strcmp(a, "--read-only") || !strcmp(a, "--readonly")) {
			g->read_only = 1;
		} else if (!strcmp(a, "--debug")) {
			g->debug = "";
		} else if (!strncmp(a, "--debug=", 8)) {
			g->debug = a + 8;
		} else if (!strcmp(a, "--no-color") || !strcmp(a, "--no-colour")) {
			g->no_color = 1;
		} else if (!strcmp(a, "--version")) {
			g->version = 1;
		} else if ((!strcmp(a, "--help") || !strcmp(a, "-h")) && out == 1) {
			g->help = 1; /* after a command, --help belongs to the command */
		} else {
			argv[out++] = argv[i];
		}
	}
	for (; i < *argc; i++)
		argv[out++] = argv[i];
	argv[out] = NULL;
	*argc = out;
	return 0;
}

/* Why the console cannot run here, or NULL when it can: it needs TERM (not
 * "dumb") and a terminal on stdin.  stdout may be redirected (the console
 * draws on /dev/tty).  Scripted runs (RELCON_NO_DISPLAY) draw nowhere and
 * need neither. */
static const char *no_terminal(void)
{
	const char *nd = getenv("RELCON_NO_DISPLAY");
	if (nd && *nd && strcmp(nd, "0") != 0)
		return NULL;
	const char *term = getenv("TERM");
	if (!term || !*term)
		return "TERM is not set";
	if (!strcmp(term, "dumb"))
		return "TERM=dumb";
	if (!isatty(STDIN_FILENO))
		return "stdin is not a terminal";
	return NULL;
}

/* The keymap file, read before the terminal is touched: an error in it
 * ends the run as a configuration error does. */
static int load_keymap(void)
{
	struct buf err = {0};
	int rc = keymap_load(NULL, &err);
	if (rc < 0)
		fprintf(stderr, "relcon: %s\n", buf_str(&err));
	buf_free(&err);
	return rc;
}

/* End the process by sig with its default action (once everything is
 * cleaned up and the terminal restored), so that the parent sees "killed
 * by sig" -- a shell says 128 + sig, and a shell script or make stops as
 * for any interrupted program -- rather than a plain exit status. */
static int die_by(int sig)
{
	fflush(NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return 128 + sig; /* not reached: the default action of these ends the process */
}

/* Open the --debug log; *opened gets its path (malloc'd) on success. */
static int open_log(const char *path, char **opened)
{
	struct buf err = {0};
	char *p;
	if (*path) {
		p = xstrdup(path);
	} else {
		char *dir = config_state_dir();
		struct buf b = {0};
		buf_printf(&b, "%s/debug.log", dir);
		free(dir);
		p = buf_steal(&b);
	}
	int rc = log_open(p, &err);
	if (rc < 0) {
		fprintf(stderr, "relcon: --debug: %s\n", buf_str(&err));
		free(p);
	} else {
		fprintf(stderr, "relcon: logging to %s\n", p);
		*opened = p;
	}
	buf_free(&err);
	return rc;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	struct globals g = {0};
	if (take_globals(&argc, argv, &g) < 0)
		return EXIT_USAGE;
	if (g.version) {
		printf("relcon %s\n", RELCON_VERSION);
		return EXIT_OK;
	}
	if (g.help) {
		usage(stdout);
		return EXIT_OK;
	}
	const char *cmd = argc > 1 ? argv[1] : NULL;
	if (cmd && !strcmp(cmd, "keys")) {
		if (load_keymap() < 0)
			return EXIT_USAGE;
		keymap_print(stdout);
		return EXIT_OK;
	}
	if (cmd && !strcmp(cmd, "help")) {
		if (argc > 2 && cli_is_command(argv[2])) {
			cli_usage(stdout, argv[2]);
		} else if (argc > 2 && !strcmp(argv[2], "keys")) {
			printf("  relcon keys\n"
			       "      the console's key bindings (Markdown table), with the keymap file\n"
			       "      applied ($RELCON_KEYMAP, else $XDG_CONFIG_HOME/relcon/keymap)\n");
		} else if (argc > 2 && strcmp(argv[2], "help") != 0) {
			fprintf(stderr, "relcon help: no command '%s'\n\n", argv[2]);
			usage(stderr);
			return EXIT_USAGE;
		} else {
			usage(stdout);
		}
		return EXIT_OK;
	}
	if (cmd && !cli_is_command(cmd)) {
		fprintf(stderr, "relcon: unknown command or option '%s'\n\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *why = cmd ? NULL : no_terminal();
	if (why) {
		fprintf(stderr,
			"relcon: the console needs a terminal (%s).\n"
			"  The headless commands need none: relcon builds, relcon build COMMIT, relcon stacks,\n"
			"  relcon stack NAME, relcon releases, relcon promote alpha COMMIT, ... (--json for scripts;\n"
			"  relcon help lists them all)\n",
			why);
		return EXIT_USAGE;
	}
	/* Configuration errors end the run before the terminal is touched. */
	struct config cfg;
	struct buf err = {0};
	if (config_load(&cfg, g.config, &err) < 0) {
		fprintf(stderr, "relcon: %s\n", buf_str(&err));
		config_free(&cfg);
		buf_free(&err);
		return EXIT_USAGE;
	}
	if (!cmd && load_keymap() < 0) {
		config_free(&cfg);
		return EXIT_USAGE;
	}
	char *log_path = NULL;
	if (g.debug && open_log(g.debug, &log_path) < 0) {
		config_free(&cfg);
		return EXIT_USAGE;
	}
	cli_set_run_info(
		&(struct cli_run_info){.config_flag = g.config, .log_path = log_path, .read_only_flag = g.read_only});
	/* Commands that never talk to Buildkite need no token, nor does --help. */
	int need_token =
		!cmd || (strcmp(cmd, "config-keys") != 0 && strcmp(cmd, "audit") != 0 && strcmp(cmd, "info") != 0);
	for (int i = 2; need_token && cmd && i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			need_token = 0;
	/* Read-only from any of three places; every mutating operation checks it. */
	const char *ro = getenv("RELCON_READ_ONLY");
	int read_only = g.read_only || cfg.read_only || (ro && *ro && strcmp(ro, "0"));
	struct context ctx = {.read_only = read_only, .aws_profile = g.profile, .aws_region = g.region};
	if (context_init(&ctx, &cfg, need_token, &err) < 0) {
		fprintf(stderr, "relcon: %s\n", buf_str(&err));
		buf_free(&err);
		context_free(&ctx);
		log_close();
		free(log_path);
		return EXIT_USAGE;
	}
	buf_free(&err);
	log_msg(LOG_INFO, "relcon %s: %s, Buildkite %s (%s), org %s, pipeline %s", RELCON_VERSION,
		cmd ? cmd : "console", ctx.bk_settings.endpoint, ctx.bk_settings.endpoint_source,
		ctx.bk_settings.organization, ctx.bk_settings.pipeline);
	int rc = cmd ? cli_run(&ctx, argc - 1, argv + 1) : tui_run(&ctx, &views_app, g.no_color);
	context_free(&ctx);
	log_close();
	free(log_path);
	if (!cmd && rc > 128 && rc < 128 + NSIG)
		return die_by(rc - 128);
	return rc;
}
