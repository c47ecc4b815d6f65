/* Unit tests for core/config.c: defaults, overriding from YAML, the exact
 * "FILE:LINE: KEY: message" errors, where the file is looked for, and the
 * key list that documents it all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/config.h"

struct fixture {
	char dir[64];
	char *home; /* dir/home, $HOME for the test */
};

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/relcon-test-config-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	struct buf h = {0};
	buf_printf(&h, "%s/home", f->dir);
	f->home = buf_steal(&h);
	if (mkdir(f->home, 0700) < 0)
		return -1;
	setenv("HOME", f->home, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_STATE_HOME");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("RELCON_CONFIG");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->home);
	free(f);
	return 0;
}

/* Create dir/rel (and its parents) holding text; returns the path. */
static char *write_file(struct fixture *f, const char *rel, const char *text)
{
	struct buf p = {0};
	buf_printf(&p, "%s/%s", f->dir, rel);
	for (char *s = p.s + strlen(f->dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p.s, 0700);
		*s = '/';
	}
	FILE *fp = fopen(p.s, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return buf_steal(&p);
}

static void assert_defaults(const struct config *c)
{
	assert_string_equal(c->bk_organization, "readyset");
	assert_string_equal(c->bk_pipeline, "readyset");
	assert_string_equal(c->bk_endpoint, "https://api.buildkite.com");
	assert_string_equal(c->bk_token_file, "");
	assert_int_equal(c->bk_per_page, 100);
	assert_string_equal(c->step_build_amis, "Build AMIs and CloudFormation templates");
	assert_string_equal(c->step_alpha, "Deploy AMIs and CloudFormation as alpha release");
	assert_string_equal(c->step_release, "Deploy AMIs and CloudFormation as release");
	assert_string_equal(c->release_field, "release-name");
	assert_string_equal(c->main_branch, "main");
	assert_int_equal(c->refresh_active, 10);
	assert_int_equal(c->refresh_idle, 60);
	assert_int_equal(c->refresh_budget_pct, 10);
	assert_int_equal(c->http_timeout, 30);
	assert_int_equal(c->http_max_attempts, 4);
	assert_string_equal(c->ui_theme, "default");
	assert_string_equal(c->ui_branch, "");
	assert_int_equal(c->ui_limit, 50);
	assert_string_equal(c->ui_notify, "bell");
	assert_int_equal(c->ui_mouse, 0);
	assert_string_equal(c->aws_region, "us-east-2");
	assert_int_equal(c->aws_regions.n, 3);
	assert_string_equal(c->aws_regions.v[0], "us-east-1");
	assert_string_equal(c->aws_regions.v[1], "us-east-2");
	assert_string_equal(c->aws_regions.v[2], "us-west-2");
	assert_int_equal(c->launch_params.n, 2);
	assert_string_equal(c->launch_params.v[0], "AvailabilityZones=<REGION>a,<REGION>b,<REGION>c");
	assert_string_equal(c->launch_params.v[1],
			    "SSMParameterKmsKeyArn=arn:aws:kms:<REGION>:<ACCOUNT>:alias/aws/ssm");
	assert_string_equal(c->launch_stack_name, "<KEY>-super");
	assert_int_equal(c->launch_disable_rollback, 1);
	assert_string_equal(c->aws_internal_bucket, "readysettech-cfn-internal-us-east-2");
	assert_string_equal(c->aws_public_bucket, "readysettech-cfn-public-us-east-2");
	assert_string_equal(c->aws_internal_prefix, "<COMMIT>/readyset/templates/");
	assert_string_equal(c->aws_alpha_prefix, "alpha/<COMMIT>/readyset/templates/");
	assert_string_equal(c->aws_release_prefix, "<RELEASE>/readyset/templates/");
	assert_string_equal(c->aws_commit_tag, "Commit");
	assert_string_equal(c->aws_locals_path, "ops/image-deploy/locals.pkr.hcl");
}

/* Load text from a file and expect exactly "<path>:<want>"; the config must
 * come back as pure defaults. */
static void expect_error(struct fixture *f, const char *text, const char *want)
{
	char *path = write_file(f, "bad.yaml", text);
	struct config c;
	struct buf err = {0}, full = {0};
	assert_int_equal(config_load(&c, path, &err), -1);
	buf_printf(&full, "%s:%s", path, want);
	assert_string_equal(buf_str(&err), full.s);
	assert_defaults(&c);
	assert_null(c.source_path);
	config_free(&c);
	buf_free(&err);
	buf_free(&full);
	free(path);
}

static void test_defaults(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	assert_defaults(&c);
	assert_null(c.source_path);
	config_free(&c);
	assert_null(c.bk_organization);
	config_free(&c); /* freeing twice is harmless */
}

static void test_xdg_default_missing_is_fine(void **state)
{
	(void)state;
	struct config c;
	struct buf err = {0};
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_string_equal(buf_str(&err), "");
	assert_defaults(&c);
	assert_null(c.source_path);
	config_free(&c);

	/* Also when the directory above it is missing or XDG_CONFIG_HOME is set. */
	setenv("XDG_CONFIG_HOME", "/nonexistent/relcon-test", 1);
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_null(c.source_path);
	config_free(&c);
	buf_free(&err);
}

static void test_xdg_default_is_read(void **state)
{
	struct fixture *f = *state;
	/* $HOME/.config/relcon/config.yaml without XDG_CONFIG_HOME. */
	char *path = write_file(f, "home/.config/relcon/config.yaml", "ui:\n  theme: mono\n");
	struct config c;
	struct buf err = {0};
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_string_equal(c.ui_theme, "mono");
	assert_string_equal(c.source_path, path);
	config_free(&c);
	free(path);

	/* $XDG_CONFIG_HOME/relcon/config.yaml wins over ~/.config. */
	path = write_file(f, "xdg/relcon/config.yaml", "ui:\n  theme: light\n");
	struct buf xdg = {0};
	buf_printf(&xdg, "%s/xdg", f->dir);
	setenv("XDG_CONFIG_HOME", xdg.s, 1);
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_string_equal(c.ui_theme, "light");
	assert_string_equal(c.source_path, path);
	config_free(&c);
	free(path);

	/* An error in the default file is still an error. */
	path = write_file(f, "xdg/relcon/config.yaml", "ui:\n  colour: red\n");
	assert_int_equal(config_load(&c, NULL, &err), -1);
	struct buf want = {0};
	buf_printf(&want, "%s:2: ui.colour: unknown key", path);
	assert_string_equal(buf_str(&err), want.s);
	config_free(&c);
	free(path);
	buf_free(&want);
	buf_free(&xdg);
	buf_free(&err);
}

static void test_full_file_overrides(void **state)
{
	struct fixture *f = *state;
	char *path = write_file(f, "full.yaml",
				"# every key\n"
				"buildkite:\n"
				"  organization: acme\n"
				"  pipeline: \"widgets\"\n"
				"  endpoint: http://127.0.0.1:8080\n"
				"  token_file: ~/bk-token\n"
				"  per_page: 42\n"
				"steps:\n"
				"  build_amis: Build images\n"
				"  alpha: 'Ship alpha'\n"
				"  release: Ship release\n"
				"  release_field: name\n"
				"  main_branch: trunk\n"
				"refresh:\n"
				"  active_seconds: 5\n"
				"  idle_seconds: 120\n"
				"  max_budget_percent: 25\n"
				"http:\n"
				"  timeout_seconds: 7\n"
				"  max_attempts: 1\n"
				"ui:\n"
				"  theme: high-contrast\n"
				"  branch: main\n"
				"  builds: 200\n"
				"  notify: osc777\n"
				"  mouse: 1\n"
				"aws:\n"
				"  region: eu-west-1\n"
				"  destination_regions: [eu-west-1, eu-central-1]\n"
				"  internal_bucket: ib\n"
				"  public_bucket: pb\n"
				"  internal_prefix: i/<COMMIT>/\n"
				"  alpha_prefix: a/<COMMIT>/\n"
				"  release_prefix: r/<RELEASE>/\n"
				"  commit_tag: GitSha\n"
				"  locals_path: deploy/locals.hcl\n");
	struct config c;
	struct buf err = {0};
	int rc = config_load(&c, path, &err);
	if (rc)
		fail_msg("%s", buf_str(&err));
	assert_string_equal(c.bk_organization, "acme");
	assert_string_equal(c.bk_pipeline, "widgets");
	assert_string_equal(c.bk_endpoint, "http://127.0.0.1:8080");
	assert_string_equal(c.bk_token_file, "~/bk-token"); /* expanded where it is used */
	assert_int_equal(c.bk_per_page, 42);
	assert_string_equal(c.step_build_amis, "Build images");
	assert_string_equal(c.step_alpha, "Ship alpha");
	assert_string_equal(c.step_release, "Ship release");
	assert_string_equal(c.release_field, "name");
	assert_string_equal(c.main_branch, "trunk");
	assert_int_equal(c.refresh_active, 5);
	assert_int_equal(c.refresh_idle, 120);
	assert_int_equal(c.refresh_budget_pct, 25);
	assert_int_equal(c.http_timeout, 7);
	assert_int_equal(c.http_max_attempts, 1);
	assert_string_equal(c.ui_theme, "high-contrast");
	assert_string_equal(c.ui_branch, "main");
	assert_int_equal(c.ui_limit, 200);
	assert_string_equal(c.ui_notify, "osc777");
	assert_int_equal(c.ui_mouse, 1);
	assert_string_equal(c.aws_region, "eu-west-1");
	assert_int_equal(c.aws_regions.n, 2);
	assert_string_equal(c.aws_regions.v[0], "eu-west-1");
	assert_string_equal(c.aws_regions.v[1], "eu-central-1");
	assert_string_equal(c.aws_internal_bucket, "ib");
	assert_string_equal(c.aws_public_bucket, "pb");
	assert_string_equal(c.aws_internal_prefix, "i/<COMMIT>/");
	assert_string_equal(c.aws_alpha_prefix, "a/<COMMIT>/");
	assert_string_equal(c.aws_release_prefix, "r/<RELEASE>/");
	assert_string_equal(c.aws_commit_tag, "GitSha");
	assert_string_equal(c.aws_locals_path, "deploy/locals.hcl");
	assert_string_equal(c.source_path, path);
	config_free(&c);
	buf_free(&err);
	free(path);
}

static void test_partial_file_keeps_other_defaults(void **state)
{
	struct fixture *f = *state;
	char *path = write_file(f, "part.yaml",
				"refresh:\n  idle_seconds: 300\n"
				"ui:\n  branch:\n" /* empty value: the empty string */
				"http:\n"          /* empty section */
				"aws:\n  destination_regions:\n    - us-west-1\n");
	struct config c;
	struct buf err = {0};
	int rc = config_load(&c, path, &err);
	if (rc)
		fail_msg("%s", buf_str(&err));
	assert_int_equal(c.refresh_idle, 300);
	assert_int_equal(c.refresh_active, 10);
	assert_string_equal(c.ui_branch, "");
	assert_int_equal(c.http_timeout, 30);
	assert_int_equal(c.aws_regions.n, 1);
	assert_string_equal(c.aws_regions.v[0], "us-west-1");
	assert_string_equal(c.bk_organization, "readyset");
	config_free(&c);
	free(path);
	buf_free(&err);
}

static void test_empty_files_are_fine(void **state)
{
	struct fixture *f = *state;
	static const char *const texts[] = {"", "\n\n", "# only a comment\n", "---\n", "~\n"};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char *path = write_file(f, "empty.yaml", texts[i]);
		struct config c;
		struct buf err = {0};
		int rc = config_load(&c, path, &err);
		if (rc)
			fail_msg("\"%s\": %s", texts[i], buf_str(&err));
		assert_defaults(&c);
		assert_string_equal(c.source_path, path);
		config_free(&c);
		buf_free(&err);
		free(path);
	}
}

static void test_unknown_keys(void **state)
{
	struct fixture *f = *state;
	expect_error(f, "buildkite:\n  organization: acme\n  organisation: acme\n",
		     "3: buildkite.organisation: unknown key");
	expect_error(f, "# comment\ncolours:\n  a: b\n", "2: colours: unknown key");
	expect_error(f, "refresh:\n  active_seconds: 5\n  fast:\n    x: 1\n", "3: refresh.fast: unknown key");
	/* Dotted keys are the same keys, so a misspelt one is found too. */
	expect_error(f, "ui.colour: red\n", "1: ui.colour: unknown key");
}

static void test_wrong_types(void **state)
{
	struct fixture *f = *state;
	expect_error(f, "refresh:\n  active_seconds: 5\n  idle_seconds: soon\n",
		     "3: refresh.idle_seconds: expected a whole number, got \"soon\"");
	expect_error(f, "http:\n  timeout_seconds: 2.5\n",
		     "2: http.timeout_seconds: expected a whole number, got \"2.5\"");
	expect_error(f, "http:\n  timeout_seconds:\n", "2: http.timeout_seconds: expected a whole number, got \"\"");
	expect_error(f, "http:\n  max_attempts: [1, 2]\n", "2: http.max_attempts: expected a whole number");
	expect_error(f, "aws:\n  destination_regions: us-east-1\n",
		     "2: aws.destination_regions: expected a list of strings");
	expect_error(f, "aws:\n  destination_regions:\n    - us-east-1\n    - {name: x}\n",
		     "4: aws.destination_regions: expected a list of strings");
	expect_error(f, "aws:\n  destination_regions:\n    - us-east-1\n    -\n",
		     "4: aws.destination_regions: expected a list of strings");
	expect_error(f, "aws:\n  destination_regions: [us-east-1, ~]\n",
		     "2: aws.destination_regions: expected a list of strings");
	expect_error(f, "buildkite: readyset\n", "1: buildkite: expected a mapping");
	expect_error(f, "steps:\n  - alpha\n", "2: steps: expected a mapping");
	expect_error(f, "ui:\n  theme:\n    name: dark\n", "3: ui.theme: expected a string");
	/* A key with a fixed set of values names them. */
	expect_error(f, "ui:\n  notify: osc52\n",
		     "2: ui.notify: expected one of bell, osc9, osc777, none, got \"osc52\"");
	expect_error(f, "ui:\n  notify:\n", "2: ui.notify: expected one of bell, osc9, osc777, none, got \"\"");
	expect_error(f, "- buildkite\n", "1: expected a mapping of sections (buildkite:, steps:, refresh:, ...)");
	/* Control characters in a bad value are shown inert. */
	expect_error(f, "http:\n  max_attempts: \"4\\e[2J\"\n",
		     "2: http.max_attempts: expected a whole number, got \"4^[[2J\"");
}

static void test_out_of_range(void **state)
{
	struct fixture *f = *state;
	expect_error(f, "buildkite:\n  per_page: 500\n", "2: buildkite.per_page: must be between 1 and 100");
	expect_error(f, "buildkite:\n  per_page: 0\n", "2: buildkite.per_page: must be between 1 and 100");
	expect_error(f, "buildkite:\n  per_page: -3\n", "2: buildkite.per_page: must be between 1 and 100");
	expect_error(f, "\n\nrefresh:\n  max_budget_percent: 99999999999999999999999\n",
		     "4: refresh.max_budget_percent: must be between 1 and 100");
	expect_error(f, "http:\n  max_attempts: 11\n", "2: http.max_attempts: must be between 1 and 10");
	expect_error(f, "ui:\n  mouse: 2\n", "2: ui.mouse: must be between 0 and 1");
}

static void test_duplicate_key(void **state)
{
	struct fixture *f = *state;
	expect_error(f, "ui:\n  theme: a\n  builds: 3\n  theme: b\n", "4: ui.theme: set twice (first on line 2)");
}

static void test_yaml_syntax_errors(void **state)
{
	struct fixture *f = *state;
	expect_error(f, "buildkite:\n  organization: [unclosed\n",
		     "3: did not find expected ',' or ']' while parsing a flow sequence");
	expect_error(f, "ui:\n  theme: a\n builds: 3\n", "3: did not find expected key while parsing a block mapping");
	expect_error(f, "ui:\n\ttheme: a\n",
		     "2: found character that cannot start any token while scanning for the next token");
}

static void test_explicit_missing_file(void **state)
{
	struct fixture *f = *state;
	struct config c;
	struct buf err = {0}, want = {0};
	buf_printf(&want, "%s/nope.yaml", f->dir);

	/* --config FILE */
	assert_int_equal(config_load(&c, want.s, &err), -1);
	buf_adds(&want, ": No such file or directory");
	assert_string_equal(buf_str(&err), want.s);
	assert_defaults(&c);
	config_free(&c);

	/* $RELCON_CONFIG, even with a readable default file present. */
	char *xdg = write_file(f, "home/.config/relcon/config.yaml", "ui:\n  theme: mono\n");
	buf_reset(&err);
	buf_reset(&want);
	buf_printf(&want, "%s/nope.yaml", f->dir);
	setenv("RELCON_CONFIG", want.s, 1);
	assert_int_equal(config_load(&c, NULL, &err), -1);
	buf_adds(&want, ": No such file or directory");
	assert_string_equal(buf_str(&err), want.s);
	assert_string_equal(c.ui_theme, "default");
	config_free(&c);

	/* An empty RELCON_CONFIG means "not set". */
	setenv("RELCON_CONFIG", "", 1);
	buf_reset(&err);
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_string_equal(c.ui_theme, "mono");
	config_free(&c);

	/* A directory is not a config file. */
	buf_reset(&err);
	assert_int_equal(config_load(&c, f->dir, &err), -1);
	assert_non_null(strstr(buf_str(&err), "Is a directory"));
	config_free(&c);
	free(xdg);
	buf_free(&err);
	buf_free(&want);
}

static void test_relcon_config_env(void **state)
{
	struct fixture *f = *state;
	char *path = write_file(f, "elsewhere.yaml", "steps:\n  main_branch: trunk\n");
	setenv("RELCON_CONFIG", path, 1);
	struct config c;
	struct buf err = {0};
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_string_equal(c.main_branch, "trunk");
	assert_string_equal(c.source_path, path);
	config_free(&c);

	/* An explicit path argument wins over the variable. */
	char *other = write_file(f, "other.yaml", "steps:\n  main_branch: master\n");
	assert_int_equal(config_load(&c, other, &err), 0);
	assert_string_equal(c.main_branch, "master");
	config_free(&c);
	free(other);
	free(path);
	buf_free(&err);
}

static void test_home_expansion(void **state)
{
	struct fixture *f = *state;
	struct buf want = {0};
	char *got = config_expand_home("~/relcon/token");
	buf_printf(&want, "%s/relcon/token", f->home);
	assert_string_equal(got, want.s);
	free(got);
	got = config_expand_home("~");
	assert_string_equal(got, f->home);
	free(got);
	/* Only a leading "~" or "~/" is expanded. */
	static const char *const same[] = {"relative/~/x", "/abs/path", "~bob/x", "", "x~"};
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		got = config_expand_home(same[i]);
		assert_string_equal(got, same[i]);
		free(got);
	}
	assert_null(config_expand_home(NULL));

	/* A trailing slash on $HOME does not double up. */
	buf_reset(&want);
	buf_printf(&want, "%s/", f->home);
	setenv("HOME", want.s, 1);
	got = config_expand_home("~/x");
	buf_reset(&want);
	buf_printf(&want, "%s/x", f->home);
	assert_string_equal(got, want.s);
	free(got);
	setenv("HOME", f->home, 1);

	/* RELCON_CONFIG=~/file (quoted in a shell, so not expanded there). */
	char *path = write_file(f, "home/my-relcon.yaml", "ui:\n  builds: 7\n");
	setenv("RELCON_CONFIG", "~/my-relcon.yaml", 1);
	struct config c;
	struct buf err = {0};
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_int_equal(c.ui_limit, 7);
	assert_string_equal(c.source_path, path);
	config_free(&c);
	free(path);
	buf_free(&err);
	buf_free(&want);
}

static void test_xdg_dirs(void **state)
{
	struct fixture *f = *state;
	struct buf want = {0};
	static const struct {
		char *(*fn)(void);
		const char *var;
		const char *fallback;
	} dirs[] = {
		{config_dir, "XDG_CONFIG_HOME", ".config"},
		{config_state_dir, "XDG_STATE_HOME", ".local/state"},
		{config_cache_dir, "XDG_CACHE_HOME", ".cache"},
	};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *got = dirs[i].fn();
		buf_reset(&want);
		buf_printf(&want, "%s/%s/relcon", f->home, dirs[i].fallback);
		assert_string_equal(got, want.s);
		free(got);

		setenv(dirs[i].var, "/xdg/place", 1);
		got = dirs[i].fn();
		assert_string_equal(got, "/xdg/place/relcon");
		free(got);

		/* The XDG spec says relative paths are invalid: ignored. */
		setenv(dirs[i].var, "relative/place", 1);
		got = dirs[i].fn();
		assert_string_equal(got, want.s);
		free(got);
		setenv(dirs[i].var, "", 1);
		got = dirs[i].fn();
		assert_string_equal(got, want.s);
		free(got);
		unsetenv(dirs[i].var);
	}
	buf_free(&want);
}

/* Split a config_print_keys line on runs of two or more spaces. */
static size_t split_columns(char *line, char **cols, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (*p && n < max) {
		cols[n++] = p;
		char *gap = strstr(p, "  ");
		if (!gap)
			break;
		*gap = '\0';
		p = gap + 2;
		while (*p == ' ')
			p++;
	}
	return n;
}

static void test_print_keys(void **state)
{
	struct fixture *f = *state;
	static const char *const all[] = {
		"buildkite.organization",
		"buildkite.pipeline",
		"buildkite.endpoint",
		"buildkite.token_file",
		"buildkite.per_page",
		"steps.build_amis",
		"steps.alpha",
		"steps.release",
		"steps.release_field",
		"steps.main_branch",
		"refresh.active_seconds",
		"refresh.idle_seconds",
		"refresh.max_budget_percent",
		"http.timeout_seconds",
		"http.max_attempts",
		"ui.theme",
		"ui.branch",
		"ui.builds",
		"ui.cache",
		"ui.notify",
		"ui.mouse",
		"aws.region",
		"aws.destination_regions",
		"aws.internal_bucket",
		"aws.public_bucket",
		"aws.internal_prefix",
		"aws.alpha_prefix",
		"aws.release_prefix",
		"aws.commit_tag",
		"aws.locals_path",
		"stacks.allow_foreign_teardown",
		"aws.sandbox_accounts",
		"ssh.bastion_user",
		"ssh.user",
		"ssh.identity_file",
		"ssh.options",
		"ssh.port",
		"ssh.program",
		"launch.template",
		"launch.stack_name",
		"launch.ttl",
		"launch.disable_rollback",
		"launch.ip_url",
		"launch.params",
		"promote.release_name_pattern",
		"promote.allow_override",
		"safety.read_only",
	};
	size_t nall = sizeof all / sizeof all[0];
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp = open_memstream(&out, &outlen);
	assert_non_null(fp);
	config_print_keys(fp);
	fclose(fp);

	/* Rebuild a YAML file from the printed keys and defaults: it must load
	 * and give exactly the defaults, so the printed list is truthful. */
	struct buf yaml = {0};
	char section[64] = "";
	size_t lines = 0, doc_col = 0;
	char *save = NULL;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), lines++) {
		assert_true(lines < nall);
		char *cols[3];
		char *copy = xstrdup(line);
		size_t n = split_columns(copy, cols, 3);
		assert_int_equal(n, 3);
		assert_string_equal(cols[0], all[lines]); /* table order */
		assert_true(strlen(cols[2]) > 10);        /* a real description */
		/* Aligned: every description starts in the same column. */
		size_t col = (size_t)(cols[2] - copy);
		if (!doc_col)
			doc_col = col;
		assert_int_equal(col, doc_col);

		const char *dot = strchr(cols[0], '.');
		assert_non_null(dot);
		if (strncmp(section, cols[0], (size_t)(dot - cols[0])) || section[dot - cols[0]] != '\0') {
			snprintf(section, sizeof section, "%.*s", (int)(dot - cols[0]), cols[0]);
			buf_printf(&yaml, "%s:\n", section);
		}
		buf_printf(&yaml, "  %s: %s\n", dot + 1, cols[1]);
		free(copy);
	}
	assert_int_equal(lines, nall);

	char *again = NULL;
	fp = open_memstream(&again, &outlen);
	config_print_keys(fp);
	fclose(fp);
	assert_non_null(strstr(again, "[us-east-1, us-east-2, us-west-2]"));
	assert_non_null(strstr(again, "Builds fetched per API request (1-100)"));
	free(again);

	char *path = write_file(f, "printed.yaml", yaml.s);
	struct config c;
	struct buf err = {0};
	int rc = config_load(&c, path, &err);
	if (rc)
		fail_msg("%s\n%s", buf_str(&err), yaml.s);
	assert_defaults(&c);
	config_free(&c);
	free(path);
	buf_free(&err);
	buf_free(&yaml);
	free(out);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_xdg_default_missing_is_fine),
		T(test_xdg_default_is_read),
		T(test_full_file_overrides),
		T(test_partial_file_keeps_other_defaults),
		T(test_empty_files_are_fine),
		T(test_unknown_keys),
		T(test_wrong_types),
		T(test_out_of_range),
		T(test_duplicate_key),
		T(test_yaml_syntax_errors),
		T(test_explicit_missing_file),
		T(test_relcon_config_env),
		T(test_home_expansion),
		T(test_xdg_dirs),
		T(test_print_keys),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
