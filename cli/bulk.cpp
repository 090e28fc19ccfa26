// `esign bulk`: sign a folder into another as a resumable job; SIGINT/SIGTERM stop it cleanly.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.h"
#include "esign/bulk.h"
#include "esign/operation.h"
#include "esign/error.h"
#include "esign/timestamp.h"
#include "progress_bar.h"
#include "terminal.h"

namespace esign::cli {

namespace {

struct BulkArgs {
  std::string in_dir;
  std::string profile;
  std::string out_dir;
  unsigned jobs = 0;
  bool recursive = false;
  std::vector<std::string> include, exclude;
  std::string report;
  bool dry_run = false, watch = false, fresh = false, force = false, wait = false;
  double settle = 2.0;
  int lease = 60;
  std::string level, format, reason, location;
  bool visible = false;
  bool allow_hidden_content = false;
};

// Turns SIGINT/SIGTERM into a stop request for the library (which installs no handlers).
class SignalStop {
 public:
  SignalStop() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR2);                 // only to wake the waiter when the run is over
    pthread_sigmask(SIG_BLOCK, &set_, &old_);  // inherited by every thread started from here on
    waiter_ = std::thread([this] {
      while (!done_) {
        int sig = sigwaitinfo(&set_, nullptr);
        if (sig == SIGINT || sig == SIGTERM) {
          signal_ = sig;
          source_.request_stop();
        }
      }
    });
  }
  ~SignalStop() {
    done_ = true;
    pthread_kill(waiter_.native_handle(), SIGUSR2);
    waiter_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  std::stop_token token() const { return source_.get_token(); }
  int signal() const { return signal_; }

 private:
  sigset_t set_{}, old_{};
  std::stop_source source_;
  std::atomic<bool> done_{false};
  std::atomic<int> signal_{0};
  std::thread waiter_;
};

ExitCode run(const BulkArgs& a, Context& ctx) {
  BulkOptions o;
  o.in_dir = a.in_dir;
  o.out_dir = a.out_dir;
  o.jobs = a.jobs;
  o.recursive = a.recursive;
  o.include = a.include;
  o.exclude = a.exclude;
  if (!a.report.empty()) o.report = a.report;
  o.dry_run = a.dry_run;
  o.watch = a.watch;
  o.fresh = a.fresh;
  o.force = a.force;
  o.wait = a.wait;
  o.settle = std::chrono::milliseconds(static_cast<long>(a.settle * 1000));
  o.lease = std::chrono::seconds(a.lease);
  if (!a.level.empty()) o.sign.level = parse_signature_level(a.level, "--level");
  if (!a.format.empty()) o.sign.format = parse_signature_format(a.format, "--format");
  if (!a.reason.empty()) o.sign.reason = a.reason;
  if (!a.location.empty()) o.sign.location = a.location;
  o.sign.visible = a.visible;
  o.sign.allow_hidden_content = a.allow_hidden_content;

  Profile profile = load_profile(a.profile);
  // Who may use the profile is settled before any key is opened.
  Operation operation = ctx.operation("sign", &profile);
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  std::unique_ptr<Signer> signer = operation.open_signer(secrets);
  std::unique_ptr<Timestamper> timestamper = open_timestamper(profile, secrets);
  o.sign.timestamper = timestamper.get();

  SignalStop signals;
  BulkSummary s;
  {
    ProgressBar bar(ctx.quiet || ctx.json, a.dry_run);
    s = run_bulk(operation, *signer, o, bar, signals.token());
  }
  if (ctx.json) {
    nlohmann::json doc = a.dry_run ? nlohmann::json{{"dry_run", true}, {"planned", s.planned}, {"skipped", s.skipped}}
                                   : nlohmann::json{{"job", s.job_id},         {"signed", s.signed_count},
                                                    {"skipped", s.skipped},    {"failed", s.failed},
                                                    {"stopped", s.stopped}};
    fmt::print("{}\n", doc.dump(2));
  } else if (a.dry_run) {
    fmt::print("{} to sign, {} up to date\n", s.planned, s.skipped);
  } else {
    fmt::print("{} signed, {} skipped, {} failed{}\n", s.signed_count, s.skipped, s.failed,
               s.stopped ? " (stopped before the end; run the same command again to continue)" : "");
  }
  // A hot folder ends with a signal by design; a batch stopped by one says so in its exit code.
  if (!a.watch && signals.signal() == SIGINT) return ExitCode::interrupted;
  if (!a.watch && signals.signal() == SIGTERM) return ExitCode::terminated;
  return s.failed > 0 ? ExitCode::failed : ExitCode::ok;
}

}  // namespace

Command add_bulk(CLI::App& root, Context& ctx) {
  auto a = std::make_shared<BulkArgs>();
  CLI::App* app = root.add_subcommand("bulk", "Sign every file of a folder into another folder, as a resumable job");
  app->add_option("dir", a->in_dir, "The folder to sign")->required();
  app->add_option("-p,--profile", a->profile, "Signing profile: a name or a path to a YAML file")->required();
  app->add_option("--out-dir", a->out_dir, "Where the signed files go (not the input folder or inside it)")->required();
  app->add_option("-j,--jobs", a->jobs, "Worker threads (default, or 0: one per core)");
  app->add_flag("-r,--recursive", a->recursive, "Include sub-folders, mirrored under --out-dir");
  app->add_option("--include", a->include, "Only files matching this glob (repeatable)")->allow_extra_args(false);
  app->add_option("--exclude", a->exclude, "Leave out files matching this glob (repeatable)")->allow_extra_args(false);
  app->add_option("--report", a->report, "Write one row per file to FILE.csv or FILE.json");
  app->add_flag("--dry-run", a->dry_run, "List what would be signed; sign nothing");
  CLI::Option* watch = app->add_flag("--watch", a->watch, "Keep running and sign files as they appear; SIGINT/SIGTERM end it (exit 0, or 1 after failures)");
  app->add_option("--settle", a->settle, "--watch: seconds a new file must stay unchanged before it is signed (default 2)")
      ->needs(watch);
  app->add_option("--lease", a->lease,
                  "Seconds the items this process claims stay its own unless renewed; another process or host "
                  "sharing the ledger takes them back after a crash once this has passed (default 60)")
      ->check(CLI::Range(3, 86400));
  app->add_flag("--fresh", a->fresh, "Start a new job instead of continuing the last one for these folders");
  app->add_flag("--force", a->force, "Overwrite outputs that this job did not write");
  app->add_flag("--wait", a->wait, "Wait for another esign bulk using the output folder instead of refusing");
  app->add_option("--level", a->level, "Signature level: B-B; B-T, B-LT (with validation data) or B-LTA (with a document timestamp) need the profile's timestamp: TSA")->check(CLI::IsMember({"B-B", "B-T", "B-LT", "B-LTA"}));
  app->add_option("--format", a->format, "auto (PDF -> pades, other -> cades), pades or cades")
      ->check(CLI::IsMember({"auto", "pades", "cades"}));
  app->add_option("--reason", a->reason, "Reason for signing (overrides the profile)");
  app->add_option("--location", a->location, "Location of signing (overrides the profile)");
  app->add_flag("--visible", a->visible, "Draw the default signature box when the profile has no appearance section");
  app->add_flag("--allow-hidden-content", a->allow_hidden_content,
                "Sign PDFs that hide content a later update could show (otherwise such a file fails its item)");
  return {app, [a, &ctx] { return run(*a, ctx); }};
}

}  // namespace esign::cli
