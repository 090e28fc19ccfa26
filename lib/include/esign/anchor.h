// Anchoring the audit chain (esign audit anchor, esign audit verify): RFC 3161 time-stamps over
// the chain head, so that a rewrite of the events before an anchor is detected even when every
// hash and the chain head were recomputed consistently.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "esign/ledger.h"
#include "esign/operation.h"
#include "esign/profile.h"
#include "esign/secret.h"

namespace esign {

// The operation name of the audit event an anchor adds. Its input_sha256 is the anchored hash.
inline constexpr const char* kAnchorOperation = "audit-anchor";

// Asks the TSA of `settings` for a token over the current chain head (the 32 bytes of its hash,
// hashed with SHA-256 as the token's message imprint: `openssl ts -verify -data` on those bytes
// agrees) and stores it with an audit event by `operation`, in one transaction. `profile_file`
// (may be empty) is where the settings came from. Throws Error(usage) when the ledger has no
// events yet, and what tsp::request throws (remote, config).
Anchor anchor_chain(Operation& operation, const TimestampSettings& settings, const SecretResolver& secrets,
                    const std::string& profile_file);

struct AnchorCheck {
  Anchor anchor;
  bool ok = false;
  std::string error;  // when !ok: one line
};

struct AnchorsCheck {
  bool ok = true;                   // every anchor holds, and every anchor event has its anchor
  std::vector<AnchorCheck> checks;  // one per anchor, oldest first
  std::string error;                // when !ok: the first problem, one line
  std::optional<Anchor> last;       // the anchor over the newest event among those that hold
};

// Checks every anchor of `ledger`: the anchored event is there and still has the anchored hash;
// the token covers that hash, is signed by its TSA (timeStamping usage, ESS certificate) and the
// TSA's path leads to an anchor of `trust` (PEM files; empty: the system store) at the token's
// time; its time and TSA are the ones stored (the URL is only what anchor_chain was given). Also every audit-anchor event must have its anchor row (an
// anchor deleted behind esign's back). Throws Error only when the ledger or a trust file cannot
// be read.
AnchorsCheck check_anchors(const Ledger& ledger, const std::vector<std::filesystem::path>& trust);

}  // namespace esign
