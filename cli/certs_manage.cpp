// `esign certs export | remove`: a profile's certificate and chain as PEM; taking a certificate
// (and, only when asked, its key) away.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

#include "certs_verbs.h"
#include "esign/certs.h"
#include "esign/error.h"
#include "esign/output.h"
#include "esign/profile.h"
#include "terminal.h"

namespace esign::cli {

namespace {

struct ManageArgs {
  std::string profile;
  std::string output;
  bool force = false;
  bool yes = false;
  bool with_key = false;
};

ExitCode run_export(const ManageArgs& args, Context& ctx) {
  Profile profile = load_profile(args.profile);
  Operation operation = ctx.operation("certs-export", &profile, KeyPurpose::manage);
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  const bool to_stdout = args.output.empty() || args.output == "-";
  operation.run({"", to_stdout ? "-" : args.output}, [&] {
    ExportOutcome exported = export_certificates(profile, secrets);
    if (to_stdout) {
      fmt::print("{}", exported.pem);
    } else {
      OutputFile out(args.output, args.force);
      out.write(as_bytes(exported.pem));
      out.commit();
    }
    return exported;
  });
  if (to_stdout) return ExitCode::ok;
  if (!ctx.quiet && !ctx.json) fmt::print("wrote the certificate and chain of {} to {}\n", profile.name, args.output);
  return ExitCode::ok;
}

ExitCode run_remove(const ManageArgs& args, Context& ctx) {
  Profile profile = load_profile(args.profile);
  Operation operation = ctx.operation("certs-remove", &profile, KeyPurpose::manage);
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  if (!args.yes) {
    std::string what = args.with_key ? "the certificate AND THE PRIVATE KEY" : "the certificate";
    if (!terminal_confirm("Remove " + what + " of profile " + profile.name + "?")) {
      if (!ctx.quiet) fmt::print(stderr, "esign: nothing removed\n");
      return ExitCode::failed;
    }
  }
  RemoveOutcome r = operation.run({}, [&] { return remove_certificate(profile, secrets, args.with_key); });
  if (ctx.json) fmt::print("{}\n", nlohmann::ordered_json{{"status", "removed"}, {"removed", r.removed}}.dump(2));
  else if (!ctx.quiet)
    for (const std::string& s : r.removed) fmt::print("removed {}\n", s);
  return ExitCode::ok;
}

}  // namespace

std::vector<Command> add_certs_manage(CLI::App& certs, Context& ctx) {
  auto args = std::make_shared<ManageArgs>();
  CLI::App* exp = certs.add_subcommand("export", "Print (or write) a profile's certificate and chain as PEM");
  exp->add_option("--profile,-p", args->profile, "Profile name or path")->required();
  exp->add_option("-o,--output", args->output, "Write to FILE instead of stdout")->type_name("FILE");
  exp->add_flag("--force", args->force, "Overwrite an existing FILE");

  CLI::App* remove = certs.add_subcommand("remove", "Remove a profile's certificate (the key stays unless --with-key)");
  remove->add_option("--profile,-p", args->profile, "Profile name or path")->required();
  remove->add_flag("--yes,-y", args->yes, "Do not ask for confirmation");
  remove->add_flag("--with-key", args->with_key, "Remove the private (and public) key too: it cannot be undone");

  return {{exp, [args, &ctx] { return run_export(*args, ctx); }},
          {remove, [args, &ctx] { return run_remove(*args, ctx); }}};
}

}  // namespace esign::cli
