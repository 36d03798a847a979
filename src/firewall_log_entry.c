/* Firewall rule logging's records (see firewall_log_entry.h). */
#include "src/firewall_log_entry.h"

#include <stdio.h>
#include <string.h>

#include "src/ipv4.h"
#include "src/util.h"

int stim_fwlog_parse(const char *prefix, const unsigned char *pkt, size_t len,
		     struct stim_fwlog_event *ev)
{
	char dir;
	char action;
	size_t ihl;

	memset(ev, 0, sizeof(*ev));
	if (sscanf(prefix, "%63s %c %c %d", ev->rule, &dir, &action, &ev->priority) != 4 ||
	    (dir != 'I' && dir != 'E') || (action != 'A' && action != 'D'))
		return -1;
	if (len < 20 || pkt[0] >> 4 != 4)
		return -1;
	ev->egress = dir == 'E';
	ev->deny = action == 'D';
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	ev->proto = pkt[9];
	ev->src = (uint32_t)pkt[12] << 24 | (uint32_t)pkt[13] << 16 | (uint32_t)pkt[14] << 8 |
		  pkt[15];
	ev->dst = (uint32_t)pkt[16] << 24 | (uint32_t)pkt[17] << 16 | (uint32_t)pkt[18] << 8 |
		  pkt[19];
	ev->src_port = -1;
	ev->dst_port = -1;
	/* tcp, udp and sctp start with the two ports. */
	if ((ev->proto == 6 || ev->proto == 17 || ev->proto == 132) && len >= ihl + 4) {
		ev->src_port = pkt[ihl] << 8 | pkt[ihl + 1];
		ev->dst_port = pkt[ihl + 2] << 8 | pkt[ihl + 3];
	}
	return 0;
}

json_t *stim_fwlog_entry(const struct stim_fwlog_event *ev, const char *project,
			 const char *network, const struct stim_instance *in, int64_t now_ms)
{
	char src[STIM_IPV4_BUFSZ];
	char dst[STIM_IPV4_BUFSZ];
	char ts[STIM_TIME_BUFSZ];
	json_t *conn = json_pack("{s:s, s:s, s:i}", "src_ip", stim_ipv4_format(ev->src, src),
				 "dest_ip", stim_ipv4_format(ev->dst, dst), "protocol", ev->proto);
	json_t *payload;

	if (ev->src_port >= 0) {
		json_object_set_new(conn, "src_port", json_integer(ev->src_port));
		json_object_set_new(conn, "dest_port", json_integer(ev->dst_port));
	}
	payload = json_pack("{s:o, s:s, s:{s:o, s:i, s:s, s:s}, s:{s:s, s:s}}", "connection", conn,
			    "disposition", ev->deny ? "DENIED" : "ALLOWED", "rule_details",
			    "reference", json_sprintf("network:%s/firewall:%s", network, ev->rule),
			    "priority", ev->priority, "action", ev->deny ? "DENY" : "ALLOW",
			    "direction", ev->egress ? "EGRESS" : "INGRESS", "vpc", "project_id",
			    project, "vpc_name", network);
	if (in != NULL)
		json_object_set_new(payload, "instance",
				    json_pack("{s:s, s:s, s:s}", "project_id", project, "zone",
					      in->zone, "vm_name", in->name));
	return json_pack(
		"{s:o, s:s, s:o}", "logName",
		json_sprintf("projects/%s/logs/compute.googleapis.com%%2Ffirewall", project),
		"timestamp", stim_time_format(now_ms, ts), "jsonPayload", payload);
}
