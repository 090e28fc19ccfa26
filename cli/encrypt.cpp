// `esign encrypt`: encrypt a file to recipients' certificates as CMS (FILE.p7m), or a PDF with a password.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "commands.h"
#include "esign/envelope.h"
#include "esign/error.h"

namespace esign::cli {

namespace {

struct EncryptArgs {
  std::string file;
  std::vector<std::string> recipients;
  std::string output;
  bool compat = false;
  bool force = false;
  std::string pdf_password_file;
  std::string owner_password_file;
  std::string permissions;
};

Secret read_password_file(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw Error(Errc::input, file, "cannot read the password file");
  return read_first_line(in);
}

ExitCode run(const EncryptArgs& args, Context& ctx) {
  std::filesystem::path input(args.file);
  const bool pdf = !args.pdf_password_file.empty();
  if (!pdf && args.recipients.empty())
    throw Error(Errc::usage, "encrypt", "give --recipient CERT (or --pdf-password-file F for a PDF password)");
  std::filesystem::path output = !args.output.empty() ? std::filesystem::path(args.output)
                                 : pdf                ? default_pdf_encrypt_output(input)
                                                      : default_encrypt_output(input);
  Operation operation = ctx.operation("encrypt", nullptr);
  EnvelopeOutcome outcome;
  if (pdf) {
    PdfEncryptOptions options;
    options.overwrite = args.force;
    options.all_permissions = args.permissions.empty();
    if (!args.permissions.empty()) options.permissions = parse_pdf_permissions(args.permissions);
    outcome = operation.run({input, output}, [&] {
      options.user_password = read_password_file(args.pdf_password_file);
      if (!args.owner_password_file.empty()) options.owner_password = read_password_file(args.owner_password_file);
      return encrypt_pdf(input, output, options);
    });
    if (ctx.json && output != "-") {
      nlohmann::json r{{"input", args.file},         {"output", output.string()},
                       {"status", "encrypted"},      {"cipher", outcome.content_cipher},
                       {"input_sha256", outcome.input_sha256}, {"output_sha256", outcome.output_sha256}};
      fmt::print("{}\n", r.dump(2));
    } else if (!ctx.quiet && output != "-") {
      fmt::print("encrypted {} -> {} (PDF AES-256, R6)\n", args.file, output.string());
    }
    return ExitCode::ok;
  }
  EncryptOptions options;
  options.recipients.assign(args.recipients.begin(), args.recipients.end());
  options.compat = args.compat;
  options.overwrite = args.force;
  outcome = operation.run({input, output}, [&] { return encrypt_file(input, output, options); });
  if (ctx.json) {
    nlohmann::json r{{"input", args.file},          {"output", output.string()},
                     {"status", "encrypted"},       {"cipher", outcome.content_cipher},
                     {"recipients", outcome.recipient_fingerprints},
                     {"input_sha256", outcome.input_sha256}, {"output_sha256", outcome.output_sha256}};
    if (output != "-") fmt::print("{}\n", r.dump(2));
  } else if (!ctx.quiet && output != "-") {
    fmt::print("encrypted {} -> {} ({}, {} recipient{})\n", args.file, output.string(), outcome.content_cipher,
               outcome.recipient_fingerprints.size(), outcome.recipient_fingerprints.size() == 1 ? "" : "s");
  }
  return ExitCode::ok;
}

}  // namespace

Command add_encrypt(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<EncryptArgs>();
  CLI::App* app = root.add_subcommand("encrypt", "Encrypt a file to recipients' certificates (CMS, FILE.p7m), or a PDF with a password");
  app->add_option("file", args->file, "File to encrypt ('-' reads stdin)")->required();
  CLI::Option* recipient =
      app->add_option("-r,--recipient", args->recipients, "A recipient's certificate (PEM); repeat for several");
  app->add_option("-o,--output", args->output,
                  "Output file (default FILE.p7m, or FILE.encrypted.pdf with a password; '-' for stdout)");
  CLI::Option* compat =
      app->add_flag("--compat", args->compat, "AES-256-CBC EnvelopedData and RSA PKCS#1 v1.5, for older readers");
  CLI::Option* pdf = app->add_option("--pdf-password-file", args->pdf_password_file,
                                     "Encrypt a PDF with the password on this file's first line (AES-256, R6)")
                         ->excludes(recipient)
                         ->excludes(compat);
  app->add_option("--owner-password-file", args->owner_password_file,
                  "The PDF owner password (default: a random one nobody knows)")
      ->needs(pdf);
  app->add_option("--permissions", args->permissions,
                  "What the PDF password allows: print,modify,copy,annotate,forms,assemble,accessibility or none "
                  "(default: all)")
      ->needs(pdf);
  app->add_flag("--force", args->force, "Overwrite an existing output");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
