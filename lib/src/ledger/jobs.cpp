// The jobs and items of esign bulk, and recording their outcomes with audit events.
#include <fmt/format.h>

#include <algorithm>
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
    "id, job_id, path, size, mtime_ns, sha256, state, output_path, output_sha256, detail, ms, updated, host";

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
  i.host = q.text(12);
  return i;
}

// Inserts a running job; returns its id.
std::int64_t insert_job(Db& db, const std::string& key, const std::string& profile, const std::string& source_dir,
                        const std::string& out_dir) {
  Query q = db.prepare(
      "INSERT INTO jobs (key, created, updated, profile, source_dir, out_dir, state) "
      "VALUES (?, ?, ?, ?, ?, ?, 'running') RETURNING id");
  const std::string now = ledger::utc_now();
  q.bind(1, key);
  q.bind(2, now);
  q.bind(3, now);
  q.bind(4, profile);
  q.bind(5, source_dir);
  q.bind(6, out_dir);
  q.step();
  return q.i64(0);
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
  const std::int64_t id = ledger::in_transaction(*impl_, Tx::write, "cannot create the job", [&](Db& db) {
    return insert_job(db, key, profile, source_dir, out_dir);
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

Job Ledger::find_or_create_job(const std::string& key, const std::string& profile, const std::string& source_dir,
                               const std::string& out_dir, bool& found) {
  const std::int64_t id = ledger::in_transaction(*impl_, Tx::write, "cannot create the job", [&](Db& db) {
    Query find = db.prepare("SELECT id FROM jobs WHERE key = ? ORDER BY id DESC LIMIT 1");
    find.bind(1, key);
    found = find.step();
    return found ? find.i64(0) : insert_job(db, key, profile, source_dir, out_dir);
  });
  return *job(id);
}

std::vector<JobItem> Ledger::save_items(std::int64_t job_id, std::vector<JobItem> items) {
  return ledger::in_transaction(*impl_, Tx::write, "cannot record the items",
                                [&](Db& db) {
                                  Query insert = db.prepare(
                                      "INSERT INTO items (job_id, path, size, mtime_ns, sha256, state, output_path, "
                                      "output_sha256, detail, ms, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                      "ON CONFLICT (job_id, path) DO UPDATE SET size = excluded.size, "
                                      "mtime_ns = excluded.mtime_ns, state = excluded.state, output_path = excluded.output_path, "
                                      "updated = excluded.updated "
                                      "WHERE items.state <> 'done' OR items.output_sha256 = excluded.output_sha256 "
                                      "OR items.size <> excluded.size OR items.mtime_ns <> excluded.mtime_ns RETURNING id");
                                  const std::string now = ledger::utc_now();
                                  std::vector<JobItem> saved;
                                  saved.reserve(items.size());
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
                                    const bool written = insert.step();
                                    if (written) item.id = insert.i64(0);
                                    insert.reset();
                                    item.job_id = job_id;
                                    if (written) saved.push_back(std::move(item));
                                  }
                                  return saved;
                                });
}

void Ledger::record_outcomes(const std::vector<ItemOutcome>& outcomes, const Lease& lease) {
  ledger::in_transaction(*impl_, Tx::write, "cannot record the outcomes", [&](Db& db) {
    const std::string now = ledger::utc_now();
    std::vector<const NewEvent*> events;
    events.reserve(outcomes.size());
    // Up to kRowsPerStatement items per UPDATE, their values in a VALUES list (column1, ...: the
    // names both databases give it). Typed by CAST, so that PostgreSQL knows them.
    for (std::size_t start = 0; start < outcomes.size(); start += ledger::kRowsPerStatement) {
      const std::size_t rows = std::min(ledger::kRowsPerStatement, outcomes.size() - start);
      Query update = db.prepare(fmt::format(
          "UPDATE items SET updated = ?, host = ?, size = v.column2, mtime_ns = v.column3, sha256 = v.column4, "
          "state = v.column5, output_path = v.column6, output_sha256 = v.column7, detail = v.column8, "
          "ms = v.column9, lease_owner = '', lease_expires = 0 FROM (VALUES {}) AS v "
          "WHERE items.id = v.column1 AND (items.lease_owner = ? OR (items.lease_owner = '' AND items.state <> 'done'))",
          ledger::repeated_rows("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), "
                                "CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT))",
                                rows)));
      int p = 0;
      update.bind(++p, now);
      update.bind(++p, lease.host);
      for (std::size_t n = start; n < start + rows; ++n) {
        const JobItem& i = outcomes[n].item;
        update.bind(++p, i.id);
        update.bind(++p, i.size);
        update.bind(++p, i.mtime_ns);
        update.bind(++p, i.sha256);
        update.bind(++p, i.state);
        update.bind(++p, i.output_path);
        update.bind(++p, i.output_sha256);
        update.bind(++p, i.detail);
        update.bind(++p, i.ms);
        events.push_back(&outcomes[n].event);
      }
      update.bind(++p, lease.owner);
      update.exec();
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

namespace esign {

std::vector<JobItem> Ledger::claim_items(std::int64_t job_id, const Lease& lease, std::size_t max, std::int64_t until,
                                         std::int64_t now) {
  return ledger::in_transaction(*impl_, Tx::lease, "cannot claim items", [&](Db& db) {
    // SQLite has one writer at a time and no row locks; PostgreSQL's writers are serialized too,
    // and SKIP LOCKED keeps a claim from waiting on rows another statement holds all the same.
    const char* lock = db.backend() == ledger::Backend::postgresql ? " FOR UPDATE SKIP LOCKED" : "";
    Query q = db.prepare(fmt::format(
        "UPDATE items SET lease_owner = ?, lease_expires = ? WHERE id IN (SELECT id FROM items "
        "WHERE job_id = ? AND state = 'pending' AND lease_expires <= ? ORDER BY path LIMIT ?{}) RETURNING {}",
        lock, kItemColumns));
    q.bind(1, lease.owner);
    q.bind(2, until);
    q.bind(3, job_id);
    q.bind(4, now);
    q.bind(5, static_cast<std::int64_t>(max));
    std::vector<JobItem> out;
    while (q.step()) out.push_back(read_item(q));
    std::sort(out.begin(), out.end(), [](const JobItem& a, const JobItem& b) { return a.path < b.path; });
    return out;
  });
}

void Ledger::renew_leases(const Lease& lease, std::int64_t until) {
  ledger::in_transaction(*impl_, Tx::lease, "cannot renew the leases", [&](Db& db) {
    Query q = db.prepare("UPDATE items SET lease_expires = ? WHERE lease_owner = ? AND state = 'pending'");
    q.bind(1, until);
    q.bind(2, lease.owner);
    return q.exec();
  });
}

void Ledger::release_leases(const Lease& lease) {
  ledger::in_transaction(*impl_, Tx::lease, "cannot end the leases", [&](Db& db) {
    Query q = db.prepare("UPDATE items SET lease_owner = '', lease_expires = 0 WHERE lease_owner = ? AND state = 'pending'");
    q.bind(1, lease.owner);
    return q.exec();
  });
}

LeasedItems Ledger::leased_items(std::int64_t job_id, std::int64_t now, const Lease& except) const {
  return ledger::in_transaction(*impl_, Tx::read, "cannot read items", [&](Db& db) {
    Query q = db.prepare(
        "SELECT COUNT(*), COALESCE(MIN(lease_expires), 0) FROM items "
        "WHERE job_id = ? AND state = 'pending' AND lease_expires > ? AND lease_owner <> ?");
    q.bind(1, job_id);
    q.bind(2, now);
    q.bind(3, except.owner);
    LeasedItems out;
    if (q.step()) out = LeasedItems{q.i64(0), q.i64(1)};
    return out;
  });
}

std::vector<JobHost> Ledger::job_hosts(std::int64_t job_id) const {
  return ledger::in_transaction(*impl_, Tx::read, "cannot read items", [&](Db& db) {
    Query q = db.prepare(
        "SELECT host, SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) FROM items "
        "WHERE job_id = ? AND host <> '' GROUP BY host ORDER BY host");
    q.bind(1, job_id);
    std::vector<JobHost> out;
    while (q.step()) out.push_back(JobHost{q.text(0), q.i64(1), q.i64(2)});
    return out;
  });
}

std::vector<std::string> Ledger::lease_owners(std::int64_t job_id, std::int64_t now) const {
  return ledger::in_transaction(*impl_, Tx::read, "cannot read items", [&](Db& db) {
    Query q = db.prepare(
        "SELECT DISTINCT lease_owner FROM items WHERE job_id = ? AND state = 'pending' AND lease_expires > ? "
        "ORDER BY lease_owner");
    q.bind(1, job_id);
    q.bind(2, now);
    std::vector<std::string> out;
    while (q.step()) out.push_back(q.text(0));
    return out;
  });
}

std::string Ledger::backend() const {
  return impl_->db->backend() == ledger::Backend::sqlite ? "sqlite" : "postgresql";
}

}  // namespace esign
