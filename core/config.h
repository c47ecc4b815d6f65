/* core/config.h - relcon's configuration: built-in defaults (PROCESS.md),
 * overridden by a YAML file.
 *
 * The file is $RELCON_CONFIG, else $XDG_CONFIG_HOME/relcon/config.yaml (or
 * ~/.config/relcon/config.yaml); a missing default file is fine, a missing
 * explicit file is an error.  Every key lives in one table (config.c) that
 * also drives `relcon config-keys` and the README's key list, so the
 * documentation cannot drift from the code. */
#ifndef RELCON_CORE_CONFIG_H
#define RELCON_CORE_CONFIG_H

#include <stdio.h>

#include "core/buf.h"

struct strlist {
	char **v; /* owned strings */
	size_t n;
};

struct config {
	/* buildkite: */
	char *bk_organization; /* buildkite.organization  "readyset" */
	char *bk_pipeline;     /* buildkite.pipeline      "readyset" */
	char *bk_endpoint;     /* buildkite.endpoint      "https://api.buildkite.com" */
	char *bk_token_file;   /* buildkite.token_file    "" = $XDG_CONFIG_HOME/relcon/buildkite-token */
	long bk_per_page;      /* buildkite.per_page      100 (1..100) */
	/* steps: block-step labels as in the pipeline */
	char *step_build_amis; /* steps.build_amis "Build AMIs and CloudFormation templates" */
	char *step_alpha;      /* steps.alpha      "Deploy AMIs and CloudFormation as alpha release" */
	char *step_release;    /* steps.release    "Deploy AMIs and CloudFormation as release" */
	char *release_field;   /* steps.release_field "release-name" */
	char *main_branch;     /* steps.main_branch   "main" */
	/* refresh: adaptive live refresh, seconds */
	long refresh_active;     /* refresh.active_seconds 10 */
	long refresh_idle;       /* refresh.idle_seconds   60 */
	long refresh_budget_pct; /* refresh.max_budget_percent 10: share of the org's rate limit */
	/* http: */
	long http_timeout;      /* http.timeout_seconds 30 */
	long http_max_attempts; /* http.max_attempts    4 */
	/* ui: */
	char *ui_theme;  /* ui.theme  "default" */
	char *ui_branch; /* ui.branch ""  (initial branch filter; "" = all) */
	long ui_limit;   /* ui.builds 50  builds listed on the home screen */
	char *ui_notify; /* ui.notify "bell": when a long operation ends: bell, osc9, osc777 or none */
	long ui_cache;   /* ui.cache 1: open on the cached builds (release/buildcache.h) */
	long ui_mouse;   /* ui.mouse 0: 1 = wheel scrolls, click selects (tui/) */
	/* aws: (used by the AWS issue; defaults from PROCESS.md) */
	char *aws_region;                    /* aws.region "us-east-2" */
	struct strlist aws_regions;          /* aws.destination_regions [us-east-1, us-east-2, us-west-2] */
	char *aws_internal_bucket;           /* aws.internal_bucket "readysettech-cfn-internal-us-east-2" */
	char *aws_public_bucket;             /* aws.public_bucket   "readysettech-cfn-public-us-east-2" */
	char *aws_internal_prefix;           /* aws.internal_prefix "<COMMIT>/readyset/templates/" */
	char *aws_alpha_prefix;              /* aws.alpha_prefix    "alpha/<COMMIT>/readyset/templates/" */
	char *aws_release_prefix;            /* aws.release_prefix  "<RELEASE>/readyset/templates/" */
	char *aws_commit_tag;                /* aws.commit_tag      "Commit" */
	char *aws_locals_path;               /* aws.locals_path     "ops/image-deploy/locals.pkr.hcl" */
	struct strlist aws_sandbox_accounts; /* aws.sandbox_accounts [] */
	long stacks_allow_foreign;           /* stacks.allow_foreign_teardown 0 */
	/* ssh: (release/ssh.c; every value is validated before it reaches argv) */
	char *ssh_bastion_user;     /* ssh.bastion_user   "ec2-user" */
	char *ssh_user;             /* ssh.user           "ubuntu" (the private hosts) */
	char *ssh_identity_file;    /* ssh.identity_file  "" = ssh's own default; "~/" expanded */
	struct strlist ssh_options; /* ssh.options        [] items "Key=Value", each passed as -o */
	long ssh_port;              /* ssh.port           22 (both hosts; 1..65535) */
	char *ssh_program;          /* ssh.program        "ssh" */
	/* launch: super-stacks (release/launch.c); placeholders <KEY> <COMMIT> <REGION> <ACCOUNT> <USER> */
	char *launch_template;        /* launch.template    "readyset-mysql-super-template.yaml" */
	char *launch_stack_name;      /* launch.stack_name  "<KEY>-super" */
	char *launch_ttl;             /* launch.ttl         "8h" */
	long launch_disable_rollback; /* launch.disable_rollback 1 */
	char *launch_ip_url;          /* launch.ip_url      "https://checkip.amazonaws.com" */
	struct strlist launch_params; /* launch.params      ["Key=Value", ...] */
	/* promote: */
	char *promote_name_pattern;  /* promote.release_name_pattern  version-like */
	long promote_allow_override; /* promote.allow_override 1 */
	long read_only;              /* safety.read_only 0 (also --read-only, RELCON_READ_ONLY=1) */

	/* Not keys: where the values came from.  Owned. */
	char *source_path; /* file read, or NULL when built-in defaults only */
};

/* Fill cfg with the built-in defaults (always succeeds). */
void config_defaults(struct config *cfg);

/* Load configuration: defaults, then the file.  path == NULL means
 * $RELCON_CONFIG or the XDG default.  Returns 0, or -1 with err set to
 * "FILE:LINE: KEY: what is wrong" (for example
 * "/x/config.yaml:7: refresh.idle_seconds: expected a whole number, got \"soon\"").
 * Unknown keys, wrong types, out-of-range numbers and YAML syntax errors are
 * errors.  cfg is always left valid (defaults at worst) and must be freed. */
int config_load(struct config *cfg, const char *path, struct buf *err);

/* Free everything cfg owns. */
void config_free(struct config *cfg);

/* Print every key with its default and a one-line description, one per
 * line: "buildkite.organization  readyset  Buildkite organization slug". */
void config_print_keys(FILE *out);

/* Expand a leading "~/" using $HOME.  Returns malloc'd string. */
char *config_expand_home(const char *path);

/* The directories relcon uses, malloc'd, honouring XDG_*_HOME and HOME:
 * config ($XDG_CONFIG_HOME/relcon), state ($XDG_STATE_HOME/relcon),
 * cache ($XDG_CACHE_HOME/relcon). */
char *config_dir(void);

/* Where themes are looked for, in order, without repeats: $RELCON_THEMES_DIR,
 * <config dir>/themes, RELCON_DATADIR/themes (compiled in), then beside the
 * running binary (themes/, ../share/relcon/themes).  origin says which
 * (static text). */
struct theme_dir {
	char *dir;
	const char *origin;
};
size_t config_theme_dirs(struct theme_dir **out);
void config_theme_dirs_free(struct theme_dir *v, size_t n);
/* The names of the themes found there (NAME.yaml files), sorted, without
 * repeats; a malloc'd array of malloc'd strings, *n set. */
char **config_theme_names(size_t *n);
char *config_state_dir(void);
char *config_cache_dir(void);

/* Create every missing directory above path's last component, mode 0700 (the
 * state and log files).  0, or -1 with err ("DIR: Permission denied"). */
int config_make_parents(const char *path, struct buf *err);

#endif
