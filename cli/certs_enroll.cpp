// `esign certs generate | csr | install | import`: keys and requests made where the key lives,
// certificates put beside their keys, PKCS#12 files moved onto tokens.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <optional>

#include "certs_verbs.h"
#include "esign/certs.h"
#include "esign/error.h"
#include "esign/output.h"
#include "esign/profile.h"
#include "terminal.h"

namespace esign::cli {

namespace {

struct EnrollArgs {
  std::string profile;
  std::string subject;
  std::vector<std::string> sans;
  std::string key_type = "rsa3072";
  std::string output;
  bool force = false;
  std::string cert;
  std::string chain;
  std::string p12;
  std::string to_uri;
  std::string to_profile;
  std::string module;
  std::string pin = "prompt";
  bool password_stdin = false;
};

// The request goes to -o FILE (atomically) or, without -o, to stdout.
void write_csr(const CsrOutcome& csr, const EnrollArgs& args, Context& ctx, const char* verb) {
  if (args.output.empty() || args.output == "-") {
    fmt::print("{}", csr.pem);
    return;
  }
  OutputFile out(args.output, args.force);
  out.write(as_bytes(csr.pem));
  out.commit();
  if (ctx.json) {
    nlohmann::ordered_json j{{"status", verb}, {"subject", csr.subject}, {"key", csr.key_location}, {"csr", args.output}};
    fmt::print("{}\n", j.dump(2));
  } else if (!ctx.quiet) {
    fmt::print("{} key {} and wrote the request for {} to {}\n", verb, csr.key_location, csr.subject, args.output);
  }
}

ExitCode run_request(const EnrollArgs& args, Context& ctx, bool generate) {
  Profile profile = load_profile(args.profile);
  Operation operation = ctx.operation(generate ? "certs-generate" : "certs-csr", &profile, KeyPurpose::manage);
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  CsrRequest request{args.subject, args.sans, parse_key_type(args.key_type)};
  // The output is checked first, so a key is never made for a request that cannot be written.
  if (!args.output.empty() && args.output != "-" && !args.force && std::filesystem::exists(args.output))
    throw Error(Errc::conflict, args.output, "output exists (use --force to overwrite)");
  const bool to_stdout = args.output.empty() || args.output == "-";
  CsrOutcome csr = operation.run({"", to_stdout ? "-" : args.output}, [&] {
    return generate ? generate_key(profile, secrets, request) : make_csr(profile, secrets, request);
  });
  write_csr(csr, args, ctx, generate ? "generated" : "used");
  return ExitCode::ok;
}

void print_installed(const InstallOutcome& r, Context& ctx, const char* verb) {
  if (ctx.json) {
    nlohmann::ordered_json j{{"status", verb},
                             {"subject", r.certificate.subject()},
                             {"serial", r.certificate.serial_hex()},
                             {"location", r.location},
                             {"sha256", r.certificate.sha256_fingerprint()}};
    fmt::print("{}\n", j.dump(2));
  } else if (!ctx.quiet) {
    fmt::print("{} {} (serial {}) in {}\n", verb, r.certificate.subject(), r.certificate.serial_hex(), r.location);
  }
}

ExitCode run_install(const EnrollArgs& args, Context& ctx) {
  Profile profile = load_profile(args.profile);
  Operation operation = ctx.operation("certs-install", &profile, KeyPurpose::manage);
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  std::optional<std::filesystem::path> chain;
  if (!args.chain.empty()) chain = args.chain;
  InstallOutcome r = operation.run({args.cert, ""}, [&] { return install_certificate(profile, secrets, args.cert, chain); });
  print_installed(r, ctx, "installed");
  return ExitCode::ok;
}

ExitCode run_import(const EnrollArgs& args, Context& ctx) {
  if (args.to_uri.empty() == args.to_profile.empty())
    throw Error(Errc::usage, "certs import", "give exactly one of --to pkcs11:URI and --to-profile P");
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  std::optional<std::filesystem::path> module;
  if (!args.module.empty()) module = args.module;
  Profile target = args.to_uri.empty() ? load_profile(args.to_profile) : token_profile(args.to_uri, module, args.pin);
  Operation operation = ctx.operation("certs-import", &target, KeyPurpose::manage);
  Secret password = [&] {
    if (args.password_stdin) return read_first_line(std::cin);
    PromptFn prompt = terminal_prompt();
    if (!prompt) throw Error(Errc::usage, args.p12, "give the PKCS#12 password with --password-stdin (stdin is not a terminal)");
    return prompt("password for " + std::filesystem::path(args.p12).filename().string());
  }();
  InstallOutcome r = operation.run({args.p12, ""}, [&] { return import_pkcs12(args.p12, password, target, secrets); });
  print_installed(r, ctx, "imported");
  return ExitCode::ok;
}

void request_options(CLI::App* app, EnrollArgs& args) {
  app->add_option("--profile,-p", args.profile, "Profile name or path: where the key lives")->required();
  app->add_option("--subject", args.subject, "Subject DN: /C=IN/O=Acme/CN=Asha or CN=Asha,O=Acme,C=IN")->required();
  app->add_option("--san", args.sans, "Subject alternative name: email:ADDR, dns:NAME, uri:URI, ip:ADDR (repeatable)");
  app->add_option("-o,--output", args.output, "Write the request (PEM) to FILE instead of stdout")->type_name("FILE");
  app->add_flag("--force", args.force, "Overwrite an existing request file (never a key)");
}

}  // namespace

std::vector<Command> add_certs_enroll(CLI::App& certs, Context& ctx) {
  auto args = std::make_shared<EnrollArgs>();
  CLI::App* generate = certs.add_subcommand("generate", "Make a key pair where the profile's key lives, and its request");
  request_options(generate, *args);
  generate->add_option("--key-type", args->key_type, "rsa2048, rsa3072 (default), p256 or p384")
      ->check(CLI::IsMember({"rsa2048", "rsa3072", "p256", "p384"}));

  CLI::App* csr = certs.add_subcommand("csr", "Make a new certificate request for the profile's existing key");
  request_options(csr, *args);

  CLI::App* install = certs.add_subcommand("install", "Store a certificate beside the profile's key, after checking it is the key's");
  install->add_option("cert", args->cert, "The certificate (PEM)")->required();
  install->add_option("--chain", args->chain, "Intermediate certificates (PEM) to keep with it")->type_name("FILE");
  install->add_option("--profile,-p", args->profile, "Profile name or path")->required();

  CLI::App* import = certs.add_subcommand("import", "Put the key and certificate of a PKCS#12 file on a token or in Key Vault");
  import->add_option("p12", args->p12, "The PKCS#12 file")->required();
  import->add_option("--to", args->to_uri, "The token and object: pkcs11:token=T;object=LABEL[;id=%01]")->type_name("URI");
  import->add_option("--to-profile", args->to_profile, "A pkcs11 profile (token and object) or an azure-keyvault profile")
      ->type_name("P");
  import->add_option("--module", args->module, "PKCS#11 module for --to (default: the URI's module-path or p11-kit)")
      ->type_name("PATH");
  import->add_option("--pin", args->pin, "The token PIN for --to, as a reference: env:VAR, file:PATH or prompt")
      ->type_name("REF");
  import->add_flag("--password-stdin", args->password_stdin, "Read the PKCS#12 password from the first line of stdin");

  return {{generate, [args, &ctx] { return run_request(*args, ctx, true); }},
          {csr, [args, &ctx] { return run_request(*args, ctx, false); }},
          {install, [args, &ctx] { return run_install(*args, ctx); }},
          {import, [args, &ctx] { return run_import(*args, ctx); }}};
}

}  // namespace esign::cli
