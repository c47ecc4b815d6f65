/* cli/stacks.c - the headless commands of CloudFormation stacks: stacks,
 * stack, ssh (through the bastion) and teardown. */
#include "cli/internal.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sanitize.h"
#include "core/timeutil.h"
#include "release/context.h"
#include "release/ssh.h"
#include "release/stack_detail.h"
#include "release/stacks.h"
#include "release/store.h"
#include "release/teardown.h"

struct wait_stacks {
	int done;
};

static void stacks_changed(void *ud, const struct stack_list *l)
{
	struct wait_stacks *w = ud;
	if (l->state != FETCH_LOADING)
		w->done = 1;
}

static json_object *time_json(time_t t)
{
	if (!t)
		return NULL;
	struct buf b = {0};
	time_iso(&b, t);
	json_object *o = json_object_new_string(buf_str(&b));
	buf_free(&b);
	return o;
}

int cmd_stacks(struct context *ctx, int argc, char **argv)
{
	int json = 0;
	int rc = simple_opts(argc, argv, "stacks", &json, 0);
	if (rc == -2)
		return EXIT_OK;
	if (rc < 0)
		return EXIT_USAGE;
	if ((rc = need_aws(ctx, "stacks")))
		return rc;
	struct wait_stacks w = {0};
	struct stacks_fetch *f = stacks_fetch_start(ctx->aws, stacks_changed, &w);
	context_wait(ctx, &w.done);
	const struct stack_list *l = stacks_fetch_result(f);
	if (l->state == FETCH_FAILED) {
		rc = cli_fail("listing stacks", l->error);
		stacks_fetch_free(&f);
		return rc;
	}
	time_t now = time_now();
	if (json) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < l->n; i++) {
			const struct stack_row *r = &l->v[i];
			json_object *o = json_object_new_object();
			json_object_object_add(o, "name", json_object_new_string(r->name));
			json_object_object_add(o, "id", json_object_new_string(r->id));
			json_object_object_add(o, "status", json_object_new_string(r->status));
			json_object_object_add(o, "status_reason", str_or_null(r->status_reason));
			json_object_object_add(o, "created_at", time_json(r->created));
			json_object_object_add(o, "relcon", json_object_new_boolean(r->ours));
			json_object_object_add(o, "owner", str_or_null(r->owner));
			json_object_object_add(o, "commit", str_or_null(r->commit));
			json_object_object_add(o, "expires_at", time_json(r->expires));
			json_object_object_add(o, "expired", json_object_new_boolean(r->expires && r->expires <= now));
			json_object_object_add(o, "termination_protection",
					       json_object_new_boolean(r->termination_protection));
			json_object_array_add(arr, o);
		}
		print_json(arr);
		json_object_put(arr);
	} else {
		printf("%-34s%-24s%-6s%-10s%-10s%s\n", "NAME", "STATUS", "AGE", "EXPIRES", "COMMIT", "OWNER");
		for (size_t i = 0; i < l->n; i++) {
			const struct stack_row *r = &l->v[i];
			struct buf age = {0}, exp = {0};
			time_age(&age, r->created, now);
			if (!r->expires)
				buf_adds(&exp, "-");
			else if (r->expires <= now)
				buf_adds(&exp, "EXPIRED");
			else
				time_age(&exp, now - (r->expires - now), now); /* time left, same notation */
			put_cell(r->name, 32, 0);
			put_cell(r->status, 22, 0);
			put_cell(buf_str(&age), 4, 0);
			put_cell(buf_str(&exp), 8, 0);
			char commit[16];
			snprintf(commit, sizeof commit, "%.8s", r->commit ? r->commit : "-");
			put_cell(commit, 8, 0);
			put_cell(r->owner ? r->owner : (r->ours ? "?" : "(not relcon's)"), 0, 1);
			fputc('\n', stdout);
			buf_free(&age);
			buf_free(&exp);
		}
	}
	stacks_fetch_free(&f);
	return EXIT_OK;
}

struct wait_detail {
	int done;
};

static void detail_changed(void *ud, const struct stack_detail *d)
{
	struct wait_detail *w = ud;
	if (d->state != FETCH_LOADING)
		w->done = 1;
}

static json_object *stack_detail_json(const struct stack_detail *d)
{
	const struct cfn_stack *s = &d->root;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", str_or_null(s->name));
	json_object_object_add(o, "id", str_or_null(s->id));
	json_object_object_add(o, "status", str_or_null(s->status));
	json_object_object_add(o, "status_reason", str_or_null(s->status_reason));
	json_object_object_add(o, "created_at", str_or_null(s->creation_time));
	json_object_object_add(o, "termination_protection", json_object_new_boolean(s->termination_protection));
	json_object *params = json_object_new_object();
	for (size_t i = 0; i < s->nparams; i++)
		json_object_object_add(params, s->params[i].key, str_or_null(s->params[i].value));
	json_object_object_add(o, "parameters", params);
	json_object *tags = json_object_new_object();
	for (size_t i = 0; i < s->ntags; i++)
		json_object_object_add(tags, s->tags[i].key, str_or_null(s->tags[i].value));
	json_object_object_add(o, "tags", tags);
	json_object *outs = json_object_new_array();
	for (size_t i = 0; i < d->noutputs; i++) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "stack", json_object_new_string(d->outputs[i].stack));
		json_object_object_add(x, "key", str_or_null(d->outputs[i].key));
		json_object_object_add(x, "value", str_or_null(d->outputs[i].value));
		json_object_object_add(x, "description", str_or_null(d->outputs[i].description));
		json_object_array_add(outs, x);
	}
	json_object_object_add(o, "outputs", outs);
	json_object *res = json_object_new_array();
	for (size_t i = 0; i < d->nresources; i++) {
		const struct cfn_resource *r = &d->resources[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "logical_id", str_or_null(r->logical_id));
		json_object_object_add(x, "physical_id", str_or_null(r->physical_id));
		json_object_object_add(x, "type", str_or_null(r->type));
		json_object_object_add(x, "status", str_or_null(r->status));
		json_object_object_add(x, "status_reason", str_or_null(r->status_reason));
		json_object_array_add(res, x);
	}
	json_object_object_add(o, "resources", res);
	json_object *evs = json_object_new_array();
	for (size_t i = 0; i < d->nevents; i++) {
		const struct cfn_event *e = &d->events[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "time", str_or_null(e->timestamp));
		json_object_object_add(x, "stack", str_or_null(e->stack_name));
		json_object_object_add(x, "logical_id", str_or_null(e->logical_id));
		json_object_object_add(x, "type", str_or_null(e->resource_type));
		json_object_object_add(x, "status", str_or_null(e->status));
		json_object_object_add(x, "reason", str_or_null(e->status_reason));
		json_object_array_add(evs, x);
	}
	json_object_object_add(o, "events", evs);
	json_object *hosts = json_object_new_array();
	for (size_t i = 0; i < d->nhosts; i++) {
		const struct detail_host *h = &d->hosts[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "logical_id", str_or_null(h->logical_id));
		json_object_object_add(x, "instance_id", str_or_null(h->instance_id));
		json_object_object_add(x, "public_ip", str_or_null(h->public_ip));
		json_object_object_add(x, "private_ip", str_or_null(h->private_ip));
		json_object_object_add(x, "state", str_or_null(h->state));
		json_object_array_add(hosts, x);
	}
	json_object_object_add(o, "hosts", hosts);
	json_object_object_add(o, "error", str_or_null(d->error));
	return o;
}

/* Sanitized copies of one line's fields (every field of a stack is remote
 * text: parameter values, outputs and event reasons are whatever the
 * template or its author put there), freed together. */
struct clean_line {
	char *v[8];
	size_t n;
};

static const char *cl(struct clean_line *c, const char *s)
{
	if (c->n == sizeof c->v / sizeof c->v[0])
		return "";
	return c->v[c->n++] = sanitize_str(s ? s : "", SANITIZE_ONE_LINE);
}

static void cl_free(struct clean_line *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	c->n = 0;
}

static void print_stack_text(const struct stack_detail *d)
{
	const struct cfn_stack *s = &d->root;
	struct clean_line c = {0};
	printf("Stack    %s\nStatus   %s%s%s\nCreated  %s\n", cl(&c, s->name), cl(&c, s->status),
	       s->status_reason ? ": " : "", s->status_reason ? cl(&c, s->status_reason) : "",
	       s->creation_time ? cl(&c, s->creation_time) : "-");
	cl_free(&c);
	printf("\nParameters:\n");
	for (size_t i = 0; i < s->nparams; i++) {
		printf("  %-28s %s\n", cl(&c, s->params[i].key), cl(&c, s->params[i].value));
		cl_free(&c);
	}
	printf("\nOutputs:\n");
	for (size_t i = 0; i < d->noutputs; i++) {
		printf("  %-24s %-28s %s\n", *d->outputs[i].stack ? cl(&c, d->outputs[i].stack) : "(root)",
		       cl(&c, d->outputs[i].key), cl(&c, d->outputs[i].value));
		cl_free(&c);
	}
	printf("\nHosts:\n");
	for (size_t i = 0; i < d->nhosts; i++) {
		const struct detail_host *h = &d->hosts[i];
		printf("  %-26s %-20s public %-15s private %-15s %s\n", cl(&c, h->logical_id), cl(&c, h->instance_id),
		       h->public_ip ? cl(&c, h->public_ip) : "-", h->private_ip ? cl(&c, h->private_ip) : "-",
		       cl(&c, h->state));
		cl_free(&c);
	}
	printf("\nResources: %zu\nEvents (newest first):\n", d->nresources);
	for (size_t i = 0; i < d->nevents && i < 20; i++) {
		const struct cfn_event *e = &d->events[i];
		printf("  %-24s %-28s %-22s %s\n", cl(&c, e->timestamp), cl(&c, e->logical_id), cl(&c, e->status),
		       cl(&c, e->status_reason));
		cl_free(&c);
	}
	if (d->error) {
		fprintf(stderr, "relcon: part of the stack could not be read: %s\n", cl(&c, d->error));
		cl_free(&c);
	}
}

int cmd_stack(struct context *ctx, int argc, char **argv)
{
	int json = 0;
	int rc = simple_opts(argc, argv, "stack", &json, 1);
	if (rc == -2)
		return EXIT_OK;
	if (rc < 0)
		return EXIT_USAGE;
	if ((rc = need_aws(ctx, "stack")))
		return rc;
	struct wait_detail w = {0};
	struct stack_detail_fetch *f = stack_detail_start(ctx->aws, argv[optind], detail_changed, &w);
	context_wait(ctx, &w.done);
	const struct stack_detail *d = stack_detail_result(f);
	if (!d->have_root) {
		rc = cli_fail("reading the stack", d->error ? d->error : "not found");
		stack_detail_free(&f);
		return rc;
	}
	if (json) {
		json_object *o = stack_detail_json(d);
		print_json(o);
		json_object_put(o);
	} else {
		print_stack_text(d);
	}
	stack_detail_free(&f);
	return EXIT_OK;
}

static const struct option ssh_opts[] = {
	{"host", required_argument, NULL, 'H'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int cmd_ssh(struct context *ctx, int argc, char **argv)
{
	const char *host = NULL;
	int c;
	/* Everything after "--" is the remote command; options go before it. */
	int dd = 1;
	while (dd < argc && strcmp(argv[dd], "--"))
		dd++;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(dd, argv, "H:h", ssh_opts, NULL)) != -1) {
		if (c == 'H') {
			host = optarg;
		} else if (c == 'h') {
			cli_usage(stdout, "ssh");
			return EXIT_OK;
		} else {
			return usage_error("ssh", "unknown option");
		}
	}
	if (optind >= dd)
		return usage_error("ssh", "expected a STACK");
	if (optind + 1 < dd)
		return usage_error("ssh", "put the remote command after --");
	const char *stack = argv[optind];
	optind = dd < argc ? dd + 1 : argc;
	const char *const *command = optind < argc ? (const char *const *)&argv[optind] : NULL;
	int rc;
	if ((rc = need_aws(ctx, "ssh")))
		return rc;
	struct wait_detail w = {0};
	struct stack_detail_fetch *f = stack_detail_start(ctx->aws, stack, detail_changed, &w);
	context_wait(ctx, &w.done);
	const struct stack_detail *d = stack_detail_result(f);
	struct ssh_target target;
	struct buf err = {0}, display = {0};
	char **sargv = NULL;
	if (!d->have_root) {
		rc = cli_fail("reading the stack", d->error ? d->error : "not found");
	} else if (stack_ssh_target(d, host, &target, &err) < 0 ||
		   ssh_argv(&target, &ctx->cfg, command, &sargv, &display, &err) < 0 ||
		   ssh_preflight(&ctx->cfg, &err) < 0) {
		rc = cli_fail("ssh", buf_str(&err));
	} else {
		fprintf(stderr, "relcon: %s\n", buf_str(&display));
		fflush(stdout);
		int status = 0;
		buf_reset(&err);
		if (ssh_run(sargv, &status, &err) < 0 || status == 255 || status == 127) {
			rc = cli_fail("ssh", err.len ? buf_str(&err) : "failed");
		} else {
			rc = status == 0 ? EXIT_OK : EXIT_FAILED;
			if (status)
				fprintf(stderr, "relcon: %s\n", err.len ? buf_str(&err) : "the remote command failed");
		}
	}
	ssh_argv_free(&sargv);
	buf_free(&err);
	buf_free(&display);
	stack_detail_free(&f);
	return rc;
}

static const struct option teardown_opts[] = {
	{"yes", no_argument, NULL, 'y'},     {"wait", no_argument, NULL, 'w'}, {"retain", required_argument, NULL, 'r'},
	{"expired", no_argument, NULL, 'e'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
};

struct wait_teardown {
	int done;
	enum teardown_state state;
	int follow;
	struct buf failed; /* lines */
	struct buf ids;    /* "A,B" */
	char *error;
};

static void teardown_progress(void *ud, const struct teardown_progress *p)
{
	struct wait_teardown *w = ud;
	w->state = p->state;
	if (p->state == TEARDOWN_DELETING || (p->state == TEARDOWN_SENT && w->follow))
		return;
	w->done = 1;
	if (p->error)
		w->error = xstrdup(p->error);
	for (size_t i = 0; i < p->nfailed; i++) {
		char *line = sanitize_str(p->failed[i], SANITIZE_ONE_LINE);
		buf_printf(&w->failed, "  %s\n", line);
		buf_printf(&w->ids, "%s%s", i ? "," : "", p->failed_ids[i]);
		free(line);
	}
}

/* Ask on the terminal for the stack's name; 1 when typed exactly. */
int confirm_typed(const char *what, const char *name)
{
	if (!isatty(0) || !isatty(2))
		return -1;
	fprintf(stderr, "%s: ", what);
	char line[512];
	if (!fgets(line, sizeof line, stdin))
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return !strcmp(line, name);
}

/* One stack: read it, the guards, the confirmation (unless yes), DeleteStack,
 * and with follow the deletion to its end. */
static int teardown_one(struct context *ctx, const char *name, int yes, int follow, const struct strlist *retainl)
{
	int rc = EXIT_OK;
	struct strlist retain = *retainl;
	struct wait_detail wd = {0};
	struct stack_detail_fetch *f = stack_detail_start(ctx->aws, name, detail_changed, &wd);
	context_wait(ctx, &wd.done);
	const struct stack_detail *d = stack_detail_result(f);
	struct buf why = {0};
	if (!d->have_root) {
		rc = cli_fail("reading the stack", d->error ? d->error : "not found");
	} else if (teardown_allowed(d, &ctx->cfg, ctx->read_only, &why) < 0) {
		char *clean = sanitize_str(buf_str(&why), SANITIZE_ONE_LINE);
		fprintf(stderr, "relcon: %s\n", clean);
		free(clean);
		rc = EXIT_REFUSED;
	} else if (!yes && confirm_typed("This deletes the stack and everything in it.\nType the stack name to confirm",
					 d->root.name) != 1) {
		fprintf(stderr, "relcon: teardown of %s not confirmed%s\n", d->root.name,
			isatty(0) ? "" : " (no terminal to ask on: give --yes)");
		rc = EXIT_REFUSED;
	} else {
		struct wait_teardown w = {.follow = follow};
		struct buf jerr = {0};
		cli_sending();
		struct teardown *t = teardown_start(ctx, d->root.id, d->root.name, (const char *const *)retain.v,
						    retain.n, follow, 2000, teardown_progress, &w, &jerr);
		if (!t) {
			w.state = TEARDOWN_ERROR;
			w.error = buf_steal(&jerr);
		} else {
			fprintf(stderr, "relcon: deleting %s%s\n", d->root.name, follow ? "; following it" : "");
			context_wait(ctx, &w.done);
		}
		buf_free(&jerr);
		if (w.state == TEARDOWN_ERROR) {
			rc = cli_fail("teardown", w.error ? w.error : "failed");
		} else if (w.state == TEARDOWN_FAILED) {
			fprintf(stderr,
				"relcon: %s: DELETE_FAILED; these resources could not be deleted:\n%s"
				"  retry keeping them: relcon teardown %s --retain %s\n",
				d->root.name, buf_str(&w.failed), d->root.name, buf_str(&w.ids));
			rc = EXIT_FAILED;
		} else {
			fprintf(stderr, "relcon: %s: %s\n", d->root.name,
				w.state == TEARDOWN_DONE ? "DELETE_COMPLETE" : "deletion started");
		}
		teardown_free(&t);
		buf_free(&w.failed);
		buf_free(&w.ids);
		free(w.error);
	}
	buf_free(&why);
	stack_detail_free(&f);
	return rc;
}

int cmd_teardown(struct context *ctx, int argc, char **argv)
{
	int yes = 0, follow = 0, expired = 0, c;
	struct strlist retain = {0};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ywr:eh", teardown_opts, NULL)) != -1) {
		switch (c) {
		case 'y':
			yes = 1;
			break;
		case 'w':
			follow = 1;
			break;
		case 'r': {
			char *copy = xstrdup(optarg), *save = NULL;
			for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				retain.v = xrealloc(retain.v, (retain.n + 1) * sizeof *retain.v);
				retain.v[retain.n++] = xstrdup(tok);
			}
			free(copy);
			break;
		}
		case 'e':
			expired = 1;
			break;
		case 'h':
			cli_usage(stdout, "teardown");
			return EXIT_OK;
		default:
			return usage_error("teardown", "unknown option");
		}
	}
	int rc = EXIT_OK;
	struct strlist names = {0};
	if (expired ? optind != argc : optind + 1 != argc) {
		rc = usage_error("teardown", expired ? "--expired takes no STACK" : "expected one STACK");
		goto out;
	}
	if ((rc = need_aws(ctx, "teardown")))
		goto out;
	store_fetch_identity(ctx->store); /* for the journal; arrives while the stack is read */
	if (!expired) {
		rc = teardown_one(ctx, argv[optind], yes, follow, &retain);
		goto out;
	}
	/* --expired: relcon's stacks past relcon:expires-at, confirmed together. */
	struct wait_stacks ws = {0};
	struct stacks_fetch *sf = stacks_fetch_start(ctx->aws, stacks_changed, &ws);
	context_wait(ctx, &ws.done);
	const struct stack_list *l = stacks_fetch_result(sf);
	time_t now = time_now();
	if (l->state != FETCH_DONE) {
		rc = cli_fail("listing the stacks", l->error ? l->error : "failed");
		stacks_fetch_free(&sf);
		goto out;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct stack_row *r = &l->v[i];
		if (!r->ours || !r->expires || r->expires > now || stack_status_class(r->status) == STACK_GONE ||
		    !strcmp(r->status, "DELETE_IN_PROGRESS"))
			continue;
		names.v = xrealloc(names.v, (names.n + 1) * sizeof *names.v);
		names.v[names.n++] = xstrdup(r->name);
		struct buf line = {0};
		time_iso(&line, r->expires);
		fprintf(stderr, "relcon: expired: %s (since %s, owner %s)\n", r->name, buf_str(&line),
			r->owner ? r->owner : "?");
		buf_free(&line);
	}
	stacks_fetch_free(&sf);
	if (!names.n) {
		fprintf(stderr, "relcon: no expired stacks of relcon's\n");
		goto out;
	}
	struct buf typed = {0};
	buf_printf(&typed, "%zu stacks", names.n);
	if (!yes && confirm_typed("This deletes them and everything in them.\nType the number of stacks and the word "
				  "stacks (\"N stacks\") to confirm",
				  buf_str(&typed)) != 1) {
		fprintf(stderr, "relcon: teardown of %zu expired stacks not confirmed%s\n", names.n,
			isatty(0) ? "" : " (no terminal to ask on: give --yes)");
		rc = EXIT_REFUSED;
	}
	buf_free(&typed);
	/* Every stack is tried; the exit code is the first failure's. */
	for (size_t i = 0; rc == EXIT_OK && i < names.n; i++) {
		int one_rc = teardown_one(ctx, names.v[i], 1, follow, &retain);
		for (size_t k = i + 1; one_rc != EXIT_OK && k < names.n; k++)
			teardown_one(ctx, names.v[k], 1, follow, &retain);
		rc = one_rc;
	}
out:
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
	for (size_t i = 0; i < retain.n; i++)
		free(retain.v[i]);
	free(retain.v);
	return rc;
}
