/* Unit tests for aws/profile.c: the shared config and credentials files
 * read as botocore reads them (syntax, which file spells profiles how,
 * merging, precedence of flags and variables), the role chain behind
 * source_profile, credential_process splitting, and "FILE:LINE" errors
 * that never show a secret. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/profile.h"
#include "core/buf.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define TOKEN  "IQoJb3JpZ2luX2VjEXAMPLETOKEN"

static const char *const env_vars[] = {
	"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE",     "AWS_DEFAULT_PROFILE",
	"AWS_REGION",      "AWS_DEFAULT_REGION",          "RELCON_TEST_DIR", NULL,
};

struct fixture {
	char dir[64];
	char *home;   /* dir/home, $HOME */
	char *config; /* dir/config, the config file the tests write */
	char *creds;  /* dir/credentials */
};

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static char *path_in(const char *dir, const char *rel)
{
	struct buf b = {0};
	buf_printf(&b, "%s/%s", dir, rel);
	return buf_steal(&b);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/relcon-test-awsprof-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->home = path_in(f->dir, "home");
	f->config = path_in(f->dir, "config");
	f->creds = path_in(f->dir, "credentials");
	if (mkdir(f->home, 0700) < 0)
		return -1;
	setenv("HOME", f->home, 1);
	for (size_t i = 0; env_vars[i]; i++)
		unsetenv(env_vars[i]);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; env_vars[i]; i++)
		unsetenv(env_vars[i]);
	free(f->home);
	free(f->config);
	free(f->creds);
	free(f);
	return 0;
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	/* As `aws configure` writes them: a credentials file others can read is refused. */
	assert_int_equal(chmod(path, 0600), 0);
}

/* Write the two files (NULL: leave that file missing) and load them. */
static struct aws_files *load(struct fixture *f, const char *config, const char *creds)
{
	remove(f->config);
	remove(f->creds);
	if (config)
		write_text(f->config, config);
	if (creds)
		write_text(f->creds, creds);
	struct aws_files *files = NULL;
	struct buf err = {0};
	int rc = aws_files_load(&files, f->config, f->creds, &err);
	if (rc != 0)
		fail_msg("aws_files_load: %s", buf_str(&err));
	buf_free(&err);
	return files;
}

/* Load and expect failure; returns the message (caller frees). */
static char *load_error(struct fixture *f, const char *config, const char *creds)
{
	remove(f->config);
	remove(f->creds);
	if (config)
		write_text(f->config, config);
	if (creds)
		write_text(f->creds, creds);
	struct aws_files *files = NULL;
	struct buf err = {0};
	assert_int_equal(aws_files_load(&files, f->config, f->creds, &err), -1);
	assert_null(files);
	return buf_steal(&err);
}

static struct aws_profile *get(struct aws_files *files, const char *name)
{
	struct aws_profile *p = NULL;
	struct buf err = {0};
	if (aws_profile_get(&p, files, name, 1, &err) != 0)
		fail_msg("aws_profile_get(%s): %s", name, buf_str(&err));
	buf_free(&err);
	return p;
}

static char *get_error(struct aws_files *files, const char *name)
{
	struct aws_profile *p = NULL;
	struct buf err = {0};
	assert_int_equal(aws_profile_get(&p, files, name, 1, &err), -1);
	assert_null(p);
	return buf_steal(&err);
}

/* "PATH:LINE: rest" */
static void assert_at(const char *got, const char *path, int line, const char *rest)
{
	struct buf want = {0};
	buf_printf(&want, "%s:%d: %s", path, line, rest);
	assert_string_equal(got, want.s);
	buf_free(&want);
}

/* ---- Files ---- */

static void test_missing_files_are_empty(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = load(f, NULL, NULL);
	assert_string_equal(aws_files_config_path(files), f->config);
	assert_string_equal(aws_files_credentials_path(files), f->creds);
	assert_false(aws_files_has_profile(files, "default"));

	/* The implicit default may be absent... */
	struct aws_profile *p = NULL;
	struct buf err = {0};
	assert_int_equal(aws_profile_get(&p, files, "default", 0, &err), 0);
	assert_false(p->found);
	assert_string_equal(p->name, "default");
	assert_null(p->region);
	assert_null(p->aws_access_key_id);
	assert_int_equal(p->n_entries, 0);
	aws_profile_free(&p);
	assert_null(p);

	/* ...a named one may not, and the message names both files. */
	char *msg = get_error(files, "prod");
	struct buf want = {0};
	buf_printf(&want, "profile \"prod\" is defined in neither %s nor %s", f->config, f->creds);
	assert_string_equal(msg, want.s);
	free(msg);
	buf_free(&want);
	buf_free(&err);
	aws_files_free(&files);
	assert_null(files);
	aws_files_free(&files); /* NULL is fine */
}

static void test_default_locations_and_env(void **state)
{
	struct fixture *f = *state;
	char *aws = path_in(f->home, ".aws");
	assert_int_equal(mkdir(aws, 0700), 0);
	char *cfg = path_in(aws, "config"), *cred = path_in(aws, "credentials");
	write_text(cfg, "[default]\nregion = eu-west-1\n");
	write_text(cred, "[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = " SECRET "\n");

	struct aws_files *files = NULL;
	struct buf err = {0};
	assert_int_equal(aws_files_load(&files, NULL, NULL, &err), 0);
	assert_string_equal(aws_files_config_path(files), cfg);
	assert_string_equal(aws_files_credentials_path(files), cred);
	struct aws_profile *p = get(files, "default");
	assert_string_equal(p->region, "eu-west-1");
	assert_string_equal(p->aws_access_key_id, "AKIDHOME");
	aws_profile_free(&p);
	aws_files_free(&files);

	/* AWS_CONFIG_FILE with ~ and AWS_SHARED_CREDENTIALS_FILE with $VAR,
	 * as botocore expands them (expandvars, then expanduser). */
	write_text(f->config, "[default]\nregion = ap-south-1\n");
	write_text(f->creds, "[default]\naws_access_key_id = AKIDENV\naws_secret_access_key = " SECRET "\n");
	char *rel = path_in("~/..", "config");
	setenv("AWS_CONFIG_FILE", rel, 1);
	setenv("RELCON_TEST_DIR", f->dir, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "${RELCON_TEST_DIR}/credentials", 1);
	assert_int_equal(aws_files_load(&files, NULL, NULL, &err), 0);
	struct buf want = {0};
	buf_printf(&want, "%s/../config", f->home);
	assert_string_equal(aws_files_config_path(files), want.s);
	assert_string_equal(aws_files_credentials_path(files), f->creds);
	p = get(files, "default");
	assert_string_equal(p->region, "ap-south-1");
	assert_string_equal(p->aws_access_key_id, "AKIDENV");
	aws_profile_free(&p);
	aws_files_free(&files);

	/* An explicit path beats the variable; "" counts as unset. */
	assert_int_equal(aws_files_load(&files, cfg, "", &err), 0);
	assert_string_equal(aws_files_config_path(files), cfg);
	assert_string_equal(aws_files_credentials_path(files), f->creds);
	aws_files_free(&files);

	/* An unknown $NAME is kept as written. */
	setenv("AWS_CONFIG_FILE", "$RELCON_NO_SUCH_VAR/config", 1);
	assert_int_equal(aws_files_load(&files, NULL, NULL, &err), 0);
	assert_string_equal(aws_files_config_path(files), "$RELCON_NO_SUCH_VAR/config");
	aws_files_free(&files);

	assert_int_equal(err.len, 0);
	buf_free(&want);
	free(rel);
	free(cfg);
	free(cred);
	free(aws);
}

static void test_unreadable_files(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = NULL;
	struct buf err = {0};
	/* A directory where the file should be. */
	assert_int_equal(mkdir(f->config, 0700), 0);
	assert_int_equal(aws_files_load(&files, f->config, f->creds, &err), -1);
	assert_null(files);
	struct buf want = {0};
	buf_printf(&want, "%s: is a directory, not a file", f->config);
	assert_string_equal(err.s, want.s);
	rmdir(f->config);

	/* A file that cannot be opened (a symbolic link loop: works as root). */
	assert_int_equal(symlink(f->config, f->config), 0);
	buf_reset(&err);
	buf_reset(&want);
	assert_int_equal(aws_files_load(&files, f->config, f->creds, &err), -1);
	buf_printf(&want, "%s: %s", f->config, strerror(ELOOP));
	assert_string_equal(err.s, want.s);
	remove(f->config);

	/* No permission (root reads anything, so only as a user). */
	if (geteuid() != 0) {
		write_text(f->creds, "[default]\n");
		chmod(f->creds, 0);
		buf_reset(&err);
		buf_reset(&want);
		assert_int_equal(aws_files_load(&files, f->config, f->creds, &err), -1);
		buf_printf(&want, "%s: Permission denied", f->creds);
		assert_string_equal(err.s, want.s);
		chmod(f->creds, 0600);
	}
	buf_free(&err);
	buf_free(&want);
}

/* A credentials file that group or others may access is refused, naming the
 * file and the fix, as ssh refuses such a private key; the config file (no
 * secrets) is not; through AWS_SHARED_CREDENTIALS_FILE as well. */
static void test_open_credentials_file_refused(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = NULL;
	struct buf err = {0};
	struct buf want = {0};
	static const mode_t open_modes[] = {0644, 0640, 0604, 0660, 0602, 0620};
	for (size_t i = 0; i < sizeof open_modes / sizeof open_modes[0]; i++) {
		write_text(f->config, "[default]\nregion = eu-west-1\n");
		write_text(f->creds, "[default]\naws_access_key_id = AKIDOPEN\naws_secret_access_key = " SECRET "\n");
		assert_int_equal(chmod(f->creds, open_modes[i]), 0);
		buf_reset(&err);
		buf_reset(&want);
		assert_int_equal(aws_files_load(&files, f->config, f->creds, &err), -1);
		assert_null(files);
		buf_printf(&want,
			   "%s: permissions %04o are too open: the credentials must be readable by you alone.\n"
			   "  Run: chmod 600 %s",
			   f->creds, (unsigned)open_modes[i], f->creds);
		assert_string_equal(err.s, want.s);
		assert_null(strstr(err.s, SECRET));
	}
	/* Through the variable. */
	assert_int_equal(chmod(f->creds, 0644), 0);
	setenv("AWS_SHARED_CREDENTIALS_FILE", f->creds, 1);
	buf_reset(&err);
	assert_int_equal(aws_files_load(&files, f->config, NULL, &err), -1);
	assert_non_null(strstr(err.s, "chmod 600 "));
	assert_non_null(strstr(err.s, f->creds));
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	/* 0600 and 0400 are fine; a config file readable by all is fine. */
	assert_int_equal(chmod(f->config, 0644), 0);
	static const mode_t fine[] = {0600, 0400};
	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
		assert_int_equal(chmod(f->creds, fine[i]), 0);
		buf_reset(&err);
		assert_int_equal(aws_files_load(&files, f->config, f->creds, &err), 0);
		assert_non_null(files);
		aws_files_free(&files);
	}
	buf_free(&err);
	buf_free(&want);
}

/* ---- Syntax ---- */

static void test_syntax(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = load(f,
				       "\xEF\xBB\xBF# a comment\n"
				       "; another comment\n"
				       "\n"
				       "[default]\r\n"
				       "\tmfa_serial\t:\tarn:aws:iam::123456789012:mfa/me\t\n"
				       "Region = us-west-2   # inline comment\r\n"
				       "   # indented comment\n"
				       "OUTPUT=json;not a comment\n"
				       "role_session_name = a#b ;c\n"
				       "external_id = ab cd ; comment\n"
				       "[ profile   spaced ]   ; comment after the header\n"
				       "region=eu-central-1\n"
				       "[profile \"quoted name\"]\n"
				       "region = sa-east-1\n"
				       "[profile 'single quoted']\n"
				       "region = me-south-1\n"
				       "[profile]\n"
				       "region = ignored-1\n"
				       "[profile a b]\n"
				       "region = ignored-2\n"
				       "[profiles x]\n"
				       "region = ignored-3\n"
				       "[sso-session corp]\n"
				       "sso_region = us-east-1\n"
				       "[plugins]\n"
				       "x = y\n"
				       "[empty]\n"
				       "region =\n",
				       NULL);
	struct aws_profile *p = get(files, "default");
	assert_string_equal(p->region, "us-west-2");
	assert_string_equal(aws_profile_entry(p, "output")->value, "json;not a comment");
	assert_string_equal(p->role_session_name, "a#b");
	assert_string_equal(p->mfa_serial, "arn:aws:iam::123456789012:mfa/me");
	assert_string_equal(p->external_id, "ab cd");
	const struct aws_profile_entry *e = aws_profile_entry(p, "region");
	assert_string_equal(e->file, f->config);
	assert_int_equal(e->line, 6);
	assert_null(aws_profile_entry(p, "Region"));
	aws_profile_free(&p);

	p = get(files, "spaced");
	assert_string_equal(p->region, "eu-central-1");
	aws_profile_free(&p);
	p = get(files, "quoted name");
	assert_string_equal(p->region, "sa-east-1");
	aws_profile_free(&p);
	p = get(files, "single quoted");
	assert_string_equal(p->region, "me-south-1");
	aws_profile_free(&p);

	/* Neither the prefix alone, three words, another word, an sso-session,
	 * nor a plain section makes a profile. */
	static const char *const not_profiles[] = {"", "a", "a b", "x", "corp", "plugins", "empty", "profile", NULL};
	for (size_t i = 0; not_profiles[i]; i++)
		assert_false(aws_files_has_profile(files, not_profiles[i]));
	aws_files_free(&files);
}

static void test_subsections_and_continuations(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = load(f,
				       "[default]\n"
				       "s3 =\n"
				       "  addressing_style = path\n"
				       "\n"
				       "  # comment inside\n"
				       "  Max_Concurrent_Requests = 20 # inline\n"
				       "region = us-east-1\n"
				       "description = first\n"
				       "   second line\n"
				       "\tthird ; comment\n"
				       "[profile nested-region]\n"
				       "region =\n"
				       "  foo = bar\n"
				       "[profile indented]\n"
				       "region = eu-west-3\n"
				       "  output = json\n",
				       NULL);
	struct aws_profile *p = get(files, "default");
	assert_string_equal(p->s3_addressing_style, "path");
	const struct aws_profile_entry *s3 = aws_profile_entry(p, "s3");
	assert_non_null(s3);
	assert_string_equal(s3->value, "");
	assert_int_equal(s3->line, 2);
	assert_string_equal(p->region, "us-east-1");
	assert_string_equal(aws_profile_entry(p, "description")->value, "first\nsecond line\nthird");
	aws_profile_free(&p);

	/* A sub-section where a plain value belongs is no value. */
	p = get(files, "nested-region");
	assert_null(p->region);
	aws_profile_free(&p);

	/* An indented key under a value continues that value, as in
	 * configparser: no key of its own. */
	p = get(files, "indented");
	assert_string_equal(p->region, "eu-west-3\noutput = json");
	assert_null(aws_profile_entry(p, "output"));
	aws_profile_free(&p);
	aws_files_free(&files);

	/* botocore's _parse_nested splits on '=' only. */
	char *msg = load_error(f, "[default]\ns3 =\n  addressing_style: path\n", NULL);
	assert_at(msg, f->config, 3, "expected \"key = value\" in an indented sub-section");
	free(msg);
	msg = load_error(f, "[default]\ns3 =\n  = path\n", NULL);
	assert_at(msg, f->config, 3, "missing key before '='");
	free(msg);

	/* Sub-keys keep their case (botocore does not lower them), so a
	 * differently spelt addressing_style is not seen. */
	files = load(f, "[default]\ns3 =\n  Addressing_Style = path\n", NULL);
	p = get(files, "default");
	assert_null(p->s3_addressing_style);
	aws_profile_free(&p);
	aws_files_free(&files);

	/* Unknown addressing styles are refused at the sub-key's line. */
	files = load(f, "[default]\ns3 =\n  addressing_style = sideways\n", NULL);
	msg = get_error(files, "default");
	assert_at(msg, f->config, 3, "s3.addressing_style: \"sideways\" is not one of auto, virtual, path");
	free(msg);
	aws_files_free(&files);
}

static void test_duplicates(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = load(f,
				       "[profile a]\n"
				       "region = us-east-1\n"
				       "output = json\n"
				       "REGION = us-east-2\n"
				       "[profile b]\n"
				       "region = eu-west-1\n"
				       "[profile a]\n"
				       "role_arn = arn:aws:iam::1:role/x\n"
				       "region = us-west-1\n",
				       NULL);
	struct aws_profile *p = get(files, "a");
	/* Keys: last wins; a repeated section is merged. */
	assert_string_equal(p->region, "us-west-1");
	assert_int_equal(aws_profile_entry(p, "region")->line, 9);
	assert_string_equal(aws_profile_entry(p, "output")->value, "json");
	assert_string_equal(p->role_arn, "arn:aws:iam::1:role/x");
	assert_int_equal(p->n_entries, 3);
	aws_profile_free(&p);
	aws_files_free(&files);

	/* [default] and [profile default]: the section that comes later wins
	 * whole, as in botocore's build_profile_map. */
	files = load(f, "[profile default]\nregion = r-profile\noutput = text\n[default]\nregion = r-plain\n", NULL);
	p = get(files, "default");
	assert_string_equal(p->region, "r-plain");
	assert_null(aws_profile_entry(p, "output"));
	aws_profile_free(&p);
	aws_files_free(&files);
	files = load(f, "[default]\nregion = r-plain\noutput = text\n[profile default]\nregion = r-profile\n", NULL);
	p = get(files, "default");
	assert_string_equal(p->region, "r-profile");
	assert_null(aws_profile_entry(p, "output"));
	aws_profile_free(&p);
	aws_files_free(&files);
}

static void test_malformed_lines(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		int line;
		const char *msg;
	} cases[] = {
		{"region = us-east-1\n", 1, "setting before the first [section]"},
		{"[default]\nregion\n", 2, "expected \"key = value\" or a [section]"},
		{"[default]\n\n = x\n", 3, "missing key before '='"},
		{"[default]\n: x\n", 2, "missing key before ':'"},
		{"[default\nregion = x\n", 1, "section header without ']'"},
		{"[]\n", 1, "empty section name"},
		{"[ ]\n", 1, "empty section name"},
		{"[default] region = x\n", 1, "unexpected text after the section header"},
		{"[default]\r\nregion = x\r\nbroken\r\n", 3, "expected \"key = value\" or a [section]"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *msg = load_error(f, cases[i].text, NULL);
		assert_at(msg, f->config, cases[i].line, cases[i].msg);
		free(msg);
		/* Same rules in the credentials file. */
		msg = load_error(f, NULL, cases[i].text);
		assert_at(msg, f->creds, cases[i].line, cases[i].msg);
		free(msg);
	}

	/* A NUL byte would cut a value short: refused. */
	remove(f->creds);
	FILE *fp = fopen(f->config, "w");
	fwrite("[default]\nregion = a\0b\n", 1, 24, fp);
	fclose(fp);
	struct aws_files *files = NULL;
	struct buf err = {0};
	assert_int_equal(aws_files_load(&files, f->config, f->creds, &err), -1);
	assert_at(err.s, f->config, 2, "NUL byte in the line");
	buf_free(&err);
}

static void test_secrets_never_in_messages(void **state)
{
	struct fixture *f = *state;
	/* Each breaks on a line that carries the secret or the token. */
	static const char *const creds[] = {
		"[default]\naws_secret_access_key " SECRET "\n",
		"aws_secret_access_key = " SECRET "\n",
		"[default " SECRET "\n",
		"[default] " SECRET "\n",
		"[default]\naws_session_token\n  " TOKEN "\n  " SECRET "\n",
		"[default]\ns3 =\n  " SECRET "\n",
		"[default]\n = " SECRET "\n",
		"[" SECRET "] " TOKEN "\n",
	};
	for (size_t i = 0; i < sizeof creds / sizeof creds[0]; i++) {
		char *msg = load_error(f, NULL, creds[i]);
		assert_null(strstr(msg, SECRET));
		assert_null(strstr(msg, TOKEN));
		assert_non_null(strstr(msg, f->creds));
		free(msg);
	}
	/* Errors found later, about a profile that holds the secret. */
	static const char *const later[] = {
		"[default]\naws_access_key_id = AKID\naws_session_token = " TOKEN "\n",
		"[default]\naws_access_key_id = AKID\naws_secret_access_key = " SECRET "\naws_session_token = " TOKEN
		"\nduration_seconds = soon\n",
		"[default]\naws_access_key_id = AKID\naws_secret_access_key = " SECRET
		"\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\ncredential_source = Environment\n",
	};
	for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
		struct aws_files *files = load(f, NULL, later[i]);
		struct aws_role_chain c;
		struct buf err = {0};
		assert_int_equal(aws_role_chain_resolve(&c, files, "default", 1, &err), -1);
		assert_true(err.len > 0);
		assert_null(strstr(err.s, SECRET));
		assert_null(strstr(err.s, TOKEN));
		buf_free(&err);
		aws_files_free(&files);
	}
}

/* ---- Profiles ---- */

static void test_profile_spelling_per_file(void **state)
{
	struct fixture *f = *state;
	/* config: [default] and [profile x]; credentials: [default] and [x]. */
	struct aws_files *files =
		load(f, "[default]\nregion = us-east-2\n[profile cfg]\nregion = eu-west-1\n[wrong]\nregion = x\n",
		     "[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = " SECRET "\n"
		     "[cred]\naws_access_key_id = AKIDCRED\naws_secret_access_key = " SECRET "\n"
		     "[profile other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = " SECRET "\n");
	struct aws_profile *p = get(files, "default");
	assert_true(p->found);
	assert_string_equal(p->region, "us-east-2");
	assert_string_equal(p->aws_access_key_id, "AKIDDEF");
	aws_profile_free(&p);
	p = get(files, "cfg");
	assert_string_equal(p->region, "eu-west-1");
	assert_null(p->aws_access_key_id);
	aws_profile_free(&p);
	p = get(files, "cred");
	assert_null(p->region);
	assert_string_equal(p->aws_access_key_id, "AKIDCRED");
	aws_profile_free(&p);
	/* In the credentials file "profile other" is the whole name. */
	p = get(files, "profile other");
	assert_string_equal(p->aws_access_key_id, "AKIDOTHER");
	aws_profile_free(&p);

	/* The wrong spelling gets a hint. */
	char *msg = get_error(files, "wrong");
	struct buf want = {0};
	buf_printf(&want,
		   "profile \"wrong\" is defined in neither %s nor %s (%s:5 has [wrong]; the config file "
		   "needs [profile wrong])",
		   f->config, f->creds, f->config);
	assert_string_equal(msg, want.s);
	free(msg);
	msg = get_error(files, "other");
	buf_reset(&want);
	buf_printf(&want,
		   "profile \"other\" is defined in neither %s nor %s (%s:7 has [profile other]; the "
		   "credentials file needs [other])",
		   f->config, f->creds, f->creds);
	assert_string_equal(msg, want.s);
	free(msg);
	buf_free(&want);
	aws_files_free(&files);
}

static void test_credentials_file_wins(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = load(f,
				       "[profile p]\n"
				       "aws_access_key_id = AKIDCONFIG\n"
				       "aws_secret_access_key = config-secret\n"
				       "aws_session_token = config-token\n"
				       "region = us-east-1\n"
				       "output = json\n"
				       "[profile only-config]\n"
				       "aws_access_key_id = AKIDC2\n"
				       "aws_secret_access_key = c2-secret\n"
				       "aws_security_token = legacy-token\n"
				       "aws_session_token = new-token\n"
				       "[profile tokenless]\n"
				       "aws_access_key_id = AKIDC3\n"
				       "aws_secret_access_key = c3-secret\n"
				       "aws_session_token = c3-token\n",
				       "[p]\n"
				       "aws_access_key_id = AKIDCREDS\n"
				       "aws_secret_access_key = " SECRET "\n"
				       "region = eu-north-1\n"
				       "[tokenless]\n"
				       "aws_secret_access_key = half\n");
	struct aws_profile *p = get(files, "p");
	/* The key triple comes whole from the credentials file: no token
	 * there means no token, not the config file's. */
	assert_string_equal(p->aws_access_key_id, "AKIDCREDS");
	assert_string_equal(p->aws_secret_access_key, SECRET);
	assert_null(p->aws_session_token);
	assert_true(aws_profile_has_static_keys(p));
	/* Other keys merge key by key, credentials file first (botocore's
	 * full_config does profile.update(credentials section)). */
	assert_string_equal(p->region, "eu-north-1");
	assert_string_equal(aws_profile_entry(p, "region")->file, f->creds);
	assert_string_equal(aws_profile_entry(p, "output")->file, f->config);
	aws_profile_free(&p);

	/* aws_security_token is checked before aws_session_token. */
	p = get(files, "only-config");
	assert_string_equal(p->aws_access_key_id, "AKIDC2");
	assert_string_equal(p->aws_session_token, "legacy-token");
	aws_profile_free(&p);

	/* A secret without an id in the credentials file does not count. */
	p = get(files, "tokenless");
	assert_string_equal(p->aws_access_key_id, "AKIDC3");
	assert_string_equal(p->aws_secret_access_key, "c3-secret");
	assert_string_equal(p->aws_session_token, "c3-token");
	aws_profile_free(&p);
	aws_files_free(&files);

	/* An id without its secret in the same file is an error. */
	files = load(f, "[default]\naws_secret_access_key = " SECRET "\n", "[default]\n\naws_access_key_id = AKID\n");
	char *msg = get_error(files, "default");
	assert_at(msg, f->creds, 3,
		  "profile \"default\" has aws_access_key_id but no aws_secret_access_key in the same file");
	free(msg);
	aws_files_free(&files);

	/* Empty values count as unset. */
	files = load(f, "[default]\nregion =\naws_access_key_id =\n", NULL);
	p = get(files, "default");
	assert_null(p->region);
	assert_null(p->aws_access_key_id);
	assert_false(aws_profile_has_static_keys(p));
	aws_profile_free(&p);
	aws_files_free(&files);
}

static void test_all_settings(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = load(f,
				       "[profile all]\n"
				       "region = us-east-2\n"
				       "credential_process = /usr/local/bin/get-creds --account \"build x\" 'a b'  \n"
				       "role_arn = arn:aws:iam::069491470376:role/Engineer\n"
				       "source_profile = default\n"
				       "credential_source = Environment\n"
				       "external_id = ext-1\n"
				       "role_session_name = relcon\n"
				       "duration_seconds = 3600\n"
				       "mfa_serial = arn:aws:iam::1:mfa/me\n"
				       "web_identity_token_file = /tmp/token\n"
				       "endpoint_url = http://localhost:4566\n"
				       "max_attempts = 5\n"
				       "retry_mode = adaptive\n"
				       "ignore_configured_endpoint_urls = TRUE\n"
				       "services = local\n"
				       "[services local]\n"
				       "s3 =\n"
				       "  endpoint_url = http://127.0.0.1:4566\n"
				       "EC2 =\n"
				       "  endpoint_url = http://127.0.0.1:4567/ec2\n"
				       "sts = http://not-nested\n"
				       "cloudformation =\n"
				       "  Endpoint_Url = http://case-sensitive\n",
				       NULL);
	struct aws_profile *p = get(files, "all");
	assert_string_equal(p->region, "us-east-2");
	/* Kept verbatim (trimmed), to be split without a shell later. */
	assert_string_equal(p->credential_process, "/usr/local/bin/get-creds --account \"build x\" 'a b'");
	assert_string_equal(p->role_arn, "arn:aws:iam::069491470376:role/Engineer");
	assert_string_equal(p->source_profile, "default");
	assert_string_equal(p->credential_source, "Environment");
	assert_string_equal(p->external_id, "ext-1");
	assert_string_equal(p->role_session_name, "relcon");
	assert_int_equal(p->duration_seconds, 3600);
	assert_string_equal(p->mfa_serial, "arn:aws:iam::1:mfa/me");
	assert_string_equal(p->web_identity_token_file, "/tmp/token");
	assert_string_equal(p->endpoint_url, "http://localhost:4566");
	assert_int_equal(p->max_attempts, 5);
	assert_string_equal(p->retry_mode, "adaptive");
	assert_int_equal(p->ignore_configured_endpoint_urls, 1);
	assert_string_equal(p->services, "local");
	/* Only nested entries with endpoint_url (exact case) count. */
	assert_int_equal(p->n_service_endpoints, 2);
	const struct aws_service_endpoint *se = aws_profile_service_endpoint(p, "s3");
	assert_non_null(se);
	assert_string_equal(se->endpoint_url, "http://127.0.0.1:4566");
	assert_string_equal(se->file, f->config);
	assert_int_equal(se->line, 19);
	se = aws_profile_service_endpoint(p, "ec2");
	assert_non_null(se);
	assert_string_equal(se->endpoint_url, "http://127.0.0.1:4567/ec2");
	assert_null(aws_profile_service_endpoint(p, "sts"));
	assert_null(aws_profile_service_endpoint(p, "cloudformation"));
	aws_profile_free(&p);
	aws_files_free(&files);

	/* Defaults of an empty profile. */
	files = load(f, "[default]\n", NULL);
	p = get(files, "default");
	assert_true(p->found);
	assert_int_equal(p->duration_seconds, 0);
	assert_int_equal(p->max_attempts, 0);
	assert_int_equal(p->ignore_configured_endpoint_urls, -1);
	assert_null(p->services);
	assert_null(aws_profile_service_endpoint(p, "s3"));
	aws_profile_free(&p);
	aws_files_free(&files);
	/* And a NULL profile has no service endpoints. */
	assert_null(aws_profile_service_endpoint(NULL, "s3"));
}

static void test_setting_errors(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		int line;
		const char *msg;
	} cases[] = {
		{"[default]\nduration_seconds = 1h\n", 2,
		 "duration_seconds: expected a whole number of at least 1, got \"1h\""},
		{"[default]\nduration_seconds = 0\n", 2,
		 "duration_seconds: expected a whole number of at least 1, got \"0\""},
		{"[default]\nduration_seconds = -5\n", 2,
		 "duration_seconds: expected a whole number of at least 1, got \"-5\""},
		{"[default]\nmax_attempts = 99999999999999999999\n", 2,
		 "max_attempts: expected a whole number of at least 1, got \"99999999999999999999\""},
		{"[default]\nretry_mode = fast\n", 2, "retry_mode: \"fast\" is not one of legacy, standard, adaptive"},
		{"[default]\nregion = x\nservices = nowhere\n[services elsewhere]\n", 3,
		 "services: no [services nowhere] section in "},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct aws_files *files = load(f, cases[i].text, NULL);
		char *msg = get_error(files, "default");
		struct buf want = {0};
		buf_printf(&want, "%s:%d: %s%s", f->config, cases[i].line, cases[i].msg,
			   strstr(cases[i].msg, "section in") ? f->config : "");
		assert_string_equal(msg, want.s);
		buf_free(&want);
		free(msg);
		aws_files_free(&files);
	}
	/* A bad value in the credentials file names that file. */
	struct aws_files *files = load(f, "[default]\nmax_attempts = 3\n", "[default]\nmax_attempts = three\n");
	char *msg = get_error(files, "default");
	assert_at(msg, f->creds, 2, "max_attempts: expected a whole number of at least 1, got \"three\"");
	free(msg);
	aws_files_free(&files);
	/* Values are quoted inert. */
	files = load(f, "[default]\nretry_mode = \x1b[31mred\n", NULL);
	msg = get_error(files, "default");
	assert_at(msg, f->config, 2, "retry_mode: \"^[[31mred\" is not one of legacy, standard, adaptive");
	free(msg);
	aws_files_free(&files);
}

/* ---- Selection ---- */

static void test_profile_selection(void **state)
{
	(void)state;
	enum aws_profile_source src;
	char *n = aws_profile_select(NULL, &src);
	assert_string_equal(n, "default");
	assert_int_equal(src, AWS_PROFILE_FROM_DEFAULT);
	assert_string_equal(aws_profile_source_name(src), "default");
	free(n);

	setenv("AWS_DEFAULT_PROFILE", "legacy", 1);
	n = aws_profile_select(NULL, &src);
	assert_string_equal(n, "legacy");
	assert_int_equal(src, AWS_PROFILE_FROM_ENV_DEFAULT);
	assert_string_equal(aws_profile_source_name(src), "AWS_DEFAULT_PROFILE");
	free(n);

	setenv("AWS_PROFILE", "modern", 1);
	n = aws_profile_select(NULL, &src);
	assert_string_equal(n, "modern");
	assert_int_equal(src, AWS_PROFILE_FROM_ENV);
	assert_string_equal(aws_profile_source_name(src), "AWS_PROFILE");
	free(n);

	n = aws_profile_select("flag", &src);
	assert_string_equal(n, "flag");
	assert_int_equal(src, AWS_PROFILE_FROM_FLAG);
	assert_string_equal(aws_profile_source_name(src), "--profile");
	free(n);

	/* Empty counts as unset, at every level. */
	n = aws_profile_select("", &src);
	assert_string_equal(n, "modern");
	free(n);
	setenv("AWS_PROFILE", "", 1);
	n = aws_profile_select("", NULL);
	assert_string_equal(n, "legacy");
	free(n);
	setenv("AWS_DEFAULT_PROFILE", "", 1);
	n = aws_profile_select(NULL, &src);
	assert_string_equal(n, "default");
	assert_int_equal(src, AWS_PROFILE_FROM_DEFAULT);
	free(n);
}

static void test_region_resolution(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = load(f, "[default]\nregion = from-profile\n", NULL);
	struct aws_profile *p = get(files, "default");
	enum aws_region_source src;

	char *r = aws_region_resolve(NULL, NULL, NULL, &src);
	assert_null(r);
	assert_int_equal(src, AWS_REGION_NONE);
	assert_string_equal(aws_region_source_name(src), "none");

	r = aws_region_resolve(NULL, NULL, "from-config", &src);
	assert_string_equal(r, "from-config");
	assert_int_equal(src, AWS_REGION_FROM_FALLBACK);
	assert_string_equal(aws_region_source_name(src), "aws.region");
	free(r);

	r = aws_region_resolve("", p, "from-config", &src);
	assert_string_equal(r, "from-profile");
	assert_int_equal(src, AWS_REGION_FROM_PROFILE);
	assert_string_equal(aws_region_source_name(src), "profile");
	assert_int_equal(aws_profile_entry(p, "region")->line, 2);
	free(r);

	setenv("AWS_DEFAULT_REGION", "from-default-env", 1);
	r = aws_region_resolve(NULL, p, "from-config", &src);
	assert_string_equal(r, "from-default-env");
	assert_int_equal(src, AWS_REGION_FROM_ENV_DEFAULT);
	assert_string_equal(aws_region_source_name(src), "AWS_DEFAULT_REGION");
	free(r);

	setenv("AWS_REGION", "from-env", 1);
	r = aws_region_resolve(NULL, p, "from-config", &src);
	assert_string_equal(r, "from-env");
	assert_int_equal(src, AWS_REGION_FROM_ENV);
	assert_string_equal(aws_region_source_name(src), "AWS_REGION");
	free(r);

	r = aws_region_resolve("from-flag", p, "from-config", &src);
	assert_string_equal(r, "from-flag");
	assert_int_equal(src, AWS_REGION_FROM_FLAG);
	assert_string_equal(aws_region_source_name(src), "--region");
	free(r);

	/* Empty variables are skipped. */
	setenv("AWS_REGION", "", 1);
	setenv("AWS_DEFAULT_REGION", "", 1);
	r = aws_region_resolve(NULL, p, "from-config", NULL);
	assert_string_equal(r, "from-profile");
	free(r);
	aws_profile_free(&p);
	aws_files_free(&files);
}

/* ---- Role chains ---- */

static const char chain_config[] = "[default]\n"
				   "region = us-east-2\n"
				   "[profile sandbox]\n" /* 3 */
				   "role_arn = arn:aws:iam::069491470376:role/Engineer\n"
				   "source_profile = default\n"
				   "external_id = ext\n"
				   "[profile deep]\n" /* 7 */
				   "role_arn = arn:aws:iam::1:role/Deep\n"
				   "source_profile = sandbox\n"
				   "[profile ec2role]\n" /* 10 */
				   "role_arn = arn:aws:iam::1:role/FromInstance\n"
				   "credential_source = Ec2InstanceMetadata\n"
				   "[profile on-ec2role]\n" /* 13 */
				   "role_arn = arn:aws:iam::1:role/Next\n"
				   "source_profile = ec2role\n"
				   "[profile loop-a]\n" /* 16 */
				   "role_arn = arn:aws:iam::1:role/A\n"
				   "source_profile = loop-b\n"
				   "[profile loop-b]\n" /* 19 */
				   "role_arn = arn:aws:iam::1:role/B\n"
				   "source_profile = loop-a\n"
				   "[profile self-static]\n" /* 22 */
				   "role_arn = arn:aws:iam::1:role/Self\n"
				   "source_profile = self-static\n"
				   "aws_access_key_id = AKIDSELF\n"
				   "aws_secret_access_key = self-secret\n"
				   "[profile self-bare]\n" /* 27 */
				   "role_arn = arn:aws:iam::1:role/Self\n"
				   "source_profile = self-bare\n"
				   "[profile missing-source]\n" /* 30 */
				   "role_arn = arn:aws:iam::1:role/X\n"
				   "source_profile = nowhere\n"
				   "[profile empty-source]\n" /* 33 */
				   "role_arn = arn:aws:iam::1:role/X\n"
				   "source_profile = bare\n"
				   "[profile bare]\n" /* 36 */
				   "region = us-west-2\n"
				   "[profile both]\n" /* 38 */
				   "role_arn = arn:aws:iam::1:role/X\n"
				   "source_profile = default\n"
				   "credential_source = Environment\n"
				   "[profile neither]\n" /* 42 */
				   "role_arn = arn:aws:iam::1:role/X\n"
				   "[profile bad-source]\n" /* 44 */
				   "role_arn = arn:aws:iam::1:role/X\n"
				   "credential_source = Laptop\n"
				   "[profile via-static-role]\n" /* 47 */
				   "role_arn = arn:aws:iam::1:role/X\n"
				   "source_profile = role-with-keys\n"
				   "[profile role-with-keys]\n" /* 50 */
				   "role_arn = arn:aws:iam::1:role/Ignored\n"
				   "source_profile = loop-a\n"
				   "[profile via-process]\n" /* 53 */
				   "role_arn = arn:aws:iam::1:role/X\n"
				   "source_profile = build\n"
				   "[profile build]\n" /* 56 */
				   "credential_process = /usr/local/bin/get-creds --account build\n"
				   "[profile web]\n" /* 58 */
				   "role_arn = arn:aws:iam::1:role/Web\n"
				   "web_identity_token_file = /var/run/token\n"
				   "[profile three]\n" /* 61 */
				   "role_arn = arn:aws:iam::1:role/Three\n"
				   "source_profile = loop-c\n"
				   "[profile loop-c]\n" /* 64 */
				   "role_arn = arn:aws:iam::1:role/C\n"
				   "source_profile = loop-d\n"
				   "[profile loop-d]\n" /* 67 */
				   "role_arn = arn:aws:iam::1:role/D\n"
				   "source_profile = loop-c\n";

static const char chain_creds[] = "[default]\n"
				  "aws_access_key_id = AKIDDEFAULT\n"
				  "aws_secret_access_key = " SECRET "\n"
				  "[role-with-keys]\n"
				  "aws_access_key_id = AKIDRWK\n"
				  "aws_secret_access_key = " SECRET "\n";

static char *chain_error(struct aws_files *files, const char *name)
{
	struct aws_role_chain c;
	struct buf err = {0};
	assert_int_equal(aws_role_chain_resolve(&c, files, name, 1, &err), -1);
	assert_null(c.source);
	assert_null(c.roles);
	assert_int_equal(c.n_roles, 0);
	assert_null(strstr(err.s, SECRET));
	return buf_steal(&err);
}

static void test_role_chain(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = load(f, chain_config, chain_creds);
	struct aws_role_chain c;
	struct buf err = {0};

	/* No role: the profile is its own source. */
	assert_int_equal(aws_role_chain_resolve(&c, files, "default", 1, &err), 0);
	assert_int_equal(c.n_roles, 0);
	assert_string_equal(c.source->name, "default");
	assert_string_equal(c.source->aws_access_key_id, "AKIDDEFAULT");
	aws_role_chain_free(&c);
	assert_null(c.source);

	/* One hop. */
	assert_int_equal(aws_role_chain_resolve(&c, files, "sandbox", 1, &err), 0);
	assert_string_equal(c.source->name, "default");
	assert_string_equal(c.source->aws_secret_access_key, SECRET);
	assert_int_equal(c.n_roles, 1);
	assert_string_equal(c.roles[0]->name, "sandbox");
	assert_string_equal(c.roles[0]->external_id, "ext");
	assert_null(c.credential_source);
	aws_role_chain_free(&c);

	/* Two hops, in the order of the AssumeRole calls. */
	assert_int_equal(aws_role_chain_resolve(&c, files, "deep", 1, &err), 0);
	assert_string_equal(c.source->name, "default");
	assert_int_equal(c.n_roles, 2);
	assert_string_equal(c.roles[0]->name, "sandbox");
	assert_string_equal(c.roles[1]->name, "deep");
	assert_string_equal(c.roles[1]->role_arn, "arn:aws:iam::1:role/Deep");
	aws_role_chain_free(&c);

	/* credential_source ends the chain, also one hop down. */
	assert_int_equal(aws_role_chain_resolve(&c, files, "ec2role", 1, &err), 0);
	assert_null(c.source);
	assert_string_equal(c.credential_source, "Ec2InstanceMetadata");
	assert_int_equal(c.n_roles, 1);
	aws_role_chain_free(&c);
	assert_int_equal(aws_role_chain_resolve(&c, files, "on-ec2role", 1, &err), 0);
	assert_null(c.source);
	assert_string_equal(c.credential_source, "Ec2InstanceMetadata");
	assert_int_equal(c.n_roles, 2);
	assert_string_equal(c.roles[0]->name, "ec2role");
	assert_string_equal(c.roles[1]->name, "on-ec2role");
	aws_role_chain_free(&c);

	/* A profile naming itself with static keys uses them for its role. */
	assert_int_equal(aws_role_chain_resolve(&c, files, "self-static", 1, &err), 0);
	assert_string_equal(c.source->name, "self-static");
	assert_string_equal(c.source->aws_access_key_id, "AKIDSELF");
	assert_int_equal(c.n_roles, 1);
	assert_string_equal(c.roles[0]->name, "self-static");
	aws_role_chain_free(&c);

	/* A source with static keys is used as is, even with its own role
	 * (whose source_profile would loop). */
	assert_int_equal(aws_role_chain_resolve(&c, files, "via-static-role", 1, &err), 0);
	assert_string_equal(c.source->name, "role-with-keys");
	assert_string_equal(c.source->aws_access_key_id, "AKIDRWK");
	assert_int_equal(c.n_roles, 1);
	aws_role_chain_free(&c);

	/* A credential_process source. */
	assert_int_equal(aws_role_chain_resolve(&c, files, "via-process", 1, &err), 0);
	assert_string_equal(c.source->name, "build");
	assert_string_equal(c.source->credential_process, "/usr/local/bin/get-creds --account build");
	assert_int_equal(c.n_roles, 1);
	aws_role_chain_free(&c);

	/* role_arn with a web identity token file is not assume-role. */
	assert_int_equal(aws_role_chain_resolve(&c, files, "web", 1, &err), 0);
	assert_int_equal(c.n_roles, 0);
	assert_string_equal(c.source->web_identity_token_file, "/var/run/token");
	aws_role_chain_free(&c);

	/* The implicit default may be missing; a named profile may not. */
	aws_files_free(&files);
	files = load(f, NULL, NULL);
	assert_int_equal(aws_role_chain_resolve(&c, files, "default", 0, &err), 0);
	assert_false(c.source->found);
	aws_role_chain_free(&c);
	assert_int_equal(err.len, 0);
	char *msg = chain_error(files, "default");
	assert_non_null(strstr(msg, "is defined in neither"));
	free(msg);
	aws_files_free(&files);
	buf_free(&err);
}

static void test_role_chain_errors(void **state)
{
	struct fixture *f = *state;
	struct aws_files *files = load(f, chain_config, chain_creds);
	static const struct {
		const char *profile;
		int line;
		const char *msg; /* ending in "neither": the two paths follow */
	} cases[] = {
		{"loop-a", 21, "source_profile loop: loop-a -> loop-b -> loop-a"},
		{"loop-b", 18, "source_profile loop: loop-b -> loop-a -> loop-b"},
		{"three", 69, "source_profile loop: three -> loop-c -> loop-d -> loop-c"},
		{"self-bare", 29,
		 "source_profile loop: self-bare -> self-bare (a profile may name itself only when it has static "
		 "keys)"},
		{"missing-source", 32,
		 "source_profile \"nowhere\" of profile \"missing-source\" is defined in neither"},
		{"empty-source", 35,
		 "source profile \"bare\" has no credentials: it needs aws_access_key_id and "
		 "aws_secret_access_key, or credential_process"},
		{"both", 39, "profile \"both\" has both source_profile and credential_source; it needs one"},
		{"neither", 43, "profile \"neither\" has role_arn but neither source_profile nor credential_source"},
		{"bad-source", 46,
		 "credential_source: \"Laptop\" is not one of Environment, Ec2InstanceMetadata, EcsContainer"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *msg = chain_error(files, cases[i].profile);
		struct buf rest = {0};
		buf_adds(&rest, cases[i].msg);
		if (strstr(rest.s, "neither") == rest.s + rest.len - 7)
			buf_printf(&rest, " %s nor %s", f->config, f->creds);
		assert_at(msg, f->config, cases[i].line, rest.s);
		buf_free(&rest);
		free(msg);
	}
	aws_files_free(&files);

	/* An error inside a source profile is reported as such. */
	files = load(f, "[profile r]\nrole_arn = x\nsource_profile = s\n[profile s]\nmax_attempts = many\n", NULL);
	char *msg = chain_error(files, "r");
	assert_at(msg, f->config, 5, "max_attempts: expected a whole number of at least 1, got \"many\"");
	free(msg);
	aws_files_free(&files);
}

/* ---- Command lines ---- */

static void expect_split(const char *line, const char *const *want)
{
	char **argv = NULL;
	struct buf err = {0};
	int n = aws_split_command(line, &argv, &err);
	if (n < 0)
		fail_msg("split(%s): %s", line, buf_str(&err));
	size_t i;
	for (i = 0; want[i]; i++) {
		if (!argv[i])
			fail_msg("split(%s): only %zu words, want %s next", line, i, want[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
	assert_int_equal(n, (int)i);
	aws_argv_free(&argv);
	assert_null(argv);
	buf_free(&err);
}

static void test_split_command(void **state)
{
	(void)state;
	expect_split("/usr/local/bin/get-creds --account build",
		     (const char *const[]){"/usr/local/bin/get-creds", "--account", "build", NULL});
	expect_split("  a \t b\r\nc  ", (const char *const[]){"a", "b", "c", NULL});
	expect_split("cmd \"two words\" 'single $HOME \\n' x",
		     (const char *const[]){"cmd", "two words", "single $HOME \\n", "x", NULL});
	/* Quotes join adjacent text; '' and "" are empty arguments. */
	expect_split("a\"b c\"d 'e'\"f\" '' \"\"", (const char *const[]){"ab cd", "ef", "", "", NULL});
	/* Outside quotes a backslash escapes anything. */
	expect_split("a\\ b \\'c \\\\ \\#", (const char *const[]){"a b", "'c", "\\", "#", NULL});
	/* In double quotes only \" and \\ are escapes (shlex, unlike sh, keeps \$). */
	expect_split("\"q\\\"q\" \"b\\\\s\" \"\\$x \\n\"", (const char *const[]){"q\"q", "b\\s", "\\$x \\n", NULL});
	/* No comments, no variables, no globs. */
	expect_split("echo # not a comment $HOME *",
		     (const char *const[]){"echo", "#", "not", "a", "comment", "$HOME", "*", NULL});
	/* Windows-looking paths survive single quotes only. */
	expect_split("'C:\\bin\\creds.exe' --x", (const char *const[]){"C:\\bin\\creds.exe", "--x", NULL});
	expect_split("C:\\bin\\creds.exe", (const char *const[]){"C:bincreds.exe", NULL});

	static const struct {
		const char *line;
		const char *msg;
	} bad[] = {
		{"get 'unterminated " SECRET, "cannot split the command line: no closing ' quote"},
		{"get \"unterminated " SECRET, "cannot split the command line: no closing \" quote"},
		{"get \"a\\", "cannot split the command line: no closing \" quote"},
		{"get " SECRET "\\", "cannot split the command line: a backslash at the end escapes nothing"},
		{"", "empty command line"},
		{" \t ", "empty command line"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char **argv = (char **)&argv; /* must be reset */
		struct buf err = {0};
		assert_int_equal(aws_split_command(bad[i].line, &argv, &err), -1);
		assert_null(argv);
		assert_string_equal(err.s, bad[i].msg);
		buf_free(&err);
	}
	/* "''" is one empty argument, so it is a command (that will fail to run). */
	expect_split("''", (const char *const[]){"", NULL});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_files_are_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_locations_and_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_credentials_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subsections_and_continuations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secrets_never_in_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_spelling_per_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_credentials_file_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setting_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_resolution, setup, teardown),
		cmocka_unit_test_setup_teardown(test_role_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_role_chain_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_command, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
