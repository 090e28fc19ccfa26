// The hash chain of audit events: the canonical encoding, appending an event, checking the chain.
#include <algorithm>
#include <array>
#include <optional>

#include <openssl/err.h>
#include <openssl/evp.h>

#include <fmt/format.h>

#include "esign/bytes.h"
#include "ledger/ledger_impl.h"

namespace esign {

namespace {

// Each field as "<decimal byte length>:<bytes>;" after a version tag. The length prefix makes the
// encoding injective: no two different events (say, a ';' moved from one field into the next)
// encode to the same bytes.
void put_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

std::string canonical_encoding(const AuditEvent& e) {
  std::string out = "esign-audit-event-v1;";
  put_field(out, std::to_string(e.id));
  put_field(out, e.time);
  for (const std::string* field : {&e.operation, &e.profile, &e.user, &e.input_path, &e.input_sha256,
                                   &e.output_path, &e.output_sha256, &e.outcome, &e.signer_fingerprint,
                                   &e.detail}) {
    put_field(out, *field);
  }
  put_field(out, e.prev_hash);
  return out;
}

}  // namespace

std::string audit_event_hash(const AuditEvent& e) {
  const std::string encoded = canonical_encoding(e);
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (EVP_Digest(encoded.data(), encoded.size(), md.data(), &md_len, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();  // drained here so that no stale error reaches the next OpenSSL caller
    throw Error(Errc::internal, "audit event", "SHA-256 failed");
  }
  return to_hex(ByteView(md.data(), md_len));
}

namespace ledger {

std::string repeated_rows(std::string_view row, std::size_t count) {
  std::string out;
  out.reserve((row.size() + 1) * count);
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    out += row;
  }
  return out;
}

const char* const kEventColumns =
    "id, time, operation, profile, \"user\", input_path, input_sha256, output_path, output_sha256, "
    "outcome, signer_fingerprint, detail, prev_hash, hash";

AuditEvent read_event(const Query& row) {
  AuditEvent e;
  e.id = row.i64(0);
  e.time = row.text(1);
  e.operation = row.text(2);
  e.profile = row.text(3);
  e.user = row.text(4);
  e.input_path = row.text(5);
  e.input_sha256 = row.text(6);
  e.output_path = row.text(7);
  e.output_sha256 = row.text(8);
  e.outcome = row.text(9);
  e.signer_fingerprint = row.text(10);
  e.detail = row.text(11);
  e.prev_hash = row.text(12);
  e.hash = row.text(13);
  return e;
}

ChainHead read_head(Db& db, const std::filesystem::path& path) {
  Query q = db.prepare("SELECT last_id, last_hash FROM chain_head WHERE id = 1");
  if (!q.step()) throw Error(Errc::config, path.string(), "the audit chain head is missing", Remedy::check_audit_chain);
  return ChainHead{q.i64(0), q.text(1)};
}

std::vector<std::int64_t> append_events(Db& db, const std::filesystem::path& path,
                                        const std::vector<const NewEvent*>& events, const std::string& time) {
  std::vector<std::int64_t> ids;
  if (events.empty()) return ids;
  ChainHead head = read_head(db, path);
  std::int64_t last_id = head.event_id;
  std::string last_hash = std::move(head.hash);

  ids.reserve(events.size());
  // Up to kRowsPerStatement events per INSERT: one round trip for a bulk group on PostgreSQL.
  AuditEvent event;
  for (std::size_t start = 0; start < events.size(); start += kRowsPerStatement) {
    const std::size_t rows = std::min(kRowsPerStatement, events.size() - start);
    Query insert = db.prepare(fmt::format("INSERT INTO events ({}) VALUES {}", kEventColumns,
                                          repeated_rows("(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)));
    int i = 0;
    for (std::size_t n = start; n < start + rows; ++n) {
      static_cast<NewEvent&>(event) = *events[n];
      event.id = last_id + 1;
      event.time = time;
      event.prev_hash = std::move(last_hash);
      event.hash = audit_event_hash(event);
      insert.bind(++i, event.id);
      for (const std::string* field : {&event.time, &event.operation, &event.profile, &event.user,
                                       &event.input_path, &event.input_sha256, &event.output_path,
                                       &event.output_sha256, &event.outcome, &event.signer_fingerprint,
                                       &event.detail, &event.prev_hash, &event.hash}) {
        insert.bind(++i, *field);
      }
      last_id = event.id;
      last_hash = event.hash;
      ids.push_back(event.id);
    }
    insert.exec();
  }

  Query advance = db.prepare("UPDATE chain_head SET events = events + ?, last_id = ?, last_hash = ? "
                            "WHERE id = 1");
  advance.bind(1, static_cast<std::int64_t>(events.size()));
  advance.bind(2, last_id);
  advance.bind(3, last_hash);
  advance.exec();
  return ids;
}

std::int64_t append_event(Db& db, const std::filesystem::path& path, const NewEvent& e,
                          const std::string& time) {
  return append_events(db, path, {&e}, time).front();
}

namespace {

struct Head {
  std::int64_t events;
  std::int64_t last_id;
  std::string last_hash;
};

ChainCheck broken(std::int64_t checked, std::int64_t id, std::string reason) {
  return ChainCheck{false, checked, id, std::move(reason), {}};
}

}  // namespace

ChainCheck check_chain(Db& db) {
  std::optional<Head> head;
  {
    Query q = db.prepare("SELECT events, last_id, last_hash FROM chain_head WHERE id = 1");
    if (q.step()) {
      head = Head{q.i64(0), q.i64(1), q.text(2)};
    }
  }

  Query rows = db.prepare(fmt::format("SELECT {} FROM events ORDER BY id", kEventColumns));
  std::int64_t checked = 0;
  std::string prev_hash(kGenesisHash);
  while (rows.step()) {
    const AuditEvent e = read_event(rows);
    const std::int64_t expected = checked + 1;
    if (e.id > expected) {
      return broken(checked, expected,
                    fmt::format("event {} is missing (the next event is {})", expected, e.id));
    }
    if (e.id < expected) {
      return broken(checked, e.id, fmt::format("event id {} is out of sequence (expected {})", e.id, expected));
    }
    if (e.prev_hash != prev_hash) {
      return broken(checked, e.id,
                    e.id == 1 ? std::string("the first event does not start the chain")
                              : fmt::format("event {} does not link to event {}", e.id, e.id - 1));
    }
    if (audit_event_hash(e) != e.hash) {
      return broken(checked, e.id, fmt::format("event {} was altered (its hash does not match its contents)", e.id));
    }
    prev_hash = e.hash;
    ++checked;
  }

  if (!head) return broken(checked, 0, "the audit chain head is missing");
  if (head->events > checked || head->last_id > checked) {
    const std::int64_t recorded = std::max(head->events, head->last_id);
    return broken(checked, checked + 1,
                  fmt::format("event {} is missing (the chain head records {} events; the newest were deleted)",
                              checked + 1, recorded));
  }
  if (head->events < checked || head->last_id < checked) {
    const std::int64_t recorded = std::min(head->events, head->last_id);
    return broken(checked, recorded + 1,
                  fmt::format("event {} is not in the chain head (inserted behind esign's back)", recorded + 1));
  }
  if (head->last_hash != prev_hash) {
    return broken(checked, checked, fmt::format("event {} does not match the chain head's hash", checked));
  }
  return ChainCheck{true, checked, 0, {}, prev_hash};
}

}  // namespace ledger
}  // namespace esign
