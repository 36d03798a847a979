/* A network's firewall rules compiled for the kernel (see firewall_compile.h). */
#include "src/firewall_compile.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/ipv4.h"
#include "src/util.h"

static void set_add(struct stim_fw_set *s, uint32_t lo, uint32_t hi)
{
	/* Grows by doubling: n a power of two means full. */
	if (s->n == 0 || (s->n & (s->n - 1)) == 0)
		s->v = xrealloc(s->v, (s->n == 0 ? 1 : s->n * 2) * sizeof(*s->v));
	s->v[s->n++] = (struct stim_fw_span){ lo, hi };
}

static int span_cmp(const void *a, const void *b)
{
	const struct stim_fw_span *x = a;
	const struct stim_fw_span *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorted, overlapping and adjacent spans merged (nftables' interval sets
 * refuse overlaps), and `any` when the whole space is covered. */
static void set_normalize(struct stim_fw_set *s, uint32_t max)
{
	size_t k = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), span_cmp);
	for (size_t i = 1; i < s->n; i++) {
		struct stim_fw_span *last = &s->v[k];

		if (last->hi == UINT32_MAX || s->v[i].lo <= last->hi + 1) {
			if (s->v[i].hi > last->hi)
				last->hi = s->v[i].hi;
		} else {
			s->v[++k] = s->v[i];
		}
	}
	s->n = k + 1;
	if (s->n == 1 && s->v[0].lo == 0 && s->v[0].hi == max)
		s->any = true;
}

static void set_fini(struct stim_fw_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

bool stim_fw_set_has(const struct stim_fw_set *s, uint32_t v)
{
	size_t lo = 0;
	size_t hi = s->n;

	if (s->any)
		return true;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v < s->v[mid].lo)
			hi = mid;
		else if (v > s->v[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static void set_copy(struct stim_fw_set *dst, const struct stim_fw_set *src)
{
	*dst = *src;
	dst->v = NULL;
	if (src->n > 0) {
		dst->v = xmalloc(src->n * sizeof(*src->v));
		memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	}
}

/* Ranges ("10.0.0.0/8", or a bare address) into s. */
static int add_ranges(struct stim_fw_set *s, const struct stim_strv *ranges, stim_error_t *err)
{
	for (size_t i = 0; i < ranges->n; i++) {
		struct stim_cidr c;
		uint32_t a;

		if (stim_ipv4_parse(ranges->v[i], &a) == 0) {
			set_add(s, a, a);
			continue;
		}
		if (stim_cidr_parse(ranges->v[i], "range", &c, err) < 0)
			return -1;
		set_add(s, c.addr, stim_cidr_last(&c));
	}
	return 0;
}

static bool shares(const struct stim_strv *a, const struct stim_strv *b)
{
	for (size_t i = 0; b != NULL && i < a->n; i++) {
		if (stim_strv_contains(b, a->v[i]))
			return true;
	}
	return false;
}

/* The members carrying one of tags or one of the accounts. */
static void add_members(struct stim_fw_set *s, const struct stim_strv *tags,
			const struct stim_strv *sas, const struct stim_fw_member *m, size_t nm)
{
	for (size_t i = 0; i < nm; i++) {
		if (shares(tags, m[i].tags) ||
		    (m[i].service_account != NULL && stim_strv_contains(sas, m[i].service_account)))
			set_add(s, m[i].addr, m[i].addr);
	}
}

/* The parts every line of a rule shares: targets, sources, destinations.
 * False when the rule can match nothing. */
static int rule_sets(const struct stim_firewall *r, const struct stim_fw_member *m, size_t nm,
		     struct stim_fw_line *line, stim_error_t *err)
{
	if (r->target_tags.n == 0 && r->target_sas.n == 0)
		line->targets.any = true;
	else
		add_members(&line->targets, &r->target_tags, &r->target_sas, m, nm);
	/* Egress: ranges only, none meaning any. Ingress: any of ranges,
	 * tags and accounts (the rule always has one). */
	if (r->egress && r->source_ranges.n == 0)
		line->src.any = true;
	else if (add_ranges(&line->src, &r->source_ranges, err) < 0)
		return -1;
	if (!r->egress)
		add_members(&line->src, &r->source_tags, &r->source_sas, m, nm);
	if (r->destination_ranges.n == 0)
		line->dst.any = true;
	else if (add_ranges(&line->dst, &r->destination_ranges, err) < 0)
		return -1;
	set_normalize(&line->targets, UINT32_MAX);
	set_normalize(&line->src, UINT32_MAX);
	set_normalize(&line->dst, UINT32_MAX);
	return (line->targets.any || line->targets.n > 0) && (line->src.any || line->src.n > 0);
}

static bool has_ports(int proto)
{
	return proto == 6 || proto == 17 || proto == 132; /* tcp, udp, sctp */
}

static void line_fini(struct stim_fw_line *l)
{
	set_fini(&l->targets);
	set_fini(&l->src);
	set_fini(&l->dst);
	set_fini(&l->ports);
}

struct lines {
	struct stim_fw_line *v;
	size_t n;
};

static struct stim_fw_line *lines_push(struct lines *l)
{
	if (l->n == 0 || (l->n & (l->n - 1)) == 0)
		l->v = xrealloc(l->v, (l->n == 0 ? 1 : l->n * 2) * sizeof(*l->v));
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* One line per protocol of r ("all" covers the others). */
static int compile_rule(const struct stim_firewall *r, const struct stim_fw_member *m, size_t nm,
			struct lines *out, stim_error_t *err)
{
	struct stim_fw_line shape = { .rule = r, .egress = r->egress, .deny = r->deny };
	int ret = rule_sets(r, m, nm, &shape, err);

	for (size_t i = 0; ret > 0 && i < r->nprotos; i++) {
		const struct stim_fw_proto *p = &r->protos[i];
		struct stim_fw_line *line = lines_push(out);

		*line = shape;
		set_copy(&line->targets, &shape.targets);
		set_copy(&line->src, &shape.src);
		set_copy(&line->dst, &shape.dst);
		line->proto = p->number;
		line->ports.any = p->ports.n == 0 || !has_ports(p->number);
		for (size_t k = 0; !line->ports.any && k < p->ports.n; k++) {
			char *end;
			unsigned long lo = strtoul(p->ports.v[k], &end, 10);
			unsigned long hi = *end == '-' ? strtoul(end + 1, NULL, 10) : lo;

			set_add(&line->ports, (uint32_t)lo, (uint32_t)hi);
		}
		set_normalize(&line->ports, 65535);
		if (p->number == -1)
			break;
	}
	line_fini(&shape);
	return ret < 0 ? -1 : 0;
}

/* GCE's order: lower priority number first, deny before allow; then the
 * rules' own order and the protocol, so the output is stable. */
static int line_cmp(const void *a, const void *b)
{
	const struct stim_fw_line *x = a;
	const struct stim_fw_line *y = b;

	if (x->rule->priority != y->rule->priority)
		return x->rule->priority < y->rule->priority ? -1 : 1;
	if (x->deny != y->deny)
		return x->deny ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->proto < y->proto ? -1 : x->proto > y->proto;
}

int stim_fw_compile(const struct stim_firewall *rules, size_t nrules,
		    const struct stim_fw_member *members, size_t nmembers,
		    struct stim_fw_ruleset *out, stim_error_t *err)
{
	struct lines egress = { 0 };
	struct lines ingress = { 0 };

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nrules; i++) {
		const struct stim_firewall *r = &rules[i];

		if (!r->disabled &&
		    compile_rule(r, members, nmembers, r->egress ? &egress : &ingress, err) < 0) {
			out->egress = egress.v;
			out->negress = egress.n;
			out->ingress = ingress.v;
			out->ningress = ingress.n;
			stim_fw_ruleset_fini(out);
			return -1;
		}
	}
	if (egress.n > 1)
		qsort(egress.v, egress.n, sizeof(*egress.v), line_cmp);
	if (ingress.n > 1)
		qsort(ingress.v, ingress.n, sizeof(*ingress.v), line_cmp);
	out->egress = egress.v;
	out->negress = egress.n;
	out->ingress = ingress.v;
	out->ningress = ingress.n;
	for (size_t i = 0; i < nmembers; i++)
		set_add(&out->members, members[i].addr, members[i].addr);
	set_normalize(&out->members, UINT32_MAX);
	out->members.any = false; /* a lookup always: the whole space is never ours */
	return 0;
}

void stim_fw_ruleset_fini(struct stim_fw_ruleset *rs)
{
	for (size_t i = 0; i < rs->negress; i++)
		line_fini(&rs->egress[i]);
	for (size_t i = 0; i < rs->ningress; i++)
		line_fini(&rs->ingress[i]);
	free(rs->egress);
	free(rs->ingress);
	set_fini(&rs->members);
	memset(rs, 0, sizeof(*rs));
}

static bool line_matches(const struct stim_fw_line *l, const struct stim_fw_packet *p)
{
	uint32_t inst = l->egress ? p->src.addr : p->dst.addr;

	if (!stim_fw_set_has(&l->targets, inst) || !stim_fw_set_has(&l->src, p->src.addr) ||
	    !stim_fw_set_has(&l->dst, p->dst.addr))
		return false;
	if (l->proto != -1 && l->proto != p->proto)
		return false;
	return l->ports.any || (p->port >= 0 && stim_fw_set_has(&l->ports, (uint32_t)p->port));
}

static const struct stim_fw_line *first_match(const struct stim_fw_line *v, size_t n,
					      const struct stim_fw_packet *p)
{
	for (size_t i = 0; i < n; i++) {
		if (line_matches(&v[i], p))
			return &v[i];
	}
	return NULL;
}

bool stim_fw_ruleset_allows(const struct stim_fw_ruleset *rs, const struct stim_fw_packet *p,
			    const struct stim_fw_line **by)
{
	const struct stim_fw_line *l = NULL;

	if (by != NULL)
		*by = NULL;
	if (stim_fw_set_has(&rs->members, p->src.addr)) {
		l = first_match(rs->egress, rs->negress, p);
		if (by != NULL)
			*by = l;
		if (l != NULL && l->deny)
			return false;
	}
	if (stim_fw_set_has(&rs->members, p->dst.addr)) {
		l = first_match(rs->ingress, rs->ningress, p);
		if (by != NULL)
			*by = l;
		return l != NULL && !l->deny;
	}
	return true;
}
