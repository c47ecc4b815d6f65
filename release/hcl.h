/* release/hcl.h - read the AMI launch-permission accounts that Packer is
 * told to apply, from ops/image-deploy/locals.pkr.hcl.
 *
 * This is the reader of that one file, not a general HCL parser.  It scans
 * the whole file with HCL's lexical rules (#, // and block comments, quoted
 * strings with escapes and ${...}/%{...} templates, heredocs, nested blocks
 * and brackets), skips every attribute and block it does not need, and
 * evaluates only two attributes of top-level `locals` blocks:
 *   internal_account_ids  (optional, empty when absent)
 *   customer_account_ids  (required)
 * Each must be a literal list whose items are quoted account IDs or
 * references `local.NAME` to a local that is set to one quoted string (the
 * real file writes `[local.build_account_id, local.sandbox_account_id]`).
 * Any other expression (concat(...), a for expression, a variable) is an
 * error: relcon cannot evaluate it.  Every ID must be exactly 12 ASCII digits.
 * Brackets, blocks and templates nested more than 64 deep are refused.
 *
 * Positions are 1-based; columns count characters (UTF-8 code points, a tab
 * is one), after an optional UTF-8 BOM.  Messages keep the file's text as is
 * except control characters, which become '?'; callers sanitize for display. */
#ifndef RELCON_RELEASE_HCL_H
#define RELCON_RELEASE_HCL_H

#include <stddef.h>

#include "core/buf.h"

struct hcl_accounts {
	char **internal; /* owned; 12-digit IDs in file order, duplicates removed */
	size_t ninternal;
	char **customer; /* owned; same for customer_account_ids */
	size_t ncustomer;
	char **warnings; /* owned; "NAME:LINE:COL: message": an ID repeated in a
			  * list, or in both lists */
	size_t nwarnings;
};

/* Read the accounts from text (len bytes, need not be NUL-terminated); name
 * is used in messages.  Returns 0 with *out filled (free with
 * hcl_accounts_free), or -1 with *out empty and one line appended to err:
 * "NAME:LINE:COL: message", or "NAME: message" when there is no position
 * (customer_account_ids not found). */
int hcl_read_accounts(const char *name, const char *text, size_t len, struct hcl_accounts *out, struct buf *err);
/* Same, reading the file at path (used as the name in messages); I/O errors
 * give "PATH: strerror". */
int hcl_read_accounts_file(const char *path, struct hcl_accounts *out, struct buf *err);
/* The accounts Packer grants launch permission to (its ami_users): internal
 * followed by customer, duplicates removed.  Returns a malloc'd array (never
 * NULL; the caller free()s the array only) of pointers borrowed from a,
 * valid until hcl_accounts_free(a); *n is its length. */
const char **hcl_expected_users(const struct hcl_accounts *a, size_t *n);
/* Free everything in a and leave it empty; safe on an empty struct. */
void hcl_accounts_free(struct hcl_accounts *a);

#endif
