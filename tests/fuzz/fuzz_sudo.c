/*
 * Fuzzes what sudo's broker in an instance's PID 1 reads from others
 * (sandbox/sudo.h): a request, which any local user may send to root,
 * and the account files (sandbox/accounts.h), which the instance's root
 * may write anything into. Every input is refused or turned into words
 * and an environment, without reading past its end or leaking.
 */
#include <stdlib.h>

#include "sandbox/accounts.h"
#include "sandbox/sudo.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct stim_sudo_request r;
	struct stim_account caller;
	struct stim_account target;
	gid_t gids[16];
	gid_t gid;

	/* The input as passwd and group. */
	if (!stim_account_find(text, "root", 0, &target))
		target = (struct stim_account){ .name = "root",
						.home = "/root",
						.shell = "/bin/sh" };
	if (!stim_account_find(text, NULL, 1000, &caller))
		caller = (struct stim_account){
			.name = "u", .uid = 1000, .home = "/", .shell = "/bin/sh"
		};
	stim_sudo_allowed(text, &caller);
	stim_group_find(text, "staff", &gid);
	stim_account_groups(text, caller.name, caller.gid, gids, 16);

	/* The input as a request. */
	if (stim_sudo_request_decode(text, &r) == 0) {
		char *program = NULL;
		char **argv = stim_sudo_argv(&r, &caller, &target, &program);
		char **env = stim_sudo_env(&r, &caller, &target, program);

		stim_sudo_strv_free(argv);
		stim_sudo_strv_free(env);
		free(program);
		stim_sudo_request_fini(&r);
	}
	free(text);
	return 0;
}
