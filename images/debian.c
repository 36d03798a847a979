/* The debian-12 recipe: mmdebstrap (see recipes.h). About 45 s and 210
 * MB the first time, from deb.debian.org; cached under DATA afterwards. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "images/recipes.h"
#include "src/cleanup.h"
#include "src/util.h"

#define SUITE  "bookworm"
#define MIRROR "http://deb.debian.org/debian"
/* minbase, and what a GCE Debian image's users reach for first: TLS
 * roots and curl (gcloud compute ssh --internal-ip needs curl), ip, ps,
 * and sudo, as GCE's image has it (its /etc/sudoers.d takes the guest
 * agent's rule; its binary is diverted, below). */
#define PACKAGES "ca-certificates,curl,iproute2,iputils-ping,less,netbase,procps,sudo"

/* Debian's sudo is setuid, and so powerless under no_new_privs: the
 * guest layer's lies over it (src/guest_layer.h). Diverted, so that an
 * upgrade of the package writes /usr/bin/sudo.distrib instead of putting
 * its sudo back on the instance's disk, over the guest layer's. */
#define DIVERT_SUDO                                                                                \
	"--customize-hook=chroot \"$1\" dpkg-divert --quiet --local --rename --divert "            \
	"/usr/bin/sudo.distrib --add /usr/bin/sudo"

extern char **environ;

/* mmdebstrap's "I: ..." lines, in the order it says them, and how far
 * along each puts the build (downloading and unpacking are most of it). */
static const struct phase {
	const char *says;
	int percent;
	const char *what;
} phases[] = {
	{ "I: running apt-get update", 5, "reading Debian's package lists" },
	{ "I: downloading packages", 15, "downloading packages" },
	{ "I: extracting archives", 45, "extracting packages" },
	{ "I: installing essential packages", 55, "installing essential packages" },
	{ "I: installing remaining packages", 70, "installing the remaining packages" },
	{ "I: cleaning package lists", 90, "cleaning up" },
};

static void tell(const struct stim_image_progress *p, int percent, const char *what)
{
	if (p != NULL && p->fn != NULL)
		p->fn(p->arg, percent, what);
}

int stim_image_build_debian(const char *root, const struct stim_image_progress *p,
			    stim_error_t *err)
{
	char *argv[] = { "mmdebstrap",
			 "--variant=minbase",
			 "--include=" PACKAGES,
			 DIVERT_SUDO,
			 SUITE,
			 (char *)root,
			 MIRROR,
			 NULL };
	posix_spawn_file_actions_t fa;
	char last[512] = "";
	char *line = NULL;
	size_t cap = 0;
	int fds[2];
	FILE *out;
	pid_t pid;
	int status;
	int e;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return stim_err_sys(err, errno, "pipe for mmdebstrap");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	e = posix_spawnp(&pid, "mmdebstrap", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (e != 0) {
		close(fds[0]);
		if (e == ENOENT)
			return stim_err(err, STIM_FAILED_PRECONDITION,
					"the debian-12 image is built with mmdebstrap, which this "
					"host lacks (apt-get install mmdebstrap)");
		return stim_err_sys(err, e, "run mmdebstrap");
	}
	tell(p, 1, "starting mmdebstrap");
	out = fdopen(fds[0], "r");
	while (out != NULL && getline(&line, &cap, out) >= 0) {
		line[strcspn(line, "\n")] = '\0';
		for (size_t i = 0; i < STIM_ARRAY_SIZE(phases); i++) {
			if (stim_str_has_prefix(line, phases[i].says))
				tell(p, phases[i].percent, phases[i].what);
		}
		if (line[0] != '\0')
			snprintf(last, sizeof(last), "%s", line);
	}
	free(line);
	if (out != NULL)
		fclose(out);
	else
		close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return stim_err(err, STIM_UNAVAILABLE,
				"building the debian-12 image failed (mmdebstrap " SUITE
				" from " MIRROR "): %s",
				last[0] != '\0' ? last : "no output");
	/* The host's resolver came along with the packages: an instance asks
	 * its VPC's metadata server, as on GCE. */
	if (stim_image_write_file(root, "etc/resolv.conf", STIM_IMAGE_RESOLV_CONF, 0644, err) < 0)
		return -1;
	tell(p, 95, "built");
	return 0;
}
