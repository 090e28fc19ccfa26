// `esign ledger info`: which ledger esign uses, its schema and what it holds.
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
};

ExitCode run_info(const LedgerArgs& args, Context& ctx) {
  const LedgerInfo i = ctx.ledger().info();
  if (ctx.json || args.info_json) {
    nlohmann::ordered_json doc = {{"backend", i.backend}, {"location", i.location}, {"schema_version", i.schema_version},
                                  {"events", i.events},   {"users", i.users},       {"sessions", i.sessions},
                                  {"jobs", i.jobs},       {"items", i.items},       {"anchors", i.anchors},
                                  {"head_event", i.head.event_id}, {"head_hash", i.head.hash}};
    fmt::print("{}\n", doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
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

}  // namespace

Command add_ledger(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<LedgerArgs>();
  CLI::App* app = root.add_subcommand("ledger", "The ledger itself: where it is, its schema, what it holds");
  app->require_subcommand(1);
  CLI::App* info = app->add_subcommand("info", "Print the backend, location, schema version, row counts and chain head");
  info->add_flag("--json", args->info_json, "Print the same as one JSON document on stdout");
  return {app, [args, &ctx, info] {
            if (info->parsed()) return run_info(*args, ctx);
            return ExitCode::error;  // unreachable: require_subcommand(1)
          }};
}

}  // namespace esign::cli
