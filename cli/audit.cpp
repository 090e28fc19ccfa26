// `esign audit log|verify|anchor|jobs|show`: the ledger's audit events, their hash chain and its
// time-stamp anchors, bulk jobs.
#include <cstddef>
#include <cstdio>
#include <memory>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "context.h"
#include "esign/anchor.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/profile.h"
#include "terminal.h"

namespace esign::cli {

namespace {

struct AuditArgs {
  bool log_json = false;
  std::size_t limit = 0;  // 0: every event
  bool verify_json = false;
  std::vector<std::string> trust;  // verify: trust anchors for the anchors' TSAs
  std::string tsa, profile;        // anchor
  bool anchor_json = false;
  bool jobs_json = false;
  bool show_json = false;
  std::int64_t job_id = 0;
};

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

// Paths are bytes, not necessarily UTF-8: replace what JSON cannot carry rather than fail.
void print_json(const nlohmann::ordered_json& doc) {
  fmt::print("{}\n", doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

nlohmann::ordered_json event_json(const AuditEvent& e) {
  return {
      {"id", e.id},
      {"time", e.time},
      {"operation", e.operation},
      {"profile", e.profile},
      {"user", e.user},
      {"input_path", e.input_path},
      {"input_sha256", e.input_sha256},
      {"output_path", e.output_path},
      {"output_sha256", e.output_sha256},
      {"outcome", e.outcome},
      {"signer_fingerprint", e.signer_fingerprint},
      {"detail", e.detail},
      {"prev_hash", e.prev_hash},
      {"hash", e.hash},
  };
}

ExitCode run_log(const AuditArgs& args, Context& ctx) {
  Ledger& ledger = ctx.ledger();
  const auto events = args.limit == 0 ? ledger.events() : ledger.last_events(args.limit);
  if (ctx.json || args.log_json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const AuditEvent& e : events) list.push_back(event_json(e));
    print_json({{"events", std::move(list)}});
    return ExitCode::ok;
  }
  for (const AuditEvent& e : events) {
    fmt::print("{:>6}  {}  {:<8}  {:<8}  {}  {}\n", e.id, e.time, or_dash(e.operation), or_dash(e.outcome),
               or_dash(e.input_path), or_dash(e.output_path));
  }
  return ExitCode::ok;
}

nlohmann::ordered_json anchor_json(const Anchor& a) {
  return {{"id", a.id}, {"event", a.event_id}, {"head_hash", a.head_hash}, {"time", a.time}, {"tsa", a.tsa},
          {"tsa_url", a.tsa_url}};
}

ExitCode run_verify(const AuditArgs& args, Context& ctx) {
  Ledger& ledger = ctx.ledger();
  const ChainCheck check = ledger.verify_chain();
  std::vector<std::filesystem::path> trust(args.trust.begin(), args.trust.end());
  const AnchorsCheck anchors = check_anchors(ledger, trust);
  const bool ok = check.ok && anchors.ok;
  if (ctx.json || args.verify_json) {
    nlohmann::ordered_json doc = {{"ledger", ledger.path().string()}, {"ok", ok}, {"events", check.events}};
    if (check.ok) {
      doc["head_hash"] = check.head_hash;
    } else {
      doc["first_bad_id"] = check.first_bad_id;
      doc["reason"] = check.reason;
    }
    doc["anchors"] = anchors.checks.size();
    doc["last_anchor"] = anchors.last ? anchor_json(*anchors.last) : nlohmann::ordered_json(nullptr);
    if (!anchors.ok) doc["anchor_error"] = anchors.error;
    print_json(doc);
  } else if (ok) {
    fmt::print("audit chain intact: {} event{}\n", check.events, check.events == 1 ? "" : "s");
    if (anchors.last)
      fmt::print("anchored: {} anchor{}, the last over event {} at {} ({})\n", anchors.checks.size(),
                 anchors.checks.size() == 1 ? "" : "s", anchors.last->event_id, anchors.last->time, anchors.last->tsa);
    else
      fmt::print("not anchored: no time-stamp over the chain yet (esign audit anchor)\n");
  }
  if (ok) return ExitCode::ok;
  const std::string path = ctx.ledger().path().string();
  if (!check.ok && check.first_bad_id > 0)
    fmt::print(stderr, "esign: {}: audit chain broken at event {}: {}\n", path, check.first_bad_id, check.reason);
  else if (!check.ok)
    fmt::print(stderr, "esign: {}: audit chain broken: {}\n", path, check.reason);
  if (!anchors.ok) fmt::print(stderr, "esign: {}: audit chain anchor broken: {}\n", path, anchors.error);
  return ExitCode::failed;
}

ExitCode run_anchor(const AuditArgs& args, Context& ctx) {
  if (args.tsa.empty() == args.profile.empty())
    throw Error(Errc::usage, "audit anchor", "give the TSA as --tsa URL or through --profile P (one of them)");
  Profile profile;  // with --tsa, only its timestamp: section is set
  if (!args.profile.empty()) {
    profile = load_profile(args.profile);
    if (!profile.timestamp) throw Error(Errc::config, profile.file.string(), "the profile has no timestamp: section");
  } else {
    profile.timestamp = TimestampSettings{};
    profile.timestamp->url = args.tsa;
  }
  Operation operation = ctx.operation(kAnchorOperation, args.profile.empty() ? nullptr : &profile);
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  Anchor anchor;
  try {
    anchor = anchor_chain(operation, *profile.timestamp, secrets, profile.file.string());
  } catch (const Error& e) {
    // A TSA that failed is worth an event; an empty ledger stays empty.
    if (e.code() != Errc::usage) operation.record_failure(OperationItem{}, e.what());
    throw;
  }
  if (ctx.json || args.anchor_json) print_json(anchor_json(anchor));
  else fmt::print("anchored event {} ({}) at {} by {}\n", anchor.event_id, anchor.head_hash, anchor.time, anchor.tsa);
  return ExitCode::ok;
}

nlohmann::ordered_json job_json(const Job& j, const std::vector<JobHost>& hosts) {
  nlohmann::ordered_json by_host = nlohmann::ordered_json::array();
  for (const JobHost& h : hosts) by_host.push_back({{"host", h.host}, {"done", h.done}, {"failed", h.failed}});
  return {{"id", j.id},           {"state", j.state},     {"profile", j.profile}, {"source_dir", j.source_dir},
          {"out_dir", j.out_dir}, {"created", j.created}, {"updated", j.updated}, {"pending", j.pending},
          {"done", j.done},       {"failed", j.failed},   {"hosts", std::move(by_host)}};
}

ExitCode run_jobs(const AuditArgs& args, Context& ctx) {
  Ledger& ledger = ctx.ledger();
  const std::vector<Job> jobs = ledger.jobs();
  if (ctx.json || args.jobs_json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const Job& j : jobs) list.push_back(job_json(j, ledger.job_hosts(j.id)));
    print_json({{"jobs", std::move(list)}});
    return ExitCode::ok;
  }
  for (const Job& j : jobs) {
    fmt::print("{:>6}  {}  {:<11}  {} done, {} failed, {} pending  {} -> {}\n", j.id, j.updated, j.state, j.done, j.failed,
               j.pending, j.source_dir, j.out_dir);
    // A job shared by several hosts (a PostgreSQL ledger) says who did what.
    const std::vector<JobHost> hosts = ledger.job_hosts(j.id);
    if (hosts.size() < 2) continue;
    std::string line;
    for (const JobHost& h : hosts)
      line += fmt::format("{}{}: {} done, {} failed", line.empty() ? "" : "; ", h.host, h.done, h.failed);
    fmt::print("        hosts: {}\n", line);
  }
  return ExitCode::ok;
}

ExitCode run_show(const AuditArgs& args, Context& ctx) {
  Ledger& ledger = ctx.ledger();
  std::optional<Job> job = ledger.job(args.job_id);
  if (!job) throw Error(Errc::usage, fmt::format("job {}", args.job_id), "no such job in " + ledger.path().string());
  const std::vector<JobItem> items = ledger.items(job->id);
  if (ctx.json || args.show_json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const JobItem& i : items) {
      list.push_back({{"path", i.path},           {"state", i.state},   {"size", i.size},
                      {"sha256", i.sha256},       {"output", i.output_path}, {"output_sha256", i.output_sha256},
                      {"error", i.detail},        {"ms", i.ms},         {"updated", i.updated},
                      {"host", i.host}});
    }
    nlohmann::ordered_json doc = job_json(*job, ledger.job_hosts(job->id));
    doc["items"] = std::move(list);
    print_json(doc);
    return ExitCode::ok;
  }
  fmt::print("job {} ({}): {} -> {}, profile {}\n", job->id, job->state, job->source_dir, job->out_dir, job->profile);
  for (const JobItem& i : items)
    fmt::print("  {:<8} {}  {}{}\n", i.state, i.path, or_dash(i.output_path), i.detail.empty() ? "" : "  " + i.detail);
  return ExitCode::ok;
}

}  // namespace

Command add_audit(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* app = root.add_subcommand("audit", "Show the ledger: audit events, their hash chain, bulk jobs");
  app->require_subcommand(1);

  CLI::App* log = app->add_subcommand("log", "List audit events, oldest first");
  log->add_flag("--json", args->log_json, "Print {\"events\":[...]} with every field on stdout");
  log->add_option("--limit", args->limit, "Show only the newest N events")
      ->type_name("N")
      ->check(CLI::Validator(
          [](const std::string& value) {
            return value.find_first_not_of('0') == std::string::npos ? std::string("must be at least 1")
                                                                     : std::string();
          },
          "", "at least 1"));

  CLI::App* verify = app->add_subcommand("verify", "Recompute the hash chain, check its anchors, report the first break");
  verify->add_flag("--json", args->verify_json, "Print the result as one JSON document on stdout");
  verify->add_option("--trust", args->trust, "PEM file of trust anchors for the anchors' TSAs (repeatable; default: the system store)")
      ->allow_extra_args(false);

  CLI::App* anchor = app->add_subcommand("anchor", "Time-stamp the chain head (RFC 3161) and keep the token in the ledger");
  CLI::Option* tsa = anchor->add_option("--tsa", args->tsa, "The TSA's URL (https://, or http:// to a loopback address)");
  anchor->add_option("-p,--profile", args->profile, "A profile whose timestamp: section names the TSA")->excludes(tsa);
  anchor->add_flag("--json", args->anchor_json, "Print the anchor as one JSON document on stdout");

  CLI::App* jobs = app->add_subcommand("jobs", "List esign bulk jobs with their item counts, newest first");
  jobs->add_flag("--json", args->jobs_json, "Print {\"jobs\":[...]} on stdout");

  CLI::App* show = app->add_subcommand("show", "List the items of one esign bulk job");
  show->add_option("job", args->job_id, "The job id (from esign audit jobs or esign bulk)")->required();
  show->add_flag("--json", args->show_json, "Print the job and its items as one JSON document on stdout");

  return {app, [args, &ctx, log, verify, anchor, jobs, show] {
            if (log->parsed()) return run_log(*args, ctx);
            if (verify->parsed()) return run_verify(*args, ctx);
            if (anchor->parsed()) return run_anchor(*args, ctx);
            if (jobs->parsed()) return run_jobs(*args, ctx);
            if (show->parsed()) return run_show(*args, ctx);
            return ExitCode::error;  // unreachable: require_subcommand(1)
          }};
}

}  // namespace esign::cli
