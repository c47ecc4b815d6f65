/* cli/info.c - relcon info: every path relcon uses (config, keymap,
 * themes, state, audit journal, cache, log) and where each setting came
 * from (Buildkite organization, endpoint and token source; AWS profile,
 * region, shared files, the credential source the chain used, endpoints).
 * Never a secret: no token, no secret key, no session token; of the access
 * key id at most its last four characters. */
#include "cli/internal.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "aws/profile.h"
#include "core/audit.h"
#include "core/sanitize.h"
#include "core/timeutil.h"
#include "release/context.h"

#ifndef RELCON_DATADIR
#define RELCON_DATADIR "/usr/local/share/relcon"
#endif

static struct cli_run_info run_info;

void cli_set_run_info(const struct cli_run_info *ri)
{
	run_info = *ri;
}

/* The AWS services relcon calls. */
static const char *const services[] = {"ec2", "cloudformation", "s3", "sts"};
#define NSERVICES (sizeof services / sizeof services[0])

/* Where requests for one service go, as aws/endpoint.h resolves it. */
struct endpoint_info {
	char *url;
	char *origin; /* "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "FILE:LINE", "default" */
	int overridden;
	char *error; /* instead of the above when it cannot be resolved */
};

/* Everything info prints: char * members owned, const char * ones static or
 * borrowed from the context. */
struct info {
	/* config */
	const char *config_path; /* ctx's source_path or default_config */
	char *default_config;
	const char *config_source;
	int config_read;
	/* keymap */
	char *keymap_path;
	const char *keymap_source;
	/* themes */
	const char *theme;
	char *theme_file; /* NULL: not found */
	struct theme_dir *theme_dirs;
	size_t n_theme_dirs;
	char **theme_names;
	size_t n_theme_names;
	/* directories */
	char *config_dir, *state_dir, *cache_dir, *audit_path;
	const char *state_origin, *cache_origin, *config_dir_origin;
	/* Buildkite */
	const char *org_source;
	char *token_file; /* where a token file is read from (when the variable is unset) */
	/* AWS */
	char *profile;
	const char *profile_source;
	int profile_defined;
	char *aws_config_file, *aws_credentials_file;
	char *aws_files_error;
	char *creds_source, *creds_key_suffix, *creds_error;
	time_t creds_expiration;
	int creds_temporary, creds_done;
	struct endpoint_info endpoints[NSERVICES];
	/* read-only: where it was asked for */
	const char *ro_sources[3];
	size_t n_ro;
};

static int path_exists(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0;
}

static int is_dir(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *join(const char *a, const char *b)
{
	struct buf p = {0};
	buf_printf(&p, "%s/%s", a, b);
	return buf_steal(&p);
}

/* var ("XDG_STATE_HOME") when core/config.c uses it (set to an absolute
 * path), else "HOME": the directory is then under $HOME. */
static const char *xdg_origin(const char *var)
{
	const char *v = getenv(var);
	return v && v[0] == '/' ? var : "HOME";
}

/* "from $XDG_STATE_HOME" or "under $HOME: XDG_STATE_HOME unset". */
static void origin_text(struct buf *b, const char *origin, const char *var)
{
	if (!strcmp(origin, "HOME"))
		buf_printf(b, "under $HOME: %s unset", var);
	else
		buf_printf(b, "from $%s", var);
}

/* ---- themes: the search path of tui/theme.c's theme_load ---------------- */

/* The directories are core/config.h's config_theme_dirs, the list the
 * console itself searches. */

static void find_themes(struct info *in)
{
	in->n_theme_dirs = config_theme_dirs(&in->theme_dirs);

	/* The theme in use: a name with '/' is a file, else NAME[.yaml] in the
	 * first directory that has it. */
	if (strchr(in->theme, '/')) {
		if (is_file(in->theme))
			in->theme_file = xstrdup(in->theme);
	} else {
		size_t len = strlen(in->theme);
		if (len > 5 && !strcmp(in->theme + len - 5, ".yaml"))
			len -= 5;
		struct buf file = {0};
		buf_printf(&file, "%.*s.yaml", (int)len, in->theme);
		for (size_t i = 0; i < in->n_theme_dirs && !in->theme_file; i++) {
			char *path = join(in->theme_dirs[i].dir, buf_str(&file));
			if (is_file(path))
				in->theme_file = path;
			else
				free(path);
		}
		buf_free(&file);
	}

	/* Every theme found, as the console's :theme completion lists them. */
	in->theme_names = config_theme_names(&in->n_theme_names);
}

/* ---- AWS ----------------------------------------------------------------- */

static void on_creds(void *ud, const struct aws_credentials *c, const char *error)
{
	struct info *in = ud;
	in->creds_done = 1;
	if (!c) {
		in->creds_error = xstrdup(error ? error : "no credentials");
		return;
	}
	in->creds_source = xstrdup(c->source ? c->source : "?");
	in->creds_expiration = c->expiration;
	in->creds_temporary = c->session_token != NULL;
	/* An access key id is not a secret, but the last four characters
	 * are enough to tell two keys apart; a short (test) id shows nothing. */
	size_t len = c->access_key_id ? strlen(c->access_key_id) : 0;
	if (len >= 16)
		in->creds_key_suffix = xstrdup(c->access_key_id + len - 4);
}

static void find_aws(struct info *in, struct context *ctx)
{
	enum aws_profile_source psrc;
	in->profile = aws_profile_select(ctx->aws_profile, &psrc);
	in->profile_source = aws_profile_source_name(psrc);

	struct aws_files *files = NULL;
	struct buf err = {0};
	if (aws_files_load(&files, NULL, NULL, &err) < 0) {
		in->aws_files_error = buf_steal(&err);
	} else {
		in->aws_config_file = xstrdup(aws_files_config_path(files));
		in->aws_credentials_file = xstrdup(aws_files_credentials_path(files));
		in->profile_defined = aws_files_has_profile(files, in->profile);
	}
	buf_free(&err);

	if (!ctx->aws) {
		in->creds_error = xstrdup("not resolved: AWS is not available");
		aws_files_free(&files);
		return;
	}
	/* Endpoints, resolved as aws/client.c resolves them for each request. */
	struct aws_profile *p = NULL;
	if (files && aws_profile_get(&p, files, in->profile, 0, &err) < 0)
		p = NULL;
	buf_free(&err);
	for (size_t i = 0; i < NSERVICES; i++) {
		struct aws_endpoint ep;
		struct endpoint_info *e = &in->endpoints[i];
		if (aws_endpoint_resolve(&ep, services[i], aws_client_region(ctx->aws), p, &err) < 0) {
			e->error = buf_steal(&err);
			continue;
		}
		struct buf url = {0};
		aws_endpoint_url(&url, &ep, NULL, NULL);
		e->url = buf_steal(&url);
		e->origin = xstrdup(ep.origin ? ep.origin : "default");
		e->overridden = ep.overridden;
		aws_endpoint_free(&ep);
	}
	buf_free(&err);
	aws_profile_free(&p);
	aws_files_free(&files);

	/* Which source of the chain has credentials: that needs resolving them
	 * (credential_process runs, roles are assumed, IMDS is asked). */
	unsigned long id = aws_creds_get(aws_client_creds(ctx->aws), on_creds, in);
	context_wait(ctx, &in->creds_done);
	if (!in->creds_done) {
		aws_creds_cancel(aws_client_creds(ctx->aws), id);
		in->creds_error = xstrdup("interrupted");
	}
}

/* ---- gathering ----------------------------------------------------------- */

static void gather(struct info *in, struct context *ctx)
{
	const struct config *cfg = &ctx->cfg;
	char *cdir = in->config_dir = config_dir();
	in->config_dir_origin = xdg_origin("XDG_CONFIG_HOME");

	const char *env = getenv("RELCON_CONFIG");
	if (run_info.config_flag)
		in->config_source = "--config";
	else if (env && *env)
		in->config_source = "RELCON_CONFIG";
	else
		in->config_source = "default";
	in->config_read = cfg->source_path != NULL;
	if (cfg->source_path) {
		in->config_path = cfg->source_path;
	} else {
		in->default_config = join(cdir, "config.yaml");
		in->config_path = in->default_config;
	}

	/* tui/actions.h keymap_path(): $RELCON_KEYMAP, else config dir/keymap. */
	const char *km = getenv("RELCON_KEYMAP");
	if (km && *km) {
		in->keymap_path = xstrdup(km);
		in->keymap_source = "RELCON_KEYMAP";
	} else {
		in->keymap_path = join(cdir, "keymap");
		in->keymap_source = "default";
	}

	in->theme = cfg->ui_theme && *cfg->ui_theme ? cfg->ui_theme : "default";
	find_themes(in);

	in->state_dir = config_state_dir();
	in->state_origin = xdg_origin("XDG_STATE_HOME");
	in->audit_path = audit_default_path();
	in->cache_dir = config_cache_dir();
	in->cache_origin = xdg_origin("XDG_CACHE_HOME");

	const char *org = getenv("BUILDKITE_ORGANIZATION_SLUG");
	in->org_source = org && *org ? "BUILDKITE_ORGANIZATION_SLUG" : "buildkite.organization";
	/* buildkite/client.c bk_settings_resolve: buildkite.token_file, else
	 * config dir/buildkite-token. */
	if (cfg->bk_token_file && *cfg->bk_token_file)
		in->token_file = config_expand_home(cfg->bk_token_file);
	else
		in->token_file = join(cdir, "buildkite-token");

	find_aws(in, ctx);

	/* main.c's three sources. */
	const char *ro = getenv("RELCON_READ_ONLY");
	if (run_info.read_only_flag)
		in->ro_sources[in->n_ro++] = "--read-only";
	if (cfg->read_only)
		in->ro_sources[in->n_ro++] = "safety.read_only";
	if (ro && *ro && strcmp(ro, "0"))
		in->ro_sources[in->n_ro++] = "RELCON_READ_ONLY";
}

static void info_free(struct info *in)
{
	free(in->default_config);
	free(in->keymap_path);
	free(in->token_file);
	free(in->theme_file);
	config_theme_dirs_free(in->theme_dirs, in->n_theme_dirs);
	for (size_t i = 0; i < in->n_theme_names; i++)
		free(in->theme_names[i]);
	free(in->theme_names);
	free(in->config_dir);
	free(in->state_dir);
	free(in->cache_dir);
	free(in->audit_path);
	free(in->profile);
	free(in->aws_config_file);
	free(in->aws_credentials_file);
	free(in->aws_files_error);
	free(in->creds_source);
	free(in->creds_key_suffix);
	free(in->creds_error);
	for (size_t i = 0; i < NSERVICES; i++) {
		free(in->endpoints[i].url);
		free(in->endpoints[i].origin);
		free(in->endpoints[i].error);
	}
}

/* ---- JSON ---------------------------------------------------------------- */

static json_object *path_json(const char *path)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "path", str_or_null(path));
	json_object_object_add(o, "exists", json_object_new_boolean(path_exists(path)));
	return o;
}

static json_object *info_json(const struct info *in, const struct context *ctx)
{
	json_object *root = json_object_new_object();
	json_object_object_add(root, "version", json_object_new_string(RELCON_VERSION));
	json_object_object_add(root, "data_dir", json_object_new_string(RELCON_DATADIR));

	json_object *c = path_json(in->config_path);
	json_object_object_add(c, "source", json_object_new_string(in->config_source));
	json_object_object_add(c, "read", json_object_new_boolean(in->config_read));
	json_object_object_add(root, "config", c);

	json_object *k = path_json(in->keymap_path);
	json_object_object_add(k, "source", json_object_new_string(in->keymap_source));
	json_object_object_add(root, "keymap", k);

	json_object *t = json_object_new_object();
	json_object_object_add(t, "theme", json_object_new_string(in->theme));
	json_object_object_add(t, "file", str_or_null(in->theme_file));
	json_object *dirs = json_object_new_array();
	for (size_t i = 0; i < in->n_theme_dirs; i++) {
		json_object *d = json_object_new_object();
		json_object_object_add(d, "dir", json_object_new_string(in->theme_dirs[i].dir));
		json_object_object_add(d, "origin", json_object_new_string(in->theme_dirs[i].origin));
		json_object_object_add(d, "exists", json_object_new_boolean(is_dir(in->theme_dirs[i].dir)));
		json_object_array_add(dirs, d);
	}
	json_object_object_add(t, "search_path", dirs);
	json_object *names = json_object_new_array();
	for (size_t i = 0; i < in->n_theme_names; i++)
		json_object_array_add(names, json_object_new_string(in->theme_names[i]));
	json_object_object_add(t, "available", names);
	json_object_object_add(root, "themes", t);

	json_object *cd = path_json(in->config_dir);
	json_object_object_add(cd, "origin", json_object_new_string(in->config_dir_origin));
	json_object_object_add(root, "config_dir", cd);
	json_object *s = path_json(in->state_dir);
	json_object_object_add(s, "origin", json_object_new_string(in->state_origin));
	json_object_object_add(root, "state_dir", s);
	json_object_object_add(root, "audit_journal", path_json(in->audit_path));
	json_object *ca = path_json(in->cache_dir);
	json_object_object_add(ca, "origin", json_object_new_string(in->cache_origin));
	json_object_object_add(root, "cache_dir", ca);
	json_object_object_add(root, "log", run_info.log_path ? path_json(run_info.log_path) : NULL);

	const struct bk_settings *bs = &ctx->bk_settings;
	json_object *bk = json_object_new_object();
	json_object_object_add(bk, "organization", str_or_null(bs->organization));
	json_object_object_add(bk, "organization_source", json_object_new_string(in->org_source));
	json_object_object_add(bk, "pipeline", str_or_null(bs->pipeline));
	json_object_object_add(bk, "endpoint", str_or_null(bs->endpoint));
	json_object_object_add(bk, "endpoint_source", str_or_null(bs->endpoint_source));
	json_object *tok = json_object_new_object();
	json_object_object_add(tok, "present", json_object_new_boolean(bs->token != NULL));
	/* BUILDKITE_API_TOKEN or the file read; never the token. */
	json_object_object_add(tok, "source", str_or_null(bs->token ? bs->token_source : NULL));
	json_object_object_add(tok, "file", json_object_new_string(in->token_file));
	json_object_object_add(bk, "token", tok);
	json_object_object_add(root, "buildkite", bk);

	json_object *aws = json_object_new_object();
	json_object_object_add(aws, "available", json_object_new_boolean(ctx->aws != NULL));
	json_object_object_add(aws, "error", str_or_null(ctx->aws_error));
	json_object_object_add(aws, "profile", json_object_new_string(in->profile));
	json_object_object_add(aws, "profile_source", json_object_new_string(in->profile_source));
	json_object_object_add(aws, "profile_defined", json_object_new_boolean(in->profile_defined));
	json_object_object_add(aws, "config_file", in->aws_config_file ? path_json(in->aws_config_file) : NULL);
	json_object_object_add(aws, "credentials_file",
			       in->aws_credentials_file ? path_json(in->aws_credentials_file) : NULL);
	json_object_object_add(aws, "files_error", str_or_null(in->aws_files_error));
	json_object_object_add(aws, "region", str_or_null(ctx->aws ? aws_client_region(ctx->aws) : NULL));
	json_object_object_add(aws, "region_source", str_or_null(ctx->aws ? aws_client_region_source(ctx->aws) : NULL));
	json_object *cr = json_object_new_object();
	json_object_object_add(cr, "source", str_or_null(in->creds_source));
	json_object_object_add(cr, "access_key_id_last4", str_or_null(in->creds_key_suffix));
	json_object_object_add(cr, "temporary", in->creds_source ? json_object_new_boolean(in->creds_temporary) : NULL);
	json_object *exp = NULL;
	if (in->creds_expiration) {
		struct buf b = {0};
		time_iso(&b, in->creds_expiration);
		exp = json_object_new_string(buf_str(&b));
		buf_free(&b);
	}
	json_object_object_add(cr, "expires_at", exp);
	json_object_object_add(cr, "error", str_or_null(in->creds_error));
	json_object_object_add(aws, "credentials", cr);
	json_object *eps = json_object_new_object();
	for (size_t i = 0; ctx->aws && i < NSERVICES; i++) {
		const struct endpoint_info *e = &in->endpoints[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "url", str_or_null(e->url));
		json_object_object_add(o, "source", str_or_null(e->origin));
		json_object_object_add(o, "overridden", json_object_new_boolean(e->overridden));
		json_object_object_add(o, "error", str_or_null(e->error));
		json_object_object_add(eps, services[i], o);
	}
	json_object_object_add(aws, "endpoints", eps);
	json_object_object_add(root, "aws", aws);

	json_object *ro = json_object_new_object();
	json_object_object_add(ro, "enabled", json_object_new_boolean(ctx->read_only));
	json_object *rs = json_object_new_array();
	for (size_t i = 0; i < in->n_ro; i++)
		json_object_array_add(rs, json_object_new_string(in->ro_sources[i]));
	json_object_object_add(ro, "sources", rs);
	json_object_object_add(root, "read_only", ro);
	return root;
}

/* ---- text ---------------------------------------------------------------- */

/* "  LABEL            value" with the value sanitized (paths and messages
 * come from the environment and files). */
static void row(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void row(const char *label, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *clean = sanitize_str(buf_str(&b), SANITIZE_ONE_LINE);
	printf("  %-18s %s\n", label, clean);
	free(clean);
	buf_free(&b);
}

static const char *there(const char *path)
{
	return path_exists(path) ? "" : "; not there";
}

static void info_text(const struct info *in, const struct context *ctx)
{
	printf("relcon %s (data dir %s)\n\nFiles\n", RELCON_VERSION, RELCON_DATADIR);
	struct buf o = {0};
	origin_text(&o, in->config_dir_origin, "XDG_CONFIG_HOME");
	row("config dir", "%s (%s%s)", in->config_dir, buf_str(&o), there(in->config_dir));
	buf_reset(&o);
	if (in->config_read)
		row("config", "%s (%s)", in->config_path, in->config_source);
	else
		row("config", "%s (the default; not there: built-in defaults in use)", in->config_path);
	row("keymap", "%s (%s%s)", in->keymap_path, in->keymap_source,
	    path_exists(in->keymap_path) ? "" : "; not there: built-in keys");
	if (in->theme_file)
		row("theme", "%s (ui.theme): %s", in->theme, in->theme_file);
	else
		row("theme", "%s (ui.theme): not found (the console falls back to its monochrome theme)", in->theme);
	for (size_t i = 0; i < in->n_theme_dirs; i++)
		row(i ? "" : "themes searched", "%s (%s%s)", in->theme_dirs[i].dir, in->theme_dirs[i].origin,
		    is_dir(in->theme_dirs[i].dir) ? "" : "; not there");
	struct buf names = {0};
	for (size_t i = 0; i < in->n_theme_names; i++)
		buf_printf(&names, "%s%s", i ? ", " : "", in->theme_names[i]);
	row("themes found", "%s", in->n_theme_names ? buf_str(&names) : "none");
	buf_free(&names);
	origin_text(&o, in->state_origin, "XDG_STATE_HOME");
	row("state", "%s (%s%s)", in->state_dir, buf_str(&o), there(in->state_dir));
	buf_reset(&o);
	row("audit journal", "%s%s", in->audit_path, path_exists(in->audit_path) ? "" : " (not there yet)");
	origin_text(&o, in->cache_origin, "XDG_CACHE_HOME");
	row("cache", "%s (%s%s)", in->cache_dir, buf_str(&o), there(in->cache_dir));
	buf_free(&o);
	if (run_info.log_path)
		row("log", "%s (--debug)", run_info.log_path);
	else
		row("log", "none (no --debug)");

	const struct bk_settings *bs = &ctx->bk_settings;
	printf("\nBuildkite\n");
	row("organization", "%s (%s)", bs->organization, in->org_source);
	row("pipeline", "%s (buildkite.pipeline)", bs->pipeline);
	row("endpoint", "%s (%s)", bs->endpoint, bs->endpoint_source);
	if (bs->token)
		row("token", "from %s", bs->token_source);
	else
		row("token", "none (BUILDKITE_API_TOKEN is unset and %s is not there)", in->token_file);

	printf("\nAWS\n");
	row("profile", "%s (%s%s)", in->profile,
	    strcmp(in->profile_source, "default") ? in->profile_source : "none chosen",
	    in->profile_defined ? "" : "; not in the shared files");
	if (in->aws_files_error) {
		row("shared files", "%s", in->aws_files_error);
	} else {
		row("config file", "%s%s", in->aws_config_file, path_exists(in->aws_config_file) ? "" : " (not there)");
		row("credentials file", "%s%s", in->aws_credentials_file,
		    path_exists(in->aws_credentials_file) ? "" : " (not there)");
	}
	if (!ctx->aws) {
		row("not available", "%s", ctx->aws_error ? ctx->aws_error : "?");
	} else {
		row("region", "%s (%s)", aws_client_region(ctx->aws), aws_client_region_source(ctx->aws));
		if (in->creds_source) {
			struct buf b = {0};
			buf_adds(&b, in->creds_source);
			if (in->creds_key_suffix)
				buf_printf(&b, ", access key id ending %s", in->creds_key_suffix);
			if (in->creds_expiration) {
				buf_adds(&b, ", expires ");
				time_iso(&b, in->creds_expiration);
			}
			row("credentials", "%s", buf_str(&b));
			buf_free(&b);
		} else {
			row("credentials", "none: %s", in->creds_error ? in->creds_error : "?");
		}
		for (size_t i = 0; i < NSERVICES; i++) {
			const struct endpoint_info *e = &in->endpoints[i];
			const char *label = i ? "" : "endpoints";
			if (e->error)
				row(label, "%-15s %s", services[i], e->error);
			else
				row(label, "%-15s %s (%s)", services[i], e->url, e->origin);
		}
	}

	printf("\nSafety\n");
	struct buf ro = {0};
	for (size_t i = 0; i < in->n_ro; i++)
		buf_printf(&ro, "%s%s", i ? ", " : "", in->ro_sources[i]);
	if (ctx->read_only)
		row("read-only", "yes (%s)", buf_str(&ro));
	else
		row("read-only", "no");
	buf_free(&ro);
}

int cmd_info(struct context *ctx, int argc, char **argv)
{
	int json = 0;
	int rc = simple_opts(argc, argv, "info", &json, 0);
	if (rc == -2)
		return EXIT_OK;
	if (rc < 0)
		return EXIT_USAGE;
	struct info in = {0};
	gather(&in, ctx);
	if (json) {
		json_object *o = info_json(&in, ctx);
		print_json(o);
		json_object_put(o);
	} else {
		info_text(&in, ctx);
	}
	info_free(&in);
	return EXIT_OK;
}
