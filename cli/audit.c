/* cli/audit.c - relcon audit: the journal of mutating actions, newest
 * first, each intent with its outcome (or "no outcome" when the process
 * ended before the call returned). */
#include "cli/internal.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/sanitize.h"
#include "core/textwidth.h"

/* Sanitized to one line (line breaks shown, nothing dropped), cut to width
 * columns and padded to width + 2; the last column is not cut. */
static void cell(const char *s, int width, int last)
{
	char *clean = sanitize_str(s ? s : "-", SANITIZE_ONE_LINE);
	int used = 0;
	size_t n = last ? strlen(clean) : text_fit(clean, width, &used);
	fwrite(clean, 1, n, stdout);
	if (!last)
		for (; used < width + 2; used++)
			fputc(' ', stdout);
	free(clean);
}

int cmd_audit(struct context *ctx, int argc, char **argv)
{
	(void)ctx;
	int json = 0;
	int rc = simple_opts(argc, argv, "audit", &json, 0);
	if (rc == -2)
		return EXIT_OK;
	if (rc < 0)
		return EXIT_USAGE;
	struct audit_log *l;
	struct buf err = {0};
	if (audit_read(NULL, &l, &err) < 0) {
		rc = cli_fail("reading the audit journal", buf_str(&err));
		buf_free(&err);
		return rc;
	}
	buf_free(&err);
	char *path = sanitize_str(l->path, SANITIZE_ONE_LINE);
	if (l->bad_lines)
		fprintf(stderr,
			"relcon audit: %zu line%s of %s could not be read (the first at line %zu; a write cut "
			"short by a crash?)\n",
			l->bad_lines, l->bad_lines == 1 ? "" : "s", path, l->first_bad_line);
	if (json) {
		json_object *arr = json_object_new_array();
		for (size_t i = l->n; i-- > 0;)
			json_object_array_add(arr, audit_record_json(&l->v[i]));
		print_json(arr);
		json_object_put(arr);
	} else {
		if (l->missing)
			fprintf(stderr, "relcon audit: %s: no journal yet (nothing mutating was done here)\n", path);
		else
			fprintf(stderr, "relcon audit: %s: %zu action%s\n", path, l->n, l->n == 1 ? "" : "s");
		if (l->n) {
			printf("%-22s%-14s%-17s%-34s%-12s%s\n", "TIME", "USER", "ACTION", "TARGET", "RESULT",
			       "REFERENCE");
		}
		for (size_t i = l->n; i-- > 0;) {
			const struct audit_record *r = &l->v[i];
			cell(r->time, 20, 0);
			cell(r->user, 12, 0);
			cell(r->action, 15, 0);
			cell(r->target, 32, 0);
			cell(audit_result_text(r), 10, 0);
			cell(r->reference, 0, 1);
			fputc('\n', stdout);
			if (r->error) {
				fputs("    error: ", stdout);
				cell(r->error, 0, 1);
				fputc('\n', stdout);
			}
		}
	}
	free(path);
	audit_log_free(&l);
	return EXIT_OK;
}
