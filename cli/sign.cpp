// `esign sign`: sign files with a profile; PAdES for PDFs, detached CAdES (.p7s) otherwise.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "hints.h"
#include "esign/error.h"
#include "esign/operation.h"
#include "esign/profile.h"
#include "esign/sign.h"
#include "esign/timestamp.h"
#include "terminal.h"

namespace esign::cli {

namespace {

struct SignArgs {
  std::vector<std::string> files;
  std::string profile;
  std::string output;
  std::string out_dir;
  std::string level;
  std::string format;
  std::string reason;
  std::string location;
  std::string certify;
  std::string lock_fields;
  bool visible = false;
  bool force = false;
  bool allow_hidden_content = false;
};

ExitCode run(const SignArgs& args, Context& ctx) {
  if (!args.output.empty() && args.files.size() != 1)
    throw Error(Errc::usage, "-o", "-o names one output; use --out-dir for several files");
  Profile profile = load_profile(args.profile);
  SignOptions options;
  if (!args.level.empty()) options.level = parse_signature_level(args.level, "--level");
  if (!args.format.empty()) options.format = parse_signature_format(args.format, "--format");
  if (!args.reason.empty()) options.reason = args.reason;
  if (!args.location.empty()) options.location = args.location;
  if (!args.certify.empty()) options.certify = parse_certification(args.certify, "--certify");
  if (!args.lock_fields.empty()) options.lock_fields = parse_field_lock(args.lock_fields, "--lock-fields");
  options.visible = args.visible;
  options.overwrite = args.force;
  options.allow_hidden_content = args.allow_hidden_content;
  std::optional<std::filesystem::path> out_dir;
  if (!args.out_dir.empty()) {
    out_dir = args.out_dir;
    std::error_code ec;
    std::filesystem::create_directories(*out_dir, ec);
    if (ec) throw Error(Errc::usage, args.out_dir, "cannot create output folder: " + ec.message());
  }

  // Who may use the profile is settled before any key is opened (no PIN prompt for a refusal).
  Operation operation = ctx.operation("sign", &profile);
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  std::unique_ptr<Signer> signer = operation.open_signer(secrets);
  std::unique_ptr<Timestamper> timestamper = open_timestamper(profile, secrets);
  options.timestamper = timestamper.get();
  check_sign_options(profile, options);

  ExitCode exit_code = ExitCode::ok;
  nlohmann::json results = nlohmann::json::array();
  for (const std::string& file : args.files) {
    std::filesystem::path input(file);
    std::filesystem::path output;
    try {
      SignatureFormat format = options.format.value_or(profile.signature.format);
      if (format == SignatureFormat::auto_detect) format = detect_format(input);
      output = args.output.empty() ? default_output_path(input, format, out_dir) : std::filesystem::path(args.output);
      SignOutcome outcome =
          operation.run({input, output}, [&] { return sign_file(profile, *signer, input, output, options); });
      if (ctx.json) {
        results.push_back({{"input", file}, {"output", output.string()}, {"status", "signed"},
                           {"format", outcome.format == SignatureFormat::pades ? "pades" : "cades"},
                           {"input_sha256", outcome.input_sha256}, {"output_sha256", outcome.output_sha256}});
      } else if (!ctx.quiet && output != "-") {
        fmt::print("signed {} -> {}\n", file, output.string());
      }
    } catch (const Error& e) {
      if (output.empty()) operation.record_failure({input, output}, e.reason());  // before run(): no output name
      std::fprintf(stderr, "esign: %s\n", describe(e).c_str());
      if (ctx.json) results.push_back({{"input", file}, {"status", "failed"}, {"error", e.what()}});
      exit_code = std::max(exit_code, exit_code_for(e.code()));
    }
  }
  if (ctx.json) fmt::print("{}\n", nlohmann::json{{"files", results}}.dump(2));
  return exit_code;
}

}  // namespace

Command add_sign(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<SignArgs>();
  CLI::App* app = root.add_subcommand("sign", "Sign files: PAdES for PDFs, detached CAdES (.p7s) for anything else");
  app->add_option("files", args->files, "Files to sign ('-' reads stdin and writes stdout)")->required();
  app->add_option("-p,--profile", args->profile, "Signing profile: a name or a path to a YAML file")->required();
  CLI::Option* output = app->add_option("-o,--output", args->output, "Output file for a single input ('-' for stdout)");
  app->add_option("--out-dir", args->out_dir, "Folder for the outputs (created if missing)")->excludes(output);
  app->add_option("--level", args->level, "Signature level: B-B; B-T, B-LT (with validation data) or B-LTA (with a document timestamp) need the profile's timestamp: TSA")->check(CLI::IsMember({"B-B", "B-T", "B-LT", "B-LTA"}));
  app->add_option("--format", args->format, "auto (PDF -> pades, other -> cades), pades or cades")
      ->check(CLI::IsMember({"auto", "pades", "cades"}));
  app->add_flag("--visible", args->visible, "Draw a visible signature box: the default box on the last page when the profile has no appearance section (a profile with one always draws it)");
  app->add_option("--reason", args->reason, "Reason for signing (overrides the profile)");
  app->add_option("--location", args->location, "Location of signing (overrides the profile)");
  app->add_option("--certify", args->certify,
                  "Make this the document's certification signature (DocMDP) allowing after it: 1 nothing but validation data and time-stamps, 2 also form filling and signing, 3 also annotations (overrides the profile)")
      ->check(CLI::IsMember({"1", "2", "3"}));
  app->add_option("--lock-fields", args->lock_fields,
                  "Lock form fields against changes after this signature (FieldMDP): 'all' or NAME,NAME,... (overrides the profile)");
  app->add_flag("--allow-hidden-content", args->allow_hidden_content,
                "Sign PDFs that hide content a later update could show (unused pages or XObjects, layers off by default, content of earlier revisions): refused otherwise");
  app->add_flag("--force", args->force, "Overwrite existing outputs");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
