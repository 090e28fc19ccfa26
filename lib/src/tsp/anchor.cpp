// Time-stamps over the audit chain's head: obtaining and storing one (anchor_chain), checking all
// of them (check_anchors). See esign/anchor.h.
#include "esign/anchor.h"

#include <fmt/format.h>

#include <set>

#include "common/time.h"
#include "crypto/openssl.h"
#include "esign/certificate.h"
#include "esign/error.h"
#include "tsp/token.h"
#include "tsp/tsp.h"

namespace esign {

namespace {

// The data an anchor time-stamps: the head hash's 32 bytes; nullopt for anything else.
std::optional<Bytes> anchored_data(const std::string& head_hash) {
  Bytes data;
  if (head_hash.size() != 64 || !from_hex(head_hash, data) || data.size() != 32) return std::nullopt;
  return data;
}

}  // namespace

Anchor anchor_chain(Operation& operation, const TimestampSettings& settings, const SecretResolver& secrets,
                    const std::string& profile_file) {
  Ledger& ledger = operation.ledger();
  const ChainHead head = ledger.chain_head();
  if (head.event_id == 0) throw Error(Errc::usage, ledger.path().string(), "nothing to anchor: the audit chain has no events");
  const std::optional<Bytes> data = anchored_data(head.hash);
  if (!data) throw Error(Errc::config, ledger.path().string(), "the audit chain head's hash is malformed", Remedy::check_audit_chain);
  const tsp::Token token = tsp::request(settings, digest_of(DigestAlgorithm::sha256, *data), secrets, profile_file);

  Anchor anchor;
  anchor.event_id = head.event_id;
  anchor.head_hash = head.hash;
  anchor.time = rfc3339(token.time);
  anchor.tsa = token.tsa;
  anchor.tsa_url = tsp::url_subject(settings.url);
  anchor.token = token.der;
  AuditFields fields;
  fields.input_sha256 = head.hash;
  fields.detail = fmt::format("rfc3161 anchor of event {} at {} by {}", head.event_id, anchor.time, anchor.tsa_url);
  NewEvent event = operation.event(OperationItem{}, fields, "ok");
  return ledger.add_anchor(std::move(anchor), event);
}

AnchorsCheck check_anchors(const Ledger& ledger, const std::vector<std::filesystem::path>& trust) {
  AnchorsCheck result;
  const std::vector<Anchor> anchors = ledger.anchors();
  std::set<std::string> anchored;
  ossl::Store store;
  if (!anchors.empty()) store = ossl::trust_store(trust, true);
  for (const Anchor& a : anchors) {
    AnchorCheck c{a, false, {}};
    const std::optional<AuditEvent> event = ledger.event(a.event_id);
    const std::optional<Bytes> data = anchored_data(a.head_hash);
    if (!event) {
      c.error = fmt::format("event {} is missing", a.event_id);
    } else if (event->hash != a.head_hash) {
      c.error = fmt::format("event {} is not the event the TSA time-stamped at {} (the history up to it was rewritten)",
                            a.event_id, a.time);
    } else if (!data) {
      c.error = "its hash is malformed";
    } else {
      const tsp::TokenCheck t = tsp::check(a.token, *data, store.get());
      if (!t.ok) c.error = "its time-stamp token does not hold: " + t.error;
      else if (rfc3339(t.time) != a.time) c.error = fmt::format("its time {} is not the token's {}", a.time, rfc3339(t.time));
      else if (t.tsa != a.tsa) c.error = fmt::format("its TSA {} is not the token's {}", a.tsa, t.tsa);
      else c.ok = true;
    }
    if (c.ok) {
      anchored.insert(a.head_hash);
      if (!result.last || a.event_id >= result.last->event_id) result.last = a;
    } else if (result.ok) {
      result.ok = false;
      result.error = fmt::format("anchor {} (event {}): {}", a.id, a.event_id, c.error);
    }
    result.checks.push_back(std::move(c));
  }
  // An anchor event whose anchor is gone: deleted to hide what it proved.
  if (result.ok) {
    for (const AuditEvent& e : ledger.events()) {
      if (e.operation != kAnchorOperation || e.outcome != "ok") continue;
      if (!anchored.count(e.input_sha256)) {
        result.ok = false;
        result.error = fmt::format("event {} records an anchor that is not in the ledger (deleted?)", e.id);
        break;
      }
    }
  }
  return result;
}

}  // namespace esign
