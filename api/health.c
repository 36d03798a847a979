/* /health/live, /health/ready and /metrics. */
#include "api/health.h"

#include "api/metrics.h"
#include "src/cleanup.h"
#include "src/config.h"
#include "src/util.h"

static int api_health_live(struct api_req *req, stim_error_t *err)
{
	return api_reply_json(req, 200, json_pack("{s:s}", "status", "live"));
}

/* Ready means the store answers. The body also tells `stimulator env` how
 * the daemon runs, so its export lines match (auth mode, default project,
 * the ssh shim's directory). */
static int api_health_ready(struct api_req *req, stim_error_t *err)
{
	const struct stim_config *cfg = req->ctx->cfg;
	cleanup_error stim_error_t perr = NULL;

	if (stim_store_ping(req->ctx->store, &perr) < 0)
		return stim_err(err, STIM_UNAVAILABLE, "The store is not ready: %s", perr->msg);
	return api_reply_json(req, 200,
			      json_pack("{s:s, s:s, s:s, s:o}", "status", "ready", "auth",
					stim_auth_mode_name(cfg->auth), "defaultProject",
					cfg->default_project, "shimDir",
					json_sprintf("%s/" STIM_SHIM_DIR, cfg->data_dir)));
}

static int api_health_metrics(struct api_req *req, stim_error_t *err)
{
	if (req->metrics == NULL)
		return stim_err(err, STIM_UNAVAILABLE, "metrics are not collected here");
	return api_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8",
			      api_metrics_render(req->metrics));
}

const struct api_route api_health_routes[] = {
	{ "GET", "/health/live", api_health_live },
	{ "GET", "/health/ready", api_health_ready },
	{ "GET", "/metrics", api_health_metrics },
};
const size_t api_health_routes_count = STIM_ARRAY_SIZE(api_health_routes);
