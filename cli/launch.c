/* cli/launch.c - relcon launch COMMIT --key KEYPAIR: the plan printed, the
 * guards, the confirmation, CreateStack, and with --wait the stack followed
 * until it is up or has failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/internal.h"
#include "core/sanitize.h"
#include "core/timeutil.h"
#include "release/context.h"
#include "release/launch.h"
#include "release/watch.h"

static const struct option launch_opts[] = {
	{"key", required_argument, NULL, 'k'},
	{"name", required_argument, NULL, 'n'},
	{"param", required_argument, NULL, 'p'},
	{"ttl", required_argument, NULL, 't'},
	{"yes", no_argument, NULL, 'y'},
	{"wait", no_argument, NULL, 'w'},
	{"json", no_argument, NULL, 'j'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct wait_plan {
	int done;
};

static void plan_ready(void *ud, const struct launch_plan *p)
{
	(void)p;
	((struct wait_plan *)ud)->done = 1;
}

struct wait_create {
	int done;
	char *stack_id;
	char *error;
};

static void created(void *ud, const char *stack_id, const char *error)
{
	struct wait_create *w = ud;
	w->stack_id = stack_id ? xstrdup(stack_id) : NULL;
	w->error = error ? xstrdup(error) : NULL;
	w->done = 1;
}

/* Following the stack: new events printed oldest first as they come. */
struct follow {
	int done;
	int quiet; /* --json: nothing on stderr but the outcome */
	char **seen;
	size_t nseen;
	char *status;
	char *failure;  /* the stack's first failure, or why it could not be read */
	int unread;     /* readings in a row that failed before the stack was read */
	int unreadable; /* gave up: failure says why the stack could not be read */
	size_t last_done, last_total;
};

static int seen(struct follow *f, const char *id)
{
	for (size_t i = 0; i < f->nseen; i++)
		if (!strcmp(f->seen[i], id))
			return 1;
	f->seen = xrealloc(f->seen, (f->nseen + 1) * sizeof *f->seen);
	f->seen[f->nseen++] = xstrdup(id);
	return 0;
}

static void print_event(const struct cfn_event *e)
{
	struct buf b = {0};
	if (e->time)
		time_iso(&b, e->time);
	buf_printf(&b, "  %-24s %-30s %-22s %s", e->stack_name ? e->stack_name : "", e->logical_id ? e->logical_id : "",
		   e->status ? e->status : "", e->status_reason ? e->status_reason : "");
	char *clean = sanitize_str(buf_str(&b), SANITIZE_ONE_LINE);
	fprintf(stderr, "%s\n", clean);
	free(clean);
	buf_free(&b);
}

static void watched(void *ud, const struct stack_watch_view *v)
{
	struct follow *f = ud;
	const struct stack_detail *d = v->d;
	if (!d || d->state == FETCH_LOADING)
		return;
	if (!d->have_root) {
		/* Not read yet: the watch tries again (v->stale) unless the stack
		 * does not exist; a few failed reads in a row end the wait. */
		if (v->stale && ++f->unread < 10) {
			if (!f->quiet) {
				char *clean = sanitize_str(v->stale, SANITIZE_ONE_LINE);
				fprintf(stderr, "relcon: could not read the stack (trying again): %s\n", clean);
				free(clean);
			}
			return;
		}
		free(f->failure);
		f->failure = xstrdup(d->error ? d->error : "the stack could not be read");
		f->unreadable = 1;
		f->done = 1;
		return;
	}
	f->unread = 0;
	for (size_t i = d->nevents; i-- > 0;)
		if (!seen(f, d->events[i].event_id) && !f->quiet)
			print_event(&d->events[i]);
	if (!f->quiet && v->busy && (v->done != f->last_done || v->total != f->last_total)) {
		char *name = sanitize_str(d->root.name, SANITIZE_ONE_LINE);
		char *status = sanitize_str(d->root.status, SANITIZE_ONE_LINE);
		fprintf(stderr, "relcon: %s %s: %zu of %zu resources done\n", name, status, v->done, v->total);
		free(name);
		free(status);
	}
	f->last_done = v->done;
	f->last_total = v->total;
	if (v->stale && !f->quiet) {
		char *clean = sanitize_str(v->stale, SANITIZE_ONE_LINE);
		fprintf(stderr, "relcon: could not read the stack (trying again): %s\n", clean);
		free(clean);
	}
	if (v->busy)
		return;
	free(f->status);
	f->status = xstrdup(d->root.status);
	if (v->failure) {
		struct buf b = {0};
		buf_printf(&b, "%s %s: %s", v->failure->logical_id ? v->failure->logical_id : "?",
			   v->failure->status ? v->failure->status : "",
			   v->failure->status_reason ? v->failure->status_reason : "");
		free(f->failure);
		f->failure = buf_steal(&b);
	}
	f->done = 1;
}

static void print_lines(const char *prefix, const char *text)
{
	char *clean = sanitize_str(text, 0);
	for (char *line = clean, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		fprintf(stderr, "%s%s\n", prefix, line);
	}
	free(clean);
}

int cmd_launch(struct context *ctx, int argc, char **argv)
{
	int yes = 0, follow = 0, json = 0, c;
	const char *key = NULL, *name = NULL, *ttl = NULL;
	const char **params = xcalloc((size_t)argc + 1, sizeof *params);
	size_t nparams = 0;
	optind = 1;
	opterr = 0;
	int rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, "k:n:p:t:ywjh", launch_opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'p':
			params[nparams++] = optarg;
			break;
		case 't':
			ttl = optarg;
			break;
		case 'y':
			yes = 1;
			break;
		case 'w':
			follow = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_usage(stdout, "launch");
			free(params);
			return EXIT_OK;
		default:
			free(params);
			return usage_error("launch", "unknown option or missing value");
		}
	}
	long ttl_seconds = 0;
	if (optind + 1 != argc) {
		rc = usage_error("launch", "expected one COMMIT (or build number)");
	} else if (!key || !*key) {
		rc = usage_error("launch", "--key KEYPAIR is required (the EC2 key pair to SSH with)");
	} else if (ttl && (ttl_seconds = launch_parse_ttl(ttl)) < 0) {
		rc = usage_error("launch", "--ttl: expected a duration between 10m and 30d such as 8h, 90m, 2d");
	}
	if (rc || (rc = need_aws(ctx, "launch"))) {
		free(params);
		return rc;
	}
	struct bk_build *b = NULL;
	if ((rc = find_build(ctx, argv[optind], &b)) != EXIT_OK) {
		free(params);
		return rc;
	}
	struct launch_request req = {
		.commit = b->commit,
		.key_name = key,
		.stack_name = name,
		.params = params,
		.nparams = nparams,
		.ttl_seconds = ttl_seconds,
	};
	struct wait_plan wp = {0};
	struct launch *l = launch_prepare(ctx->aws, ctx->http, &ctx->cfg, &req, plan_ready, &wp);
	context_wait(ctx, &wp.done);
	const struct launch_plan *p = launch_plan(l);
	struct buf text = {0}, why = {0};
	struct follow f = {.quiet = json};
	if (p->state != FETCH_DONE) {
		print_lines("relcon: launch: ", p->error ? p->error : "the plan could not be made");
		rc = EXIT_FAILED;
		goto out;
	}
	launch_describe(p, &text);
	if (!json)
		print_lines("", buf_str(&text));
	if (launch_check(p, ctx->read_only, &why) < 0) {
		print_lines("relcon: launch refused: ", buf_str(&why));
		rc = EXIT_REFUSED;
		goto out;
	}
	if (!yes && confirm_typed("Type the stack name to launch it", p->stack_name) != 1) {
		fprintf(stderr, "relcon: launch of %s not confirmed%s\n", p->stack_name,
			isatty(0) ? "" : " (no terminal to ask on: give --yes)");
		rc = EXIT_REFUSED;
		goto out;
	}
	struct wait_create wc = {0};
	buf_reset(&why);
	cli_sending();
	if (launch_create(l, ctx, created, &wc, &why) < 0) {
		rc = cli_fail("launch", buf_str(&why));
		goto out;
	}
	context_wait(ctx, &wc.done);
	if (!wc.stack_id) {
		rc = cli_fail("launch: CreateStack", wc.error ? wc.error : "failed");
		free(wc.error);
		goto out;
	}
	char *stack_id = sanitize_str(wc.stack_id, SANITIZE_ONE_LINE); /* as AWS sent it: shown inert */
	if (!json)
		fprintf(stderr, "relcon: CreateStack: %s\n", stack_id);
	if (follow) {
		struct stack_watch *w = stack_watch_start(ctx->aws, wc.stack_id, 2000, 10000, watched, &f);
		context_wait(ctx, &f.done);
		stack_watch_free(&w);
		int ok = f.status && !strcmp(f.status, "CREATE_COMPLETE");
		if (!json) {
			char *status = sanitize_str(f.status ? f.status : "unknown", SANITIZE_ONE_LINE);
			fprintf(stderr, "relcon: %s: %s\n", p->stack_name, status);
			free(status);
			if (!ok && f.failure)
				print_lines(f.unreadable ? "relcon: could not read the stack: "
							 : "relcon: first failure: ",
					    f.failure);
			if (ok)
				fprintf(stderr, "relcon: next: relcon stack %s; relcon ssh %s; relcon teardown %s\n",
					p->stack_name, p->stack_name, p->stack_name);
		}
		if (!ok)
			rc = EXIT_FAILED;
	}
	if (json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "stack_id", str_or_null(wc.stack_id));
		json_object_object_add(o, "plan", launch_plan_json(p));
		if (follow) {
			json_object_object_add(o, "status", str_or_null(f.status));
			json_object_object_add(o, "first_failure", str_or_null(f.failure));
		}
		print_json(o);
		json_object_put(o);
	} else {
		printf("%s\n", stack_id);
	}
	free(wc.stack_id);
	free(stack_id);
out:
	for (size_t i = 0; i < f.nseen; i++)
		free(f.seen[i]);
	free(f.seen);
	free(f.status);
	free(f.failure);
	buf_free(&text);
	buf_free(&why);
	launch_free(&l);
	bk_build_free(b);
	free(b);
	free(params);
	return rc;
}
