// stamp_file: a file's SHA-256, streamed, time-stamped by the TSA and written as a .tsr.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <iostream>

#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/output.h"
#include "esign/stamp.h"
#include "common/time.h"
#include "tsp/token.h"

namespace esign {

namespace fs = std::filesystem;

namespace {


// SHA-256 of the input, read in 1 MiB chunks.
Digest hash_input(const fs::path& input) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (input != "-") {
    if (fs::is_directory(input)) throw Error(Errc::input, input.string(), "is a directory");
    file.open(input, std::ios::binary);
    if (!file) throw Error(Errc::input, input.string(), "cannot open for reading");
    in = &file;
  }
  Hasher hasher(DigestAlgorithm::sha256);
  std::vector<std::uint8_t> buf(1 << 20);
  while (*in) {
    in->read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    hasher.update(ByteView(buf.data(), static_cast<std::size_t>(in->gcount())));
  }
  if (in->bad()) throw Error(Errc::input, input.string(), "read error");
  return hasher.finish();
}

}  // namespace

fs::path default_stamp_output(const fs::path& input, bool pdf) {
  if (input == "-") return "-";
  std::string name = input.filename().string();
  if (!pdf) return input.parent_path() / (name + ".tsr");
  fs::path p(name);
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return input.parent_path() / (ext == ".pdf" ? p.stem().string() + ".stamped" + p.extension().string() : name + ".stamped.pdf");
}

fs::path default_extend_output(const fs::path& input) {
  if (input == "-") return "-";
  fs::path p = input.filename();
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return input.parent_path() /
         (ext == ".p7s" || ext == ".p7m" ? p.stem().string() + ".stamped" + p.extension().string() : p.string() + ".stamped.p7s");
}

StampOutcome stamp_file(const TimestampSettings& settings, const fs::path& input, const fs::path& output,
                        bool overwrite, const SecretResolver& secrets, const std::string& profile_file) {
  if (settings.url.empty()) throw Error(Errc::config, profile_file, "no TSA URL (timestamp.url)");
  if (input != "-" && output != "-" && fs::exists(output) && fs::exists(input) && fs::equivalent(input, output))
    throw Error(Errc::usage, input.string(), "the output would overwrite the input");
  // Before anything is hashed or sent: an existing output without --force is refused here.
  OutputFile out(output, overwrite);
  Digest imprint = hash_input(input);
  tsp::Reply reply = tsp::request_reply(settings, imprint, secrets, profile_file);
  out.write(reply.response);
  out.commit();

  StampOutcome o;
  o.input = input;
  o.output = output;
  o.input_sha256 = to_hex(imprint.value);
  o.output_sha256 = to_hex(digest_of(DigestAlgorithm::sha256, reply.response).value);
  o.time = rfc3339(reply.token.time);
  o.tsa = reply.token.tsa;
  o.tsa_fingerprint = reply.tsa_fingerprint;
  o.tsa_url = tsp::url_subject(settings.url);
  return o;
}

AuditFields audit_fields(const StampOutcome& outcome) {
  AuditFields f;
  f.input_sha256 = outcome.input_sha256;
  f.output_sha256 = outcome.output_sha256;
  f.fingerprint = outcome.tsa_fingerprint;
  f.detail = !outcome.detail.empty() ? outcome.detail
             : outcome.time.empty()  ? "pdf document timestamp"
                                     : "rfc3161 " + outcome.time + " " + outcome.tsa_url;
  return f;
}

}  // namespace esign
