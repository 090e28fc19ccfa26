// run_bulk resuming a job from the ledger and the disk together: done and unchanged is skipped,
// failed is retried, changed inputs and lost outputs are signed again, outputs of a killed run
// are cleaned up or adopted only when they verify. A real signer, a ledger on a temp SQLite file.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <thread>

#include "esign/bulk.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/operation.h"
#include "esign/output.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "esign/verify.h"
#include "fixtures.h"
#include "test_ledger.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

const fs::path& pki() {
  static const fs::path dir = test::fixtures("bulk") / "pki";
  return dir;
}

struct Recorder : BulkProgress {
  std::int64_t job_id = 0;
  bool resumed = false;
  std::size_t total = 0, to_do = 0;
  std::map<std::string, BulkItemResult> results;  // by input path
  void started(std::int64_t id, bool r, std::size_t t, std::size_t d) override {
    job_id = id;
    resumed = r;
    total = t;
    to_do = d;
  }
  void grew(std::size_t) override {}
  void finished_item(const BulkItemResult& r) override { results[r.input] = r; }
  std::string status(const std::string& input) const {
    auto it = results.find(input);
    return it == results.end() ? "not reported" : it->second.status;
  }
};

struct Run {
  BulkSummary summary;
  Recorder progress;
};

// An input folder with a.txt b.txt c.txt, an output folder, a ledger, and the rsa test signer.
struct BulkJob {
  test::TempDir dir;
  fs::path in = dir / "in", out = dir / "out", ledger_file = esign::test::ledger_location(dir.path());
  Profile profile = load_profile((pki() / "rsa.yaml").string());
  std::unique_ptr<Signer> signer = open_signer(profile, SecretResolver());

  BulkJob() {
    fs::create_directories(in);
    for (const char* f : {"a.txt", "b.txt", "c.txt"}) test::write_file(in / f, std::string("contents of ") + f);
  }

  Run run(std::function<void(BulkOptions&)> adjust = nullptr, const std::string& profile_file = "rsa.yaml") {
    BulkOptions o;
    o.in_dir = in;
    o.out_dir = out;
    o.jobs = 2;
    if (adjust) adjust(o);
    Profile p = profile_file == "rsa.yaml" ? profile : load_profile((pki() / profile_file).string());
    std::unique_ptr<Signer> other = profile_file == "rsa.yaml" ? nullptr : open_signer(p, SecretResolver());
    Ledger ledger = Ledger::open(ledger_file);
    Operation operation = sign_operation(ledger, p);
    Run r;
    r.summary = run_bulk(operation, other ? *other : *signer, o, r.progress, std::stop_token());
    return r;
  }

  // The operation as the CLI makes it; nobody is logged in (the session state is this test's own).
  Operation sign_operation(Ledger& ledger, const Profile& p) const {
    ::setenv("XDG_STATE_HOME", (dir / "state").c_str(), 1);
    return Operation(ledger, AuthConfig{}, "sign", &p, KeyPurpose::use);
  }

  Ledger ledger() const { return Ledger::open(ledger_file); }
  std::map<std::string, JobItem> items(std::int64_t job) const {
    std::map<std::string, JobItem> out;
    for (JobItem& i : ledger().items(job)) out[i.path] = i;
    return out;
  }
  fs::path output(const std::string& input) const { return out / (input + ".p7s"); }
};

// The detached signature verifies over the input with the test PKI, nothing asked online.
bool signature_verifies(const fs::path& p7s, const fs::path& data) {
  VerifyOptions o;
  o.trust = {pki() / "root.pem"};
  o.offline = true;
  o.revocation = RevocationPolicy::off;
  FileReport r = Verifier(o).verify_file(p7s, data);
  return r.valid;
}

struct Stamp {
  ino_t inode;
  std::int64_t mtime_ns;
  bool operator==(const Stamp&) const = default;
};
Stamp stamp_of(const fs::path& p) {
  struct stat st {};
  BOOST_REQUIRE(::stat(p.c_str(), &st) == 0);
  return {st.st_ino, static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

std::size_t temporaries_in(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += is_temporary_output(e.path());
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(resume)

BOOST_AUTO_TEST_CASE(a_first_run_signs_everything_and_records_it) {
  BulkJob job;
  Run r = job.run();
  BOOST_TEST(r.summary.signed_count == 3u);
  BOOST_TEST(r.summary.failed == 0u);
  BOOST_TEST(!r.summary.stopped);
  BOOST_TEST(!r.progress.resumed);
  BOOST_TEST(r.progress.to_do == 3u);
  for (const char* f : {"a.txt", "b.txt", "c.txt"}) {
    BOOST_TEST(signature_verifies(job.output(f), job.in / f), f);
    const JobItem item = job.items(r.summary.job_id).at(f);
    BOOST_TEST(item.state == "done");
    BOOST_TEST(item.output_path == std::string(f) + ".p7s");
    BOOST_TEST(item.sha256 == sha256_file_hex(job.in / f));
    BOOST_TEST(item.output_sha256 == sha256_file_hex(job.output(f)));
  }
  BOOST_TEST(job.ledger().job(r.summary.job_id)->state == "done");
  std::size_t sign_events = 0;
  for (const AuditEvent& e : job.ledger().events())
    if (e.operation == "sign" && e.outcome == "ok") ++sign_events;
  BOOST_TEST(sign_events == 3u);
  BOOST_TEST(temporaries_in(job.out) == 0u);
}

BOOST_AUTO_TEST_CASE(a_rerun_skips_what_is_done_and_touches_no_output) {
  BulkJob job;
  const Run first = job.run();
  const Stamp before = stamp_of(job.output("a.txt"));
  const Run again = job.run();
  BOOST_TEST(again.summary.job_id == first.summary.job_id, "the same job continues");
  BOOST_TEST(again.progress.resumed);
  BOOST_TEST(again.summary.skipped == 3u);
  BOOST_TEST(again.summary.signed_count == 0u);
  BOOST_TEST(again.progress.to_do == 0u);
  BOOST_TEST((stamp_of(job.output("a.txt")) == before), "the output was rewritten");
}

BOOST_AUTO_TEST_CASE(a_changed_input_is_signed_again_the_rest_skipped) {
  BulkJob job;
  const Run first = job.run();
  test::write_file(job.in / "b.txt", "contents of b.txt, edited after signing");
  const std::string old_output = test::read_file(job.output("b.txt"));
  const Run again = job.run();
  BOOST_TEST(again.summary.signed_count == 1u);
  BOOST_TEST(again.summary.skipped == 2u);
  BOOST_TEST(again.progress.status("b.txt") == "signed");
  BOOST_TEST(test::read_file(job.output("b.txt")) != old_output);
  BOOST_TEST(signature_verifies(job.output("b.txt"), job.in / "b.txt"), "the new output signs the new contents");
  BOOST_TEST(job.items(first.summary.job_id).at("b.txt").sha256 == sha256_file_hex(job.in / "b.txt"));
}

// Same size, same contents, only the modification time moved: size + mtime say "changed".
BOOST_AUTO_TEST_CASE(a_touched_input_is_signed_again) {
  BulkJob job;
  job.run();
  struct timespec times[2] = {{0, UTIME_OMIT}, {1700000000, 0}};
  BOOST_REQUIRE(::utimensat(AT_FDCWD, (job.in / "c.txt").c_str(), times, 0) == 0);
  const Run again = job.run();
  BOOST_TEST(again.summary.signed_count == 1u);
  BOOST_TEST(again.progress.status("c.txt") == "signed");
}

BOOST_AUTO_TEST_CASE(a_new_input_joins_the_job) {
  BulkJob job;
  job.run();
  test::write_file(job.in / "d.txt", "a late file");
  const Run again = job.run();
  BOOST_TEST(again.summary.signed_count == 1u);
  BOOST_TEST(again.summary.skipped == 3u);
  BOOST_TEST(again.progress.total == 4u);
  BOOST_TEST(signature_verifies(job.output("d.txt"), job.in / "d.txt"));
}

BOOST_AUTO_TEST_CASE(a_lost_output_is_signed_again) {
  BulkJob job;
  job.run();
  fs::remove(job.output("a.txt"));
  const Run again = job.run();
  BOOST_TEST(again.summary.signed_count == 1u);
  BOOST_TEST(again.progress.status("a.txt") == "signed");
  BOOST_TEST(signature_verifies(job.output("a.txt"), job.in / "a.txt"));
}

// An output the ledger did not write fails its item and is kept; the item is retried on every run
// (a failure is never "done"), and signs once the obstacle is gone.
BOOST_AUTO_TEST_CASE(failed_items_are_retried_until_they_succeed) {
  BulkJob job;
  fs::create_directories(job.out);
  test::write_file(job.output("b.txt"), "someone else's file");
  const Run first = job.run();
  BOOST_TEST(first.summary.signed_count == 2u);
  BOOST_TEST(first.summary.failed == 1u);
  BOOST_TEST(first.progress.status("b.txt") == "failed");
  BOOST_TEST(first.progress.results.at("b.txt").error.find("output exists") != std::string::npos);
  BOOST_TEST(test::read_file(job.output("b.txt")) == "someone else's file");
  BOOST_TEST(job.ledger().job(first.summary.job_id)->state == "failed");
  BOOST_TEST(job.items(first.summary.job_id).at("b.txt").state == "failed");

  const Run second = job.run();
  BOOST_TEST(second.summary.skipped == 2u);
  BOOST_TEST(second.summary.failed == 1u, "retried, and failing again for the same reason");
  BOOST_TEST(second.progress.to_do == 1u);

  fs::remove(job.output("b.txt"));
  const Run third = job.run();
  BOOST_TEST(third.summary.signed_count == 1u);
  BOOST_TEST(third.summary.skipped == 2u);
  BOOST_TEST(third.summary.failed == 0u);
  BOOST_TEST(signature_verifies(job.output("b.txt"), job.in / "b.txt"));
  BOOST_TEST(job.ledger().job(first.summary.job_id)->state == "done");
  const Job counts = *job.ledger().job(first.summary.job_id);
  BOOST_TEST(counts.done == 3);
  BOOST_TEST(counts.failed == 0);
}

// The ledger wrote it, then someone changed it: it is not the ledger's output any more, so it is
// not overwritten without force.
BOOST_AUTO_TEST_CASE(an_output_changed_after_signing_is_kept_unless_forced) {
  BulkJob job;
  job.run();
  test::write_file(job.output("c.txt"), "edited by hand");
  const Run again = job.run();
  BOOST_TEST(again.progress.status("c.txt") == "failed");
  BOOST_TEST(test::read_file(job.output("c.txt")) == "edited by hand");
  const Run forced = job.run([](BulkOptions& o) { o.force = true; });
  BOOST_TEST(forced.progress.status("c.txt") == "signed");
  BOOST_TEST(signature_verifies(job.output("c.txt"), job.in / "c.txt"));
}

// A run killed while writing: its items are still pending and its temporaries lie in the output
// folder. The re-run removes those temporaries (only this job's) and signs the items.
BOOST_AUTO_TEST_CASE(pending_items_with_temporaries_are_cleaned_up_and_signed) {
  BulkJob job;
  const Run first = job.run();
  Ledger ledger = job.ledger();
  JobItem a = job.items(first.summary.job_id).at("a.txt");
  a.state = "pending";
  ledger.save_items(first.summary.job_id, {a});
  fs::remove(job.output("a.txt"));
  test::write_file(job.out / ".a.txt.p7s.esign-tmp-Zq81xk", "half a signature");
  test::write_file(job.out / ".other.pdf.esign-tmp-Ab12Cd", "another command's output in progress");
  const Run again = job.run();
  BOOST_TEST(again.summary.signed_count == 1u);
  BOOST_TEST(again.summary.skipped == 2u);
  BOOST_TEST(!fs::exists(job.out / ".a.txt.p7s.esign-tmp-Zq81xk"));
  BOOST_TEST(fs::exists(job.out / ".other.pdf.esign-tmp-Ab12Cd"), "not this job's temporary");
  BOOST_TEST(signature_verifies(job.output("a.txt"), job.in / "a.txt"));
}

// A run killed between an output's rename and its ledger commit (here: a new job over the same
// folders) finds complete outputs the ledger does not know. Each is adopted only when it is this
// signer's intact signature over this very input; anything else is left alone and fails.
BOOST_AUTO_TEST_CASE(outputs_of_an_interrupted_run_are_adopted_only_when_they_verify) {
  BulkJob job;
  job.run();
  const Stamp kept = stamp_of(job.output("a.txt"));
  // b's output now holds c's signature: intact, this signer, the wrong input.
  fs::copy_file(job.output("c.txt"), job.output("b.txt"), fs::copy_options::overwrite_existing);
  const std::string b_before = test::read_file(job.output("b.txt"));
  const Run again = job.run([](BulkOptions& o) { o.fresh = true; });
  BOOST_TEST(again.progress.status("a.txt") == "signed");
  BOOST_TEST(again.progress.status("c.txt") == "signed");
  BOOST_TEST((stamp_of(job.output("a.txt")) == kept), "adopted as it is, not signed again");
  BOOST_TEST(again.progress.status("b.txt") == "failed");
  BOOST_TEST(test::read_file(job.output("b.txt")) == b_before);
  bool noted = false;
  for (const AuditEvent& e : job.ledger().events())
    noted = noted || e.detail.find("output of an interrupted run, verified and kept") != std::string::npos;
  BOOST_TEST(noted, "the audit log says the output was adopted");
  BOOST_TEST(job.items(again.summary.job_id).at("a.txt").output_sha256 == sha256_file_hex(job.output("a.txt")));
}

BOOST_AUTO_TEST_CASE(outputs_signed_by_another_key_are_not_adopted) {
  BulkJob job;
  job.run({}, "ec256.yaml");
  const Run again = job.run([](BulkOptions& o) { o.fresh = true; });
  BOOST_TEST(again.summary.failed == 3u);
  BOOST_TEST(again.summary.signed_count == 0u);
}

BOOST_AUTO_TEST_CASE(a_dry_run_plans_from_the_ledger_and_signs_nothing) {
  BulkJob job;
  job.run();
  test::write_file(job.in / "b.txt", "changed");
  test::write_file(job.in / "d.txt", "new");
  const Stamp before = stamp_of(job.output("b.txt"));
  const Run plan = job.run([](BulkOptions& o) { o.dry_run = true; });
  BOOST_TEST(plan.summary.planned == 2u);
  BOOST_TEST(plan.summary.skipped == 2u);
  BOOST_TEST(plan.progress.status("b.txt") == "planned");
  BOOST_TEST(plan.progress.status("d.txt") == "planned");
  BOOST_TEST(plan.progress.status("a.txt") == "skipped");
  BOOST_TEST(!fs::exists(job.output("d.txt")));
  BOOST_TEST((stamp_of(job.output("b.txt")) == before));
}

// "Signs nothing, writes nothing": not even the report, the output folder or a job.
BOOST_AUTO_TEST_CASE(a_dry_run_writes_no_report_no_folder_and_no_job) {
  BulkJob job;
  const Run plan = job.run([&](BulkOptions& o) {
    o.dry_run = true;
    o.report = job.dir / "plan.csv";
  });
  BOOST_TEST(plan.summary.planned == 3u);
  BOOST_TEST(!fs::exists(job.dir / "plan.csv"));
  BOOST_TEST(!fs::exists(job.out));
  BOOST_TEST(job.ledger().jobs().empty());
}

BOOST_AUTO_TEST_CASE(the_report_has_a_row_per_file_skipped_ones_first) {
  BulkJob job;
  job.run();
  test::write_file(job.in / "b.txt", "changed, so signed again");
  job.run([&](BulkOptions& o) { o.report = job.dir / "run.csv"; });
  job.run([&](BulkOptions& o) { o.report = job.dir / "run.json"; });
  const std::string csv = test::read_file(job.dir / "run.csv");
  BOOST_TEST(csv.rfind("input,output,input_sha256,output_sha256,status,error,ms\n", 0) == 0u);
  BOOST_TEST(csv.find("a.txt,a.txt.p7s," + sha256_file_hex(job.in / "a.txt")) != std::string::npos, csv);
  BOOST_TEST(csv.find(",skipped,") < csv.find(",signed,"), "skipped rows come first");
  BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == 4);
  const std::string json = test::read_file(job.dir / "run.json");
  BOOST_TEST(json.rfind("{\"files\": [", 0) == 0u);
  BOOST_TEST(json.find("\"status\":\"skipped\"") != std::string::npos, json);
  BOOST_TEST(json.find("\"signed\"") == std::string::npos, "nothing left to sign");
}

BOOST_AUTO_TEST_CASE(a_missing_input_folder_is_a_usage_error) {
  BulkJob job;
  try {
    job.run([&](BulkOptions& o) { o.in_dir = job.dir / "missing"; });
    BOOST_FAIL("accepted");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::usage));
  }
}

// Another process signing into the same output folder holds a lock on it (flock, released by
// the kernel if that process dies): this run refuses at once, or with `wait` waits its turn.
BOOST_AUTO_TEST_CASE(a_locked_output_folder_is_a_conflict_unless_waiting) {
  BulkJob job;
  fs::create_directories(job.out);
  const int fd = ::open(job.out.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  BOOST_REQUIRE(fd >= 0);
  BOOST_REQUIRE(::flock(fd, LOCK_EX) == 0);
  try {
    job.run();
    BOOST_ERROR("ran while the folder was locked");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::conflict));
  }
  BOOST_TEST(!fs::exists(job.output("a.txt")));
  std::jthread release([fd] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::close(fd);
  });
  const auto start = std::chrono::steady_clock::now();
  const Run waited = job.run([](BulkOptions& o) { o.wait = true; });
  BOOST_TEST((std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(250)), "it did not wait");
  BOOST_TEST(waited.summary.signed_count == 3u);
}

BOOST_AUTO_TEST_CASE(hidden_and_excluded_files_are_not_part_of_the_job) {
  BulkJob job;
  test::write_file(job.in / ".draft.txt", "hidden");
  test::write_file(job.in / "notes.md", "excluded");
  const Run r = job.run([](BulkOptions& o) { o.exclude = {"*.md"}; });
  BOOST_TEST(r.progress.total == 3u);
  BOOST_TEST(!fs::exists(job.output(".draft.txt")));
  BOOST_TEST(!fs::exists(job.output("notes.md")));
}

BOOST_AUTO_TEST_CASE(an_output_folder_inside_the_input_folder_is_refused) {
  BulkJob job;
  for (const fs::path& out : {job.in / "signed", job.in, fs::path(job.in / "sub" / "..")}) {
    try {
      job.run([&](BulkOptions& o) { o.out_dir = out; });
      BOOST_ERROR(out << " accepted");
    } catch (const Error& e) {
      BOOST_TEST((e.code() == Errc::usage), out);
    }
  }
  BOOST_TEST(!fs::exists(job.in / "signed"), "not even created");
}

BOOST_AUTO_TEST_CASE(a_stop_requested_before_the_start_signs_nothing_and_marks_the_job_interrupted) {
  BulkJob job;
  std::stop_source stop;
  stop.request_stop();
  BulkOptions o;
  o.in_dir = job.in;
  o.out_dir = job.out;
  o.jobs = 1;
  Recorder progress;
  Ledger ledger = job.ledger();
  Operation operation = job.sign_operation(ledger, job.profile);
  const BulkSummary s = run_bulk(operation, *job.signer, o, progress, stop.get_token());
  BOOST_TEST(s.stopped);
  BOOST_TEST(s.signed_count == 0u);
  BOOST_TEST(ledger.job(s.job_id)->state == "interrupted");
  BOOST_TEST(ledger.job(s.job_id)->pending == 3);
  // The next run takes the pending items.
  const Run resumed = job.run();
  BOOST_TEST(resumed.progress.resumed);
  BOOST_TEST(resumed.summary.signed_count == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
