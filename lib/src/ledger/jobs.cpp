// The jobs and items of esign bulk, and recording their outcomes with audit events.
#include <fmt/format.h>

#include <functional>

#include "ledger/ledger_impl.h"

namespace esign {

namespace {

constexpr const char* kJobColumns =
    "j.id, j.key, j.created, j.updated, j.profile, j.source_dir, j.out_dir, j.state, "
    "(SELECT COUNT(*) FROM items i WHERE i.job_id = j.id AND i.state = 'pending'), "
    "(SELECT COUNT(*) FROM items i WHERE i.job_id = j.id AND i.state = 'done'), "
    "(SELECT COUNT(*) FROM items i WHERE i.job_id = j.id AND i.state = 'failed')";

Job read_job(const SQLite::Statement& q) {
  Job j;
  j.id = q.getColumn(0).getInt64();
  j.key = q.getColumn(1).getString();
  j.created = q.getColumn(2).getString();
  j.updated = q.getColumn(3).getString();
  j.profile = q.getColumn(4).getString();
  j.source_dir = q.getColumn(5).getString();
  j.out_dir = q.getColumn(6).getString();
  j.state = q.getColumn(7).getString();
  j.pending = q.getColumn(8).getInt64();
  j.done = q.getColumn(9).getInt64();
  j.failed = q.getColumn(10).getInt64();
  return j;
}

constexpr const char* kItemColumns =
    "id, job_id, path, size, mtime_ns, sha256, state, output_path, output_sha256, detail, ms, updated";

JobItem read_item(const SQLite::Statement& q) {
  JobItem i;
  i.id = q.getColumn(0).getInt64();
  i.job_id = q.getColumn(1).getInt64();
  i.path = q.getColumn(2).getString();
  i.size = q.getColumn(3).getInt64();
  i.mtime_ns = q.getColumn(4).getInt64();
  i.sha256 = q.getColumn(5).getString();
  i.state = q.getColumn(6).getString();
  i.output_path = q.getColumn(7).getString();
  i.output_sha256 = q.getColumn(8).getString();
  i.detail = q.getColumn(9).getString();
  i.ms = q.getColumn(10).getInt64();
  i.updated = q.getColumn(11).getString();
  return i;
}

std::optional<Job> one_job(Ledger::Impl& impl, const std::string& where, const std::function<void(SQLite::Statement&)>& bind) {
  return ledger::in_transaction(impl, SQLite::TransactionBehavior::DEFERRED, "cannot read jobs", [&](SQLite::Database& db) {
    SQLite::Statement q(db, fmt::format("SELECT {} FROM jobs j WHERE {} ORDER BY j.id DESC LIMIT 1", kJobColumns, where));
    bind(q);
    std::optional<Job> out;
    if (q.executeStep()) out = read_job(q);
    return out;
  });
}

}  // namespace

std::optional<Job> Ledger::find_job(const std::string& key) const {
  return one_job(*impl_, "j.key = ?", [&](SQLite::Statement& q) { q.bind(1, key); });
}

std::optional<Job> Ledger::job(std::int64_t id) const {
  return one_job(*impl_, "j.id = ?", [&](SQLite::Statement& q) { q.bind(1, id); });
}

std::vector<Job> Ledger::jobs() const {
  return ledger::in_transaction(*impl_, SQLite::TransactionBehavior::DEFERRED, "cannot read jobs", [&](SQLite::Database& db) {
    SQLite::Statement q(db, fmt::format("SELECT {} FROM jobs j ORDER BY j.id DESC", kJobColumns));
    std::vector<Job> out;
    while (q.executeStep()) out.push_back(read_job(q));
    return out;
  });
}

Job Ledger::create_job(const std::string& key, const std::string& profile, const std::string& source_dir,
                       const std::string& out_dir) {
  std::int64_t id = ledger::in_transaction(*impl_, SQLite::TransactionBehavior::IMMEDIATE, "cannot create the job",
                                           [&](SQLite::Database& db) {
                                             SQLite::Statement q(db,
                                                                 "INSERT INTO jobs (key, created, updated, profile, source_dir, "
                                                                 "out_dir, state) VALUES (?, ?, ?, ?, ?, ?, 'running')");
                                             const std::string now = ledger::utc_now();
                                             q.bind(1, key);
                                             q.bind(2, now);
                                             q.bind(3, now);
                                             q.bind(4, profile);
                                             q.bind(5, source_dir);
                                             q.bind(6, out_dir);
                                             q.exec();
                                             return db.getLastInsertRowid();
                                           });
  return *job(id);
}

void Ledger::set_job_state(std::int64_t id, const std::string& state) {
  ledger::in_transaction(*impl_, SQLite::TransactionBehavior::IMMEDIATE, "cannot update the job", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE jobs SET state = ?, updated = ? WHERE id = ?");
    q.bind(1, state);
    q.bind(2, ledger::utc_now());
    q.bind(3, id);
    return q.exec();
  });
}

std::vector<JobItem> Ledger::items(std::int64_t job_id) const {
  return ledger::in_transaction(*impl_, SQLite::TransactionBehavior::DEFERRED, "cannot read items", [&](SQLite::Database& db) {
    SQLite::Statement q(db, fmt::format("SELECT {} FROM items WHERE job_id = ? ORDER BY path", kItemColumns));
    q.bind(1, job_id);
    std::vector<JobItem> out;
    while (q.executeStep()) out.push_back(read_item(q));
    return out;
  });
}

std::vector<JobItem> Ledger::save_items(std::int64_t job_id, std::vector<JobItem> items) {
  return ledger::in_transaction(*impl_, SQLite::TransactionBehavior::IMMEDIATE, "cannot record the items",
                                [&](SQLite::Database& db) {
                                  SQLite::Statement insert(
                                      db,
                                      "INSERT INTO items (job_id, path, size, mtime_ns, sha256, state, output_path, "
                                      "output_sha256, detail, ms, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                      "ON CONFLICT (job_id, path) DO UPDATE SET size = excluded.size, "
                                      "mtime_ns = excluded.mtime_ns, state = excluded.state, output_path = excluded.output_path, "
                                      "updated = excluded.updated RETURNING id");
                                  const std::string now = ledger::utc_now();
                                  for (JobItem& item : items) {
                                    insert.bind(1, job_id);
                                    insert.bind(2, item.path);
                                    insert.bind(3, item.size);
                                    insert.bind(4, item.mtime_ns);
                                    insert.bind(5, item.sha256);
                                    insert.bind(6, item.state);
                                    insert.bind(7, item.output_path);
                                    insert.bind(8, item.output_sha256);
                                    insert.bind(9, item.detail);
                                    insert.bind(10, item.ms);
                                    insert.bind(11, now);
                                    if (insert.executeStep()) item.id = insert.getColumn(0).getInt64();
                                    insert.reset();
                                    item.job_id = job_id;
                                  }
                                  return std::move(items);
                                });
}

void Ledger::record_outcomes(const std::vector<ItemOutcome>& outcomes) {
  ledger::in_transaction(*impl_, SQLite::TransactionBehavior::IMMEDIATE, "cannot record the outcomes", [&](SQLite::Database& db) {
    SQLite::Statement update(db,
                             "UPDATE items SET size = ?, mtime_ns = ?, sha256 = ?, state = ?, output_path = ?, "
                             "output_sha256 = ?, detail = ?, ms = ?, updated = ? WHERE id = ?");
    const std::string now = ledger::utc_now();
    std::vector<const NewEvent*> events;
    events.reserve(outcomes.size());
    for (const ItemOutcome& o : outcomes) {
      const JobItem& i = o.item;
      update.bind(1, i.size);
      update.bind(2, i.mtime_ns);
      update.bind(3, i.sha256);
      update.bind(4, i.state);
      update.bind(5, i.output_path);
      update.bind(6, i.output_sha256);
      update.bind(7, i.detail);
      update.bind(8, i.ms);
      update.bind(9, now);
      update.bind(10, i.id);
      update.exec();
      update.reset();
      events.push_back(&o.event);
    }
    ledger::append_events(db, impl_->path, events, now);
    if (!outcomes.empty()) {
      SQLite::Statement touch(db, "UPDATE jobs SET updated = ? WHERE id = ?");
      touch.bind(1, now);
      touch.bind(2, outcomes.front().item.job_id);
      touch.exec();
    }
    return 0;
  });
}

}  // namespace esign
