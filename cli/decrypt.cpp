// `esign decrypt`: open a CMS-encrypted file (FILE.p7m) with a profile's key, or remove a PDF's password.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "commands.h"
#include "esign/envelope.h"
#include "esign/error.h"
#include "esign/profile.h"
#include "terminal.h"

namespace esign::cli {

namespace {

struct DecryptArgs {
  std::string file;
  std::string profile;
  std::string output;
  bool force = false;
  std::string pdf_password_file;
};

// What a decryption prints (nothing when the plaintext went to stdout): JSON, or one line with
// `how` in parentheses.
void print_decrypted(const DecryptArgs& args, const Context& ctx, const std::filesystem::path& output,
                     const EnvelopeOutcome& outcome, const std::string& how) {
  if (output == "-") return;
  if (ctx.json) {
    nlohmann::json r{{"input", args.file},      {"output", output.string()},
                     {"status", "decrypted"},   {"cipher", outcome.content_cipher},
                     {"input_sha256", outcome.input_sha256}, {"output_sha256", outcome.output_sha256}};
    fmt::print("{}\n", r.dump(2));
  } else if (!ctx.quiet) {
    fmt::print("decrypted {} -> {} ({})\n", args.file, output.string(), how);
  }
}

ExitCode run_pdf(const DecryptArgs& args, Context& ctx) {
  std::filesystem::path input(args.file);
  std::filesystem::path output = args.output.empty() ? default_pdf_decrypt_output(input) : std::filesystem::path(args.output);
  Operation operation = ctx.operation("decrypt", nullptr);
  EnvelopeOutcome outcome = operation.run({input, output}, [&] {
    std::ifstream in(args.pdf_password_file);
    if (!in) throw Error(Errc::input, args.pdf_password_file, "cannot read the password file");
    Secret password = read_first_line(in);
    return decrypt_pdf(input, output, password, args.force);
  });
  print_decrypted(args, ctx, output, outcome, "password removed");
  return ExitCode::ok;
}

ExitCode run(const DecryptArgs& args, Context& ctx) {
  if (!args.pdf_password_file.empty()) return run_pdf(args, ctx);
  if (args.profile.empty())
    throw Error(Errc::usage, "decrypt", "give --profile P (or --pdf-password-file F for a password-encrypted PDF)");
  std::filesystem::path input(args.file);
  std::filesystem::path output = args.output.empty() ? default_decrypt_output(input) : std::filesystem::path(args.output);
  Profile profile = load_profile(args.profile);
  // Who may use the profile's key is settled before it is opened.
  Operation operation = ctx.operation("decrypt", &profile);
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  EnvelopeOutcome outcome =
      operation.run({input, output}, [&] { return decrypt_file(profile, secrets, input, output, args.force); });
  print_decrypted(args, ctx, output, outcome, outcome.content_cipher);
  return ExitCode::ok;
}

}  // namespace

Command add_decrypt(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<DecryptArgs>();
  CLI::App* app = root.add_subcommand("decrypt", "Decrypt a CMS-encrypted file (FILE.p7m) with a profile's key, or remove a PDF's password");
  app->add_option("file", args->file, "File to decrypt ('-' reads stdin)")->required();
  CLI::Option* profile = app->add_option("-p,--profile", args->profile, "Profile whose key decrypts (name or path)");
  app->add_option("--pdf-password-file", args->pdf_password_file,
                  "Remove a PDF's encryption with the password on this file's first line")
      ->excludes(profile);
  app->add_option("-o,--output", args->output, "Output file (default FILE without .p7m; '-' for stdout)");
  app->add_flag("--force", args->force, "Overwrite an existing output");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
