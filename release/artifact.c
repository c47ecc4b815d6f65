#include "release/artifact.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

extern const struct artifact_kind artifact_kind_ami;

/* The registry: one line per kind. */
static const struct artifact_kind *const kinds[] = {
	&artifact_kind_ami,
	NULL,
};

const struct artifact_kind *const *artifact_kinds(void)
{
	return kinds;
}

void artifact_free(struct artifact *a)
{
	free(a->id);
	free(a->location);
	free(a->name);
	free(a->state);
	free(a->created);
	free(a->commit);
	free(a->access_error);
	for (size_t i = 0; i < a->naccess; i++)
		free(a->access[i]);
	free(a->access);
	memset(a, 0, sizeof *a);
}

void artifacts_free(struct artifact **v, size_t n)
{
	if (!v || !*v)
		return;
	for (size_t i = 0; i < n; i++)
		artifact_free(&(*v)[i]);
	free(*v);
	*v = NULL;
}

static int artifact_order(const void *pa, const void *pb)
{
	const struct artifact *a = pa, *b = pb;
	int r = strcmp(a->location ? a->location : "", b->location ? b->location : "");
	if (!r)
		r = (a->created_t > b->created_t) - (a->created_t < b->created_t);
	if (!r)
		r = strcmp(a->id ? a->id : "", b->id ? b->id : "");
	return r;
}

void artifacts_sort(struct artifact *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, artifact_order);
}

static int contains(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

void artifact_drift(const struct artifact *a, const char *const *expected, size_t nexpected, const char ***missing,
		    size_t *nmissing, const char ***extra, size_t *nextra)
{
	*missing = xcalloc(nexpected + 1, sizeof **missing);
	*extra = xcalloc(a->naccess + 1, sizeof **extra);
	*nmissing = *nextra = 0;
	for (size_t i = 0; i < nexpected; i++)
		if (!contains((const char *const *)a->access, a->naccess, expected[i]))
			(*missing)[(*nmissing)++] = expected[i];
	for (size_t i = 0; i < a->naccess; i++)
		if (!contains(expected, nexpected, a->access[i]))
			(*extra)[(*nextra)++] = a->access[i];
}
