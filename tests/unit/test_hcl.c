/* Unit tests for release/hcl.c: reading the expected AMI launch-permission
 * accounts from a realistic ops/image-deploy/locals.pkr.hcl, skipping every
 * other block and expression (heredocs and strings full of braces included),
 * exact NAME:LINE:COL errors, CRLF, BOM, a 10,000-entry list, and garbage
 * that must give a clean error rather than a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/buf.h"
#include "release/hcl.h"

#define NAME "locals.pkr.hcl"

/* Modelled on the real file (apis.md §9) plus the other blocks of a Packer
 * template, with comments of all three kinds and a trailing comma. */
static const char realistic[] =
	"# ops/image-deploy/locals.pkr.hcl\n"               /* 1 */
	"packer {\n"                                        /* 2 */
	"  required_plugins {\n"                            /* 3 */
	"    amazon = {\n"                                  /* 4 */
	"      version = \">= 1.2.8\"\n"                    /* 5 */
	"      source  = \"github.com/hashicorp/amazon\"\n" /* 6 */
	"    }\n"                                           /* 7 */
	"  }\n"                                             /* 8 */
	"}\n"                                               /* 9 */
	"\n"                                                /* 10 */
	"variable \"release_name\" {\n"                     /* 11 */
	"  type    = string\n"                              /* 12 */
	"  default = \"\"\n"                                /* 13 */
	"}\n"                                               /* 14 */
	"\n"                                                /* 15 */
	"locals {\n"                                        /* 16 */
	"  skip_create_ami         = !var.create_ami\n"     /* 17 */
	"  timestamp               = timestamp()\n"         /* 18 */
	"  destination_ami_version = var.release_name != \"\" ? var.release_name : \"release-test\"\n"
	"  build_account_id        = \"305232526136\"\n"                                /* 20 */
	"  sandbox_account_id      = \"069491470376\" // the Sandbox account\n"         /* 21 */
	"  /* Who may launch the AMIs:\n"                                               /* 22 */
	"     ours, then the customers'. */\n"                                          /* 23 */
	"  internal_account_ids = [local.build_account_id, local.sandbox_account_id]\n" /* 24 */
	"  customer_account_ids = [\n"                                                  /* 25 */
	"    \"724964194832\", # Acme\n"                                                /* 26 */
	"    // \"111111111111\", retired\n"                                            /* 27 */
	"    \"123456789012\", /* Globex { [ # */\n"                                    /* 28 */
	"    \"210987654321\",\n"                                                       /* 29 */
	"  ]\n"                                                                         /* 30 */
	"  ami_users           = concat(local.internal_account_ids, local.customer_account_ids)\n"
	"  destination_regions = [\"us-east-1\", \"us-east-2\", \"us-west-2\"]\n" /* 32 */
	"  source_region       = \"us-east-2\"\n"                                 /* 33 */
	"  tags  = { Name = \"readyset-${local.timestamp}\", \"a}\" = \"]\" }\n"  /* 34 */
	"  names = [for r in local.destination_regions : \"ami-${r}\"]\n"         /* 35 */
	"  count = 3\n"                                                           /* 36 */
	"  on    = true\n"                                                        /* 37 */
	"}\n"                                                                     /* 38 */
	"\n"                                                                      /* 39 */
	"source \"amazon-ebs\" \"server\" {\n"                                    /* 40 */
	"  ami_name    = \"readyset/images/hvm-ssd/readyset-server-${local.destination_ami_version}\"\n"
	"  ami_users   = local.ami_users\n"                       /* 42 */
	"  ami_regions = local.destination_regions\n"             /* 43 */
	"  region      = local.source_region\n"                   /* 44 */
	"  user_data   = <<-EOF\n"                                /* 45 */
	"    #!/bin/bash\n"                                       /* 46 */
	"    echo \"}\" ] { [ customer_account_ids = [\"bad\"]\n" /* 47 */
	"    EOF\n"                                               /* 48 */
	"}\n"                                                     /* 49 */
	"\n"                                                      /* 50 */
	"build {\n"                                               /* 51 */
	"  sources = [\"source.amazon-ebs.server\"]\n"            /* 52 */
	"  provisioner \"shell\" {\n"                             /* 53 */
	"    inline = [\"echo '{'\", \"echo \\\"quoted\\\"\"]\n"  /* 54 */
	"  }\n"                                                   /* 55 */
	"}\n";                                                    /* 56 */

static const char *const want_internal[] = {"305232526136", "069491470376"};
static const char *const want_customer[] = {"724964194832", "123456789012", "210987654321"};

static void read_ok(const char *text, size_t len, struct hcl_accounts *a)
{
	struct buf err = {0};
	int rc = hcl_read_accounts(NAME, text, len, a, &err);
	if (rc != 0)
		print_error("unexpected error: %s\n", buf_str(&err));
	assert_int_equal(rc, 0);
	assert_int_equal(err.len, 0);
	buf_free(&err);
}

static void check_list(char **got, size_t n, const char *const *want, size_t nwant)
{
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n && i < nwant; i++)
		assert_string_equal(got[i], want[i]);
}

static void check_realistic(const char *text, size_t len)
{
	struct hcl_accounts a;
	read_ok(text, len, &a);
	check_list(a.internal, a.ninternal, want_internal, 2);
	check_list(a.customer, a.ncustomer, want_customer, 3);
	assert_int_equal(a.nwarnings, 0);
	hcl_accounts_free(&a);
	assert_null(a.customer);
	assert_int_equal(a.ncustomer, 0);
}

/* The message for text must be exactly want (NAME is prepended). */
static void check_err(const char *text, const char *want)
{
	struct buf err = {0}, full = {0};
	struct hcl_accounts a;
	memset(&a, 0x5a, sizeof a); /* must come back empty */
	int rc = hcl_read_accounts(NAME, text, strlen(text), &a, &err);
	buf_printf(&full, "%s%s", NAME, want);
	if (rc != -1 || strcmp(buf_str(&err), buf_str(&full)) != 0)
		print_error("input:\n%s\nwant: %s\ngot:  %s (rc %d)\n", text, buf_str(&full), buf_str(&err), rc);
	assert_int_equal(rc, -1);
	assert_string_equal(buf_str(&err), buf_str(&full));
	assert_null(a.internal);
	assert_null(a.customer);
	assert_null(a.warnings);
	assert_int_equal(a.ninternal + a.ncustomer + a.nwarnings, 0);
	buf_free(&err);
	buf_free(&full);
}

static void test_realistic(void **state)
{
	(void)state;
	check_realistic(realistic, strlen(realistic));
}

static void test_expected_users(void **state)
{
	(void)state;
	struct hcl_accounts a;
	size_t n;
	read_ok(realistic, strlen(realistic), &a);
	const char **u = hcl_expected_users(&a, &n);
	static const char *const want[] = {"305232526136", "069491470376", "724964194832", "123456789012",
					   "210987654321"};
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(u[i], want[i]);
	free(u);
	hcl_accounts_free(&a);
	/* An empty set still gives an array to free. */
	u = hcl_expected_users(&a, &n);
	assert_non_null(u);
	assert_int_equal(n, 0);
	free(u);
}

/* The excerpt in apis.md §9, verbatim. */
static void test_apis_excerpt(void **state)
{
	(void)state;
	static const char text[] =
		"locals {\n"
		"  skip_create_ami        = !var.create_ami\n"
		"  timestamp = timestamp()\n"
		"  destination_ami_version = var.release_name != \"\" ? var.release_name : \"release-test\"\n"
		"  build_account_id   = \"305232526136\"\n"
		"  sandbox_account_id = \"069491470376\"\n"
		"  internal_account_ids = [local.build_account_id, local.sandbox_account_id]\n"
		"  customer_account_ids = [\"724964194832\"]\n"
		"  ami_users = concat(local.internal_account_ids, local.customer_account_ids)\n"
		"  destination_regions = [\"us-east-1\", \"us-east-2\", \"us-west-2\"]\n"
		"}\n";
	struct hcl_accounts a;
	read_ok(text, strlen(text), &a);
	check_list(a.internal, a.ninternal, want_internal, 2);
	check_list(a.customer, a.ncustomer, want_customer, 1);
	hcl_accounts_free(&a);
}

static void test_layouts(void **state)
{
	(void)state;
	static const char *const texts[] = {
		/* one line; the list ends at the block's brace */
		"locals { customer_account_ids = [\"724964194832\"] }",
		"locals {\n  customer_account_ids = [\"724964194832\",]}\n",
		/* split over several locals blocks, referenced local defined later */
		"locals {\n  customer_account_ids = [local.acme]\n}\nlocals {\n  acme = \"724964194832\"\n}\n",
		/* items on their own lines, comments between them and the commas */
		"locals {\n  customer_account_ids = [\n    \"724964194832\" # a\n    ,\n  ]\n}\n",
		/* no newline at the end, tabs */
		"locals {\n\tcustomer_account_ids\t=\t[\"724964194832\"]\n}",
		/* a singular local block, locals nested in another block, and a
		 * variable of the same name are all ignored */
		"local \"customer_account_ids\" {\n  expression = [\"111111111111\"]\n}\n"
		"build {\n  locals {\n    customer_account_ids = [\"222222222222\"]\n  }\n}\n"
		"variable \"customer_account_ids\" { default = [\"333333333333\"] }\n"
		"locals {\n  customer_account_ids = [\"724964194832\"]\n}\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		struct hcl_accounts a;
		read_ok(texts[i], strlen(texts[i]), &a);
		assert_int_equal(a.ninternal, 0); /* a missing internal list is empty */
		check_list(a.customer, a.ncustomer, &want_customer[0], 1);
		hcl_accounts_free(&a);
	}
	struct hcl_accounts a;
	read_ok("locals {\n  customer_account_ids = []\n}\n", 39, &a);
	assert_int_equal(a.ncustomer, 0);
	hcl_accounts_free(&a);
}

/* Text that looks like structure but sits in strings, heredocs, comments. */
static void test_confusing_text(void **state)
{
	(void)state;
	static const char text[] = "locals {\n"
				   "  a = \"} ] ) # // /* not a comment\"\n"
				   "  b = \"${lookup(local.m, \"}\", \"{\")}\" # a string inside a template\n"
				   "  c = \"%{ if true }{%{ endif }\"\n"
				   "  d = \"$${not} %%{a template} \\\" \\\\\" // escapes\n"
				   "  e = <<EOF\n"
				   "customer_account_ids = [\"999999999999\"]\n"
				   "  EOFX is not the end, nor is EOF with more text\n"
				   "}\n"
				   "  EOF  \n"
				   "  f = <<-EOT\n"
				   "    EOF\n"
				   "    EOT\n"
				   "  g = { for k, v in local.m : k => v if v == \"]\" }\n"
				   "  h = (1 + 2) * 3 >= 4 && !false || 5 <= 6\n"
				   "  i = [[{}], {a = [1, {b = \"[\"}]}]\n"
				   "  j = 1.5e3\n"
				   "  k = \"\"\n"
				   "  customer_account_ids = [\"724964194832\"]\n"
				   "}\n";
	struct hcl_accounts a;
	read_ok(text, strlen(text), &a);
	check_list(a.customer, a.ncustomer, want_customer, 1);
	hcl_accounts_free(&a);
}

static void test_duplicates(void **state)
{
	(void)state;
	static const char text[] = "locals {\n"
				   "  ops = \"305232526136\"\n"
				   "  internal_account_ids = [local.ops, \"069491470376\", local.ops]\n"
				   "  customer_account_ids = [\n"
				   "    \"724964194832\",\n"
				   "    \"305232526136\",\n"
				   "    \"724964194832\",\n"
				   "  ]\n"
				   "}\n";
	struct hcl_accounts a;
	size_t n;
	read_ok(text, strlen(text), &a);
	check_list(a.internal, a.ninternal, want_internal, 2);
	static const char *const cust[] = {"724964194832", "305232526136"};
	check_list(a.customer, a.ncustomer, cust, 2);
	assert_int_equal(a.nwarnings, 3);
	assert_string_equal(a.warnings[0],
			    NAME ":3:54: internal_account_ids: 305232526136 is listed twice (first at line 3); "
				 "the repeat is ignored");
	assert_string_equal(a.warnings[1], NAME
			    ":6:5: 305232526136 is in both internal_account_ids (line 3) and customer_account_ids");
	assert_string_equal(a.warnings[2],
			    NAME ":7:5: customer_account_ids: 724964194832 is listed twice (first at line 5); "
				 "the repeat is ignored");
	const char **u = hcl_expected_users(&a, &n);
	static const char *const users[] = {"305232526136", "069491470376", "724964194832"};
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n && i < 3; i++)
		assert_string_equal(u[i], users[i]);
	free(u);
	hcl_accounts_free(&a);
}

#define L(s) "locals {\n" s "}\n" /* line 1 is "locals {" */

static void test_bad_ids(void **state)
{
	(void)state;
	check_err(L("  customer_account_ids = [\"12345\"]\n"),
		  ":2:27: customer_account_ids: \"12345\" is not a 12-digit AWS account ID");
	check_err(L("  customer_account_ids = [\n    \"724964194832\",\n    \"7249641948320\",\n  ]\n"),
		  ":4:5: customer_account_ids: \"7249641948320\" is not a 12-digit AWS account ID");
	check_err(L("  customer_account_ids = [\"72496419483O\"]\n"),
		  ":2:27: customer_account_ids: \"72496419483O\" is not a 12-digit AWS account ID");
	check_err(L("  customer_account_ids = [\" 724964194832\"]\n"),
		  ":2:27: customer_account_ids: \" 724964194832\" is not a 12-digit AWS account ID");
	check_err(L("  customer_account_ids = [\"\"]\n"),
		  ":2:27: customer_account_ids: \"\" is not a 12-digit AWS account ID");
	check_err(L("  customer_account_ids = [\"\\u0037\"]\n"),
		  ":2:27: customer_account_ids: \"\\u0037\" is not a 12-digit AWS account ID");
	/* $${ is a literal "${", not a template */
	check_err(L("  customer_account_ids = [\"$${x}\"]\n"),
		  ":2:27: customer_account_ids: \"${x}\" is not a 12-digit AWS account ID");
	/* control characters, escaped or raw, never reach the message */
	check_err(L("  customer_account_ids = [\"72496419483\\t\"]\n"),
		  ":2:27: customer_account_ids: \"72496419483?\" is not a 12-digit AWS account ID");
	check_err(L("  customer_account_ids = [\"7249641\x1b[2J\"]\n"),
		  ":2:27: customer_account_ids: \"7249641?[2J\" is not a 12-digit AWS account ID");
	/* a NUL must not cut the ID short into a valid one */
	static const char nul[] = "locals {\n  customer_account_ids = [\"724964194832\0\"]\n}\n";
	struct buf err = {0};
	struct hcl_accounts a;
	assert_int_equal(hcl_read_accounts(NAME, nul, sizeof nul - 1, &a, &err), -1);
	assert_string_equal(buf_str(&err),
			    NAME ":2:27: customer_account_ids: \"724964194832?\" is not a 12-digit AWS account ID");
	buf_free(&err);
	/* long values are cut in the message */
	check_err(L("  internal_account_ids = "
		    "[\"1234567890123456789012345678901234567890123456789012345678901234567890\"]\n"
		    "  customer_account_ids = []\n"),
		  ":2:27: internal_account_ids: \"123456789012345678901234567890123456789012345678901234567890...\" is "
		  "not a "
		  "12-digit AWS account ID");
	/* a bad value behind a reference is reported where it is written */
	check_err(L("  build_account_id = \"30523\"\n  internal_account_ids = [local.build_account_id]\n"
		    "  customer_account_ids = [\"724964194832\"]\n"),
		  ":2:22: internal_account_ids: \"30523\" (local.build_account_id) is not a 12-digit AWS account ID");
	check_err(L("  internal_account_ids = [local.nope]\n  customer_account_ids = []\n"),
		  ":2:27: internal_account_ids: local.nope is not a local set to a quoted account ID");
	check_err(L("  t = timestamp()\n  customer_account_ids = [local.t]\n"),
		  ":3:27: customer_account_ids: local.t is not a local set to a quoted account ID");
	check_err(L("  a = \"724964194832\"\n  a = \"724964194833\"\n  customer_account_ids = [local.a]\n"),
		  ":3:7: local.a is set twice (first at line 2)");
}

static void test_not_literal(void **state)
{
	(void)state;
	check_err(L("  customer_account_ids = concat(local.a, local.b)\n"),
		  ":2:26: customer_account_ids: relcon can only read a literal list of quoted account IDs, not an "
		  "expression");
	check_err(L("  customer_account_ids = var.customers\n"),
		  ":2:26: customer_account_ids: relcon can only read a literal list of quoted account IDs, not an "
		  "expression");
	check_err(L("  internal_account_ids = [\"305232526136\"] + local.more\n"),
		  ":2:26: internal_account_ids: relcon can only read a literal list of quoted account IDs, not an "
		  "expression");
	check_err(L("  customer_account_ids = [for x in local.c : x]\n"),
		  ":2:27: customer_account_ids: relcon can only read a literal list of quoted account IDs or "
		  "local.NAME, found "
		  "'for'");
	check_err(L("  customer_account_ids = [local.a.b]\n"),
		  ":2:34: customer_account_ids: expected ',' or ']' after a list item, found '.'");
	check_err(L("  customer_account_ids = [724964194832]\n"),
		  ":2:27: customer_account_ids: relcon can only read a literal list of quoted account IDs or "
		  "local.NAME, found "
		  "'724964194832'");
	check_err(L("  customer_account_ids = [\"${local.acme}\"]\n"),
		  ":2:27: customer_account_ids: relcon can only read literal account IDs, not strings with ${...}");
	check_err(L("  customer_account_ids = <<EOF\nx\nEOF\n"),
		  ":2:26: customer_account_ids: relcon can only read a literal list of quoted account IDs, not an "
		  "expression");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	check_err("", ": customer_account_ids not found in any locals block");
	check_err("\xef\xbb\xbf", ": customer_account_ids not found in any locals block");
	check_err("# nothing\n", ": customer_account_ids not found in any locals block");
	check_err(L("  internal_account_ids = [\"305232526136\"]\n"),
		  ": customer_account_ids not found in any locals block");
	check_err(L("  customer_account_ids = [\"724964194832\"]\n") L("  customer_account_ids = []\n"),
		  ":5:3: customer_account_ids is set twice (first at line 2)");
	check_err(L("  x = \"abc\n  customer_account_ids = []\n"), ":2:7: unterminated string");
	check_err(L("  customer_account_ids = [\"724964194832]\n"), ":2:27: unterminated string");
	/* a template may span lines: here the '}' on line 3 closes it */
	check_err(L("  x = \"${a + \"b}\"\n"), ":2:7: unterminated string");
	check_err("locals {\n  x = \"${a\n", ":2:7: unterminated string");
	check_err(L("  x = 1 /* a\n  comment *\n"), ":2:9: unterminated /* comment");
	check_err(L("  customer_account_ids = [\n    \"724964194832\",\n"),
		  ":2:26: customer_account_ids: unterminated list "
		  "(no closing ']')");
	check_err("locals {\n  customer_account_ids = [\"724964194832\"",
		  ":2:26: customer_account_ids: unterminated list "
		  "(no closing ']')");
	check_err(L("  x = [1, 2\n  customer_account_ids = []\n"),
		  ":4:1: '}' does not close the '[' at line 2, column 7");
	check_err("locals {\n  x = [1, 2\n", ":2:7: unterminated list (no closing ']')");
	check_err("locals {\n  x = f(1,\n", ":2:8: unterminated parenthesis (no closing ')')");
	check_err("locals {\n  x = {\n", ":2:7: unterminated object (no closing '}')");
	check_err("packer {\n  required_plugins {\n", ":2:20: unterminated block (no closing '}')");
	check_err(L("  x = [1, 2)\n"), ":2:12: ')' does not close the '[' at line 2, column 7");
	check_err(L("  x = 1)\n"), ":2:8: unexpected ')'");
	check_err(L("  customer_account_ids = []\n") "}\n", ":4:1: unexpected '}'");
	check_err(L("  x = <<EOF\n  text\n"), ":2:7: unterminated heredoc (no line with just EOF)");
	check_err(L("  x = << EOF\nEOF\n"), ":2:7: a heredoc needs a marker such as <<EOF at the end of its line");
	check_err(L("  x = \"a\\qb\"\n"), ":2:9: invalid escape sequence '\\q' in a string");
	check_err(L("  x = 'a'\n"), ":2:7: unexpected character '''");
	check_err(L("  x = 1;\n"), ":2:8: unexpected character ';'");
	check_err(L("  x = \x01\n"), ":2:7: unexpected character '?'");
	check_err(L("  x =\n"), ":2:6: x: expected an expression after '='");
	check_err(L("  customer_account_ids = [\"724964194832\" \"123456789012\"]\n"),
		  ":2:42: customer_account_ids: expected ',' or ']' after a list item, found a quoted string");
	check_err(L("  \"x\" = 1\n"), ":2:3: expected an attribute or a block, found a quoted string");
	check_err("source \"amazon-ebs\" x y [\n", ":1:25: expected '=' or '{' after source, found '['");
	check_err("locals\n{\n", ":1:7: expected '=' or '{' after locals, found end of line");
}

static void test_too_deep(void **state)
{
	(void)state;
	struct buf t = {0};
	buf_adds(&t, "locals {\n  x = ");
	for (int i = 0; i < 100000; i++)
		buf_addc(&t, '[');
	check_err(buf_str(&t), ":2:71: brackets nested too deeply");
	buf_reset(&t);
	for (int i = 0; i < 100000; i++)
		buf_adds(&t, "a {\n");
	check_err(buf_str(&t), ":65:3: blocks nested too deeply");
	buf_reset(&t);
	buf_adds(&t, "x = ");
	for (int i = 0; i < 100000; i++)
		buf_adds(&t, "\"${");
	check_err(buf_str(&t), ":1:197: templates nested too deeply");
	buf_free(&t);
}

static void test_crlf_and_bom(void **state)
{
	(void)state;
	struct buf t = {0};
	buf_adds(&t, "\xef\xbb\xbf");
	for (const char *p = realistic; *p; p++)
		buf_adds(&t, *p == '\n' ? "\r\n" : (char[]){*p, 0});
	check_realistic(t.s, t.len);
	check_realistic(t.s + 3, t.len - 3);
	/* positions do not count the BOM or the CRs */
	check_err("\xef\xbb\xbflocals {\r\n  customer_account_ids = [\"1\"]\r\n}\r\n",
		  ":2:27: customer_account_ids: \"1\" is not a 12-digit AWS account ID");
	check_err("\xef\xbb\xbf}", ":1:1: unexpected '}'");
	check_err("locals {\r\n  x = <<EOF\r\n  EOF\r\n  customer_account_ids = [\"\"]\r\n}\r\n",
		  ":4:27: customer_account_ids: \"\" is not a 12-digit AWS account ID");
	buf_free(&t);
}

/* Columns count characters, not bytes. */
static void test_utf8_columns(void **state)
{
	(void)state;
	check_err(L("  customer_account_ids = [/* Ünïcödé 😀 */ \"é\"]\n"),
		  ":2:43: customer_account_ids: \"é\" is not a 12-digit AWS account ID");
	/* non-ASCII identifiers are accepted as HCL allows */
	struct hcl_accounts a;
	static const char text[] = "locals {\n  größe = 1\n  customer_account_ids = [\"724964194832\"]\n}\n";
	read_ok(text, strlen(text), &a);
	assert_int_equal(a.ncustomer, 1);
	hcl_accounts_free(&a);
}

static void test_large_list(void **state)
{
	(void)state;
	enum { N = 10000 };
	struct buf t = {0};
	struct hcl_accounts a;
	buf_adds(&t, "locals {\n  customer_account_ids = [\n");
	for (int i = 0; i < N; i++)
		buf_printf(&t, "    \"%012d\", # customer %d\n", 100000000 + i * 7, i);
	buf_adds(&t, "  ]\n  internal_account_ids = [\n");
	for (int i = 0; i < N; i++) /* every one a duplicate */
		buf_adds(&t, "    \"305232526136\",\n");
	buf_adds(&t, "  ]\n}\n");
	read_ok(t.s, t.len, &a);
	assert_int_equal(a.ncustomer, N);
	assert_string_equal(a.customer[0], "000100000000");
	assert_string_equal(a.customer[N - 1], "000100069993");
	assert_int_equal(a.ninternal, 1);
	assert_int_equal(a.nwarnings, N - 1);
	assert_string_equal(a.warnings[N - 2], NAME ":20004:5: internal_account_ids: 305232526136 is listed twice "
						    "(first at line 10005); the repeat is ignored");
	size_t n;
	const char **u = hcl_expected_users(&a, &n);
	assert_int_equal(n, N + 1);
	assert_string_equal(u[0], "305232526136");
	assert_string_equal(u[N], "000100069993");
	free(u);
	hcl_accounts_free(&a);
	buf_free(&t);
}

static void test_file(void **state)
{
	(void)state;
	char path[] = "/tmp/relcon-hcl-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, realistic, strlen(realistic)), (ssize_t)strlen(realistic));
	close(fd);
	struct hcl_accounts a;
	struct buf err = {0}, want = {0};
	assert_int_equal(hcl_read_accounts_file(path, &a, &err), 0);
	check_list(a.customer, a.ncustomer, want_customer, 3);
	hcl_accounts_free(&a);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "locals {\n  x = ]\n}\n", 19), 19);
	close(fd);
	assert_int_equal(hcl_read_accounts_file(path, &a, &err), -1);
	buf_printf(&want, "%s:2:7: unexpected ']'", path);
	assert_string_equal(buf_str(&err), buf_str(&want));
	unlink(path);
	buf_reset(&err);
	buf_reset(&want);
	assert_int_equal(hcl_read_accounts_file(path, &a, &err), -1);
	buf_printf(&want, "%s: No such file or directory", path);
	assert_string_equal(buf_str(&err), buf_str(&want));
	assert_null(a.customer);
	buf_free(&err);
	buf_free(&want);
}

static uint32_t rnd_state;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* Any input gives 0 with valid IDs, or -1 with a one-line printable message. */
static void check_any(const char *text, size_t len)
{
	struct buf err = {0};
	struct hcl_accounts a;
	int rc = hcl_read_accounts(NAME, text, len, &a, &err);
	if (rc == 0) {
		assert_int_equal(err.len, 0);
		for (size_t i = 0; i < a.ncustomer; i++)
			assert_int_equal(strspn(a.customer[i], "0123456789"), 12);
		for (size_t i = 0; i < a.ninternal; i++)
			assert_int_equal(strlen(a.internal[i]), 12);
		hcl_accounts_free(&a);
	} else {
		assert_int_equal(rc, -1);
		assert_true(err.len > strlen(NAME) + 2);
		assert_int_equal(strncmp(err.s, NAME ":", strlen(NAME) + 1), 0);
		for (size_t i = 0; i < err.len; i++)
			assert_true((unsigned char)err.s[i] >= 0x20 && err.s[i] != 0x7f);
		assert_null(a.customer);
	}
	buf_free(&err);
}

static void test_garbage(void **state)
{
	(void)state;
	static const char *const frags[] = {
		"locals",
		"{",
		"}",
		"[",
		"]",
		"(",
		")",
		"\"",
		"\"724964194832\"",
		",",
		"\n",
		"\r\n",
		" ",
		"=",
		"==",
		"#",
		"//",
		"/*",
		"*/",
		"<<EOF\n",
		"<<-EOF\n",
		"EOF\n",
		"${",
		"%{",
		"$${",
		"\\",
		"\\\"",
		"local",
		".",
		"x",
		"customer_account_ids",
		"internal_account_ids",
		"concat(",
		"?",
		":",
		"for",
		"é",
		"\xff",
		"\0",
		"\x1b",
	};
	struct buf t = {0};
	rnd_state = 20250301;
	for (int round = 0; round < 3000; round++) {
		buf_reset(&t);
		size_t len = rnd() % 200;
		for (size_t i = 0; i < len; i++) {
			if (round % 3 == 0) {
				buf_addc(&t, (char)(rnd() & 0xff));
			} else {
				const char *f = frags[rnd() % (sizeof frags / sizeof *frags)];
				buf_add(&t, f, *f ? strlen(f) : 1);
			}
		}
		check_any(t.s ? t.s : "", t.len);
	}
	/* every prefix of the realistic file, and mutations of it */
	size_t rlen = strlen(realistic);
	for (size_t i = 0; i <= rlen; i++)
		check_any(realistic, i);
	char *m = xmalloc(rlen);
	for (int round = 0; round < 3000; round++) {
		memcpy(m, realistic, rlen);
		for (int k = 1 + (int)(rnd() % 4); k > 0; k--)
			m[rnd() % rlen] = (char)"{}[]()\"#/*\n\\$<-=,x\0"[rnd() % 20];
		check_any(m, rlen);
	}
	free(m);
	buf_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realistic),      cmocka_unit_test(test_expected_users),
		cmocka_unit_test(test_apis_excerpt),   cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_confusing_text), cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_bad_ids),        cmocka_unit_test(test_not_literal),
		cmocka_unit_test(test_syntax_errors),  cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_crlf_and_bom),   cmocka_unit_test(test_utf8_columns),
		cmocka_unit_test(test_large_list),     cmocka_unit_test(test_file),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
