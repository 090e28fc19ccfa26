// esign ledger migrate: every row of one ledger copied into another, empty one (a SQLite file
// into PostgreSQL, typically), with the events' hashes as they are, then the copy's chain checked.
#include <optional>

#include <fmt/format.h>

#include "ledger/ledger_impl.h"

namespace esign {

namespace {

// Parents before children (foreign keys); schema_version is the target's own.
constexpr const char* kTables[] = {"users",  "password_history", "recovery_codes", "sessions", "user_certificates",
                                   "jobs",   "items",            "events",         "chain_head", "anchors"};

// Tables whose id the database hands out: after explicit ids went in, PostgreSQL's identity must
// continue after the largest.
constexpr const char* kIdentityTables[] = {"users", "password_history", "recovery_codes", "sessions",
                                           "jobs",  "items",            "anchors"};

std::int64_t copy_table(Db& from, Db& to, const char* table) {
  Query rows = from.prepare(fmt::format("SELECT * FROM {} ORDER BY 1", table));
  std::optional<Query> insert;
  std::int64_t copied = 0;
  while (rows.step()) {
    const int n = rows.columns();
    if (!insert) {
      std::string names, marks;
      for (int c = 0; c < n; ++c) {
        names += fmt::format("{}\"{}\"", c ? ", " : "", rows.column_name(c));
        marks += c ? ", ?" : "?";
      }
      insert.emplace(to.prepare(fmt::format("INSERT INTO {} ({}) VALUES ({})", table, names, marks)));
    }
    // Values go as text (each database reads them in the column's type), blobs as bytes.
    for (int c = 0; c < n; ++c) {
      if (rows.is_blob(c)) {
        const std::vector<std::uint8_t> bytes = rows.blob(c);
        insert->bind_blob(c + 1, ByteView(bytes.data(), bytes.size()));
      } else {
        insert->bind(c + 1, rows.text(c));
      }
    }
    insert->exec();
    insert->reset();
    ++copied;
  }
  return copied;
}

}  // namespace

LedgerCopy copy_ledger(Ledger& from, const std::filesystem::path& to) {
  if (to == from.path()) throw Error(Errc::usage, to.string(), "the ledger cannot be copied into itself");
  LedgerCopy result;
  result.from = from.info();
  {
    Ledger target = Ledger::open(to);
    const LedgerInfo before = target.info();
    if (before.events + before.users + before.jobs + before.anchors + before.sessions > 0) {
      throw Error(Errc::conflict, before.location,
                  fmt::format("the target ledger is not empty ({} events, {} users, {} jobs): copy only into a new one",
                              before.events, before.users, before.jobs));
    }
    Ledger::Impl& src = LedgerAccess::impl(from);
    Ledger::Impl& dst = LedgerAccess::impl(target);
    // One snapshot of the source; all or nothing in the target.
    ledger::in_transaction(src, Tx::read, "cannot read the ledger", [&](Db& source) {
      return ledger::in_transaction(dst, Tx::write, "cannot copy into the ledger", [&](Db& dest) {
        dest.exec("DELETE FROM chain_head");  // the new ledger's own; the source's comes instead
        for (const char* table : kTables) copy_table(source, dest, table);
        if (dest.backend() == ledger::Backend::postgresql) {
          for (const char* table : kIdentityTables) {
            dest.exec(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
                                  "FROM {0}",
                                  table));
          }
        }
        return 0;
      });
    });
  }
  // Checked through a new connection, as any later reader will see it.
  Ledger copy = Ledger::open(to);
  result.chain = copy.verify_chain();
  result.to = copy.info();
  return result;
}

}  // namespace esign
