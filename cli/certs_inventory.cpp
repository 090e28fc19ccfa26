// `esign certs list | show | expiring`: the certificates esign knows, and which expire soon.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>

#include "certs_verbs.h"
#include "esign/auth.h"
#include "esign/certs.h"
#include "terminal.h"

namespace esign::cli {

namespace {

struct InventoryArgs {
  bool list_json = false;
  std::string show_what;
  bool show_json = false;
  long days = 30;
  bool expiring_json = false;
};

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

nlohmann::ordered_json entry_json(const CertificateEntry& e) {
  nlohmann::ordered_json j{{"profile", e.profile},
                           {"profile_file", e.profile_file.string()},
                           {"source", e.source},
                           {"location", e.location}};
  if (e.certificate) {
    const Certificate& c = *e.certificate;
    j["subject"] = c.subject();
    j["issuer"] = c.issuer();
    j["serial"] = c.serial_hex();
    j["not_before"] = format_date(c.not_before());
    j["not_after"] = format_date(c.not_after());
    j["days_left"] = days_left(c);
    j["key"] = key_description(c);
    j["sha256"] = c.sha256_fingerprint();
  } else {
    j["error"] = e.error;
  }
  j["linked_users"] = e.linked_users;
  return j;
}

// The operators `esign certs assign` linked to each profile's certificate.
std::vector<CertificateEntry> with_linked_users(std::vector<CertificateEntry> entries, Context& ctx) {
  Accounts accounts = ctx.accounts();
  for (CertificateEntry& e : entries)
    if (!e.profile.empty()) e.linked_users = accounts.linked_users(e.profile);
  return entries;
}

void print_json(const nlohmann::ordered_json& doc) {
  fmt::print("{}\n", doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

// One line per entry: profile, subject CN, issuer CN, serial, not after, days left, location, users.
void print_table(const std::vector<CertificateEntry>& entries) {
  fmt::print("{:<18} {:<28} {:<24} {:<18} {:<20} {:>5}  {:<36} {}\n", "PROFILE", "SUBJECT", "ISSUER", "SERIAL",
             "NOT AFTER", "DAYS", "LOCATION", "USERS");
  for (const CertificateEntry& e : entries) {
    std::string users;
    for (const std::string& u : e.linked_users) users += (users.empty() ? "" : ",") + u;
    if (!e.certificate) {
      fmt::print("{:<18} (unreadable: {})  {}\n", or_dash(e.profile), e.error, or_dash(e.location));
      continue;
    }
    const Certificate& c = *e.certificate;
    std::string issuer = c.issuer();
    if (auto at = issuer.find("CN="); at != std::string::npos) issuer = issuer.substr(at + 3, issuer.find(',', at) - at - 3);
    fmt::print("{:<18} {:<28} {:<24} {:<18} {:<20} {:>5}  {:<36} {}\n", or_dash(e.profile), c.common_name(), issuer,
               c.serial_hex().substr(0, 18), format_date(c.not_after()), days_left(c), e.location, or_dash(users));
  }
}

ExitCode run_list(const InventoryArgs& args, Context& ctx) {
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  std::vector<CertificateEntry> entries = with_linked_users(list_certificates(secrets), ctx);
  if (ctx.json || args.list_json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const CertificateEntry& e : entries) list.push_back(entry_json(e));
    print_json({{"certificates", std::move(list)}});
  } else {
    print_table(entries);
  }
  return ExitCode::ok;
}

ExitCode run_show(const InventoryArgs& args, Context& ctx) {
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  CertificateEntry e = std::move(with_linked_users({find_certificate(args.show_what, secrets)}, ctx).front());
  if (ctx.json || args.show_json) {
    print_json(entry_json(e));
    return ExitCode::ok;
  }
  const Certificate& c = *e.certificate;
  fmt::print("Subject:     {}\nIssuer:      {}\nSerial:      {}\nNot before:  {}\nNot after:   {}\nDays left:   {}\n"
             "Key:         {}\nSHA-256:     {}\nLocation:    {}{}\n",
             c.subject(), c.issuer(), c.serial_hex(), format_date(c.not_before()), format_date(c.not_after()),
             days_left(c), key_description(c), c.sha256_fingerprint(), e.location,
             e.profile.empty() ? "" : " (profile " + e.profile + ")");
  if (!e.linked_users.empty()) {
    std::string users;
    for (const std::string& u : e.linked_users) users += (users.empty() ? "" : ", ") + u;
    fmt::print("Users:       {}\n", users);
  }
  return ExitCode::ok;
}

// Exit 1 when any certificate expires within --days (or has expired): for cron.
ExitCode run_expiring(const InventoryArgs& args, Context& ctx) {
  SecretResolver secrets(terminal_prompt(), stderr_notice());
  std::vector<CertificateEntry> soon;
  for (CertificateEntry& e : list_certificates(secrets)) {
    if (!e.certificate) {
      if (!e.profile.empty()) std::fprintf(stderr, "esign: %s: certificate not readable: %s\n", e.profile_file.c_str(), e.error.c_str());
      continue;
    }
    if (e.certificate->not_after() <= std::chrono::system_clock::now() + std::chrono::hours(24) * args.days)
      soon.push_back(std::move(e));
  }
  if (ctx.json || args.expiring_json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const CertificateEntry& e : soon) list.push_back(entry_json(e));
    print_json({{"days", args.days}, {"certificates", std::move(list)}});
  } else if (!soon.empty()) {
    print_table(soon);
  } else if (!ctx.quiet) {
    fmt::print("no certificate expires within {} days\n", args.days);
  }
  return soon.empty() ? ExitCode::ok : ExitCode::failed;
}

}  // namespace

std::vector<Command> add_certs_inventory(CLI::App& certs, Context& ctx) {
  auto args = std::make_shared<InventoryArgs>();
  CLI::App* list = certs.add_subcommand("list", "List every certificate of the profiles found and of their tokens");
  list->add_flag("--json", args->list_json, "Print {\"certificates\":[...]} on stdout");

  CLI::App* show = certs.add_subcommand("show", "Show one certificate: a profile's, or a certificate file's");
  show->add_option("what", args->show_what, "A profile name or path, or a certificate file (PEM or DER)")->required();
  show->add_flag("--json", args->show_json, "Print the certificate as one JSON document on stdout");

  CLI::App* expiring = certs.add_subcommand("expiring", "List certificates that expire within N days; exit 1 when there is any");
  expiring->add_option("--days", args->days, "The window in days (default 30)")->type_name("N")->check(CLI::NonNegativeNumber);
  expiring->add_flag("--json", args->expiring_json, "Print {\"days\":N,\"certificates\":[...]} on stdout");

  return {{list, [args, &ctx] { return run_list(*args, ctx); }},
          {show, [args, &ctx] { return run_show(*args, ctx); }},
          {expiring, [args, &ctx] { return run_expiring(*args, ctx); }}};
}

}  // namespace esign::cli
