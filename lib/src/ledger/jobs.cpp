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

Job read_job(const Query& q) {
  Job j;
  j.id = q.i64(0);
  j.key = q.text(1);
  j.created = q.text(2);
  j.updated = q.text(3);
  j.profile = q.text(4);
  j.source_dir = q.text(5);
  j.out_dir = q.text(6);
  j.state = q.text(7);
  j.pending = q.i64(8);
  j.done = q.i64(9);
  j.failed = q.i64(10);
  return j;
}

constexpr const char* kItemColumns =
    "id, job_id, path, size, mtime_ns, sha256, state, output_path, output_sha256, detail, ms, updated";

JobItem read_item(const Query& q) {
  JobItem i;
  i.id = q.i64(0);
  i.job_id = q.i64(1);
  i.path = q.text(2);
  i.size = q.i64(3);
  i.mtime_ns = q.i64(4);
  i.sha256 = q.text(5);
  i.state = q.text(6);
  i.output_path = q.text(7);
  i.output_sha256 = q.text(8);
  i.detail = q.text(9);
  i.ms = q.i64(10);
  i.updated = q.text(11);
  return i;
}

std::optional<Job> one_job(Ledger::Impl& impl, const std::string& where, const std::function<void(Query&)>& bind) {
  return ledger::in_transaction(impl, Tx::read, "cannot read jobs", [&](Db& db) {
    Query q = db.prepare(fmt::format("SELECT {} FROM jobs j WHERE {} ORDER BY j.id DESC LIMIT 1", kJobColumns, where));
    bind(q);
    std::optional<Job> out;
    if (q.step()) out = read_job(q);
    return out;
  });
}

}  // namespace

std::optional<Job> Ledger::find_job(const std::string& key) const {
  return one_job(*impl_, "j.key = ?", [&](Query& q) { q.bind(1, key); });
}

std::optional<Job> Ledger::job(std::int64_t id) const {
  return one_job(*impl_, "j.id = ?", [&](Query& q) { q.bind(1, id); });
}

std::vector<Job> Ledger::jobs() const {
  return ledger::in_transaction(*impl_, Tx::read, "cannot read jobs", [&](Db& db) {
    Query q = db.prepare(fmt::format("SELECT {} FROM jobs j ORDER BY j.id DESC", kJobColumns));
    std::vector<Job> out;
    while (q.step()) out.push_back(read_job(q));
    return out;
  });
}

Job Ledger::create_job(const std::string& key, const std::string& profile, const std::string& source_dir,
                       const std::string& out_dir) {
  std::int64_t id = ledger::in_transaction(*impl_, Tx::write, "cannot create the job",
                                           [&](Db& db) {
                                             Query q = db.prepare("INSERT INTO jobs (key, created, updated, profile, source_dir, "
                                                                 "out_dir, state) VALUES (?, ?, ?, ?, ?, ?, 'running') RETURNING id");
                                             const std::string now = ledger::utc_now();
                                             q.bind(1, key);
                                             q.bind(2, now);
                                             q.bind(3, now);
                                             q.bind(4, profile);
                                             q.bind(5, source_dir);
                                             q.bind(6, out_dir);
                                             q.step();
                                             return q.i64(0);
                                           });
  return *job(id);
}

void Ledger::set_job_state(std::int64_t id, const std::string& state) {
  ledger::in_transaction(*impl_, Tx::write, "cannot update the job", [&](Db& db) {
    Query q = db.prepare("UPDATE jobs SET state = ?, updated = ? WHERE id = ?");
    q.bind(1, state);
    q.bind(2, ledger::utc_now());
    q.bind(3, id);
    return q.exec();
  });
}

std::vector<JobItem> Ledger::items(std::int64_t job_id) const {
  return ledger::in_transaction(*impl_, Tx::read, "cannot read items", [&](Db& db) {
    Query q = db.prepare(fmt::format("SELECT {} FROM items WHERE job_id = ? ORDER BY path", kItemColumns));
    q.bind(1, job_id);
    std::vector<JobItem> out;
    while (q.step()) out.push_back(read_item(q));
    return out;
  });
}

std::vector<JobItem> Ledger::save_items(std::int64_t job_id, std::vector<JobItem> items) {
  return ledger::in_transaction(*impl_, Tx::write, "cannot record the items",
                                [&](Db& db) {
                                  Query insert = db.prepare(
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
                                    if (insert.step()) item.id = insert.i64(0);
                                    insert.reset();
                                    item.job_id = job_id;
                                  }
                                  return std::move(items);
                                });
}

void Ledger::record_outcomes(const std::vector<ItemOutcome>& outcomes) {
  ledger::in_transaction(*impl_, Tx::write, "cannot record the outcomes", [&](Db& db) {
    Query update = db.prepare("UPDATE items SET size = ?, mtime_ns = ?, sha256 = ?, state = ?, output_path = ?, "
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
      Query touch = db.prepare("UPDATE jobs SET updated = ? WHERE id = ?");
      touch.bind(1, now);
      touch.bind(2, outcomes.front().item.job_id);
      touch.exec();
    }
    return 0;
  });
}

}  // namespace esign
