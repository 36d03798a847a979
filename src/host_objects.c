/* Finding and removing the host objects the daemon owns: listing, order, mounts. */
#include "src/host_objects.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/host_objects_internal.h"
#include "src/procfs.h"
#include "src/util.h"

/* Objects */

int stim_host_object_vec_add(struct stim_host_object_vec *vec, enum stim_host_object_kind kind,
			     char *name, unsigned family, bool cgroup2, stim_error_t *err)
{
	struct stim_host_object *o;

	if (vec->n >= STIM_HOST_OBJECTS_MAX) {
		free(name);
		return stim_err(err, STIM_RESOURCE_EXHAUSTED, "more than %d host objects",
				STIM_HOST_OBJECTS_MAX);
	}
	if (vec->n == vec->cap) {
		vec->cap = vec->cap ? vec->cap * 2 : 16;
		vec->v = xrealloc(vec->v, vec->cap * sizeof(*vec->v));
	}
	o = &vec->v[vec->n++];
	o->kind = kind;
	o->name = name;
	o->family = family;
	o->cgroup2 = cgroup2;
	return 0;
}

static void vec_fini(struct stim_host_object_vec *vec)
{
	stim_host_objects_free(vec->v, vec->n);
}
#define cleanup_vec __attribute__((cleanup(vec_fini)))

void stim_host_objects_free(struct stim_host_object *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

const char *stim_host_object_kind_name(enum stim_host_object_kind kind)
{
	switch (kind) {
	case STIM_HOST_OBJECT_CGROUP:
		return "cgroup";
	case STIM_HOST_OBJECT_MOUNT:
		return "mount";
	case STIM_HOST_OBJECT_NETNS:
		return "netns";
	case STIM_HOST_OBJECT_LINK:
		return "link";
	case STIM_HOST_OBJECT_NFT_TABLE:
		return "nft";
	}
	return "unknown";
}

static int object_cmp(const void *pa, const void *pb)
{
	const struct stim_host_object *a = pa;
	const struct stim_host_object *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	/* On a hybrid host an instance sits in a v1 cgroup (limits) and a
	 * cgroup2 one (freeze, kill) at once: only the cgroup2 one can be
	 * emptied, and that empties the v1 one too. */
	if (a->kind == STIM_HOST_OBJECT_CGROUP && a->cgroup2 != b->cgroup2)
		return a->cgroup2 ? -1 : 1;
	if (a->kind == STIM_HOST_OBJECT_CGROUP || a->kind == STIM_HOST_OBJECT_MOUNT)
		return stim_path_cmp_deepest_first(a->name, b->name);
	return strcmp(a->name, b->name);
}

void stim_host_objects_sort(struct stim_host_object *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), object_cmp);
}

/* Names and paths */

bool stim_host_name_matches(const char *name, const char *prefix)
{
	return prefix[0] != '\0' && stim_str_has_prefix(name, prefix);
}

bool stim_host_cgroup_name_matches(const char *name, const char *prefix)
{
	static const char *const systemd_units[] = { ".service", ".scope", ".slice" };

	if (!stim_host_name_matches(name, prefix))
		return false;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(systemd_units); i++) {
		if (stim_str_has_suffix(name, systemd_units[i]))
			return false;
	}
	return true;
}

bool stim_path_is_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (len == 1 && dir[0] == '/')
		return path[0] == '/' && path[1] != '\0';
	return strncmp(path, dir, len) == 0 && path[len] == '/' && path[len + 1] != '\0';
}

int stim_path_depth(const char *path)
{
	int depth = 0;

	for (const char *p = path; *p != '\0'; p++) {
		if (*p == '/' && p[1] != '/' && p[1] != '\0')
			depth++;
	}
	return depth;
}

int stim_path_cmp_deepest_first(const char *a, const char *b)
{
	int da = stim_path_depth(a);
	int db = stim_path_depth(b);

	if (da != db)
		return da > db ? -1 : 1;
	return strcmp(a, b);
}

bool stim_host_mount_matches(const struct stim_mountinfo *m, const char *prefix,
			     const char *data_dir)
{
	const char *mp = m->mount_point;
	const char *base = stim_path_basename(mp);

	if (mp[0] != '/' || strcmp(mp, "/") == 0)
		return false;
	/* The data directory may be a disk or tmpfs the admin mounted (and its
	 * default name "stimulator" matches "stim"): it is the daemon's home,
	 * not one of its objects. */
	if (data_dir != NULL && (strcmp(mp, data_dir) == 0 || stim_path_is_under(data_dir, mp)))
		return false;
	if (stim_path_is_under(mp, STIM_NETNS_RUN_DIR) &&
	    stim_path_depth(mp) == stim_path_depth(STIM_NETNS_RUN_DIR) + 1 &&
	    stim_host_name_matches(base, prefix))
		return false;
	if (data_dir != NULL && stim_path_is_under(mp, data_dir))
		return true;
	/* The source too, as the team's leak hook greps /proc/mounts for it
	 * (overlays named after the instance). */
	return stim_host_name_matches(base, prefix) || stim_host_name_matches(m->source, prefix);
}

int stim_host_prefix_check(const char *prefix, stim_error_t *err)
{
	if (prefix == NULL || strlen(prefix) < STIM_HOST_OBJECTS_MIN_PREFIX)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"prefix '%s' is shorter than %d characters: it would match objects "
				"that are not ours",
				prefix != NULL ? prefix : "", STIM_HOST_OBJECTS_MIN_PREFIX);
	for (const char *p = prefix; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == '/' || c == 0x7f)
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"prefix '%s': blanks, '/' and control characters cannot "
					"be part of a name",
					prefix);
	}
	return 0;
}

/* Mounts */

int stim_host_collect_mounts(const struct stim_mountinfo *mi, size_t n, const char *prefix,
			     const char *data_dir, struct stim_host_object_vec *vec,
			     stim_error_t *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!stim_host_mount_matches(&mi[i], prefix, data_dir))
			continue;
		/* Mounts stacked on one point are listed once each: every
		 * umount of the path takes the topmost one. */
		if (stim_host_object_vec_add(vec, STIM_HOST_OBJECT_MOUNT,
					     xstrdup(mi[i].mount_point), 0, false, err) < 0)
			return -1;
	}
	return 0;
}

static int remove_mount(const char *path, stim_error_t *err)
{
	/* Lazy, so a busy mount (a shell inside, an open file) still leaves
	 * the tree at once; NOFOLLOW, so a symlink planted on the path cannot
	 * redirect us to someone else's mount. */
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
		/* EINVAL: no longer a mount point; ENOENT: the path is gone. */
		if (errno == EINVAL || errno == ENOENT)
			return 0;
		return stim_err_sys(err, errno, "umount %s", path);
	}
	return 0;
}

/* Listing and removing */

/* The data directory as the mount table spells it: absolute, symlinks
 * resolved when it exists, and deep enough that "below it" cannot mean
 * half the host ("/", "/var"). */
static int normalize_data_dir(const char *in, char **out, stim_error_t *err)
{
	cleanup_free char *dir = NULL;
	size_t len;

	if (in[0] != '/')
		return stim_err(err, STIM_INVALID_ARGUMENT, "data dir '%s' is not absolute", in);
	dir = realpath(in, NULL);
	if (dir == NULL && errno != ENOENT)
		return stim_err_sys(err, errno, "data dir %s", in);
	if (dir == NULL) {
		/* Nothing exists there, so nothing can be mounted below it;
		 * still refuse what would be unsafe once it exists. */
		if (strstr(in, "/./") != NULL || strstr(in, "/../") != NULL ||
		    stim_str_has_suffix(in, "/.") || stim_str_has_suffix(in, "/.."))
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"data dir '%s' has '.' or '..' components", in);
		dir = xstrdup(in);
		len = strlen(dir);
		while (len > 1 && dir[len - 1] == '/')
			dir[--len] = '\0';
	}
	if (stim_path_depth(dir) < 2)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"data dir '%s' is too close to / (at least two levels, like "
				"/var/lib/stimulator)",
				dir);
	*out = steal_pointer(&dir);
	return 0;
}

int stim_host_objects_list(const char *prefix, const char *data_dir, struct stim_host_object **out,
			   size_t *n, stim_error_t *err)
{
	cleanup_vec struct stim_host_object_vec vec = { 0 };
	cleanup_free char *dir = NULL;
	struct stim_mountinfo *mi = NULL;
	size_t nmi = 0;
	int ret;

	if (stim_host_prefix_check(prefix, err) < 0)
		return -1;
	if (normalize_data_dir(data_dir != NULL ? data_dir : STIM_HOST_OBJECTS_DEFAULT_DATA_DIR,
			       &dir, err) < 0)
		return -1;
	if (stim_mountinfo_read(&mi, &nmi, err) < 0)
		return -1;

	/* One mount table read serves both kinds that need it, so the
	 * cgroup walk and the mount filter see the same moment. */
	ret = stim_host_collect_cgroups(mi, nmi, prefix, &vec, err);
	if (ret == 0)
		ret = stim_host_collect_mounts(mi, nmi, prefix, dir, &vec, err);
	if (ret == 0)
		ret = stim_host_collect_netns(prefix, &vec, err);
	if (ret == 0)
		ret = stim_host_collect_links(prefix, &vec, err);
	if (ret == 0)
		ret = stim_host_collect_nft_tables(prefix, &vec, err);
	stim_mountinfo_free(mi, nmi);
	if (ret < 0)
		return -1;

	stim_host_objects_sort(vec.v, vec.n);
	*n = vec.n;
	vec.n = 0;
	*out = steal_pointer(&vec.v);
	return 0;
}

int stim_host_object_remove(const struct stim_host_object *o, stim_error_t *err)
{
	const char *table;

	switch (o->kind) {
	case STIM_HOST_OBJECT_CGROUP:
		return stim_host_remove_cgroup(o->name, err);
	case STIM_HOST_OBJECT_MOUNT:
		return remove_mount(o->name, err);
	case STIM_HOST_OBJECT_NETNS:
		return stim_host_remove_netns(o->name, err);
	case STIM_HOST_OBJECT_LINK:
		return stim_host_remove_link(o->name, err);
	case STIM_HOST_OBJECT_NFT_TABLE:
		/* The name is "family table"; family names have no blanks. */
		table = strchr(o->name, ' ');
		if (table == NULL)
			return stim_err(err, STIM_INVALID_ARGUMENT, "nft object '%s' has no family",
					o->name);
		return stim_host_remove_nft_table(o->family, table + 1, err);
	}
	return stim_err(err, STIM_INVALID_ARGUMENT, "unknown host object kind %d", (int)o->kind);
}
