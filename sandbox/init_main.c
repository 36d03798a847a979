/* stim-init: the instance's PID 1, linked statically (see sandbox/init.h).
 * The daemon execs it by descriptor with its configuration on fd 3. */
#include "sandbox/init.h"

int main(void)
{
	return stim_init_main(3);
}
