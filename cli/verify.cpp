// `esign verify`: check signed PDFs and CMS signatures; exit 0 only when every file is valid.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "commands.h"
#include "hints.h"
#include "esign/auth.h"
#include "esign/error.h"
#include "esign/verify.h"

namespace esign::cli {

namespace {

struct VerifyArgs {
  std::vector<std::string> files;
  std::vector<std::string> trust;
  std::vector<std::string> certs;
  std::string revocation;
  std::string data;
  std::string data_dir;
  bool recursive = false;
  bool no_record = false;
  std::string format = "text";
  unsigned jobs = 0;
  std::string require_level;
  std::string max_changes = "lta";
  std::string visual = "fail";
  bool offline = false;
  unsigned min_rsa_bits = KeyPolicy::kMinRsaBits;
  unsigned min_ec_bits = KeyPolicy::kMinEcBits;
};

ExitCode run(const VerifyArgs& args, Context& ctx) {
  VerifyOptions options;
  for (const std::string& t : args.trust) options.trust.emplace_back(t);
  for (const std::string& c : args.certs) options.intermediates.emplace_back(c);
  const VerifyConfig config = load_verify_config(default_config_path());
  options.revocation = args.revocation.empty() ? config.revocation : parse_revocation_policy(args.revocation, "--revocation");
  options.max_evidence_age = config.max_evidence_age;
  if (!args.data.empty()) {
    if (args.files.size() != 1) throw Error(Errc::usage, "--data", "--data applies to a single signature file");
    options.data = args.data;
  }
  options.offline = args.offline;
  options.keys = {args.min_rsa_bits, args.min_ec_bits};
  options.max_changes = parse_max_changes(args.max_changes, "--max-changes");
  options.visual = parse_visual_policy(args.visual, "--visual");
  if (!args.require_level.empty()) options.required_level = parse_signature_level(args.require_level, "--require-level");
  Verifier verifier(std::move(options));
  ReportFormat format = ctx.json || args.format == "json" ? ReportFormat::json
                        : args.format == "junit"          ? ReportFormat::junit
                        : args.format == "etsi"           ? ReportFormat::etsi
                                                          : ReportFormat::text;
  const std::vector<VerifyInput> inputs =
      inputs_to_verify(std::vector<std::filesystem::path>(args.files.begin(), args.files.end()), args.recursive,
                       args.data_dir.empty() ? std::nullopt : std::optional<std::filesystem::path>(args.data_dir));
  if (inputs.empty()) throw Error(Errc::input, args.files.front(), "no signed files (*.pdf, *.p7s, *.p7m, *.tsr) in it");
  std::vector<FileReport> reports = verifier.verify_files(inputs, args.jobs);
  for (FileReport& report : reports)
    if (report.error) report.error = with_hint(*report.error, report.remedy, report.path);
  for (const FileReport& report : reports) {
    if (report.unreadable || (!report.valid && (format != ReportFormat::text || ctx.quiet)))
      std::fprintf(stderr, "esign: %s: %s\n", printable(report.path).c_str(), printable(report.error.value_or("invalid")).c_str());
  }
  // The verdict does not depend on the ledger: a read-only checkout still verifies.
  if (!args.no_record) {
    try {
      record_verify(ctx.ledger(), reports);
    } catch (const Error& e) {
      std::fprintf(stderr, "esign: warning: the results were not recorded in the ledger (%s); --no-record skips it\n", e.what());
    }
  }
  if (!ctx.quiet || format != ReportFormat::text) fmt::print("{}", format_reports(reports, format));
  return exit_code_for(reports);
}

}  // namespace

Command add_verify(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* app = root.add_subcommand("verify", "Verify signed PDFs and CMS (.p7s) signatures");
  app->add_option("files", args->files, "Signed files (PDFs, .p7s: the data beside it, or --data) or folders of them")
      ->required();
  app->add_option("--trust", args->trust, "PEM file of trust anchors (repeatable; default: the system store)")
      ->allow_extra_args(false);
  app->add_option("--certs", args->certs, "PEM file of untrusted intermediate certificates that may complete a path (repeatable)")
      ->allow_extra_args(false);
  app->add_option("--data", args->data, "The signed content of a detached .p7s")->excludes(
      app->add_option("--data-dir", args->data_dir, "Folder of the signed content: X.p7s is checked against DIR/X")
          ->check(CLI::ExistingDirectory));
  app->add_flag("-r,--recursive", args->recursive, "A folder argument includes its subfolders");
  app->add_flag("--no-record", args->no_record, "Do not record the results in the ledger");
  app->add_option("--format", args->format, "Output: text, json, junit or etsi (ETSI TS 119 102-2 XML)")
      ->check(CLI::IsMember({"text", "json", "junit", "etsi"}));
  app->add_option("--require-level", args->require_level,
                  "Policy: fail files whose signatures do not reach this level (B-B, B-T, B-LT, B-LTA)")
      ->check(CLI::IsMember({"B-B", "B-T", "B-LT", "B-LTA"}));
  app->add_option("--max-changes", args->max_changes,
                  "Policy for PDFs with approval signatures only: what may follow a signature: lta (validation data, "
                  "time-stamps, signatures), form-filling or annotations")
      ->check(CLI::IsMember({"lta", "form-filling", "annotations"}))
      ->capture_default_str();
  app->add_option("--visual", args->visual,
                  "Policy for PDFs changed after signing: render each signed revision and the final one and fail "
                  "(default), warn about, or not look for (off) visible changes")
      ->check(CLI::IsMember({"fail", "warn", "off"}))
      ->capture_default_str();
  app->add_flag("--offline", args->offline,
                "Use only what the files hold (DSS, CMS) and --certs; never ask OCSP responders, CRL or caIssuers servers");
  app->add_option("--revocation", args->revocation,
                  "Policy: require (default; unknown status is INDETERMINATE), soft-fail (unreachable tolerated) or off")
      ->check(CLI::IsMember({"require", "soft-fail", "off"}));
  app->add_option("--min-rsa-bits", args->min_rsa_bits, "Policy: smallest RSA key accepted in a signature or its path")
      ->check(CLI::Range(KeyPolicy::kMinRsaBits, 16384u))
      ->capture_default_str();
  app->add_option("--min-ec-bits", args->min_ec_bits, "Policy: smallest elliptic-curve key accepted")
      ->check(CLI::Range(KeyPolicy::kMinEcBits, 571u))
      ->capture_default_str();
  app->add_option("-j,--jobs", args->jobs, "Files verified in parallel (default: one per core)");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
