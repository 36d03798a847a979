/* A network's firewall as one nftables transaction (see nft.h). */
#include "netns/nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_bridge.h>

#include "netns/vpc.h"
#include "src/cleanup.h"
#include "src/util.h"

#define TABLE "stim"

/* nft's type numbers, so `nft list ruleset` shows the sets' keys. */
#define TYPE_IPV4_ADDR	  7
#define TYPE_INET_SERVICE 13
#define TYPE_IFNAME	  41
#define TYPE_BITS	  6

/* A named set made in the batch, found again by its spans. */
struct shared {
	uint64_t hash;
	uint32_t len;
	const struct stim_fw_set *set; /* the ruleset's, which outlives the build */
	uint32_t id;
};

struct stim_nft_batch {
	struct nftnl_batch *nb;
	struct shared *shared;
	size_t nshared;
	uint32_t seq;	       /* the next message's */
	uint32_t set_id;       /* sets are numbered within the transaction */
	struct nlmsghdr *last; /* the message being built */
	bool ack_next;	       /* the next message asks for an ack */
	uint32_t ack_seq;      /* that message's sequence number */
	size_t len;
	size_t count[NFT_MSG_MAX];
};

static struct nlmsghdr *msg(struct stim_nft_batch *b, int type, int family, uint16_t flags)
{
	struct nlmsghdr *nlh;

	if (b->ack_next) {
		flags |= NLM_F_ACK;
		b->ack_seq = b->seq;
	}
	nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b->nb), (uint16_t)type, (uint16_t)family,
				    flags, b->seq++);
	b->count[type]++;
	b->last = nlh;
	return nlh;
}

/* After each message: the batch moves on past it (to a new page, where
 * the message is copied, when it did not fit). */
static void next(struct stim_nft_batch *b)
{
	b->len += b->last->nlmsg_len;
	if (nftnl_batch_update(b->nb) < 0)
		xnonnull(NULL);
}

static void table(struct stim_nft_batch *b, int family, int type, uint16_t flags)
{
	struct nftnl_table *t = xnonnull(nftnl_table_alloc());

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, TABLE);
	nftnl_table_nlmsg_build_payload(msg(b, type, family, flags), t);
	nftnl_table_free(t);
	next(b);
}

/* The table made afresh: made if missing (so the delete cannot fail),
 * deleted with everything in it, made again, all in one transaction. */
static void table_afresh(struct stim_nft_batch *b, int family)
{
	table(b, family, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	table(b, family, NFT_MSG_DELTABLE, 0);
	table(b, family, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
}

/* A base chain when hook >= 0 (its policy accept or drop), else a chain
 * reached by jumps. */
static void chain_typed(struct stim_nft_batch *b, int family, const char *name, const char *type,
			int hook, int prio, int policy)
{
	struct nftnl_chain *c = xnonnull(nftnl_chain_alloc());

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, (uint32_t)policy);
	}
	nftnl_chain_nlmsg_build_payload(msg(b, NFT_MSG_NEWCHAIN, family, NLM_F_CREATE), c);
	nftnl_chain_free(c);
	next(b);
}

static void chain(struct stim_nft_batch *b, int family, const char *name, int hook, int prio,
		  int policy)
{
	chain_typed(b, family, name, "filter", hook, prio, policy);
}

/* A set of the table: its elements go in messages of at most 64 KiB
 * (a netlink attribute's limit), as many as it takes. */
static void set_commit(struct stim_nft_batch *b, int family, struct nftnl_set *s)
{
	struct nftnl_set_elems_iter *it;
	int more;

	nftnl_set_nlmsg_build_payload(msg(b, NFT_MSG_NEWSET, family, NLM_F_CREATE), s);
	next(b);
	/* The kernel refuses a NEWSETELEM without elements. */
	if (nftnl_set_elems_iter_cur(it = xnonnull(nftnl_set_elems_iter_create(s))) == NULL) {
		nftnl_set_elems_iter_destroy(it);
		return;
	}
	do {
		more = nftnl_set_elems_nlmsg_build_payload_iter(
			msg(b, NFT_MSG_NEWSETELEM, family, NLM_F_CREATE), it);
		next(b);
	} while (more > 0);
	nftnl_set_elems_iter_destroy(it);
}

static struct nftnl_set *set_new(struct stim_nft_batch *b, const char *name, uint32_t flags,
				 uint32_t key_len, uint32_t key_type, uint32_t *id)
{
	struct nftnl_set *s = xnonnull(nftnl_set_alloc());

	*id = ++b->set_id;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_ID, *id);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
	return s;
}

static void elem(struct nftnl_set *s, const void *key, uint32_t len, bool interval_end)
{
	struct nftnl_set_elem *e = xnonnull(nftnl_set_elem_alloc());

	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
	if (interval_end)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
	nftnl_set_elem_add(s, e);
}

/* v as a key of len bytes (4: an address, 2: a port), big-endian as the
 * packet carries it, into out. */
static const void *key_be(uint32_t v, uint32_t len, unsigned char out[4])
{
	for (uint32_t i = 0; i < len; i++)
		out[i] = (unsigned char)(v >> (8 * (len - 1 - i)));
	return out;
}

/* Spans as an interval set of big-endian keys of len 4 (addresses) or 2
 * (ports): a span is its first key, then an end element just past it. */
static void interval_set(struct stim_nft_batch *b, int family, const char *name, uint32_t flags,
			 const struct stim_fw_set *set, uint32_t len, uint32_t *id)
{
	struct nftnl_set *s = set_new(b, name, flags | NFT_SET_INTERVAL, len,
				      len == 4 ? TYPE_IPV4_ADDR : TYPE_INET_SERVICE, id);
	uint32_t max = len == 4 ? UINT32_MAX : 65535;

	for (size_t i = 0; i < set->n; i++) {
		unsigned char lo[4];
		unsigned char end[4];

		elem(s, key_be(set->v[i].lo, len, lo), len, false);
		if (set->v[i].hi != max)
			elem(s, key_be(set->v[i].hi + 1, len, end), len, true);
	}
	set_commit(b, family, s);
	nftnl_set_free(s);
}

/* Expressions, in the order a rule runs them. */
static void add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(r, e);
}

static void e_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = xnonnull(nftnl_expr_alloc("meta"));

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	add(r, e);
}

static void e_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len,
		      uint32_t dreg)
{
	struct nftnl_expr *e = xnonnull(nftnl_expr_alloc("payload"));

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	add(r, e);
}

static void e_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = xnonnull(nftnl_expr_alloc("cmp"));

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add(r, e);
}

/* A set lookup of sreg; with dreg (not 0) a map's, its value into dreg. */
static void e_lookup_into(struct nftnl_rule *r, uint32_t sreg, uint32_t dreg, const char *set,
			  uint32_t id)
{
	struct nftnl_expr *e = xnonnull(nftnl_expr_alloc("lookup"));

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
	if (dreg != 0)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, dreg);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
	add(r, e);
}

static void e_lookup(struct nftnl_rule *r, uint32_t sreg, const char *set, uint32_t id)
{
	e_lookup_into(r, sreg, 0, set, id);
}

/* accept, drop, return, or a jump to chain. */
static void e_verdict(struct nftnl_rule *r, int code, const char *chain_name)
{
	struct nftnl_expr *e = xnonnull(nftnl_expr_alloc("immediate"));

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)code);
	if (chain_name != NULL)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain_name);
	add(r, e);
}

static void e_u8_is(struct nftnl_rule *r, uint32_t meta_key, uint8_t v)
{
	e_meta(r, meta_key, NFT_REG_1);
	e_cmp(r, NFT_CMP_EQ, &v, 1);
}

/* ct state established,related */
static void e_ct_replies(struct nftnl_rule *r)
{
	struct nftnl_expr *ct = xnonnull(nftnl_expr_alloc("ct"));
	struct nftnl_expr *bw = xnonnull(nftnl_expr_alloc("bitwise"));
	uint32_t mask = NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED);
	uint32_t zero = 0;

	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	add(r, ct);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_LEN, sizeof(mask));
	nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof(mask));
	nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof(zero));
	add(r, bw);
	e_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
}

#define IP_SADDR 12
#define IP_DADDR 16
#define TH_DPORT 2
#define ARP_SPA	 14 /* the sender's IPv4 address in an Ethernet ARP packet */

static struct nftnl_rule *rule_new(void)
{
	return xnonnull(nftnl_rule_alloc());
}

/* Appends r to chain, with comment (a firewall rule's name) if any. */
static void rule_commit(struct stim_nft_batch *b, int family, const char *chain_name,
			struct nftnl_rule *r, const char *comment)
{
	struct nftnl_udata_buf *ud = NULL;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain_name);
	if (comment != NULL) {
		ud = xnonnull(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
		nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment);
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
				    nftnl_udata_buf_len(ud));
	}
	nftnl_rule_nlmsg_build_payload(msg(b, NFT_MSG_NEWRULE, family, NLM_F_CREATE | NLM_F_APPEND),
				       r);
	nftnl_rule_free(r);
	if (ud != NULL)
		nftnl_udata_buf_free(ud);
	next(b);
}

/* A logged rule's match goes to the daemon over nflog (src/firewall_log.h)
 * with what the log line needs in its prefix (see stim_nft_log_prefix). */
static void e_log(struct nftnl_rule *r, const struct stim_fw_line *l)
{
	struct nftnl_expr *e = xnonnull(nftnl_expr_alloc("log"));
	char prefix[STIM_NFT_LOG_PREFIX_MAX];

	stim_nft_log_prefix(l->rule, prefix);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
	nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, STIM_NFT_LOG_GROUP);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_SNAPLEN, STIM_NFT_LOG_SNAPLEN);
	add(r, e);
}

void stim_nft_log_prefix(const struct stim_firewall *fw, char out[STIM_NFT_LOG_PREFIX_MAX])
{
	snprintf(out, STIM_NFT_LOG_PREFIX_MAX, "%s %s %s %d", fw->name, fw->egress ? "E" : "I",
		 fw->deny ? "D" : "A", fw->priority);
}

/* A field's value in [lo, hi]: a compare for one value, else the range
 * expression (keys big-endian, as the packet has them). */
static void e_span(struct nftnl_rule *r, const struct stim_fw_span *sp, uint32_t len)
{
	unsigned char lo[4];
	unsigned char hi[4];
	struct nftnl_expr *e;

	key_be(sp->lo, len, lo);
	key_be(sp->hi, len, hi);

	if (sp->lo == sp->hi) {
		e_cmp(r, NFT_CMP_EQ, lo, len);
		return;
	}
	e = xnonnull(nftnl_expr_alloc("range"));
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, lo, len);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, hi, len);
	add(r, e);
}

static uint64_t spans_hash(const struct stim_fw_set *set, uint32_t len)
{
	uint64_t h = 1469598103934665603ULL ^ len; /* FNV-1a */

	for (size_t i = 0; i < set->n; i++) {
		h = (h ^ set->v[i].lo) * 1099511628211ULL;
		h = (h ^ set->v[i].hi) * 1099511628211ULL;
	}
	return h;
}

/* The named set "s<id>" holding set's spans, made the first time these
 * spans are asked for in the batch (a tag's instances are one set for
 * every rule that names the tag). */
static uint32_t shared_set(struct stim_nft_batch *b, const struct stim_fw_set *set, uint32_t len)
{
	uint64_t h = spans_hash(set, len);
	struct shared *sh;
	char name[16];

	for (size_t i = 0; i < b->nshared; i++) {
		sh = &b->shared[i];
		if (sh->hash == h && sh->len == len && sh->set->n == set->n &&
		    memcmp(sh->set->v, set->v, set->n * sizeof(*set->v)) == 0)
			return sh->id;
	}
	if (b->nshared == 0 || (b->nshared & (b->nshared - 1)) == 0)
		b->shared = xnonnull(
			realloc(b->shared, (b->nshared == 0 ? 8 : b->nshared * 2) * sizeof(*sh)));
	sh = &b->shared[b->nshared++];
	sh->hash = h;
	sh->len = len;
	sh->set = set;
	snprintf(name, sizeof(name), "s%u", b->set_id + 1);
	interval_set(b, NFPROTO_INET, name, NFT_SET_CONSTANT, set, len, &sh->id);
	return sh->id;
}

/* A line's four fields, in the order its rules match them (the protocol
 * goes between the addresses and the port). */
struct field {
	uint32_t base;
	uint32_t offset;
	uint32_t len;
	const struct stim_fw_set *set;
	uint32_t set_id; /* 0: spans inline */
};

/* The kernel binds and finds sets by walking lists as long as the
 * transaction, so thousands of sets cost seconds (4,400 small anonymous
 * ones: 1.3 s, as with `nft -f`). A field therefore takes a set only when
 * it must: one span is a compare or a range; a few spans make one rule
 * per combination, at most EXPAND_MAX; past that the largest fields
 * become shared named sets. */
#define EXPAND_MAX 8

static size_t plan_fields(struct stim_nft_batch *b, struct field *f, size_t nf)
{
	for (;;) {
		size_t combos = 1;
		size_t big = nf;

		for (size_t i = 0; i < nf; i++) {
			if (f[i].set->any || f[i].set->n < 2 || f[i].set_id != 0)
				continue;
			combos *= f[i].set->n;
			if (big == nf || f[i].set->n > f[big].set->n)
				big = i;
		}
		if (combos <= EXPAND_MAX)
			return combos;
		f[big].set_id = shared_set(b, f[big].set, f[big].len);
	}
}

/* One compiled line: its sets first (a rule names only sets that exist),
 * then one rule per combination of the spans it expands. */
static void line(struct stim_nft_batch *b, const struct stim_fw_line *l, const char *chain_name)
{
	struct field f[] = {
		{ NFT_PAYLOAD_NETWORK_HEADER, l->egress ? IP_SADDR : IP_DADDR, 4, &l->targets },
		{ NFT_PAYLOAD_NETWORK_HEADER, IP_SADDR, 4, &l->src },
		{ NFT_PAYLOAD_NETWORK_HEADER, IP_DADDR, 4, &l->dst },
		{ NFT_PAYLOAD_TRANSPORT_HEADER, TH_DPORT, 2, &l->ports },
	};
	size_t nf = sizeof(f) / sizeof(f[0]);
	size_t combos;

	for (size_t i = 0; i < nf; i++) {
		if (!f[i].set->any && f[i].set->n == 0)
			return; /* matches nothing (the compiler leaves these out) */
	}
	combos = plan_fields(b, f, nf);

	for (size_t k = 0; k < combos; k++) {
		struct nftnl_rule *r = rule_new();
		size_t rest = k; /* k's digits, one per expanded field */

		/* Known IPv4 already (forward jumps only for it), said again
		 * so that `nft list ruleset` reads "ip saddr", not offsets. */
		e_u8_is(r, NFT_META_NFPROTO, NFPROTO_IPV4);
		for (size_t i = 0; i < nf; i++) {
			const struct stim_fw_set *set = f[i].set;
			char name[16];

			if (i == nf - 1 && l->proto >= 0)
				e_u8_is(r, NFT_META_L4PROTO, (uint8_t)l->proto);
			if (set->any)
				continue;
			e_payload(r, f[i].base, f[i].offset, f[i].len, NFT_REG_1);
			if (f[i].set_id != 0) {
				snprintf(name, sizeof(name), "s%u", f[i].set_id);
				e_lookup(r, NFT_REG_1, name, f[i].set_id);
			} else {
				e_span(r, &set->v[rest % set->n], f[i].len);
				rest /= set->n;
			}
		}
		if (l->rule->log)
			e_log(r, l);
		if (l->deny)
			e_verdict(r, NF_DROP, NULL);
		else
			e_verdict(r, l->egress ? NFT_RETURN : NF_ACCEPT, NULL);
		rule_commit(b, NFPROTO_INET, chain_name, r, l->rule->name);
	}
}

/* conntrack's established and related (replies of what was let through)
 * accepted: a chain's first rule. */
static void accept_replies(struct stim_nft_batch *b, const char *chain_name)
{
	struct nftnl_rule *r = rule_new();

	e_ct_replies(r);
	e_verdict(r, NF_ACCEPT, NULL);
	rule_commit(b, NFPROTO_INET, chain_name, r, NULL);
}

static void inet_table(struct stim_nft_batch *b, const struct stim_fw_ruleset *rs)
{
	uint32_t members;
	struct nftnl_rule *r;
	uint32_t meta_addr = htonl(STIM_VPC_METADATA_ADDR);
	uint16_t http = htons(80);

	table_afresh(b, NFPROTO_INET);
	interval_set(b, NFPROTO_INET, "members", 0, &rs->members, 4, &members);
	chain(b, NFPROTO_INET, "egress", -1, 0, 0);
	chain(b, NFPROTO_INET, "ingress", -1, 0, 0);
	chain(b, NFPROTO_INET, "forward", NF_INET_FORWARD, 0, NF_ACCEPT);
	chain(b, NFPROTO_INET, "input", NF_INET_LOCAL_IN, 0, NF_DROP);

	for (size_t i = 0; i < rs->negress; i++)
		line(b, &rs->egress[i], "egress");
	for (size_t i = 0; i < rs->ningress; i++)
		line(b, &rs->ingress[i], "ingress");
	r = rule_new();
	e_verdict(r, NF_DROP, NULL);
	rule_commit(b, NFPROTO_INET, "ingress", r, "implied deny ingress");

	/* forward: replies; the sender's egress; the receiver's ingress.
	 * What the host sends to no instance (an external IP no longer
	 * mapped) stops here rather than going back out. Anything else has
	 * neither end an instance (anti-spoofing keeps instances to their
	 * own addresses) and is the router's to pass. */
	accept_replies(b, "forward");
	for (int in = 0; in <= 1; in++) {
		r = rule_new();
		e_u8_is(r, NFT_META_NFPROTO, NFPROTO_IPV4);
		e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, in ? IP_DADDR : IP_SADDR, 4, NFT_REG_1);
		e_lookup(r, NFT_REG_1, "members", members);
		e_verdict(r, NFT_JUMP, in ? "ingress" : "egress");
		rule_commit(b, NFPROTO_INET, "forward", r, NULL);
	}
	r = rule_new();
	e_meta(r, NFT_META_IIFNAME, NFT_REG_1);
	e_cmp(r, NFT_CMP_EQ, &(char[16]){ STIM_NFT_UPLINK }, 16);
	e_verdict(r, NF_DROP, NULL);
	rule_commit(b, NFPROTO_INET, "forward", r, "from the host, to no instance");

	/* input, the router itself: replies, loopback, the metadata server
	 * (reachable whatever the rules say, as on GCE). */
	accept_replies(b, "input");
	r = rule_new();
	e_meta(r, NFT_META_IIFTYPE, NFT_REG_1);
	e_cmp(r, NFT_CMP_EQ, &(uint16_t){ ARPHRD_LOOPBACK }, 2);
	e_verdict(r, NF_ACCEPT, NULL);
	rule_commit(b, NFPROTO_INET, "input", r, NULL);
	r = rule_new();
	e_u8_is(r, NFT_META_NFPROTO, NFPROTO_IPV4);
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, IP_DADDR, 4, NFT_REG_1);
	e_cmp(r, NFT_CMP_EQ, &meta_addr, 4);
	e_u8_is(r, NFT_META_L4PROTO, IPPROTO_TCP);
	e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, TH_DPORT, 2, NFT_REG_1);
	e_cmp(r, NFT_CMP_EQ, &http, 2);
	e_verdict(r, NF_ACCEPT, NULL);
	rule_commit(b, NFPROTO_INET, "input", r, "metadata server");
}

/* A map of IPv4 addresses to IPv4 addresses, from or to each port's
 * external IP. */
static uint32_t nat_map(struct stim_nft_batch *b, const char *name,
			const struct stim_nft_port *ports, size_t n, bool inbound)
{
	uint32_t id;
	struct nftnl_set *s = set_new(b, name, NFT_SET_MAP, 4, TYPE_IPV4_ADDR, &id);

	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, TYPE_IPV4_ADDR);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 4);
	for (size_t i = 0; i < n; i++) {
		uint32_t ext = htonl(ports[i].external);
		uint32_t in = htonl(ports[i].addr);
		struct nftnl_set_elem *e;

		if (ports[i].external == 0)
			continue;
		e = xnonnull(nftnl_set_elem_alloc());
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, inbound ? &ext : &in, 4);
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, inbound ? &in : &ext, 4);
		nftnl_set_elem_add(s, e);
	}
	set_commit(b, NFPROTO_INET, s);
	nftnl_set_free(s);
	return id;
}

/* The address in reg 1 mapped through map (no match: the rule stops),
 * then made the packet's destination (DNAT) or source (SNAT). */
static void e_nat_through(struct nftnl_rule *r, const char *map, uint32_t id, uint32_t type)
{
	struct nftnl_expr *e = xnonnull(nftnl_expr_alloc("nat"));

	e_lookup_into(r, NFT_REG_1, NFT_REG_1, map, id);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, type);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	add(r, e);
}

/* External IPs (table inet stim; names that are not nft keywords, so
 * `nft list ruleset` loads again): what comes from the host to one is
 * the instance's (DNAT, before routing, so the forward chain's ingress
 * checks see the instance), and what an instance with one sends to the
 * host leaves from it (SNAT, on the way out of the uplink only). */
static void nat(struct stim_nft_batch *b, const struct stim_nft_port *ports, size_t n)
{
	uint32_t dnat = nat_map(b, "to_instance", ports, n, true);
	uint32_t snat = nat_map(b, "to_external", ports, n, false);
	char uplink[16] = STIM_NFT_UPLINK;
	struct nftnl_rule *r;

	chain_typed(b, NFPROTO_INET, "nat_in", "nat", NF_INET_PRE_ROUTING, -100, NF_ACCEPT);
	chain_typed(b, NFPROTO_INET, "nat_out", "nat", NF_INET_POST_ROUTING, 100, NF_ACCEPT);
	r = rule_new();
	e_u8_is(r, NFT_META_NFPROTO, NFPROTO_IPV4);
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, IP_DADDR, 4, NFT_REG_1);
	e_nat_through(r, "to_instance", dnat, NFT_NAT_DNAT);
	rule_commit(b, NFPROTO_INET, "nat_in", r, "external IPs");
	r = rule_new();
	e_u8_is(r, NFT_META_NFPROTO, NFPROTO_IPV4);
	e_meta(r, NFT_META_OIFNAME, NFT_REG_1);
	e_cmp(r, NFT_CMP_EQ, uplink, sizeof(uplink));
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, IP_SADDR, 4, NFT_REG_1);
	e_nat_through(r, "to_external", snat, NFT_NAT_SNAT);
	rule_commit(b, NFPROTO_INET, "nat_out", r, "external IPs");
}

/* Port name and address, as the concatenation `iifname . ip saddr` loads
 * them: 16 bytes of name, then 4 of address (network order). */
static void bridge_table(struct stim_nft_batch *b, const struct stim_nft_port *ports, size_t nports)
{
	struct nftnl_set *s;
	struct nftnl_rule *r;
	uint32_t id;
	uint16_t ether_ip = htons(ETH_P_IP);
	uint16_t ether_arp = htons(ETH_P_ARP);

	table_afresh(b, NFPROTO_BRIDGE);
	s = set_new(b, "ports", 0, 20, TYPE_IFNAME << TYPE_BITS | TYPE_IPV4_ADDR, &id);
	for (size_t i = 0; i < nports; i++) {
		unsigned char key[20] = { 0 };
		uint32_t addr = htonl(ports[i].addr);

		memcpy(key, ports[i].ifname, strnlen(ports[i].ifname, 15));
		memcpy(key + 16, &addr, 4);
		elem(s, key, sizeof(key), false);
	}
	set_commit(b, NFPROTO_BRIDGE, s);
	nftnl_set_free(s);
	chain(b, NFPROTO_BRIDGE, "prerouting", NF_BR_PRE_ROUTING, -200, NF_ACCEPT);

	for (int arp = 0; arp <= 1; arp++) {
		r = rule_new();
		e_meta(r, NFT_META_PROTOCOL, NFT_REG_1);
		e_cmp(r, NFT_CMP_EQ, arp ? &ether_arp : &ether_ip, 2);
		e_meta(r, NFT_META_IIFNAME, NFT_REG32_00);
		e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, arp ? ARP_SPA : IP_SADDR, 4, NFT_REG32_04);
		e_lookup(r, NFT_REG32_00, "ports", id);
		e_verdict(r, NF_ACCEPT, NULL);
		rule_commit(b, NFPROTO_BRIDGE, "prerouting", r, NULL);
	}
	/* Every port is an instance's: anything else from one is spoofed,
	 * or IPv6, which VPC networks here do not carry. */
	r = rule_new();
	e_verdict(r, NF_DROP, NULL);
	/* The transaction's last message: only it asks for an ack (errors
	 * come whether asked or not). */
	b->ack_next = true;
	rule_commit(b, NFPROTO_BRIDGE, "prerouting", r, "anti-spoofing");
}

struct stim_nft_batch *stim_nft_batch_build(const struct stim_fw_ruleset *rs,
					    const struct stim_nft_port *ports, size_t nports)
{
	struct stim_nft_batch *b = xnonnull(calloc(1, sizeof(*b)));

	/* Pages as nft sizes them: 128 KiB, with room past the end for one
	 * message of the largest size. */
	b->nb = xnonnull(nftnl_batch_alloc(128 * 1024, 65536 + 4096));
	b->seq = 1;
	nftnl_batch_begin(nftnl_batch_buffer(b->nb), b->seq++);
	b->len += NLMSG_ALIGN(sizeof(struct nlmsghdr) + sizeof(struct nfgenmsg));
	if (nftnl_batch_update(b->nb) < 0)
		xnonnull(NULL);
	inet_table(b, rs);
	nat(b, ports, nports);
	bridge_table(b, ports, nports);
	nftnl_batch_end(nftnl_batch_buffer(b->nb), b->seq);
	b->len += NLMSG_ALIGN(sizeof(struct nlmsghdr) + sizeof(struct nfgenmsg));
	if (nftnl_batch_update(b->nb) < 0)
		xnonnull(NULL);
	return b;
}

void stim_nft_batch_free(struct stim_nft_batch *b)
{
	if (b == NULL)
		return;
	nftnl_batch_free(b->nb);
	free(b->shared);
	free(b);
}

size_t stim_nft_batch_count(const struct stim_nft_batch *b, int type)
{
	return type >= 0 && type < NFT_MSG_MAX ? b->count[type] : 0;
}

size_t stim_nft_batch_len(const struct stim_nft_batch *b)
{
	return b->len;
}

/* The replies, already queued when sendmsg returns (nfnetlink runs the
 * transaction in the sender's call): the first error, or the ack of
 * the last message. */
static int replies(struct mnl_socket *nl, uint32_t last_seq, stim_error_t *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int code = 0;
	uint32_t code_seq = 0;
	bool acked = false;
	ssize_t got;

	while ((got = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		int n = (int)got;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error != 0 && code == 0) {
				code = -e->error;
				code_seq = h->nlmsg_seq;
			}
			if (h->nlmsg_seq == last_seq && e->error == 0)
				acked = true;
		}
	}
	if (code != 0)
		return stim_err_sys(err, code, "nftables refused message %u of the firewall",
				    code_seq);
	if (!acked)
		return stim_err_sys(err, got < 0 ? errno : EPROTO,
				    "nftables did not acknowledge the firewall");
	return 0;
}

int stim_nft_batch_send(struct stim_nft_batch *b, stim_error_t *err)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	int niov = nftnl_batch_iovec_len(b->nb);
	cleanup_free struct iovec *iov = xnonnull(calloc((size_t)niov, sizeof(*iov)));
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr m = { .msg_name = &kernel,
			    .msg_namelen = sizeof(kernel),
			    .msg_iov = iov,
			    .msg_iovlen = (size_t)niov };
	int sndbuf = (int)b->len + 4096;
	int ret;

	if (nl == NULL)
		return stim_err_sys(err, errno, "netlink netfilter socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = stim_err_sys(err, errno, "netlink bind");
		goto out;
	}
	nftnl_batch_iovec(b->nb, iov, (uint32_t)niov);
	/* The whole transaction goes in one sendmsg, past the default
	 * socket buffer when the rules are many. */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) <
	    0) {
		ret = stim_err_sys(err, errno, "SO_SNDBUFFORCE");
		goto out;
	}
	if (sendmsg(mnl_socket_get_fd(nl), &m, 0) < 0) {
		ret = stim_err_sys(err, errno, "send the firewall to nftables");
		goto out;
	}
	ret = replies(nl, b->ack_seq, err);
out:
	mnl_socket_close(nl);
	return ret;
}
