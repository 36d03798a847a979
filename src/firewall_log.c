/* Firewall rule logging (see firewall_log.h). */
#include "src/firewall_log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns/netns.h"
#include "netns/nflog.h"
#include "netns/nft.h"
#include "netns/vpc.h"
#include "src/cleanup.h"
#include "src/config.h"
#include "src/firewall_log_entry.h"
#include "src/log.h"
#include "src/networks.h"
#include "src/store_instances.h"
#include "src/store_networks.h"
#include "src/util.h"

struct sub {
	int fd;
	char *project;
	char *network;
	int64_t network_id;
	struct sub *next;
};

/* The lock covers the list and the handling of what arrives, so a
 * subscription is never freed while its packets are written. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sub *subs;
static struct stim_ctx *log_ctx;
static pthread_t thread;
static int epfd = -1;
static int wake = -1;
static int out = -1;

static void write_entry(const char *prefix, const unsigned char *pkt, size_t len, void *arg)
{
	const struct sub *s = arg;
	struct stim_fwlog_event ev;
	struct stim_instance in;
	bool found = false;
	cleanup_free char *line = NULL;
	json_t *entry;

	if (stim_fwlog_parse(prefix, pkt, len, &ev) < 0)
		return;
	{
		cleanup_error stim_error_t err = NULL;
		cleanup_db struct stim_db *db = stim_store_db(log_ctx->store, &err);

		/* The instance the rule applied to: the sender for egress. */
		found = db != NULL &&
			stim_store_instance_at(db, s->project, s->network,
					       ev.egress ? ev.src : ev.dst, &in, &err) == 0;
	}
	entry = stim_fwlog_entry(&ev, s->project, s->network, found ? &in : NULL, stim_now_ms());
	if (found)
		stim_instance_fini(&in);
	line = json_dumps(entry, JSON_COMPACT);
	json_decref(entry);
	if (line != NULL && out >= 0) {
		size_t n = strlen(line);

		line[n] = '\n'; /* json_dumps' NUL: one write, one line */
		if (write(out, line, n + 1) < 0)
			STIM_LOG_W("firewall log: %s", strerror(errno));
		line[n] = '\0';
	}
}

static void *run(void *arg)
{
	struct epoll_event evs[16];

	for (;;) {
		int n = epoll_wait(epfd, evs, 16, -1);

		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				return NULL; /* woken to end */
			pthread_mutex_lock(&lock);
			for (struct sub *s = subs; s != NULL; s = s->next) {
				if (s == evs[i].data.ptr &&
				    stim_nflog_read(s->fd, write_entry, s) < 0)
					STIM_LOG_W("firewall log of %s: %s", s->network,
						   strerror(errno));
			}
			pthread_mutex_unlock(&lock);
		}
		if (n < 0 && errno != EINTR)
			return NULL;
	}
}

/* The epoll set, its wake-up and the file closed (no thread runs). */
static void close_files(void)
{
	if (epfd >= 0)
		close(epfd);
	if (wake >= 0)
		close(wake);
	if (out >= 0)
		close(out);
	epfd = wake = out = -1;
}

/* The thread, the epoll set and the file, the first time (the caller
 * holds the lock). */
static int start(struct stim_ctx *ctx, stim_error_t *err)
{
	cleanup_free char *dir = xasprintf("%s/logs", ctx->cfg->data_dir);
	cleanup_free char *path = xasprintf("%s/firewall.log", dir);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	if (epfd >= 0)
		return 0;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", dir);
	out = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	wake = eventfd(0, EFD_CLOEXEC);
	if (out < 0 || epfd < 0 || wake < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, wake, &ev) < 0) {
		int e = errno;

		close_files();
		return stim_err_sys(err, e, "the firewall log");
	}
	log_ctx = ctx;
	if (pthread_create(&thread, NULL, run, NULL) != 0) {
		log_ctx = NULL;
		close_files();
		return stim_err(err, STIM_INTERNAL, "the firewall log's thread did not start");
	}
	return 0;
}

int stim_firewall_log_ensure(struct stim_ctx *ctx, const char *project, const char *network,
			     stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_free char *router = NULL;
	struct stim_network net;
	struct sub *s;
	int nsfd;
	int ret = -1;

	if (db == NULL || stim_store_network_get(db, project, network, &net, err) < 0)
		return -1;
	stim_db_release(steal_pointer(&db));
	router = stim_vpc_router_name(net.id);
	pthread_mutex_lock(&lock);
	for (s = subs; s != NULL && s->network_id != net.id; s = s->next)
		;
	if (s != NULL) {
		ret = 0;
		goto out;
	}
	if (start(ctx, err) < 0)
		goto out;
	nsfd = stim_netns_open(router, err);
	if (nsfd < 0)
		goto out;
	s = xcalloc(1, sizeof(*s));
	s->fd = stim_nflog_open(nsfd, STIM_NFT_LOG_GROUP, STIM_NFT_LOG_SNAPLEN, err);
	close(nsfd);
	if (s->fd < 0) {
		free(s);
		goto out;
	}
	s->project = xstrdup(project);
	s->network = xstrdup(network);
	s->network_id = net.id;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd,
		      &(struct epoll_event){ .events = EPOLLIN, .data.ptr = s }) < 0) {
		stim_err_sys(err, errno, "epoll");
		close(s->fd);
		free(s->project);
		free(s->network);
		free(s);
		goto out;
	}
	s->next = subs;
	subs = s;
	ret = 0;
out:
	pthread_mutex_unlock(&lock);
	stim_network_fini(&net);
	return ret;
}

static void sub_free(struct sub *s)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	free(s->project);
	free(s->network);
	free(s);
}

void stim_firewall_log_stop(int64_t network_id)
{
	pthread_mutex_lock(&lock);
	for (struct sub **pp = &subs; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->network_id == network_id) {
			struct sub *s = *pp;

			*pp = s->next;
			sub_free(s);
			break;
		}
	}
	pthread_mutex_unlock(&lock);
}

void stim_firewall_log_stop_all(void)
{
	bool running = log_ctx != NULL;

	if (running && write(wake, &(uint64_t){ 1 }, sizeof(uint64_t)) == sizeof(uint64_t))
		pthread_join(thread, NULL);
	pthread_mutex_lock(&lock);
	while (subs != NULL) {
		struct sub *s = subs;

		subs = s->next;
		sub_free(s);
	}
	pthread_mutex_unlock(&lock);
	close_files();
	log_ctx = NULL;
}
