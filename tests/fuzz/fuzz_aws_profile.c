/* The AWS shared config and credentials files (aws/profile.h): the input
 * is read as both files, then profiles and role chains are resolved; and
 * credential_process command lines (aws_split_command). */
#include "tests/fuzz/fuzz.h"

#include "aws/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_file config, creds;
	fuzz_file_set(&config, "config", data, size, 0600);
	fuzz_file_set(&creds, "credentials", data, size, 0600);
	struct buf err = {0};
	struct aws_files *files = NULL;
	if (aws_files_load(&files, config.path, creds.path, &err) == 0) {
		static const char *const names[] = {"default", "sandbox", "a"};
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			struct aws_profile *p = NULL;
			if (aws_profile_get(&p, files, names[i], 0, &err) == 0) {
				(void)aws_profile_has_static_keys(p);
				(void)aws_profile_service_endpoint(p, "s3");
				aws_profile_free(&p);
			}
			struct aws_role_chain chain;
			memset(&chain, 0, sizeof chain);
			if (aws_role_chain_resolve(&chain, files, names[i], 0, &err) == 0)
				aws_role_chain_free(&chain);
			buf_reset(&err);
		}
		aws_files_free(&files);
	}
	buf_reset(&err);

	char *line = fuzz_cstr(data, size);
	char **argv = NULL;
	if (aws_split_command(line, &argv, &err) >= 0)
		aws_argv_free(&argv);
	free(line);
	buf_free(&err);
	return 0;
}
