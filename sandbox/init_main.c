/* stim-init: the instance's PID 1, linked statically (see sandbox/init.h).
 * The daemon execs it by descriptor with its configuration on fd 3. The
 * same binary is the instance's /usr/bin/sudo (sandbox/sudo.h), told
 * apart by the name it was run under. */
#include <string.h>

#include "sandbox/init.h"
#include "sandbox/sudo.h"

int main(int argc, char **argv)
{
	const char *name = argc > 0 ? strrchr(argv[0], '/') : NULL;

	name = name != NULL ? name + 1 : argc > 0 ? argv[0] : "";
	if (strcmp(name, "sudo") == 0)
		return stim_sudo_main(argc, argv);
	return stim_init_main(3);
}
