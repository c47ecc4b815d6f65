#include "core/config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sanitize.h"
#include "core/yamldoc.h"

enum key_type { KEY_STRING, KEY_INT, KEY_LIST };

struct key {
	const char *name; /* dotted path: section.key */
	enum key_type type;
	size_t off;                  /* of the field in struct config */
	const char *def;             /* KEY_STRING */
	long def_n, min, max;        /* KEY_INT */
	const char *const *def_list; /* KEY_LIST, NULL-terminated */
	const char *doc;
	const char *const *choices; /* KEY_STRING: the values allowed, NULL-terminated; NULL = any */
};

/* clang-format off */
#define STR(name, field, def, doc) {name, KEY_STRING, offsetof(struct config, field), def, 0, 0, 0, NULL, doc, NULL}
#define ONEOF(name, field, def, choices, doc) \
	{name, KEY_STRING, offsetof(struct config, field), def, 0, 0, 0, NULL, doc, choices}
#define INT(name, field, def, min, max, doc) \
	{name, KEY_INT, offsetof(struct config, field), NULL, def, min, max, NULL, doc, NULL}
#define LIST(name, field, def, doc) {name, KEY_LIST, offsetof(struct config, field), NULL, 0, 0, 0, def, doc, NULL}

static const char *const default_regions[] = {"us-east-1", "us-east-2", "us-west-2", NULL};
static const char *const no_strings[] = {NULL};
static const char *const notify_choices[] = {"bell", "osc9", "osc777", "none", NULL};
/* What ops/cfn-test/create-mysql-super-stack.sh passed besides the key pair
 * and AccessCIDR (relcon works those out); the template's defaults do the rest. */
static const char *const default_launch_params[] = {
	"AvailabilityZones=<REGION>a,<REGION>b,<REGION>c",
	"SSMParameterKmsKeyArn=arn:aws:kms:<REGION>:<ACCOUNT>:alias/aws/ssm",
	NULL,
};

/* Every configuration key, in the order `relcon config-keys` and README list
 * them.  Defaults follow PROCESS.md. */
static const struct key keys[] = {
	STR("buildkite.organization", bk_organization, "readyset", "Buildkite organization slug"),
	STR("buildkite.pipeline", bk_pipeline, "readyset", "Buildkite pipeline slug"),
	STR("buildkite.endpoint", bk_endpoint, "https://api.buildkite.com",
	    "Buildkite REST API base URL (RELCON_BUILDKITE_ENDPOINT overrides)"),
	STR("buildkite.token_file", bk_token_file, "",
	    "File holding the API token when BUILDKITE_API_TOKEN is unset (\"\" = <config dir>/buildkite-token)"),
	INT("buildkite.per_page", bk_per_page, 100, 1, 100, "Builds fetched per API request"),
	STR("steps.build_amis", step_build_amis, "Build AMIs and CloudFormation templates",
	    "Label of the block step that builds AMIs and internal templates"),
	STR("steps.alpha", step_alpha, "Deploy AMIs and CloudFormation as alpha release",
	    "Label of the block step that publishes an alpha release"),
	STR("steps.release", step_release, "Deploy AMIs and CloudFormation as release",
	    "Label of the block step (main only) that publishes a named release"),
	STR("steps.release_field", release_field, "release-name", "Key of the release step's release-name text field"),
	STR("steps.main_branch", main_branch, "main", "Branch whose builds can become named releases"),
	INT("refresh.active_seconds", refresh_active, 10, 1, 3600,
	    "Refresh interval while builds or stacks are changing"),
	INT("refresh.idle_seconds", refresh_idle, 60, 1, 86400, "Refresh interval while nothing is changing"),
	INT("refresh.max_budget_percent", refresh_budget_pct, 10, 1, 100,
	    "Largest share of the organization's API rate limit live refresh may use"),
	INT("http.timeout_seconds", http_timeout, 30, 1, 600, "Timeout of one HTTP request"),
	INT("http.max_attempts", http_max_attempts, 4, 1, 10,
	    "Attempts per request; throttling and server errors are retried"),
	STR("ui.theme", ui_theme, "default", "Colour theme: default, light, high-contrast, mono, or a path to a theme file"),
	STR("ui.branch", ui_branch, "", "Branch the home screen shows at start (\"\" = all branches)"),
	INT("ui.builds", ui_limit, 50, 1, 10000,
	    "Builds listed on the home screen (above 1000, each keeps only its block steps and running jobs in memory)"),
	INT("ui.cache", ui_cache, 1, 0, 1,
	    "1: the console opens on the last builds it saw (kept in $XDG_CACHE_HOME/relcon/builds), marked with their "
	    "age, then refreshes; 0: no cache"),
	ONEOF("ui.notify", ui_notify, "bell", notify_choices,
	      "What a launch, teardown or promotion that ends sends: bell; osc9 or osc777, the bell and a desktop "
	      "notification (OSC 9: iTerm2, WezTerm; OSC 777: foot, urxvt; tmux passes them on with "
	      "allow-passthrough on); none"),
	INT("ui.mouse", ui_mouse, 0, 0, 1,
	    "1: the mouse wheel scrolls and a click selects a row; 0: the terminal keeps the mouse (selecting text)"),
	STR("aws.region", aws_region, "us-east-2", "Region of the template buckets and the super-stack"),
	LIST("aws.destination_regions", aws_regions, default_regions, "Regions the AMIs are copied to"),
	STR("aws.internal_bucket", aws_internal_bucket, "readysettech-cfn-internal-us-east-2",
	    "Bucket of the internal (per-commit) templates"),
	STR("aws.public_bucket", aws_public_bucket, "readysettech-cfn-public-us-east-2",
	    "Bucket of the alpha and release templates"),
	STR("aws.internal_prefix", aws_internal_prefix, "<COMMIT>/readyset/templates/",
	    "Key prefix of a commit's templates in the internal bucket"),
	STR("aws.alpha_prefix", aws_alpha_prefix, "alpha/<COMMIT>/readyset/templates/",
	    "Key prefix of an alpha release's templates in the public bucket"),
	STR("aws.release_prefix", aws_release_prefix, "<RELEASE>/readyset/templates/",
	    "Key prefix of a named release's templates in the public bucket"),
	STR("aws.commit_tag", aws_commit_tag, "Commit", "AMI tag that holds the commit SHA"),
	STR("aws.locals_path", aws_locals_path, "ops/image-deploy/locals.pkr.hcl",
	    "File in the product repository listing the accounts allowed to launch the AMIs ($RELCON_LOCALS_PATH overrides)"),
	INT("stacks.allow_foreign_teardown", stacks_allow_foreign, 0, 0, 1,
	    "1: teardown may delete stacks relcon did not create (no created-by=relcon tag)"),
	LIST("aws.sandbox_accounts", aws_sandbox_accounts, no_strings,
	     "AWS accounts shown as sandbox (green banner); any other account gets the red banner"),
	STR("ssh.bastion_user", ssh_bastion_user, "ec2-user", "User on a super stack's bastion (the SSH jump host)"),
	STR("ssh.user", ssh_user, "ubuntu", "User on a super stack's private hosts, reached through the bastion"),
	STR("ssh.identity_file", ssh_identity_file, "",
	    "Private key given to ssh -i for both hops (\"\" = ssh's own default; ~/ is expanded)"),
	LIST("ssh.options", ssh_options, no_strings,
	     "Extra ssh options, each \"Key=Value\" (passed as -o to both hops), e.g. ConnectTimeout=10"),
	INT("ssh.port", ssh_port, 22, 1, 65535, "SSH port of the bastion and the private hosts"),
	STR("ssh.program", ssh_program, "ssh", "The ssh client to run (a name looked up in PATH, or a path)"),
	STR("launch.template", launch_template, "readyset-mysql-super-template.yaml",
	    "Internal template a super-stack is launched from (a file under aws.internal_prefix)"),
	STR("launch.stack_name", launch_stack_name, "<KEY>-super",
	    "Default stack name (<KEY> <COMMIT> <USER> are replaced)"),
	STR("launch.ttl", launch_ttl, "8h", "How long a launched stack may live (tags relcon:expires-at, cloud-nuke-after)"),
	INT("launch.disable_rollback", launch_disable_rollback, 1, 0, 1,
	    "1: a failed launch keeps its resources for inspection (as the script did); 0: roll back"),
	STR("launch.ip_url", launch_ip_url, "https://checkip.amazonaws.com",
	    "URL answering the operator's public IP, for AccessCIDR (RELCON_IP_URL overrides)"),
	LIST("launch.params", launch_params, default_launch_params,
	     "Template parameter values, each \"Key=Value\" (<REGION> <ACCOUNT> <KEY> <COMMIT> <USER> are replaced)"),
	STR("promote.release_name_pattern", promote_name_pattern, "^[0-9]+[.][0-9]+[.][0-9]+(-[A-Za-z0-9.]+)?$",
	    "Extended regular expression a release name must match (also: no slash, space or \"alpha\")"),
	INT("promote.allow_override", promote_allow_override, 1, 0, 1,
	    "1: a promotion whose preflight checks did not all pass may go ahead after a separate, journaled "
	    "override; 0: never"),
	INT("safety.read_only", read_only, 0, 0, 1,
	    "1: refuse every operation that changes anything, as --read-only and RELCON_READ_ONLY=1 do"),
};
/* clang-format on */

#define NKEYS (sizeof keys / sizeof keys[0])

static char **field_str(struct config *cfg, const struct key *k)
{
	return (char **)((char *)cfg + k->off);
}

static long *field_long(struct config *cfg, const struct key *k)
{
	return (long *)((char *)cfg + k->off);
}

static struct strlist *field_list(struct config *cfg, const struct key *k)
{
	return (struct strlist *)((char *)cfg + k->off);
}

static void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void strlist_push(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		switch (k->type) {
		case KEY_STRING:
			*field_str(cfg, k) = xstrdup(k->def);
			break;
		case KEY_INT:
			*field_long(cfg, k) = k->def_n;
			break;
		case KEY_LIST:
			for (const char *const *d = k->def_list; *d; d++)
				strlist_push(field_list(cfg, k), *d);
			break;
		}
	}
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		if (k->type == KEY_STRING)
			free(*field_str(cfg, k));
		else if (k->type == KEY_LIST)
			strlist_clear(field_list(cfg, k));
	}
	free(cfg->source_path);
	memset(cfg, 0, sizeof *cfg);
}

/* ---- paths ---- */

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return h;
	struct passwd *pw = getpwuid(getuid());
	if (pw && pw->pw_dir && *pw->pw_dir)
		return pw->pw_dir;
	return "/";
}

char *config_expand_home(const char *path)
{
	if (!path)
		return NULL;
	if (path[0] != '~' || (path[1] != '\0' && path[1] != '/'))
		return xstrdup(path);
	const char *home = home_dir();
	size_t hl = strlen(home);
	if (hl > 1 && home[hl - 1] == '/')
		hl--; /* "/home/u/" + "/x" would double the slash */
	struct buf b = {0};
	buf_add(&b, home, hl);
	buf_adds(&b, path + 1);
	return buf_steal(&b);
}

/* $var/relcon when var holds an absolute path (the XDG spec says relative
 * values are to be ignored), else $HOME/fallback/relcon. */
static char *xdg_dir(const char *var, const char *fallback)
{
	const char *v = getenv(var);
	struct buf b = {0};
	if (v && v[0] == '/')
		buf_printf(&b, "%s/relcon", v);
	else
		buf_printf(&b, "%s/%s/relcon", home_dir(), fallback);
	return buf_steal(&b);
}

char *config_dir(void)
{
	return xdg_dir("XDG_CONFIG_HOME", ".config");
}

char *config_state_dir(void)
{
	return xdg_dir("XDG_STATE_HOME", ".local/state");
}

char *config_cache_dir(void)
{
	return xdg_dir("XDG_CACHE_HOME", ".cache");
}

/* ---- loading ---- */

struct loader {
	struct ydoc *doc;
	struct config *cfg;
	struct buf *err;
	int seen[NKEYS]; /* line where each key was set, 0 = not yet */
};

/* Set err to "FILE:LINE: KEY: message" (no "KEY: " when key is NULL). */
/* clang-format off */
static int fail(struct loader *, const yaml_node_t *, const char *, const char *, ...)
	__attribute__((format(printf, 4, 5)));
/* clang-format on */

static int fail(struct loader *l, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	buf_printf(l->err, "%s:%d: ", ydoc_name(l->doc), ydoc_line(n));
	if (key)
		buf_printf(l->err, "%s: ", key);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(l->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* The text of a scalar as it may appear in a message: one line, inert,
 * and short. */
static char *quote_value(const char *s)
{
	return sanitize(s, strlen(s), SANITIZE_ONE_LINE, 60);
}

static int one_of(const char *const *choices, const char *s)
{
	for (; *choices; choices++)
		if (!strcmp(*choices, s))
			return 1;
	return 0;
}

static int set_value(struct loader *l, const struct key *k, yaml_node_t *v)
{
	const char *s = ydoc_scalar(v);
	switch (k->type) {
	case KEY_STRING: {
		if (!s)
			return fail(l, v, k->name, "expected a string");
		/* "key:" with nothing after it reads as YAML null: the empty string. */
		const char *val = ydoc_is_null(v) ? "" : s;
		if (k->choices && !one_of(k->choices, val)) {
			struct buf all = {0};
			for (const char *const *c = k->choices; *c; c++)
				buf_printf(&all, "%s%s", c == k->choices ? "" : ", ", *c);
			char *q = quote_value(val);
			fail(l, v, k->name, "expected one of %s, got \"%s\"", buf_str(&all), q);
			free(q);
			buf_free(&all);
			return -1;
		}
		char **f = field_str(l->cfg, k);
		free(*f);
		*f = xstrdup(val);
		return 0;
	}
	case KEY_INT: {
		if (!s)
			return fail(l, v, k->name, "expected a whole number");
		char *end;
		errno = 0;
		long n = strtol(s, &end, 10);
		if (!*s || *end || isspace((unsigned char)s[0])) {
			char *q = quote_value(s);
			fail(l, v, k->name, "expected a whole number, got \"%s\"", q);
			free(q);
			return -1;
		}
		if (errno == ERANGE || n < k->min || n > k->max)
			return fail(l, v, k->name, "must be between %ld and %ld", k->min, k->max);
		*field_long(l->cfg, k) = n;
		return 0;
	}
	case KEY_LIST: {
		if (!v || v->type != YAML_SEQUENCE_NODE)
			return fail(l, v, k->name, "expected a list of strings");
		struct strlist list = {0};
		size_t n = ydoc_seq_len(v);
		for (size_t i = 0; i < n; i++) {
			yaml_node_t *item = ydoc_seq_item(l->doc, v, i);
			const char *is = ydoc_scalar(item);
			if (!is || ydoc_is_null(item) || !*is) {
				strlist_clear(&list);
				return fail(l, item, k->name, "expected a list of strings");
			}
			strlist_push(&list, is);
		}
		struct strlist *f = field_list(l->cfg, k);
		strlist_clear(f);
		*f = list;
		return 0;
	}
	}
	return -1;
}

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* Nonzero when some key lives below the section "prefix". */
static int is_section(const char *prefix)
{
	size_t n = strlen(prefix);
	for (size_t i = 0; i < NKEYS; i++)
		if (!strncmp(keys[i].name, prefix, n) && keys[i].name[n] == '.')
			return 1;
	return 0;
}

static int walk(struct loader *l, yaml_node_t *map, const char *prefix)
{
	yaml_node_t *kn, *vn;
	for (size_t i = 0; ydoc_map_pair(l->doc, map, i, &kn, &vn) == 0; i++) {
		const char *ks = ydoc_scalar(kn);
		if (!ks || !*ks)
			return fail(l, kn, prefix, "keys must be plain names");
		struct buf full = {0};
		if (prefix)
			buf_printf(&full, "%s.", prefix);
		buf_adds(&full, ks);
		const char *name = buf_str(&full);
		int rc = 0;
		const struct key *k = find_key(name);
		if (k) {
			size_t idx = (size_t)(k - keys);
			if (l->seen[idx])
				rc = fail(l, kn, name, "set twice (first on line %d)", l->seen[idx]);
			else
				rc = set_value(l, k, vn);
			l->seen[idx] = ydoc_line(kn);
		} else if (is_section(name)) {
			if (vn && vn->type == YAML_MAPPING_NODE)
				rc = walk(l, vn, name);
			else if (!ydoc_is_null(vn)) /* an empty section is fine */
				rc = fail(l, vn, name, "expected a mapping");
		} else {
			char *q = quote_value(name);
			rc = fail(l, kn, q, "unknown key");
			free(q);
		}
		buf_free(&full);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int load_file(struct config *cfg, const char *path, struct buf *err)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		buf_printf(err, "%s: %s", path, strerror(EISDIR));
		return -1;
	}
	struct loader l = {.cfg = cfg, .err = err};
	if (ydoc_load_file(&l.doc, path, err) < 0)
		return -1;
	yaml_node_t *root = ydoc_root(l.doc);
	int rc = 0;
	if (root && root->type == YAML_MAPPING_NODE)
		rc = walk(&l, root, NULL);
	else if (root && !ydoc_is_null(root))
		rc = fail(&l, root, NULL, "expected a mapping of sections (buildkite:, steps:, refresh:, ...)");
	ydoc_free(&l.doc);
	return rc;
}

int config_load(struct config *cfg, const char *path, struct buf *err)
{
	config_defaults(cfg);
	char *file = NULL;
	int explicit = 1;
	if (path) {
		file = config_expand_home(path);
	} else {
		const char *env = getenv("RELCON_CONFIG");
		if (env && *env) {
			file = config_expand_home(env);
		} else {
			char *dir = config_dir();
			struct buf b = {0};
			buf_printf(&b, "%s/config.yaml", dir);
			free(dir);
			file = buf_steal(&b);
			explicit = 0;
		}
	}
	struct stat st;
	if (!explicit && stat(file, &st) < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		free(file);
		return 0;
	}
	if (load_file(cfg, file, err) < 0) {
		/* Never leave a half-applied file behind. */
		config_free(cfg);
		config_defaults(cfg);
		free(file);
		return -1;
	}
	cfg->source_path = file;
	return 0;
}

/* ---- documentation ---- */

static void format_default(struct buf *b, const struct key *k)
{
	switch (k->type) {
	case KEY_STRING:
		buf_adds(b, *k->def ? k->def : "\"\"");
		break;
	case KEY_INT:
		buf_printf(b, "%ld", k->def_n);
		break;
	case KEY_LIST:
		buf_addc(b, '[');
		for (const char *const *d = k->def_list; *d; d++) {
			if (d != k->def_list)
				buf_adds(b, ", ");
			/* Quoted when YAML would read it otherwise (a comma splits a flow list). */
			if (!(*d)[strcspn(*d, ",[]{}:#'\" ")]) {
				buf_adds(b, *d);
				continue;
			}
			buf_addc(b, '"');
			for (const char *c = *d; *c; c++) {
				if (*c == '"' || *c == '\\')
					buf_addc(b, '\\');
				buf_addc(b, *c);
			}
			buf_addc(b, '"');
		}
		buf_addc(b, ']');
		break;
	}
}

void config_print_keys(FILE *out)
{
	size_t wname = 0, wdef = 0;
	struct buf def = {0};
	for (size_t i = 0; i < NKEYS; i++) {
		size_t n = strlen(keys[i].name);
		wname = n > wname ? n : wname;
		buf_reset(&def);
		format_default(&def, &keys[i]);
		wdef = def.len > wdef ? def.len : wdef;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		buf_reset(&def);
		format_default(&def, k);
		fprintf(out, "%-*s  %-*s  %s", (int)wname, k->name, (int)wdef, buf_str(&def), k->doc);
		if (k->type == KEY_INT)
			fprintf(out, " (%ld-%ld)", k->min, k->max);
		fputc('\n', out);
	}
	buf_free(&def);
}

/* ---- the theme search path ---- */

static void theme_dir_add(struct theme_dir **v, size_t *n, char *dir, const char *origin)
{
	if (!dir)
		return;
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp((*v)[i].dir, dir)) {
			free(dir);
			return;
		}
	}
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = (struct theme_dir){dir, origin};
}

static char *path_join(const char *a, const char *b)
{
	struct buf p = {0};
	buf_printf(&p, "%s/%s", a, b);
	return buf_steal(&p);
}

/* The directory holding the running executable, or NULL. */
static char *exe_dir(void)
{
	size_t cap = 256;
	for (;;) {
		char *p = xmalloc(cap);
		ssize_t n = readlink("/proc/self/exe", p, cap);
		if (n < 0) {
			free(p);
			return NULL;
		}
		if ((size_t)n < cap) {
			p[n] = '\0';
			char *slash = strrchr(p, '/');
			if (!slash) {
				free(p);
				return NULL;
			}
			*(slash == p ? slash + 1 : slash) = '\0';
			return p;
		}
		free(p);
		cap *= 2;
	}
}

size_t config_theme_dirs(struct theme_dir **out)
{
	struct theme_dir *v = NULL;
	size_t n = 0;
	const char *env = getenv("RELCON_THEMES_DIR");
	if (env && *env)
		theme_dir_add(&v, &n, xstrdup(env), "RELCON_THEMES_DIR");
	char *cfg = config_dir();
	if (cfg)
		theme_dir_add(&v, &n, path_join(cfg, "themes"), "config dir");
	free(cfg);
	theme_dir_add(&v, &n, xstrdup(RELCON_DATADIR "/themes"), "data dir");
	char *exe = exe_dir();
	if (exe) {
		theme_dir_add(&v, &n, path_join(exe, "themes"), "beside the binary");
		theme_dir_add(&v, &n, path_join(exe, "../share/relcon/themes"), "beside the binary");
	}
	free(exe);
	*out = v;
	return n;
}

void config_theme_dirs_free(struct theme_dir *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].dir);
	free(v);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **config_theme_names(size_t *n)
{
	struct theme_dir *dirs;
	size_t ndirs = config_theme_dirs(&dirs);
	char **names = NULL;
	size_t count = 0;
	for (size_t i = 0; i < ndirs; i++) {
		DIR *dir = opendir(dirs[i].dir);
		if (!dir)
			continue;
		struct dirent *e;
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name);
			if (e->d_name[0] == '.' || len <= 5 || strcmp(e->d_name + len - 5, ".yaml"))
				continue;
			char *path = path_join(dirs[i].dir, e->d_name);
			struct stat st;
			int ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
			free(path);
			if (!ok)
				continue;
			names = xrealloc(names, (count + 1) * sizeof *names);
			names[count++] = xstrndup(e->d_name, len - 5);
		}
		closedir(dir);
	}
	config_theme_dirs_free(dirs, ndirs);
	if (count)
		qsort(names, count, sizeof *names, cmp_names);
	size_t out = 0;
	for (size_t i = 0; i < count; i++) {
		if (out && !strcmp(names[out - 1], names[i]))
			free(names[i]);
		else
			names[out++] = names[i];
	}
	*n = out;
	return names;
}

/* Create every missing directory above path's last component (0700). */
int config_make_parents(const char *path, struct buf *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			buf_printf(err, "%s: %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
		*p = saved;
		if (!saved)
			break;
	}
	free(dir);
	return 0;
}
