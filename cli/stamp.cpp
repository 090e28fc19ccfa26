// `esign stamp`: RFC 3161 time-stamps: FILE.tsr for most files, a document timestamp for PDFs.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "hints.h"
#include "esign/error.h"
#include "esign/profile.h"
#include "esign/sign.h"
#include "esign/stamp.h"
#include "esign/timestamp.h"
#include "terminal.h"

namespace esign::cli {

namespace {

struct StampArgs {
  std::vector<std::string> files;
  std::string tsa;
  std::string profile;
  std::string output;
  bool force = false;
  bool extend = false;
};

ExitCode run(const StampArgs& args, Context& ctx) {
  if (args.tsa.empty() == args.profile.empty())
    throw Error(Errc::usage, "stamp", "give the TSA as --tsa URL or through --profile P (one of them)");
  if (!args.output.empty() && args.files.size() != 1)
    throw Error(Errc::usage, "-o", "-o names one output; stamp several files without it");
  Profile profile;  // with --tsa, only its timestamp: section is set
  if (!args.profile.empty()) {
    profile = load_profile(args.profile);
    if (!profile.timestamp) throw Error(Errc::config, profile.file.string(), "the profile has no timestamp: section");
  } else {
    profile.timestamp = TimestampSettings{};
    profile.timestamp->url = args.tsa;
  }
  const TimestampSettings& settings = *profile.timestamp;
  // With a profile, who may use it is settled before its credentials are opened.
  Operation operation = ctx.operation("stamp", args.profile.empty() ? nullptr : &profile);
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  std::unique_ptr<Timestamper> timestamper;  // for PDFs, opened on the first one

  ExitCode exit_code = ExitCode::ok;
  nlohmann::json results = nlohmann::json::array();
  for (const std::string& file : args.files) {
    std::filesystem::path input(file);
    std::filesystem::path output;
    try {
      const bool pdf = detect_format(input) == SignatureFormat::pades;
      const bool cades = args.extend && !pdf;  // a CMS signature (.p7s) to renew
      output = !args.output.empty() ? std::filesystem::path(args.output)
               : cades              ? default_extend_output(input)
                                    : default_stamp_output(input, pdf);
      StampOutcome outcome = operation.run({input, output}, [&] {
        if (!pdf && !cades) return stamp_file(settings, input, output, args.force, secrets, profile.file.string());
        if (!timestamper) timestamper = open_timestamper(profile, secrets);
        SignOutcome done = cades         ? extend_cades(*timestamper, profile, input, output, args.force)
                           : args.extend ? extend_pdf(*timestamper, profile, input, output, args.force)
                                         : stamp_pdf(*timestamper, input, output, args.force);
        StampOutcome o;
        o.input_sha256 = done.input_sha256;
        o.output_sha256 = done.output_sha256;
        if (cades) o.detail = "cades archive timestamp";
        return o;
      });
      if (ctx.json) {
        nlohmann::json r{{"input", file}, {"output", output.string()}, {"status", "stamped"},
                         {"input_sha256", outcome.input_sha256}, {"output_sha256", outcome.output_sha256}};
        if (!pdf && !cades) r.update({{"time", outcome.time}, {"tsa", outcome.tsa}});
        results.push_back(std::move(r));
      } else if (!ctx.quiet && output != "-") {
        if (pdf || cades) fmt::print("stamped {} -> {}\n", file, output.string());
        else fmt::print("stamped {} -> {} ({}, {})\n", file, output.string(), outcome.time, outcome.tsa);
      }
    } catch (const Error& e) {
      if (output.empty()) operation.record_failure({input, output}, e.what());  // before run(): no output name
      std::fprintf(stderr, "esign: %s\n", describe(e).c_str());
      if (ctx.json) results.push_back({{"input", file}, {"status", "failed"}, {"error", e.what()}});
      exit_code = std::max(exit_code, exit_code_for(e.code()));
    }
  }
  if (ctx.json) fmt::print("{}\n", nlohmann::json{{"files", results}}.dump(2));
  return exit_code;
}

}  // namespace

Command add_stamp(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<StampArgs>();
  CLI::App* app = root.add_subcommand("stamp", "Time-stamp files with an RFC 3161 TSA: FILE.tsr, or a document timestamp in a PDF");
  app->add_option("files", args->files, "Files to time-stamp ('-' reads stdin and writes stdout)")->required();
  CLI::Option* tsa = app->add_option("--tsa", args->tsa, "The TSA's URL (https://, or http:// to a loopback address)");
  app->add_option("-p,--profile", args->profile, "A profile whose timestamp: section names the TSA")->excludes(tsa);
  app->add_option("-o,--output", args->output, "Output file for a single input ('-' for stdout)");
  app->add_flag("--force", args->force, "Overwrite existing outputs");
  app->add_flag("--extend", args->extend,
                "Archive renewal: of a B-LTA PDF (the newest document timestamp's validation data into the DSS, then a new document "
                "timestamp), or of a CAdES .p7s at B-T or above (the validation data it lacks, then an archive-time-stamp-v3)");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
