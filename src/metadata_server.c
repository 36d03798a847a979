/* The metadata server of each VPC network (see metadata_server.h). */
#include "src/metadata_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "netns/vpc.h"
#include "src/cleanup.h"
#include "src/compute_projects.h"
#include "src/log.h"
#include "src/metadata_tree.h"
#include "src/networks.h"
#include "src/oauth.h"
#include "src/projects.h"
#include "src/service_accounts.h"
#include "src/signing.h"
#include "src/store_compute_projects.h"
#include "src/store_instances.h"
#include "src/store_networks.h"
#include "src/util.h"

#define PREFIX	       "/computeMetadata/v1"
#define WAIT_DEFAULT_S 300 /* wait_for_change without timeout_sec */
#define IDLE_S	       60  /* a kept-alive connection's thread goes after this */

struct mds {
	struct stim_ctx *ctx;
	char *project;
	char *network;
	int64_t network_id;
	struct MHD_Daemon *mhd;
	bool stopping; /* under lock: waiters give up */
	struct mds *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct mds *servers;

void stim_metadata_changed(void)
{
	pthread_mutex_lock(&lock);
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

/* The caller's view, read from the store now. */
static json_t *tree_for(struct mds *m, uint32_t caller, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(m->ctx->store, err);
	struct stim_instance in;
	struct stim_compute_metadata meta = { 0 };
	struct stim_project p;
	struct stim_network net;
	struct stim_subnetwork sub;
	json_t *tree = NULL;

	if (db == NULL || stim_store_instance_at(db, m->project, m->network, caller, &in, err) < 0)
		return NULL;
	if (stim_store_compute_metadata_get(db, m->project, &meta, err) == 0 &&
	    stim_project_get(m->ctx, m->project, &p, err) == 0) {
		if (stim_store_network_get(db, m->project, m->network, &net, err) == 0) {
			if (stim_store_subnet_get(db, m->project, in.nic.region, in.nic.subnet,
						  &sub, err) == 0) {
				struct stim_mds_view v = { &in,		m->project, p.number,
							   &meta.items, sub.range,  net.mtu };

				tree = stim_mds_tree(&v);
				stim_subnetwork_fini(&sub);
			}
			stim_network_fini(&net);
		}
		stim_project_fini(&p);
	}
	stim_compute_metadata_fini(&meta);
	stim_instance_fini(&in);
	return tree;
}

/* The email of the instance's account, or NULL (borrowed from tree). */
static const char *account_email(json_t *tree)
{
	json_t *inst = json_object_get(tree, "instance");

	return json_string_value(json_object_get(
		json_object_get(json_object_get(inst, "serviceAccounts"), "default"), "email"));
}

struct reply {
	unsigned status;
	const char *type;
	char *body;
};

/* What a request asks: the path after the prefix and its arguments. */
struct ask {
	uint32_t caller;
	const char *path;
	bool recursive;
	const char *alt;
	const char *audience; /* identity's */
	bool full;	      /* identity's format=full */
};

/* An access token for the instance's account, an hour long, which the
 * daemon's APIs take as that account's. */
static void token(struct mds *m, json_t *tree, struct reply *r)
{
	cleanup_free char *principal = xasprintf("serviceAccount:%s", account_email(tree));
	json_t *j =
		m->ctx->tokens != NULL ? stim_oauth_access_token(m->ctx, principal, NULL) : NULL;

	if (j == NULL) {
		r->status = 503;
		r->body = xstrdup("this daemon mints no tokens\n");
		return;
	}
	r->type = "application/json";
	r->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
}

/* An identity token for the instance's account: a JWT the daemon signs
 * with GCE's claims (format=full adds the instance's). */
static void identity(struct mds *m, const struct ask *q, json_t *tree, struct reply *r)
{
	cleanup_error stim_error_t err = NULL;
	json_t *inst = json_object_get(tree, "instance");
	const char *email = account_email(tree);
	struct stim_service_account sa;
	int64_t now = stim_now_ms() / 1000;
	json_t *sub;
	json_t *claims;

	if (q->audience == NULL || *q->audience == '\0') {
		r->status = 400;
		r->body = xstrdup("non-empty audience parameter required\n");
		return;
	}
	/* The account's unique id when IAM here has it; otherwise (a
	 * project's default account) one derived from its email, the same
	 * every time. */
	if (email != NULL && stim_sa_get(m->ctx, email, &sa, &err) == 0) {
		sub = json_sprintf("%lld", (long long)sa.unique_id);
		stim_sa_fini(&sa);
	} else {
		sub = json_sprintf("1%020llu", (unsigned long long)stim_fnv1a(email));
	}
	stim_error_free(steal_pointer(&err));
	claims = json_pack("{s:s, s:s, s:s, s:b, s:I, s:I, s:s, s:s}", "aud", q->audience, "azp",
			   email, "email", email, "email_verified", 1, "exp",
			   (json_int_t)(now + 3600), "iat", (json_int_t)now, "iss",
			   "https://accounts.google.com", "sub", "");
	json_object_set_new(claims, "sub", sub);
	json_object_set_new(claims, "azp", json_incref(json_object_get(claims, "sub")));
	if (q->full)
		json_object_set_new(claims, "google",
				    json_pack("{s:{s:O, s:O, s:s, s:O, s:O}}", "compute_engine",
					      "instance_id", json_object_get(inst, "id"),
					      "instance_name", json_object_get(inst, "name"),
					      "project_id", m->project, "project_number",
					      json_object_get(json_object_get(tree, "project"),
							      "numericProjectId"),
					      "zone", json_object_get(inst, "zone")));
	r->body = m->ctx->signer != NULL ? stim_jwt_sign(m->ctx->signer, claims, &err) : NULL;
	json_decref(claims);
	if (r->body == NULL) {
		r->status = 503;
		r->body = xasprintf("%s\n", err != NULL ? err->msg : "this daemon signs no tokens");
	}
}

static void answer(struct mds *m, const struct ask *q, struct reply *r)
{
	cleanup_error stim_error_t err = NULL;
	json_t *tree = tree_for(m, q->caller, &err);
	struct stim_mds_answer a;

	r->status = 200;
	r->type = "application/text";
	if (tree == NULL) {
		/* Not an instance of this network (or the store failed). */
		r->status = err != NULL && err->code == STIM_NOT_FOUND ? 403 : 503;
		r->body = xasprintf("%s\n", err != NULL ? err->msg : "unavailable");
		return;
	}
	stim_mds_resolve(tree, q->path, q->recursive, q->alt, &a);
	r->body = a.body;
	if (a.kind == STIM_MDS_JSON)
		r->type = "application/json";
	if (a.kind == STIM_MDS_MISSING) {
		r->status = 404;
		r->body = xstrdup("Not Found\n");
	} else if (a.kind == STIM_MDS_DYNAMIC && strcmp(a.body, "token") == 0) {
		free(a.body);
		token(m, tree, r);
	} else if (a.kind == STIM_MDS_DYNAMIC) {
		free(a.body);
		identity(m, q, tree, r);
	}
	json_decref(tree);
}

/* GCE's ETags are 16 hex digits of the answer. */
static void etag_of(const struct reply *r, char out[17])
{
	uint64_t h = stim_fnv1a(r->body) ^ r->status;

	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* wait_for_change: the answer once it differs from last_etag (from what
 * it is now, when none is given), or as it is at the deadline. */
static void wait_change(struct mds *m, const struct ask *q, const char *last_etag, long timeout_s,
			struct reply *r)
{
	char first[17];
	char now[17];
	struct timespec deadline;

	answer(m, q, r);
	etag_of(r, first);
	if (last_etag != NULL && strcmp(last_etag, first) != 0)
		return;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_s;
	pthread_mutex_lock(&lock);
	while (!m->stopping && pthread_cond_timedwait(&changed, &lock, &deadline) != ETIMEDOUT) {
		pthread_mutex_unlock(&lock);
		free(r->body);
		answer(m, q, r);
		etag_of(r, now);
		pthread_mutex_lock(&lock);
		if (strcmp(now, first) != 0)
			break;
	}
	pthread_mutex_unlock(&lock);
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct reply *r)
{
	char etag[17];
	struct MHD_Response *resp;
	enum MHD_Result ret;

	etag_of(r, etag);
	resp = MHD_create_response_from_buffer(strlen(r->body), r->body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Metadata-Flavor", "Google");
	MHD_add_response_header(resp, "Server", "Metadata Server for VM");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char *query(struct MHD_Connection *c, const char *key)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

static bool is_true(const char *v)
{
	return v != NULL && strcmp(v, "true") == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	struct mds *m = cls;
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *flavor = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Metadata-Flavor");
	const char *timeout = query(c, "timeout_sec");
	struct reply r = { 403, "text/html", NULL };
	struct ask q = { 0 };
	bool ours;

	if (*con_cls == NULL) { /* headers only so far */
		*con_cls = m;
		return MHD_YES;
	}
	if (info == NULL || info->client_addr->sa_family != AF_INET)
		return MHD_NO;
	q.caller = ntohl(((const struct sockaddr_in *)info->client_addr)->sin_addr.s_addr);
	/* Only /computeMetadata/v1 and below are ours to answer. */
	ours = strncmp(url, PREFIX, strlen(PREFIX)) == 0 &&
	       (url[strlen(PREFIX)] == '\0' || url[strlen(PREFIX)] == '/');
	q.path = ours ? url + strlen(PREFIX) : "";
	q.recursive = is_true(query(c, "recursive"));
	q.alt = query(c, "alt");
	q.audience = query(c, "audience");
	q.full = query(c, "format") != NULL && strcmp(query(c, "format"), "full") == 0;
	if (strcmp(method, "GET") != 0) {
		r.status = 405;
		r.body = xstrdup("Method Not Allowed\n");
	} else if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For") != NULL) {
		r.body = xstrdup("Request had an X-Forwarded-For header and was refused.\n");
	} else if (strcmp(url, "/") == 0) {
		r.status = 200;
		r.type = "application/text";
		r.body = xstrdup("computeMetadata/\n");
	} else if (flavor == NULL || strcmp(flavor, "Google") != 0) {
		r.body = xstrdup("Missing Metadata-Flavor:Google header.\n");
	} else if (!ours) {
		r.status = 404;
		r.body = xstrdup("Not Found\n");
	} else if (is_true(query(c, "wait_for_change"))) {
		wait_change(m, &q, query(c, "last_etag"),
			    timeout != NULL ? atol(timeout) : WAIT_DEFAULT_S, &r);
	} else {
		answer(m, &q, &r);
	}
	return send_reply(c, &r);
}

int stim_metadata_server_ensure(struct stim_ctx *ctx, const char *project, const char *network,
				stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_network net;
	struct mds *m;
	int fd;

	if (db == NULL || stim_store_network_get(db, project, network, &net, err) < 0)
		return -1;
	stim_db_release(steal_pointer(&db));
	pthread_mutex_lock(&lock);
	for (m = servers; m != NULL && m->network_id != net.id; m = m->next)
		;
	if (m != NULL) {
		pthread_mutex_unlock(&lock);
		stim_network_fini(&net);
		return 0;
	}
	fd = stim_vpc_metadata_listen(net.id, err);
	if (fd < 0) {
		pthread_mutex_unlock(&lock);
		stim_network_fini(&net);
		return -1;
	}
	m = xcalloc(1, sizeof(*m));
	m->ctx = ctx;
	m->project = xstrdup(project);
	m->network = xstrdup(network);
	m->network_id = net.id;
	stim_network_fini(&net);
	/* A thread per connection: a wait_for_change holds only its own. */
	m->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
				  0, NULL, NULL, on_request, m, MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_S, MHD_OPTION_END);
	if (m->mhd == NULL) {
		close(fd);
		free(m->project);
		free(m->network);
		free(m);
		pthread_mutex_unlock(&lock);
		return stim_err(err, STIM_INTERNAL, "the metadata server did not start");
	}
	m->next = servers;
	servers = m;
	pthread_mutex_unlock(&lock);
	return 0;
}

/* Outside the lock: stopping waits for connection threads, which take
 * it. */
static void stop(struct mds *m)
{
	MHD_stop_daemon(m->mhd);
	free(m->project);
	free(m->network);
	free(m);
}

void stim_metadata_server_stop(int64_t network_id)
{
	struct mds **pp;
	struct mds *m = NULL;

	pthread_mutex_lock(&lock);
	for (pp = &servers; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->network_id == network_id) {
			m = *pp;
			*pp = m->next;
			m->stopping = true;
			pthread_cond_broadcast(&changed);
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	if (m != NULL)
		stop(m);
}

void stim_metadata_server_stop_all(void)
{
	struct mds *all;

	pthread_mutex_lock(&lock);
	all = servers;
	servers = NULL;
	for (struct mds *m = all; m != NULL; m = m->next)
		m->stopping = true;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	while (all != NULL) {
		struct mds *next = all->next;

		stop(all);
		all = next;
	}
}
