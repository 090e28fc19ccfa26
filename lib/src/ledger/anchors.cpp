// The chain head, the ledger's summary (esign ledger info) and the anchors table (esign audit
// anchor): storing and reading time-stamps over the chain head. Checking them needs the TSA's
// path and lives with the time-stamp code.
#include <fmt/format.h>

#include "ledger/ledger_impl.h"

namespace esign {

namespace {

Anchor read_anchor(const SQLite::Statement& row) {
  Anchor a;
  a.id = row.getColumn(0).getInt64();
  a.event_id = row.getColumn(1).getInt64();
  a.head_hash = row.getColumn(2).getString();
  a.time = row.getColumn(3).getString();
  a.tsa = row.getColumn(4).getString();
  a.tsa_url = row.getColumn(5).getString();
  const SQLite::Column token = row.getColumn(6);
  const auto* bytes = static_cast<const std::uint8_t*>(token.getBlob());
  a.token.assign(bytes, bytes + token.getBytes());
  return a;
}

}  // namespace

ChainHead Ledger::chain_head() const {
  return ledger::in_transaction(*impl_, SQLite::TransactionBehavior::DEFERRED, "cannot read the chain head",
                                [&](SQLite::Database& db) { return ledger::read_head(db, impl_->path); });
}

LedgerInfo Ledger::info() const {
  return ledger::in_transaction(*impl_, SQLite::TransactionBehavior::DEFERRED, "cannot read the ledger",
                                [&](SQLite::Database& db) {
                                  LedgerInfo info;
                                  info.backend = "sqlite";
                                  info.location = impl_->path.string();
                                  info.schema_version = impl_->schema_version;
                                  const auto count = [&](const char* table) {
                                    return db.execAndGet(fmt::format("SELECT COUNT(*) FROM {}", table)).getInt64();
                                  };
                                  info.events = count("events");
                                  info.users = count("users");
                                  info.sessions = count("sessions");
                                  info.jobs = count("jobs");
                                  info.items = count("items");
                                  info.anchors = count("anchors");
                                  info.head = ledger::read_head(db, impl_->path);
                                  return info;
                                });
}

std::optional<AuditEvent> Ledger::event(std::int64_t id) const {
  return ledger::in_transaction(*impl_, SQLite::TransactionBehavior::DEFERRED, "cannot read events",
                                [&](SQLite::Database& db) -> std::optional<AuditEvent> {
                                  SQLite::Statement q(db, fmt::format("SELECT {} FROM events WHERE id = ?",
                                                                      ledger::kEventColumns));
                                  q.bind(1, id);
                                  if (!q.executeStep()) return std::nullopt;
                                  return ledger::read_event(q);
                                });
}

Anchor Ledger::add_anchor(Anchor anchor, const NewEvent& event) {
  return ledger::in_transaction(*impl_, SQLite::TransactionBehavior::IMMEDIATE, "cannot record the anchor",
                                [&](SQLite::Database& db) {
                                  SQLite::Statement insert(db,
                                                           "INSERT INTO anchors (event_id, head_hash, time, tsa, tsa_url, token) "
                                                           "VALUES (?, ?, ?, ?, ?, ?)");
                                  insert.bind(1, anchor.event_id);
                                  insert.bind(2, anchor.head_hash);
                                  insert.bind(3, anchor.time);
                                  insert.bind(4, anchor.tsa);
                                  insert.bind(5, anchor.tsa_url);
                                  insert.bind(6, anchor.token.data(), static_cast<int>(anchor.token.size()));
                                  insert.exec();
                                  anchor.id = db.getLastInsertRowid();
                                  ledger::append_event(db, impl_->path, event, ledger::utc_now());
                                  return anchor;
                                });
}

std::vector<Anchor> Ledger::anchors() const {
  return ledger::in_transaction(*impl_, SQLite::TransactionBehavior::DEFERRED, "cannot read the anchors",
                                [&](SQLite::Database& db) {
                                  SQLite::Statement q(db,
                                                      "SELECT id, event_id, head_hash, time, tsa, tsa_url, token "
                                                      "FROM anchors ORDER BY id");
                                  std::vector<Anchor> out;
                                  while (q.executeStep()) out.push_back(read_anchor(q));
                                  return out;
                                });
}

}  // namespace esign
