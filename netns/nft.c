/* A network's firewall as one nftables transaction (see nft.h). */
#include "netns/nft.h"

#include <arpa/inet.h>
#include <endian.h>
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

#include "netns/nft_plan.h"
#include "netns/vpc.h"
#include "src/cleanup.h"
#include "src/util.h"

#define TABLE "stim"

/* nft's type numbers, so `nft list ruleset` shows the sets' keys. */
#define TYPE_IPV4_ADDR	  7
#define TYPE_INET_SERVICE 13
#define TYPE_IFNAME	  41
#define TYPE_BITS	  6

enum { EGRESS, INGRESS };

static const char *const dispatch_chain[2] = { "egress", "ingress" };

/* Where an egress allow goes (see inet_table). */
#define EGRESS_ALLOWED "egress_allowed"

/* A named set "s<num>" of the table that rules' lines look up, shared
 * by every line with the same spans (a tag's instances are one set for
 * every rule naming the tag), found again by its spans. */
struct shared {
	uint32_t num;
	uint32_t len; /* of a key: 4, an address; 2, a port */
	uint64_t hash;
	struct stim_fw_span *v;
	size_t n;
	size_t refs;	 /* lookups of it in the table's rules */
	uint32_t txn_id; /* its set id in the batch that makes it; 0: made before */
};

struct stim_nft_state {
	bool valid; /* the tables hold what follows; else they are made afresh */
	struct stim_nft_slot *slots[2]; /* egress's and ingress's rules, in order */
	size_t nslots[2];
	struct shared *sets; /* by num, ascending */
	size_t nsets;
	uint32_t next_set;
	uint64_t members; /* hashes of what the members set holds */
	uint64_t ports;	  /* ...and the ports set and NAT maps */
};

/* A jump whose handle the kernel's echo of it will say. */
struct pending {
	uint32_t seq;
	int dir;
	size_t slot;
};

struct stim_nft_batch {
	struct nftnl_batch *nb;
	struct stim_nft_state *st;  /* what the tables hold once it is sent */
	struct stim_nft_state *own; /* st, when the caller gave none */
	bool done;		    /* sent, or taken as sent */
	struct pending *pending;
	size_t npending;
	uint32_t *refs; /* the sets the rule being filled looks up */
	size_t nrefs;
	uint32_t seq;	       /* the next message's */
	uint32_t set_id;       /* sets are numbered within the transaction */
	struct nlmsghdr *last; /* the message being built */
	uint16_t next_flags;   /* more flags for the next message */
	uint32_t ack_seq;      /* the sequence number of the message asking for an ack */
	size_t changes;	       /* messages before the closing one */
	size_t len;
	size_t count[NFT_MSG_MAX];
};

static struct nlmsghdr *msg(struct stim_nft_batch *b, int type, int family, uint16_t flags)
{
	struct nlmsghdr *nlh;

	flags |= b->next_flags;
	if (b->next_flags & NLM_F_ACK)
		b->ack_seq = b->seq;
	b->next_flags = 0;
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

/* A rule chain deleted, with its rules (nothing may jump to it). */
static void del_chain(struct stim_nft_batch *b, const char *name)
{
	struct nftnl_chain *c = xnonnull(nftnl_chain_alloc());

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_nlmsg_build_payload(msg(b, NFT_MSG_DELCHAIN, NFPROTO_INET, 0), c);
	nftnl_chain_free(c);
	next(b);
}

/* The rule of chain with handle deleted; handle 0: all of chain's. */
static void del_rules(struct stim_nft_batch *b, const char *chain_name, uint64_t handle)
{
	struct nftnl_rule *r = xnonnull(nftnl_rule_alloc());

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain_name);
	if (handle != 0)
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	nftnl_rule_nlmsg_build_payload(msg(b, NFT_MSG_DELRULE, NFPROTO_INET, 0), r);
	nftnl_rule_free(r);
	next(b);
}

static void del_set(struct stim_nft_batch *b, const char *name)
{
	struct nftnl_set *s = xnonnull(nftnl_set_alloc());

	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_nlmsg_build_payload(msg(b, NFT_MSG_DELSET, NFPROTO_INET, 0), s);
	nftnl_set_free(s);
	next(b);
}

/* s's elements, in messages of at most 64 KiB (a netlink attribute's
 * limit), as many as it takes; none when it has none (the kernel refuses
 * a NEWSETELEM without elements). */
static void set_elems(struct stim_nft_batch *b, int family, struct nftnl_set *s)
{
	struct nftnl_set_elems_iter *it = xnonnull(nftnl_set_elems_iter_create(s));
	int more;

	if (nftnl_set_elems_iter_cur(it) == NULL) {
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

/* A set of the table made, with its elements. */
static void set_commit(struct stim_nft_batch *b, int family, struct nftnl_set *s)
{
	nftnl_set_nlmsg_build_payload(msg(b, NFT_MSG_NEWSET, family, NLM_F_CREATE), s);
	next(b);
	set_elems(b, family, s);
}

/* A set of the table given s's elements in place of its own: emptied
 * (a DELSETELEM naming no element), then filled. */
static void set_refill(struct stim_nft_batch *b, int family, struct nftnl_set *s)
{
	struct nftnl_set *empty = xnonnull(nftnl_set_alloc());

	nftnl_set_set_str(empty, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(empty, NFTNL_SET_NAME, nftnl_set_get_str(s, NFTNL_SET_NAME));
	nftnl_set_elems_nlmsg_build_payload(msg(b, NFT_MSG_DELSETELEM, family, 0), empty);
	nftnl_set_free(empty);
	next(b);
	set_elems(b, family, s);
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
	if (id != 0) /* made in this transaction: found by its id */
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

#define FNV_BASIS 1469598103934665603ULL

static uint64_t fnv(uint64_t h, uint64_t v)
{
	return (h ^ v) * 1099511628211ULL;
}

static uint64_t spans_hash(uint64_t h, const struct stim_fw_set *set)
{
	h = fnv(h, set->any);
	for (size_t i = 0; i < set->n; i++)
		h = fnv(fnv(h, set->v[i].lo), set->v[i].hi);
	return fnv(h, set->n);
}

static struct shared *set_by_num(struct stim_nft_state *st, uint32_t num)
{
	size_t lo = 0;
	size_t hi = st->nsets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->sets[mid].num == num)
			return &st->sets[mid];
		if (st->sets[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The shared set holding set's spans as keys of len bytes, made in the
 * batch when the table has none. */
static struct shared *shared_set(struct stim_nft_batch *b, const struct stim_fw_set *set,
				 uint32_t len)
{
	struct stim_nft_state *st = b->st;
	uint64_t h = spans_hash(FNV_BASIS ^ len, set);
	struct shared *sh;
	char name[16];

	for (size_t i = 0; i < st->nsets; i++) {
		sh = &st->sets[i];
		if (sh->hash == h && sh->len == len && sh->n == set->n &&
		    memcmp(sh->v, set->v, set->n * sizeof(*set->v)) == 0)
			return sh;
	}
	if (st->nsets == 0 || (st->nsets & (st->nsets - 1)) == 0)
		st->sets = xrealloc(st->sets, (st->nsets == 0 ? 8 : st->nsets * 2) * sizeof(*sh));
	sh = &st->sets[st->nsets++];
	*sh = (struct shared){ .num = ++st->next_set, .len = len, .hash = h, .n = set->n };
	sh->v = xmalloc(set->n * sizeof(*set->v) + 1);
	memcpy(sh->v, set->v, set->n * sizeof(*set->v));
	snprintf(name, sizeof(name), "s%u", sh->num);
	interval_set(b, NFPROTO_INET, name, NFT_SET_CONSTANT, set, len, &sh->txn_id);
	return sh;
}

/* The rule being filled looks up set num. */
static void ref(struct stim_nft_batch *b, uint32_t num)
{
	if (b->nrefs == 0 || (b->nrefs & (b->nrefs - 1)) == 0)
		b->refs = xrealloc(b->refs, (b->nrefs == 0 ? 8 : b->nrefs * 2) * sizeof(*b->refs));
	b->refs[b->nrefs++] = num;
	set_by_num(b->st, num)->refs++;
}

/* A rule's chain emptied or deleted: its lookups are no more. */
static void unref_all(struct stim_nft_state *st, struct stim_nft_slot *slot)
{
	for (size_t i = 0; i < slot->nsets; i++) {
		struct shared *sh = set_by_num(st, slot->sets[i]);

		if (sh != NULL && sh->refs > 0)
			sh->refs--;
	}
	free(slot->sets);
	slot->sets = NULL;
	slot->nsets = 0;
}

/* Sets no rule looks up any more are deleted, after the rules that
 * looked them up (the transaction's order is the kernel's). */
static void drop_unused_sets(struct stim_nft_batch *b)
{
	struct stim_nft_state *st = b->st;
	size_t kept = 0;

	for (size_t i = 0; i < st->nsets; i++) {
		struct shared *sh = &st->sets[i];
		char name[16];

		sh->txn_id = 0;
		if (sh->refs > 0) {
			st->sets[kept++] = *sh;
			continue;
		}
		snprintf(name, sizeof(name), "s%u", sh->num);
		del_set(b, name);
		free(sh->v);
	}
	st->nsets = kept;
}

/* A line's four fields, in the order its rules match them (the protocol
 * goes between the addresses and the port). */
struct field {
	uint32_t base;
	uint32_t offset;
	uint32_t len;
	const struct stim_fw_set *set;
	uint32_t set_num; /* the shared set it looks up; 0: spans inline */
	uint32_t txn_id;  /* that set's id, when made in this transaction */
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
	struct shared *sh;

	for (;;) {
		size_t combos = 1;
		size_t big = nf;

		for (size_t i = 0; i < nf; i++) {
			if (f[i].set->any || f[i].set->n < 2 || f[i].set_num != 0)
				continue;
			combos *= f[i].set->n;
			if (big == nf || f[i].set->n > f[big].set->n)
				big = i;
		}
		if (combos <= EXPAND_MAX)
			return combos;
		sh = shared_set(b, f[big].set, f[big].len);
		f[big].set_num = sh->num;
		f[big].txn_id = sh->txn_id;
	}
}

/* One compiled line into its rule's chain: its sets first (a rule names
 * only sets that exist), then one rule per combination of the spans it
 * expands. Deny drops; an ingress allow accepts; an egress allow ends
 * the sender's egress and goes on to the receiver's ingress. */
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
			if (f[i].set_num != 0) {
				snprintf(name, sizeof(name), "s%u", f[i].set_num);
				e_lookup(r, NFT_REG_1, name, f[i].txn_id);
				ref(b, f[i].set_num);
			} else {
				e_span(r, &set->v[rest % set->n], f[i].len);
				rest /= set->n;
			}
		}
		if (l->rule->log)
			e_log(r, l);
		if (l->deny)
			e_verdict(r, NF_DROP, NULL);
		else if (l->egress)
			e_verdict(r, NFT_GOTO, EGRESS_ALLOWED);
		else
			e_verdict(r, NF_ACCEPT, NULL);
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

/* A GCE rule's chain: "egress-NAME" or "ingress-NAME" (GCE names are
 * lower-case letters, digits and hyphens, so no fixed chain is one). */
static char *rule_chain(int dir, const char *name)
{
	return xasprintf("%s-%s", dispatch_chain[dir], name);
}

/* What a rule's lines say to nftables: the same hash, the same chain. */
static uint64_t lines_hash(const struct stim_fw_line *v, size_t n)
{
	uint64_t h = FNV_BASIS;

	for (size_t i = 0; i < n; i++) {
		const struct stim_fw_line *l = &v[i];

		for (const char *c = l->rule->name; *c != '\0'; c++)
			h = fnv(h, (unsigned char)*c);
		h = fnv(fnv(fnv(h, l->egress), l->deny), (uint64_t)l->proto);
		h = fnv(fnv(h, l->rule->log), (uint64_t)l->rule->priority);
		h = spans_hash(h, &l->targets);
		h = spans_hash(h, &l->src);
		h = spans_hash(h, &l->dst);
		h = spans_hash(h, &l->ports);
	}
	return fnv(h, n);
}

/* The compiled lines of one direction as rules: each rule's lines are
 * adjacent (the compiler sorts by priority, action, then rule). */
struct blocks {
	size_t *start;
	size_t *len;
	const char **names;
	uint64_t *hashes;
	size_t n;
};

static void blocks_of(const struct stim_fw_line *v, size_t n, struct blocks *bl)
{
	bl->start = xcalloc(n + 1, sizeof(*bl->start));
	bl->len = xcalloc(n + 1, sizeof(*bl->len));
	bl->names = xcalloc(n + 1, sizeof(*bl->names));
	bl->hashes = xcalloc(n + 1, sizeof(*bl->hashes));
	bl->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && v[i].rule == v[i - 1].rule) {
			bl->len[bl->n - 1]++;
			continue;
		}
		bl->start[bl->n] = i;
		bl->len[bl->n] = 1;
		bl->names[bl->n] = v[i].rule->name;
		bl->n++;
	}
	for (size_t k = 0; k < bl->n; k++)
		bl->hashes[k] = lines_hash(&v[bl->start[k]], bl->len[k]);
}

static void blocks_fini(struct blocks *bl)
{
	free(bl->start);
	free(bl->len);
	free(bl->names);
	free(bl->hashes);
}

/* The jump to slot's chain, placed as the plan says; its handle comes
 * back in the kernel's echo of it. */
static void jump(struct stim_nft_batch *b, int dir, size_t slot, const char *target,
		 uint64_t before)
{
	struct nftnl_rule *r = rule_new();
	uint16_t flags;

	e_verdict(r, NFT_JUMP, target);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, dispatch_chain[dir]);
	if (before != 0)
		nftnl_rule_set_u64(r, NFTNL_RULE_POSITION, before);
	if (b->npending == 0 || (b->npending & (b->npending - 1)) == 0)
		b->pending = xrealloc(b->pending, (b->npending == 0 ? 8 : b->npending * 2) *
							  sizeof(*b->pending));
	b->pending[b->npending++] = (struct pending){ b->seq, dir, slot };
	/* Without NLM_F_APPEND a rule goes before its position. */
	flags = NLM_F_CREATE | NLM_F_ECHO | (before != 0 ? 0 : NLM_F_APPEND);
	nftnl_rule_nlmsg_build_payload(msg(b, NFT_MSG_NEWRULE, NFPROTO_INET, flags), r);
	nftnl_rule_free(r);
	next(b);
}

/* One direction's rules from what the tables hold to v: chains of gone
 * rules deleted, new ones made, changed ones emptied and filled, jumps
 * made for new and moved rules. */
static void dispatch(struct stim_nft_batch *b, int dir, const struct stim_fw_line *v, size_t n)
{
	struct stim_nft_state *st = b->st;
	struct stim_nft_slot *old = st->slots[dir];
	size_t nold = st->nslots[dir];
	struct blocks bl;
	cleanup_free struct stim_nft_step *steps = NULL;
	cleanup_free enum stim_nft_fate *fates = xcalloc(nold + 1, sizeof(*fates));
	struct stim_nft_slot *slots;

	blocks_of(v, n, &bl);
	steps = xcalloc(bl.n + 1, sizeof(*steps));
	slots = xcalloc(bl.n + 1, sizeof(*slots));
	stim_nft_plan(old, nold, bl.names, bl.hashes, bl.n, steps, fates);

	for (size_t i = 0; i < nold; i++) {
		cleanup_free char *name = NULL;

		/* A handle of 0 would empty the whole chain. A state with
		 * one unknown is never kept (handles_known), and should one
		 * be, the chain's delete below fails, and so the change:
		 * the caller then makes the tables afresh. */
		if (fates[i] != STIM_NFT_STAYS && old[i].handle != 0)
			del_rules(b, dispatch_chain[dir], old[i].handle);
		if (fates[i] != STIM_NFT_GOES)
			continue;
		name = rule_chain(dir, old[i].name);
		del_chain(b, name);
		unref_all(st, &old[i]);
	}
	for (size_t k = 0; k < bl.n; k++) {
		struct stim_nft_step *sp = &steps[k];
		struct stim_nft_slot *slot = &slots[k];
		cleanup_free char *name = rule_chain(dir, bl.names[k]);

		if (sp->old != STIM_NFT_NEW) {
			*slot = old[sp->old];
			memset(&old[sp->old], 0, sizeof(old[sp->old]));
		} else {
			slot->name = xstrdup(bl.names[k]);
			chain(b, NFPROTO_INET, name, -1, 0, 0);
		}
		if (sp->fill) {
			if (sp->old != STIM_NFT_NEW)
				del_rules(b, name, 0);
			unref_all(st, slot);
			for (size_t i = 0; i < bl.len[k]; i++)
				line(b, &v[bl.start[k] + i], name);
			slot->sets = steal_pointer(&b->refs);
			slot->nsets = b->nrefs;
			b->nrefs = 0;
			slot->hash = bl.hashes[k];
		}
		if (sp->jump) {
			slot->handle = 0;
			jump(b, dir, k, name, sp->before);
		}
	}
	for (size_t i = 0; i < nold; i++)
		stim_nft_slot_fini(&old[i]);
	free(old);
	st->slots[dir] = slots;
	st->nslots[dir] = bl.n;
	blocks_fini(&bl);
}

/* The members set: every instance's address, one element each. */
static struct nftnl_set *members_set(struct stim_nft_batch *b, const struct stim_fw_set *m,
				     uint32_t *id)
{
	struct nftnl_set *s = set_new(b, "members", 0, 4, TYPE_IPV4_ADDR, id);

	for (size_t i = 0; i < m->n; i++) {
		for (uint64_t a = m->v[i].lo; a <= m->v[i].hi; a++) {
			unsigned char key[4];

			elem(s, key_be((uint32_t)a, 4, key), 4, false);
		}
	}
	return s;
}

/* The fixed part of table inet stim, made afresh:
 *
 *   forward          replies accepted; from an instance, jump egress (it
 *                    returns when no egress rule decides: GCE's implied
 *                    allow); to an instance, jump to_instance; from the
 *                    host to no instance, drop; the rest the router's.
 *   egress_allowed   an egress allow: to an instance, on to its ingress;
 *                    else accepted.
 *   to_instance      jump ingress (it returns when no ingress rule
 *                    decides), then GCE's implied deny.
 *   input            the router itself: replies, loopback and the
 *                    metadata server (reachable whatever the rules say,
 *                    as on GCE).
 */
static void inet_table(struct stim_nft_batch *b, const struct stim_fw_ruleset *rs)
{
	uint32_t members;
	struct nftnl_set *s;
	struct nftnl_rule *r;
	uint32_t meta_addr = htonl(STIM_VPC_METADATA_ADDR);
	uint16_t http = htons(80);

	table_afresh(b, NFPROTO_INET);
	s = members_set(b, &rs->members, &members);
	set_commit(b, NFPROTO_INET, s);
	nftnl_set_free(s);
	chain(b, NFPROTO_INET, "egress", -1, 0, 0);
	chain(b, NFPROTO_INET, "ingress", -1, 0, 0);
	chain(b, NFPROTO_INET, "to_instance", -1, 0, 0);
	chain(b, NFPROTO_INET, EGRESS_ALLOWED, -1, 0, 0);
	chain(b, NFPROTO_INET, "forward", NF_INET_FORWARD, 0, NF_ACCEPT);
	chain(b, NFPROTO_INET, "input", NF_INET_LOCAL_IN, 0, NF_DROP);

	r = rule_new();
	e_verdict(r, NFT_JUMP, "ingress");
	rule_commit(b, NFPROTO_INET, "to_instance", r, NULL);
	r = rule_new();
	e_verdict(r, NF_DROP, NULL);
	rule_commit(b, NFPROTO_INET, "to_instance", r, "implied deny ingress");

	r = rule_new();
	e_u8_is(r, NFT_META_NFPROTO, NFPROTO_IPV4);
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, IP_DADDR, 4, NFT_REG_1);
	e_lookup(r, NFT_REG_1, "members", members);
	e_verdict(r, NFT_GOTO, "to_instance");
	rule_commit(b, NFPROTO_INET, EGRESS_ALLOWED, r, NULL);
	r = rule_new();
	e_verdict(r, NF_ACCEPT, NULL);
	rule_commit(b, NFPROTO_INET, EGRESS_ALLOWED, r, NULL);

	accept_replies(b, "forward");
	for (int in = 0; in <= 1; in++) {
		r = rule_new();
		e_u8_is(r, NFT_META_NFPROTO, NFPROTO_IPV4);
		e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, in ? IP_DADDR : IP_SADDR, 4, NFT_REG_1);
		e_lookup(r, NFT_REG_1, "members", members);
		e_verdict(r, NFT_JUMP, in ? "to_instance" : "egress");
		rule_commit(b, NFPROTO_INET, "forward", r, NULL);
	}
	r = rule_new();
	e_meta(r, NFT_META_IIFNAME, NFT_REG_1);
	e_cmp(r, NFT_CMP_EQ, &(char[16]){ STIM_NFT_UPLINK }, 16);
	e_verdict(r, NF_DROP, NULL);
	rule_commit(b, NFPROTO_INET, "forward", r, "from the host, to no instance");

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
static struct nftnl_set *nat_map(struct stim_nft_batch *b, const char *name,
				 const struct stim_nft_port *ports, size_t n, bool inbound,
				 uint32_t *id)
{
	struct nftnl_set *s = set_new(b, name, NFT_SET_MAP, 4, TYPE_IPV4_ADDR, id);

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
	return s;
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

/* The NAT maps made (fresh) or given the ports' external IPs. */
static void nat_maps(struct stim_nft_batch *b, const struct stim_nft_port *ports, size_t n,
		     bool fresh, uint32_t ids[2])
{
	static const char *const names[2] = { "external_in", "external_out" };

	for (int out = 0; out <= 1; out++) {
		struct nftnl_set *s = nat_map(b, names[out], ports, n, !out, &ids[out]);

		if (fresh)
			set_commit(b, NFPROTO_INET, s);
		else
			set_refill(b, NFPROTO_INET, s);
		nftnl_set_free(s);
	}
}

/* External IPs (table inet stim; names that are not nft keywords, so
 * `nft list ruleset` loads again): what comes from the host to one is
 * the instance's (DNAT, before routing, so the forward chain's ingress
 * checks see the instance), and what an instance with one sends to the
 * host leaves from it (SNAT, on the way out of the uplink only). */
static void nat(struct stim_nft_batch *b, const struct stim_nft_port *ports, size_t n)
{
	uint32_t ids[2];
	char uplink[16] = STIM_NFT_UPLINK;
	struct nftnl_rule *r;

	nat_maps(b, ports, n, true, ids);
	chain_typed(b, NFPROTO_INET, "nat_in", "nat", NF_INET_PRE_ROUTING, -100, NF_ACCEPT);
	chain_typed(b, NFPROTO_INET, "nat_out", "nat", NF_INET_POST_ROUTING, 100, NF_ACCEPT);
	r = rule_new();
	e_u8_is(r, NFT_META_NFPROTO, NFPROTO_IPV4);
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, IP_DADDR, 4, NFT_REG_1);
	e_nat_through(r, "external_in", ids[0], NFT_NAT_DNAT);
	rule_commit(b, NFPROTO_INET, "nat_in", r, "external IPs");
	r = rule_new();
	e_u8_is(r, NFT_META_NFPROTO, NFPROTO_IPV4);
	e_meta(r, NFT_META_OIFNAME, NFT_REG_1);
	e_cmp(r, NFT_CMP_EQ, uplink, sizeof(uplink));
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, IP_SADDR, 4, NFT_REG_1);
	e_nat_through(r, "external_out", ids[1], NFT_NAT_SNAT);
	rule_commit(b, NFPROTO_INET, "nat_out", r, "external IPs");
}

/* Port name and address, as the concatenation `iifname . ip saddr` loads
 * them: 16 bytes of name, then 4 of address (network order). */
static struct nftnl_set *ports_set(struct stim_nft_batch *b, const struct stim_nft_port *ports,
				   size_t nports, uint32_t *id)
{
	struct nftnl_set *s =
		set_new(b, "ports", 0, 20, TYPE_IFNAME << TYPE_BITS | TYPE_IPV4_ADDR, id);

	for (size_t i = 0; i < nports; i++) {
		unsigned char key[20] = { 0 };
		uint32_t addr = htonl(ports[i].addr);

		memcpy(key, ports[i].ifname, strnlen(ports[i].ifname, 15));
		memcpy(key + 16, &addr, 4);
		elem(s, key, sizeof(key), false);
	}
	return s;
}

static void bridge_table(struct stim_nft_batch *b, const struct stim_nft_port *ports, size_t nports)
{
	struct nftnl_set *s;
	struct nftnl_rule *r;
	uint32_t id;
	uint16_t ether_ip = htons(ETH_P_IP);
	uint16_t ether_arp = htons(ETH_P_ARP);

	table_afresh(b, NFPROTO_BRIDGE);
	s = ports_set(b, ports, nports, &id);
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
	rule_commit(b, NFPROTO_BRIDGE, "prerouting", r, "anti-spoofing");
}

static uint64_t ports_hash(const struct stim_nft_port *ports, size_t n)
{
	uint64_t h = FNV_BASIS;

	for (size_t i = 0; i < n; i++) {
		for (const char *c = ports[i].ifname; *c != '\0'; c++)
			h = fnv(h, (unsigned char)*c);
		h = fnv(fnv(h, ports[i].addr), ports[i].external);
	}
	return fnv(h, n);
}

/* What changed in the members and ports since the tables were made. */
static void refill_members(struct stim_nft_batch *b, const struct stim_fw_ruleset *rs,
			   const struct stim_nft_port *ports, size_t nports)
{
	uint64_t members = spans_hash(FNV_BASIS, &rs->members);
	uint64_t ph = ports_hash(ports, nports);
	struct nftnl_set *s;
	uint32_t ids[2];

	if (members != b->st->members) {
		s = members_set(b, &rs->members, &ids[0]);
		set_refill(b, NFPROTO_INET, s);
		nftnl_set_free(s);
	}
	if (ph != b->st->ports) {
		nat_maps(b, ports, nports, false, ids);
		s = ports_set(b, ports, nports, &ids[0]);
		set_refill(b, NFPROTO_BRIDGE, s);
		nftnl_set_free(s);
	}
	b->st->members = members;
	b->st->ports = ph;
}

struct stim_nft_state *stim_nft_state_new(void)
{
	return xcalloc(1, sizeof(struct stim_nft_state));
}

void stim_nft_state_reset(struct stim_nft_state *st)
{
	for (int d = 0; d < 2; d++) {
		for (size_t i = 0; i < st->nslots[d]; i++)
			stim_nft_slot_fini(&st->slots[d][i]);
		free(st->slots[d]);
	}
	for (size_t i = 0; i < st->nsets; i++)
		free(st->sets[i].v);
	free(st->sets);
	memset(st, 0, sizeof(*st));
}

void stim_nft_state_free(struct stim_nft_state *st)
{
	if (st == NULL)
		return;
	stim_nft_state_reset(st);
	free(st);
}

bool stim_nft_state_valid(const struct stim_nft_state *st)
{
	return st->valid;
}

struct stim_nft_batch *stim_nft_batch_build(struct stim_nft_state *st,
					    const struct stim_fw_ruleset *rs,
					    const struct stim_nft_port *ports, size_t nports)
{
	struct stim_nft_batch *b = xcalloc(1, sizeof(*b));
	bool fresh = st == NULL || !st->valid;

	b->st = st != NULL ? st : (b->own = stim_nft_state_new());
	/* Until it is known to be applied, the state says nothing. */
	if (fresh)
		stim_nft_state_reset(b->st);
	b->st->valid = false;
	/* Pages as nft sizes them: 128 KiB, with room past the end for one
	 * message of the largest size. */
	b->nb = xnonnull(nftnl_batch_alloc(128 * 1024, 65536 + 4096));
	b->seq = 1;
	nftnl_batch_begin(nftnl_batch_buffer(b->nb), b->seq++);
	b->len += NLMSG_ALIGN(sizeof(struct nlmsghdr) + sizeof(struct nfgenmsg));
	if (nftnl_batch_update(b->nb) < 0)
		xnonnull(NULL);
	if (fresh) {
		inet_table(b, rs);
		nat(b, ports, nports);
		bridge_table(b, ports, nports);
		b->st->members = spans_hash(FNV_BASIS, &rs->members);
		b->st->ports = ports_hash(ports, nports);
	} else {
		refill_members(b, rs, ports, nports);
	}
	dispatch(b, EGRESS, rs->egress, rs->negress);
	dispatch(b, INGRESS, rs->ingress, rs->ningress);
	drop_unused_sets(b);
	b->changes = (size_t)(b->seq - 2);
	/* The transaction's last message, the only one asking for an ack
	 * (errors come whether asked or not): the table made if missing,
	 * which changes nothing. */
	b->next_flags = NLM_F_ACK;
	table(b, NFPROTO_INET, NFT_MSG_NEWTABLE, NLM_F_CREATE);
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
	/* Built and never applied: the tables are not what st says. */
	if (!b->done)
		stim_nft_state_reset(b->st);
	stim_nft_state_free(b->own);
	nftnl_batch_free(b->nb);
	free(b->pending);
	free(b->refs);
	free(b);
}

bool stim_nft_batch_empty(const struct stim_nft_batch *b)
{
	return b->changes == 0;
}

size_t stim_nft_batch_count(const struct stim_nft_batch *b, int type)
{
	return type >= 0 && type < NFT_MSG_MAX ? b->count[type] : 0;
}

size_t stim_nft_batch_len(const struct stim_nft_batch *b)
{
	return b->len;
}

/* The jump sent as message seq has handle: the slot it made learns it. */
static void learn_handle(struct stim_nft_batch *b, uint32_t seq, uint64_t handle)
{
	size_t lo = 0;
	size_t hi = b->npending;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct pending *p = &b->pending[mid];

		if (p->seq == seq) {
			b->st->slots[p->dir][p->slot].handle = handle;
			return;
		}
		if (p->seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
}

void stim_nft_batch_applied(struct stim_nft_batch *b, uint64_t first_handle)
{
	for (size_t i = 0; i < b->npending; i++)
		learn_handle(b, b->pending[i].seq, first_handle + i);
	b->done = true;
	b->st->valid = true;
}

/* An echoed rule's handle (NFTA_RULE_HANDLE, big-endian); 0: none. */
static uint64_t rule_handle(const struct nlmsghdr *h)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, h, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) == NFTA_RULE_HANDLE && mnl_attr_get_payload_len(a) == 8)
			return be64toh(mnl_attr_get_u64(a));
	}
	return 0;
}

/* The replies, already queued when sendmsg returns (nfnetlink runs the
 * transaction in the sender's call): the first error, or the ack of
 * the last message; and the echoes of the jumps, with their handles. */
static int replies(struct stim_nft_batch *b, struct mnl_socket *nl, stim_error_t *err)
{
	size_t size = 64 * 1024; /* past the largest message the kernel sends */
	cleanup_free char *buf = xmalloc(size);
	int code = 0;
	uint32_t code_seq = 0;
	bool acked = false;
	ssize_t got;

	while ((got = recv(mnl_socket_get_fd(nl), buf, size, MSG_DONTWAIT)) > 0) {
		int n = (int)got;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE))
				learn_handle(b, h->nlmsg_seq, rule_handle(h));
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error != 0 && code == 0) {
				code = -e->error;
				code_seq = h->nlmsg_seq;
			}
			if (h->nlmsg_seq == b->ack_seq && e->error == 0)
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

/* Every jump made has its handle, so later changes can place jumps. */
static bool handles_known(const struct stim_nft_batch *b)
{
	for (size_t i = 0; i < b->npending; i++) {
		const struct pending *p = &b->pending[i];

		if (b->st->slots[p->dir][p->slot].handle == 0)
			return false;
	}
	return true;
}

int stim_nft_batch_send(struct stim_nft_batch *b, stim_error_t *err)
{
	struct mnl_socket *nl = NULL;
	int niov = nftnl_batch_iovec_len(b->nb);
	cleanup_free struct iovec *iov = xnonnull(calloc((size_t)niov, sizeof(*iov)));
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr m = { .msg_name = &kernel,
			    .msg_namelen = sizeof(kernel),
			    .msg_iov = iov,
			    .msg_iovlen = (size_t)niov };
	int sndbuf = (int)b->len + 4096;
	/* Room for every echo at once (a jump's is about 150 bytes). */
	int rcvbuf = (int)(b->npending * 512) + 256 * 1024;
	int ret = -1;

	if (b->changes == 0) {
		b->done = true;
		b->st->valid = true;
		return 0;
	}
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (nl == NULL) {
		ret = stim_err_sys(err, errno, "netlink netfilter socket");
		goto out;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = stim_err_sys(err, errno, "netlink bind");
		goto out;
	}
	nftnl_batch_iovec(b->nb, iov, (uint32_t)niov);
	/* The whole transaction goes in one sendmsg, past the default
	 * socket buffer when the rules are many. */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) <
		    0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) <
		    0) {
		ret = stim_err_sys(err, errno, "netlink socket buffers");
		goto out;
	}
	if (sendmsg(mnl_socket_get_fd(nl), &m, 0) < 0) {
		ret = stim_err_sys(err, errno, "send the firewall to nftables");
		goto out;
	}
	ret = replies(b, nl, err);
out:
	if (nl != NULL)
		mnl_socket_close(nl);
	/* Applied: the state is the tables', unless an echo was lost, when
	 * the next change makes them afresh. Refused: nothing changed, but
	 * making them afresh next is what is sure to be right. */
	b->done = ret == 0 && handles_known(b);
	b->st->valid = b->done;
	if (!b->done)
		stim_nft_state_reset(b->st);
	return ret;
}
