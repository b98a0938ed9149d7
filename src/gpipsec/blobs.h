// SPDX-License-Identifier: MIT
/* blobs.h - the ipsecData blobs of MS-GPIPSEC §2.2.1, field by field.
 *
 * Every blob is a type GUID, a u32 Data-Length, the counted data, then one
 * byte more than Data-Length says (the policy blob's "Unused" byte; "always
 * 1 byte less than the size of the following data" for the others). Bytes
 * the specification says to ignore (Zero*, unused algorithm slots, that
 * last byte) are kept as read, so decode then encode gives the same bytes,
 * also for blobs Windows wrote with uninitialised memory in them. Optional
 * sections between the counted data and the last byte (the NFA's
 * alternate authentication, anything unknown) are kept opaque in `extra`;
 * the filter's version-2 section is decoded. A blob whose type GUID is not
 * one of the five is kept whole (GPB_OTHER). */
#ifndef IPSECFW_GP_BLOBS_H
#define IPSECFW_GP_BLOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpipsec/wire.h"
#include "model/err.h"

enum gp_blob_kind { GPB_POLICY, GPB_ISAKMP, GPB_NFA, GPB_NEGPOL, GPB_FILTER, GPB_OTHER };

/* The type GUIDs that open each blob. */
extern const struct gp_guid GP_TYPE_POLICY, GP_TYPE_ISAKMP, GP_TYPE_NFA, GP_TYPE_NEGPOL,
	GP_TYPE_FILTER, GP_TYPE_FILTER_V2;

struct gp_bytes {
	uint8_t *p;
	uint32_t n;
};

struct gp_mm_method {
	uint8_t major, minor;
	uint16_t zero3;
	uint32_t enc, enc_hi; /* Encryption-Algorithm-ID, 8 bytes */
	uint32_t zero4;
	uint32_t hash, hash_hi; /* Hash-Algorithm-ID, 8 bytes */
	uint32_t zero5;
	uint8_t zero6[8];
	uint8_t random_fn;
	uint8_t zero7[7];
	uint32_t group, qm_limit, life_kb, life_secs, pfs;
};

struct gp_isakmp_blob {
	struct gp_guid instance;
	uint32_t zero1, master_pfs, options;
	uint8_t new_dh[4];
	uint32_t qm_limit, mm_lifetime;
	uint8_t zero2[20];
	uint32_t n_methods;
	struct gp_mm_method *methods;
};

enum { GP_AUTH_PSK = 1, GP_AUTH_CERT = 3, GP_AUTH_KERBEROS = 5 };
enum { GP_IF_DIALUP = 0xFFFFFFFFu, GP_IF_LAN = 0xFFFFFFFEu, GP_IF_ALL = 0xFFFFFFFDu };

struct gp_auth_method {
	uint32_t type;
	struct gp_bytes data;
};

struct gp_nfa_blob {
	uint32_t n_auth;
	struct gp_auth_method *auth;
	uint32_t iface_type;
	struct gp_bytes iface_name;
	uint8_t tunnel_addr[4]; /* IPv4, network order */
	uint32_t is_tunnel, is_active;
	struct gp_bytes tunnel_name;
};

enum { GP_OFFER_AH = 1, GP_OFFER_ESP = 2, GP_QM_ALGOS_MAX = 3 };

struct gp_qm_algo {
	uint32_t alg, integrity, type;
	uint8_t zero1[8];
};

struct gp_qm_offer {
	uint32_t life_secs, life_kb, options, pfs, n_algos;
	struct gp_qm_algo algos[GP_QM_ALGOS_MAX]; /* all 60 bytes, kept */
};

struct gp_negpol_blob {
	uint32_t n_offers;
	struct gp_qm_offer *offers;
};

struct gp_v1_filter {
	struct gp_bytes src_dns, dst_dns, description;
	struct gp_guid id;
	uint32_t mirror;
	uint8_t src[4], src_mask[4], dst[4], dst_mask[4], tunnel[4]; /* network order */
	uint32_t proto;
	uint16_t sport, dport;
	uint8_t is_tunnel, special;
	uint16_t options;
};

enum {
	GP_V2_ANY = 0, GP_V2_SINGLE = 1, GP_V2_RANGE = 2, GP_V2_SUBNET = 4, GP_V2_ME = 8,
	GP_V2_DNS = 0x10, GP_V2_WINS = 0x20, GP_V2_DHCP = 0x40, GP_V2_GATEWAY = 0x80,
};

struct gp_v2_addr {
	uint32_t type, version;
	uint8_t ip[16], ip2[16];
};

struct gp_v2_port {
	uint32_t type;
	uint16_t port, end;
};

struct gp_v2_filter {
	struct gp_bytes src_dns, dst_dns, description;
	struct gp_guid id;
	uint32_t mirror;
	struct gp_v2_addr src, dst;
	struct gp_v2_port sport, dport;
	uint32_t proto, flags;
};

struct gp_filter_blob {
	uint32_t n1;
	struct gp_v1_filter *v1; /* n_v1 of them: n11 when the v2 section says so */
	uint32_t n_v1;
	bool has_v2;
	uint32_t data_len2, n11, n2;
	struct gp_v2_filter *v2;
};

struct gp_blob {
	enum gp_blob_kind kind;
	struct gp_guid type;
	uint32_t data_len; /* as read; the encoder computes it */
	union {
		uint32_t polling; /* GPB_POLICY: Polling-Interval, seconds */
		struct gp_isakmp_blob isakmp;
		struct gp_nfa_blob nfa;
		struct gp_negpol_blob negpol;
		struct gp_filter_blob filter;
	} u;
	struct gp_bytes extra; /* between the counted data and the last byte */
	uint8_t last;          /* the byte Data-Length leaves out */
	struct gp_bytes raw;   /* GPB_OTHER: the whole blob */
};

/* obj names the object in messages (its DN or ipsecID). */
int gp_blob_decode(const uint8_t *p, size_t n, const char *obj, struct gp_blob *out,
		   struct err *e);
/* *out is malloc'ed. Data-Length and the v1/v2 counts are computed. */
int gp_blob_encode(const struct gp_blob *b, uint8_t **out, size_t *n, struct err *e);
void gp_blob_free(struct gp_blob *b);
/* A blank blob of a kind: its type GUID, everything else zero. */
void gp_blob_init(struct gp_blob *b, enum gp_blob_kind kind);

#endif
