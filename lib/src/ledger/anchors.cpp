// The chain head, the ledger's summary (esign ledger info) and the anchors table (esign audit
// anchor): storing and reading time-stamps over the chain head. Checking them needs the TSA's
// path and lives with the time-stamp code.
#include <fmt/format.h>

#include "ledger/ledger_impl.h"

namespace esign {

namespace {

Anchor read_anchor(const Query& row) {
  Anchor a;
  a.id = row.i64(0);
  a.event_id = row.i64(1);
  a.head_hash = row.text(2);
  a.time = row.text(3);
  a.tsa = row.text(4);
  a.tsa_url = row.text(5);
  a.token = row.blob(6);
  return a;
}

}  // namespace

ChainHead Ledger::chain_head() const {
  return ledger::in_transaction(*impl_, Tx::read, "cannot read the chain head",
                                [&](Db& db) { return ledger::read_head(db, impl_->path); });
}

LedgerInfo Ledger::info() const {
  return ledger::in_transaction(*impl_, Tx::read, "cannot read the ledger",
                                [&](Db& db) {
                                  LedgerInfo info;
                                  info.backend = db.backend() == ledger::Backend::sqlite ? "sqlite" : "postgresql";
                                  info.location = impl_->path.string();
                                  info.schema_version = impl_->schema_version;
                                  const auto count = [&](const char* table) {
                                    return db.query_i64(fmt::format("SELECT COUNT(*) FROM {}", table));
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
  return ledger::in_transaction(*impl_, Tx::read, "cannot read events",
                                [&](Db& db) -> std::optional<AuditEvent> {
                                  Query q = db.prepare(fmt::format("SELECT {} FROM events WHERE id = ?",
                                                                      ledger::kEventColumns));
                                  q.bind(1, id);
                                  if (!q.step()) return std::nullopt;
                                  return ledger::read_event(q);
                                });
}

Anchor Ledger::add_anchor(Anchor anchor, const NewEvent& event) {
  return ledger::in_transaction(*impl_, Tx::write, "cannot record the anchor",
                                [&](Db& db) {
                                  Query insert = db.prepare("INSERT INTO anchors (event_id, head_hash, time, tsa, tsa_url, token) "
                                                           "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
                                  insert.bind(1, anchor.event_id);
                                  insert.bind(2, anchor.head_hash);
                                  insert.bind(3, anchor.time);
                                  insert.bind(4, anchor.tsa);
                                  insert.bind(5, anchor.tsa_url);
                                  insert.bind_blob(6, ByteView(anchor.token.data(), anchor.token.size()));
                                  insert.step();
                                  anchor.id = insert.i64(0);
                                  ledger::append_event(db, impl_->path, event, ledger::utc_now());
                                  return anchor;
                                });
}

std::vector<Anchor> Ledger::anchors() const {
  return ledger::in_transaction(*impl_, Tx::read, "cannot read the anchors",
                                [&](Db& db) {
                                  Query q = db.prepare("SELECT id, event_id, head_hash, time, tsa, tsa_url, token "
                                                      "FROM anchors ORDER BY id");
                                  std::vector<Anchor> out;
                                  while (q.step()) out.push_back(read_anchor(q));
                                  return out;
                                });
}

}  // namespace esign
