/* The Packer locals reader (release/hcl.h): the account lists of
 * locals.pkr.hcl, and the launch-permission users derived from them. */
#include "tests/fuzz/fuzz.h"

#include "release/hcl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hcl_accounts a;
	memset(&a, 0, sizeof a);
	struct buf err = {0};
	if (hcl_read_accounts("locals.pkr.hcl", (const char *)data, size, &a, &err) == 0) {
		size_t n = 0;
		const char **users = hcl_expected_users(&a, &n);
		for (size_t i = 0; i < n; i++)
			if (!users[i])
				abort();
		free(users);
	}
	hcl_accounts_free(&a);
	buf_free(&err);
	return 0;
}
