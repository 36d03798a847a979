/* `stimulator serve`: the daemon. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/dispatch.h"
#include "api/metrics.h"
#include "api/router.h"
#include "api/server.h"
#include "netns/vpc.h"
#include "src/cleanup.h"
#include "src/commands.h"
#include "sandbox/cgroup.h"
#include "src/compute_ops.h"
#include "src/config.h"
#include "src/decision_cache.h"
#include "src/context.h"
#include "src/guest_layer.h"
#include "src/firewall_log.h"
#include "src/housekeeping.h"
#include "src/iam_policies.h"
#include "src/instances.h"
#include "src/log.h"
#include "src/signing.h"
#include "src/tokens.h"
#include "src/metadata_server.h"
#include "src/blobs.h"
#include "src/objects.h"
#include "src/projects.h"
#include "src/store.h"
#include "src/upload_sessions.h"
#include "src/util.h"
#include "src/supervisor.h"
#include "src/workers.h"

/* Requests in flight get this long to finish after SIGTERM. */
#define SHUTDOWN_GRACE_MS 10000

/* Writes "HOST:PORT\n" atomically (tmp + rename), so a waiting script never
 * reads half a line. */
static int write_ready_file(const char *path, const char *host, uint16_t port, stim_error_t *err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp", path);
	cleanup_file FILE *f = fopen(tmp, "we");

	if (f == NULL)
		return stim_err_sys(err, errno, "open %s", tmp);
	if (strchr(host, ':') != NULL)
		fprintf(f, "[%s]:%u\n", host, port);
	else
		fprintf(f, "%s:%u\n", host, port);
	if (fclose(steal_pointer(&f)) != 0)
		return stim_err_sys(err, errno, "write %s", tmp);
	if (rename(tmp, path) < 0)
		return stim_err_sys(err, errno, "rename %s", path);
	return 0;
}

/* stim-init sits beside the daemon's own executable (CMakeLists.txt);
 * NULL when it is not there (sanitizer builds): instances then say so. */
static char *find_init(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *path;

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	path = xasprintf("%s/stim-init", self);
	if (access(path, X_OK) == 0)
		return path;
	STIM_LOG_W("no %s: instances cannot start", path);
	free(path);
	return NULL;
}

/* DATA/bin holds links named ssh and scp to this executable: the shims,
 * which `stimulator env` puts first on PATH for gcloud (src/cmd_ssh.c,
 * src/cmd_scp.c). Links from an older build are replaced. */
static int shim_dir(const char *data_dir, stim_error_t *err)
{
	static const char *const names[] = { "ssh", "scp" };
	cleanup_free char *dir = xasprintf("%s/" STIM_SHIM_DIR, data_dir);
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return stim_err_sys(err, errno, "readlink /proc/self/exe");
	self[n] = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", dir);
	for (size_t i = 0; i < STIM_ARRAY_SIZE(names); i++) {
		cleanup_free char *link = xasprintf("%s/%s", dir, names[i]);
		cleanup_free char *tmp = xasprintf("%s/.%s.new", dir, names[i]);

		unlink(tmp);
		if (symlink(self, tmp) < 0 || rename(tmp, link) < 0)
			return stim_err_sys(err, errno, "link %s", link);
	}
	return 0;
}

/* The instance cgroups of this host's layout (the same probe as doctor);
 * what it cannot enforce is said once here and in every instance. */
static int setup_cgroups(struct stim_ctx *ctx, stim_error_t *err)
{
	cleanup_error stim_error_t perr = NULL;
	struct stim_cgroup_info info;
	struct stim_cgroups *m;

	if (stim_cgroup_probe(&info, &perr) < 0) {
		STIM_LOG_W("no cgroups (%s): instances run without limits", perr->msg);
		return 0;
	}
	m = stim_cgroups_new(&info);
	if (stim_cgroups_prepare(m, err) < 0) {
		stim_cgroups_free(m);
		return -1;
	}
	if (stim_cgroups_unenforced(m)[0] != '\0')
		STIM_LOG_W("instance limits not enforced on this host: %s",
			   stim_cgroups_unenforced(m));
	ctx->cgroups = m;
	return 0;
}

/* Blocks the stop signals in this thread before any other starts, so every
 * thread inherits the mask and only sigwait() below sees them. */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	/* A client that hangs up mid-response must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
}

/* Makes owner an owner of every project there is now (serve --owner). */
static int own_projects(struct stim_ctx *ctx, const char *owner, stim_error_t *err)
{
	struct stim_project_query q = { .page_size = 500 };
	cleanup_free char *token = NULL;
	int ret = 0;

	do {
		struct stim_project_page page = { 0 };

		if (stim_project_list(ctx, &q, &page, err) < 0)
			return -1;
		for (size_t i = 0; i < page.n && ret == 0; i++)
			ret = stim_project_iam_grant(ctx, page.items[i].project_id, "roles/owner",
						     owner, err);
		free(token);
		token = steal_pointer(&page.next_page_token);
		q.page_token = token;
		stim_project_page_fini(&page);
	} while (ret == 0 && token != NULL);
	if (ret == 0)
		STIM_LOG_I("%s owns every project there is", owner);
	return ret;
}

static int serve(const struct stim_config *cfg, stim_error_t *err)
{
	struct stim_ctx ctx = { .cfg = cfg };
	struct api_dispatcher d = { .ctx = &ctx };
	struct api_server *srv = NULL;
	struct stim_housekeeper *hk = NULL;
	char *init_path = NULL;
	char *guest_layer = NULL;
	sigset_t set;
	int sig = 0;
	int swept;
	int ret = -1;

	block_signals(&set);
	ctx.store = stim_store_open(cfg->data_dir, err);
	if (ctx.store == NULL)
		return stim_err_wrap(err, "store");
	ctx.compute_hub = stim_compute_hub_new();
	ctx.signer = stim_signing_key_open(cfg->data_dir);
	if (cfg->auth == STIM_AUTH_ENFORCE)
		ctx.iam_cache = stim_decision_cache_new();
	ctx.tokens = stim_tokens_load(cfg->data_dir, err);
	if (ctx.tokens == NULL)
		goto out;
	if (stim_project_ensure(&ctx, cfg->default_project, err) < 0)
		goto out;
	if (cfg->owner != NULL && own_projects(&ctx, cfg->owner, err) < 0)
		goto out;
	ctx.blobs = stim_blobs_open(cfg->data_dir, err);
	if (ctx.blobs == NULL)
		goto out;
	/* Bytes of uploads whose commit never happened (a crash between the
	 * blob and its row, or after a replace): nobody can reach them. */
	swept = stim_objects_sweep_blobs(&ctx, err);
	if (swept < 0)
		goto out;
	if (swept > 0)
		STIM_LOG_I("removed %d orphaned blobs", swept);
	/* Partial uploads whose session row is gone (a crash in between). */
	swept = stim_sessions_sweep_partials(&ctx, err);
	if (swept < 0)
		goto out;
	if (swept > 0)
		STIM_LOG_I("removed %d orphaned partial uploads", swept);
	if (setup_cgroups(&ctx, err) < 0)
		goto out;
	ctx.init_path = init_path = find_init();
	if (init_path != NULL && stim_guest_layer_prepare(cfg->data_dir, init_path,
							  cfg->userns_base, &guest_layer, err) < 0)
		goto out;
	ctx.guest_layer = guest_layer;
	if (shim_dir(cfg->data_dir, err) < 0)
		goto out;
	ctx.workers = stim_workers_new();
	ctx.supervisor = stim_supervisor_new(stim_instances_on_exit, &ctx, err);
	if (ctx.supervisor == NULL)
		goto out;
	{
		struct stim_cidr links = stim_config_uplink_range(cfg);

		/* Routers made from now on get their link to the host. */
		stim_vpc_set_uplinks(&links);
	}
	/* Instances outlive the daemon: take back those still running. */
	swept = stim_instances_adopt(&ctx, err);
	if (swept < 0)
		goto out;
	if (swept > 0)
		STIM_LOG_I("adopted %d running instances", swept);
	d.router = api_router_new();
	api_routes_register(d.router);
	d.metrics = api_metrics_new(d.router);
	srv = api_server_start(&d, cfg->listen_host, cfg->listen_port, cfg->threads, err);
	if (srv == NULL)
		goto out;
	hk = stim_housekeeper_start(&ctx, cfg->housekeeping_seconds, err);
	if (hk == NULL)
		goto out;
	if (cfg->ready_file != NULL &&
	    write_ready_file(cfg->ready_file, cfg->listen_host, api_server_port(srv), err) < 0)
		goto out;
	STIM_LOG_I("serving: data dir %s, auth %s, default project %s", cfg->data_dir,
		   stim_auth_mode_name(cfg->auth), cfg->default_project);

	while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
	STIM_LOG_I("%s: finishing requests in flight, then stopping", strsignal(sig));
	ret = 0;
out:
	api_server_stop(srv, SHUTDOWN_GRACE_MS);
	stim_housekeeper_stop(hk);
	/* No new reports, then the starts and deletes in flight finish: they
	 * write the store. Instances keep running; the next start adopts them. */
	stim_supervisor_stop(ctx.supervisor);
	stim_workers_drain(ctx.workers);
	stim_metadata_server_stop_all();
	stim_firewall_log_stop_all();
	stim_supervisor_free(ctx.supervisor);
	stim_cgroups_free(ctx.cgroups);
	free(init_path);
	free(guest_layer);
	if (cfg->ready_file != NULL)
		unlink(cfg->ready_file);
	api_metrics_free(d.metrics);
	api_router_free(d.router);
	stim_blobs_close(ctx.blobs);
	stim_store_close(ctx.store);
	stim_compute_hub_free(ctx.compute_hub);
	stim_tokens_free(ctx.tokens);
	stim_decision_cache_free(ctx.iam_cache);
	stim_signing_key_free(ctx.signer);
	if (ret == 0)
		STIM_LOG_I("stopped");
	return ret;
}

int stim_cmd_serve(int argc, char **argv)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_config cfg;
	int ret;

	ret = stim_config_parse(&cfg, argc, argv, &err);
	if (ret == 1) {
		stim_config_usage("stimulator");
		stim_config_fini(&cfg);
		return 0;
	}
	if (ret < 0) {
		fprintf(stderr, "stimulator serve: %s\n", err->msg);
		stim_config_fini(&cfg);
		return 2;
	}
	stim_log_setup(cfg.log_level, cfg.log_format);
	ret = serve(&cfg, &err);
	if (ret < 0)
		STIM_LOG_E("%s", err->msg);
	stim_config_fini(&cfg);
	return ret < 0 ? 1 : 0;
}
