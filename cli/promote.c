/* cli/promote.c - relcon unblock-build, relcon promote alpha|release: the
 * plan printed (preflight checklist, public URLs, accounts), the guards
 * (exit 3), the typed confirmation, a separately confirmed --override when
 * checks did not pass, the unblock, and with --wait the jobs after it and
 * the promised URLs checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/internal.h"
#include "core/sanitize.h"
#include "release/context.h"
#include "release/promote.h"
#include "release/store.h"

static const struct option promote_opts[] = {
	{"name", required_argument, NULL, 'n'},
	{"yes", no_argument, NULL, 'y'},
	{"wait", no_argument, NULL, 'w'},
	{"override", no_argument, NULL, 'o'},
	{"json", no_argument, NULL, 'j'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct wait_plan {
	int done;
};

static void planned(void *ud, const struct promote_plan *p)
{
	(void)p;
	((struct wait_plan *)ud)->done = 1;
}

struct follow {
	int done;
	int quiet;
	int follow;
	enum promote_phase last;
	char *message;
	char *failed_url;
	json_object *urls;
};

static void progressed(void *ud, const struct promote_progress *pp)
{
	struct follow *f = ud;
	f->last = pp->phase;
	free(f->message);
	f->message = xstrdup(pp->message);
	if (!f->quiet) {
		char *clean = sanitize_str(pp->message, SANITIZE_ONE_LINE);
		fprintf(stderr, "relcon: %s\n", clean);
		free(clean);
	}
	if (pp->failed_url) {
		free(f->failed_url);
		f->failed_url = xstrdup(pp->failed_url);
	}
	if (pp->nurls && (pp->phase == PROMOTE_DONE || pp->phase == PROMOTE_FAILED)) {
		if (f->urls)
			json_object_put(f->urls);
		f->urls = json_object_new_array();
		for (size_t i = 0; i < pp->nurls; i++) {
			json_object *u = json_object_new_object();
			json_object_object_add(u, "url", json_object_new_string(pp->urls[i]));
			json_object_object_add(u, "exists",
					       pp->url_ok[i] < 0 ? NULL : json_object_new_boolean(pp->url_ok[i]));
			json_object_array_add(f->urls, u);
		}
	}
	if (pp->phase == PROMOTE_FAILED || pp->phase == PROMOTE_DONE || (!f->follow && pp->phase == PROMOTE_UNBLOCKED))
		f->done = 1;
}

static void print_text(const char *text)
{
	char *clean = sanitize_str(text, 0);
	fprintf(stderr, "%s", clean);
	free(clean);
}

/* What must be typed to confirm: the release name, else the build number. */
static int confirm(const struct promote_plan *p)
{
	char number[32];
	snprintf(number, sizeof number, "%ld", p->number);
	const char *want = p->kind == PROMOTE_RELEASE ? p->release_name : number;
	char prompt[160];
	snprintf(prompt, sizeof prompt, "%s: type %s to confirm",
		 p->kind == PROMOTE_BUILD_AMIS ? "This builds AMIs (it spends money)"
		 : p->kind == PROMOTE_ALPHA    ? "This publishes an alpha release"
					       : "This publishes a release to customers",
		 p->kind == PROMOTE_RELEASE ? "the release name" : "the build number");
	return confirm_typed(prompt, want);
}

static int run(struct context *ctx, enum promote_kind kind, const char *ref, const char *name, int yes, int follow,
	       int override, int json)
{
	const char *cmd = kind == PROMOTE_BUILD_AMIS ? "unblock-build" : "promote";
	store_fetch_identity(ctx->store); /* for the journal */
	struct bk_build *b = NULL;
	int rc = find_build(ctx, ref, &b);
	if (rc != EXIT_OK)
		return rc;
	long number = b->number;
	bk_build_free(b);
	free(b);
	struct wait_plan wp = {0};
	struct promote *pr = promote_prepare(ctx, kind, number, name, planned, &wp);
	context_wait(ctx, &wp.done);
	const struct promote_plan *p = promote_plan_of(pr);
	struct follow f = {.quiet = json, .follow = follow};
	struct buf text = {0}, why = {0};
	if (p->state != FETCH_DONE) {
		rc = cli_fail(cmd, p->error ? p->error : "the plan could not be made");
		goto out;
	}
	if (!json) {
		promote_describe(p, &text);
		print_text(buf_str(&text));
	}
	if (p->refused) {
		char *clean = sanitize_str(p->refused, 0);
		fprintf(stderr, "relcon: %s refused:\n%s\n", promote_kind_name(kind), clean);
		free(clean);
		rc = EXIT_REFUSED;
		goto out;
	}
	if (p->failing && !override) {
		fprintf(stderr,
			"relcon: %s refused: %d preflight check%s did not pass (--override goes ahead anyway, after "
			"its own confirmation, and is journaled)\n",
			promote_kind_name(kind), p->failing, p->failing == 1 ? "" : "s");
		rc = EXIT_REFUSED;
		goto out;
	}
	if (p->failing && !ctx->cfg.promote_allow_override) {
		fprintf(stderr, "relcon: %s refused: checks did not pass and promote.allow_override is 0\n",
			promote_kind_name(kind));
		rc = EXIT_REFUSED;
		goto out;
	}
	if (!yes && p->failing &&
	    confirm_typed("Preflight checks did not pass. Type override to go ahead anyway", "override") != 1) {
		fprintf(stderr, "relcon: override not confirmed%s\n", isatty(0) ? "" : " (no terminal: give --yes)");
		rc = EXIT_REFUSED;
		goto out;
	}
	if (!yes && confirm(p) != 1) {
		fprintf(stderr, "relcon: %s of build #%ld not confirmed%s\n", promote_kind_name(kind), p->number,
			isatty(0) ? "" : " (no terminal to ask on: give --yes)");
		rc = EXIT_REFUSED;
		goto out;
	}
	cli_sending();
	if (promote_send(pr, override, follow, progressed, &f, &why) < 0) {
		char *clean = sanitize_str(buf_str(&why), SANITIZE_ONE_LINE);
		fprintf(stderr, "relcon: %s refused: %s\n", promote_kind_name(kind), clean);
		free(clean);
		rc = EXIT_REFUSED;
		goto out;
	}
	context_wait(ctx, &f.done);
	rc = f.last == PROMOTE_FAILED ? EXIT_FAILED : EXIT_OK;
	if (!json && f.last == PROMOTE_DONE && p->nurls) {
		for (size_t i = 0; i < p->nurls; i++)
			printf("%s\n", p->urls[i]);
	}
out:
	if (json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "plan", promote_plan_json(p));
		static const char *const phases[] = {"sending", "unblocked", "running", "verifying", "done", "failed"};
		json_object_object_add(o, "result",
				       f.message ? json_object_new_string(phases[f.last])
						 : json_object_new_string(rc == EXIT_REFUSED ? "refused" : "failed"));
		json_object_object_add(o, "message", str_or_null(f.message));
		json_object_object_add(o, "failed_url", str_or_null(f.failed_url));
		json_object_object_add(o, "urls", f.urls ? json_object_get(f.urls) : NULL);
		print_json(o);
		json_object_put(o);
	}
	if (f.urls)
		json_object_put(f.urls);
	free(f.message);
	free(f.failed_url);
	buf_free(&text);
	buf_free(&why);
	promote_free(&pr);
	return rc;
}

static int parse(int argc, char **argv, const char *cmd, const char **name, int *yes, int *follow, int *override,
		 int *json)
{
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:ywojh", promote_opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			*name = optarg;
			break;
		case 'y':
			*yes = 1;
			break;
		case 'w':
			*follow = 1;
			break;
		case 'o':
			*override = 1;
			break;
		case 'j':
			*json = 1;
			break;
		case 'h':
			cli_usage(stdout, cmd);
			return -2;
		default:
			usage_error(cmd, "unknown option or missing value");
			return -1;
		}
	}
	return 0;
}

int cmd_unblock_build(struct context *ctx, int argc, char **argv)
{
	const char *name = NULL;
	int yes = 0, follow = 0, override = 0, json = 0;
	int r = parse(argc, argv, "unblock-build", &name, &yes, &follow, &override, &json);
	if (r < 0)
		return r == -2 ? EXIT_OK : EXIT_USAGE;
	if (optind + 1 != argc || name || override)
		return usage_error("unblock-build", "expected one COMMIT (no --name or --override)");
	return run(ctx, PROMOTE_BUILD_AMIS, argv[optind], NULL, yes, follow, 0, json);
}

int cmd_promote(struct context *ctx, int argc, char **argv)
{
	const char *name = NULL;
	int yes = 0, follow = 0, override = 0, json = 0;
	int r = parse(argc, argv, "promote", &name, &yes, &follow, &override, &json);
	if (r < 0)
		return r == -2 ? EXIT_OK : EXIT_USAGE;
	if (optind + 2 != argc)
		return usage_error("promote", "expected alpha COMMIT, or release COMMIT --name NAME");
	const char *what = argv[optind], *ref = argv[optind + 1];
	if (!strcmp(what, "alpha")) {
		if (name)
			return usage_error("promote", "an alpha release has no name (it is alpha/<COMMIT>/)");
		return run(ctx, PROMOTE_ALPHA, ref, NULL, yes, follow, override, json);
	}
	if (!strcmp(what, "release")) {
		if (!name)
			return usage_error("promote", "promote release needs --name NAME");
		return run(ctx, PROMOTE_RELEASE, ref, name, yes, follow, override, json);
	}
	return usage_error("promote", "expected alpha or release");
}
