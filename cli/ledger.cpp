// `esign ledger info|migrate`: which ledger esign uses, its schema and what it holds; copying it
// into another (a SQLite file into PostgreSQL).
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "context.h"
#include "esign/ledger.h"

namespace esign::cli {

namespace {

struct LedgerArgs {
  bool info_json = false;
  std::string to;
  bool migrate_json = false;
};

nlohmann::ordered_json info_json(const LedgerInfo& i) {
  return {{"backend", i.backend}, {"location", i.location}, {"schema_version", i.schema_version},
          {"events", i.events},   {"users", i.users},       {"sessions", i.sessions},
          {"jobs", i.jobs},       {"items", i.items},       {"anchors", i.anchors},
          {"head_event", i.head.event_id}, {"head_hash", i.head.hash}};
}

void print_doc(const nlohmann::ordered_json& doc) {
  fmt::print("{}\n", doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

ExitCode run_info(const LedgerArgs& args, Context& ctx) {
  const LedgerInfo i = ctx.ledger().info();
  if (ctx.json || args.info_json) {
    print_doc(info_json(i));
    return ExitCode::ok;
  }
  fmt::print("backend:   {}\n", i.backend);
  fmt::print("location:  {}\n", i.location);
  fmt::print("schema:    {}\n", i.schema_version);
  fmt::print("events:    {}\n", i.events);
  fmt::print("users:     {} ({} sessions)\n", i.users, i.sessions);
  fmt::print("jobs:      {} ({} items)\n", i.jobs, i.items);
  fmt::print("anchors:   {}\n", i.anchors);
  fmt::print("head:      event {} {}\n", i.head.event_id, i.head.hash);
  return ExitCode::ok;
}

ExitCode run_migrate(const LedgerArgs& args, Context& ctx) {
  const LedgerCopy copy = copy_ledger(ctx.ledger(), args.to);
  // The copy must hold what the source held, down to the chain head.
  const bool same = copy.to.events == copy.from.events && copy.to.users == copy.from.users &&
                    copy.to.sessions == copy.from.sessions && copy.to.jobs == copy.from.jobs &&
                    copy.to.items == copy.from.items && copy.to.anchors == copy.from.anchors &&
                    copy.to.head.hash == copy.from.head.hash;
  const bool ok = same && copy.chain.ok;
  if (ctx.json || args.migrate_json) {
    nlohmann::ordered_json doc = {{"ok", ok}, {"from", info_json(copy.from)}, {"to", info_json(copy.to)},
                                  {"chain_ok", copy.chain.ok}};
    if (!copy.chain.ok) doc["chain_error"] = copy.chain.reason;
    print_doc(doc);
  } else if (ok) {
    fmt::print("copied {} events, {} users, {} sessions, {} jobs ({} items), {} anchors into {} ({})\n",
               copy.to.events, copy.to.users, copy.to.sessions, copy.to.jobs, copy.to.items, copy.to.anchors,
               copy.to.location, copy.to.backend);
    fmt::print("audit chain intact in the copy: head event {} {}\n", copy.to.head.event_id, copy.to.head.hash);
  }
  if (ok) return ExitCode::ok;
  if (!copy.chain.ok)
    fmt::print(stderr, "esign: {}: the copy's audit chain is broken: {}\n", copy.to.location, copy.chain.reason);
  else
    fmt::print(stderr, "esign: {}: the copy does not hold what {} holds\n", copy.to.location, copy.from.location);
  return ExitCode::failed;
}

}  // namespace

Command add_ledger(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<LedgerArgs>();
  CLI::App* app = root.add_subcommand("ledger", "The ledger itself: where it is, its schema, what it holds");
  app->require_subcommand(1);
  CLI::App* info = app->add_subcommand("info", "Print the backend, location, schema version, row counts and chain head");
  info->add_flag("--json", args->info_json, "Print the same as one JSON document on stdout");
  CLI::App* migrate = app->add_subcommand(
      "migrate", "Copy this ledger into a new, empty one (a postgresql:// URI or a file) and check the copy's chain");
  migrate->add_option("--to", args->to, "The target ledger: postgresql://... (a password only as password=env:VAR or file:PATH) or a file")
      ->required();
  migrate->add_flag("--json", args->migrate_json, "Print {\"ok\", \"from\", \"to\", \"chain_ok\"} on stdout");
  return {app, [args, &ctx, info, migrate] {
            if (info->parsed()) return run_info(*args, ctx);
            if (migrate->parsed()) return run_migrate(*args, ctx);
            return ExitCode::error;  // unreachable: require_subcommand(1)
          }};
}

}  // namespace esign::cli
