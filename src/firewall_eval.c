/* GCE's firewall decision (see firewall_eval.h). */
#include "src/firewall_eval.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/ipv4.h"

/* "10.0.0.0/8" or "1.2.3.4" (a /32) holds addr. */
static bool range_holds(const char *text, uint32_t addr)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_cidr c;
	uint32_t a;

	if (stim_ipv4_parse(text, &a) == 0)
		return a == addr;
	return stim_cidr_parse(text, "range", &c, &err) == 0 && stim_cidr_contains(&c, addr);
}

static bool any_range(const struct stim_strv *ranges, uint32_t addr)
{
	for (size_t i = 0; i < ranges->n; i++) {
		if (range_holds(ranges->v[i], addr))
			return true;
	}
	return false;
}

static bool any_shared(const struct stim_strv *a, const struct stim_strv *b)
{
	for (size_t i = 0; b != NULL && i < a->n; i++) {
		if (stim_strv_contains(b, a->v[i]))
			return true;
	}
	return false;
}

/* The rule applies to this instance (the packet's own end). */
static bool targets(const struct stim_firewall *r, const struct stim_fw_end *inst)
{
	if (r->target_tags.n == 0 && r->target_sas.n == 0)
		return true;
	if (any_shared(&r->target_tags, inst->tags))
		return true;
	return inst->service_account != NULL &&
	       stim_strv_contains(&r->target_sas, inst->service_account);
}

static bool source_matches(const struct stim_firewall *r, const struct stim_fw_end *src)
{
	/* Ingress: any of ranges, tags, accounts. Egress: ranges only, and
	 * none given means any source. */
	if (r->egress)
		return r->source_ranges.n == 0 || any_range(&r->source_ranges, src->addr);
	if (any_range(&r->source_ranges, src->addr) || any_shared(&r->source_tags, src->tags))
		return true;
	return src->service_account != NULL &&
	       stim_strv_contains(&r->source_sas, src->service_account);
}

static bool port_in(const struct stim_strv *ports, int port)
{
	if (ports->n == 0)
		return true;
	for (size_t i = 0; port >= 0 && i < ports->n; i++) {
		char *end;
		long lo = strtol(ports->v[i], &end, 10);
		long hi = *end == '-' ? strtol(end + 1, NULL, 10) : lo;

		if (port >= lo && port <= hi)
			return true;
	}
	return false;
}

static bool proto_matches(const struct stim_firewall *r, const struct stim_fw_packet *p)
{
	for (size_t i = 0; i < r->nprotos; i++) {
		const struct stim_fw_proto *f = &r->protos[i];

		if (f->number == -1)
			return true;
		if (f->number == p->proto && port_in(&f->ports, p->port))
			return true;
	}
	return false;
}

bool stim_firewall_matches(const struct stim_firewall *r, const struct stim_fw_packet *p)
{
	const struct stim_fw_end *inst = p->egress ? &p->src : &p->dst;

	if (r->egress != p->egress || !targets(r, inst) || !source_matches(r, &p->src))
		return false;
	if (r->destination_ranges.n > 0 && !any_range(&r->destination_ranges, p->dst.addr))
		return false;
	return proto_matches(r, p);
}

/* Whether a decides before b: lower priority number, then deny. */
static bool before(const struct stim_firewall *a, const struct stim_firewall *b)
{
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return a->deny && !b->deny;
}

bool stim_firewall_allows(const struct stim_firewall *rules, size_t n,
			  const struct stim_fw_packet *p, const struct stim_firewall **by)
{
	const struct stim_firewall *best = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct stim_firewall *r = &rules[i];

		if (!r->disabled && (best == NULL || before(r, best)) &&
		    stim_firewall_matches(r, p))
			best = r;
	}
	if (by != NULL)
		*by = best;
	if (best != NULL)
		return !best->deny;
	/* GCE's implied rules, priority 65535: deny ingress, allow egress. */
	return p->egress;
}
