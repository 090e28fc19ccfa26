// PDF password encryption and its removal (AES-256, the PDF 2.0 security handler R6), through libqpdf.
//
// Why libqpdf and not PoDoFo (the rest of esign's PDF library): PoDoFo 0.9.8 is not linked by
// esign (DESIGN.md: esign reads PDFs with its own bounded reader), and its AES-256 support
// predates the final R6 algorithm (ISO 32000-2 §7.6.4.3.4, the iterated SHA-256/384/512 hash),
// so its output is not what qpdf or current readers expect. libqpdf is maintained, implements R6
// exactly as the referee `qpdf --show-encryption` checks it, and rewrites the whole file, which
// is what adding or removing encryption needs.
// qpdf 11: use std::shared_ptr, not its deprecated PointerHolder.
#define POINTERHOLDER_TRANSITION 4
#include <openssl/rand.h>
#include <qpdf/Pipeline.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFWriter.hh>

#include <algorithm>
#include <set>
#include <sstream>

#include "crypto/openssl.h"
#include "envelope/bio_stream.h"
#include "esign/certificate.h"
#include "esign/envelope.h"
#include "esign/output.h"

namespace esign {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kPermissions{"print", "modify", "copy", "annotate", "forms", "assemble", "accessibility"};

// A qpdf pipeline into an OutputFile, hashing what passes.
class OutputPipeline final : public Pipeline {
 public:
  explicit OutputPipeline(OutputFile& out) : Pipeline("esign output", nullptr), out_(out) {}
  void write(unsigned char const* data, size_t len) override {
    hash_.update(data, len);
    out_.write(ByteView(data, len));
  }
  void finish() override {}
  std::string sha256_hex() { return hash_.hex(); }

 private:
  OutputFile& out_;
  envelope::Sha256 hash_;
};

void check_paths(const fs::path& input, const fs::path& output) {
  if (input == "-") throw Error(Errc::usage, "-", "PDF password encryption needs a file, not standard input");
  if (output != "-" && fs::exists(output) && fs::equivalent(input, output))
    throw Error(Errc::usage, output.string(), "the output would overwrite the input");
}

// Opens the PDF; qpdf's exceptions become esign errors.
void open_pdf(QPDF& q, const fs::path& input, const char* password) {
  q.setSuppressWarnings(true);
  try {
    q.processFile(input.c_str(), password);
  } catch (const QPDFExc& e) {
    if (e.getErrorCode() == qpdf_e_password)
      throw Error(password ? Errc::key : Errc::input, input.string(),
                  password ? "wrong PDF password" : "the PDF is already encrypted with a password");
    throw Error(Errc::input, input.string(), "not a readable PDF: " + e.getMessageDetail());
  } catch (const std::exception& e) {
    throw Error(Errc::input, input.string(), std::string("not a readable PDF: ") + e.what());
  }
}

std::string write_pdf(QPDFWriter& w, OutputFile& out, OutputPipeline& sink, const fs::path& input) {
  try {
    w.write();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(Errc::input, input.string(), std::string("cannot rewrite the PDF: ") + e.what());
  }
  std::string hash = sink.sha256_hex();
  out.commit();
  return hash;
}

std::string random_password() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) ossl::fail(Errc::internal, "pdf", "no randomness for the owner password");
  return to_hex(ByteView(bytes, sizeof bytes));
}

}  // namespace

std::vector<std::string> parse_pdf_permissions(const std::string& list) {
  std::vector<std::string> out;
  if (list == "none") return out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (std::find(kPermissions.begin(), kPermissions.end(), item) == kPermissions.end())
      throw Error(Errc::usage, "permissions",
                  "unknown permission '" + item + "' (print, modify, copy, annotate, forms, assemble, accessibility, or none)");
    out.push_back(item);
  }
  return out;
}

fs::path default_pdf_encrypt_output(const fs::path& input) {
  if (input == "-") return "-";
  fs::path out = input;
  out.replace_extension(".encrypted.pdf");
  return out;
}

fs::path default_pdf_decrypt_output(const fs::path& input) {
  if (input == "-") return "-";
  fs::path stem = input.stem();
  fs::path out = input;
  if (stem.extension() == ".encrypted") return out.replace_filename(stem.stem().string() + ".pdf");
  return out.replace_extension(".decrypted.pdf");
}

EnvelopeOutcome encrypt_pdf(const fs::path& input, const fs::path& output, const PdfEncryptOptions& options) {
  check_paths(input, output);
  if (options.user_password.empty()) throw Error(Errc::usage, "PDF password", "the PDF password is empty");
  OutputFile out(output, options.overwrite);
  EnvelopeOutcome outcome;
  outcome.input = input;
  outcome.output = output;
  outcome.content_cipher = "pdf-aes-256-r6";
  outcome.input_sha256 = sha256_file_hex(input);
  QPDF q;
  open_pdf(q, input, nullptr);
  if (q.isEncrypted()) throw Error(Errc::input, input.string(), "the PDF is already encrypted");
  std::set<std::string> allow(options.permissions.begin(), options.permissions.end());
  auto may = [&](const char* p) { return options.all_permissions || allow.count(p) > 0; };
  Secret owner(options.owner_password.empty() ? random_password() : options.owner_password.reveal());

  OutputPipeline sink(out);
  QPDFWriter w(q);
  w.setOutputPipeline(&sink);
  w.setR6EncryptionParameters(options.user_password.reveal().c_str(), owner.reveal().c_str(), may("accessibility"),
                              may("copy"), may("assemble"), may("annotate"), may("forms"), may("modify"),
                              may("print") ? qpdf_r3p_full : qpdf_r3p_none, true);
  outcome.output_sha256 = write_pdf(w, out, sink, input);
  return outcome;
}

EnvelopeOutcome decrypt_pdf(const fs::path& input, const fs::path& output, const Secret& password, bool overwrite) {
  check_paths(input, output);
  OutputFile out(output, overwrite);
  EnvelopeOutcome outcome;
  outcome.input = input;
  outcome.output = output;
  outcome.input_sha256 = sha256_file_hex(input);
  QPDF q;
  open_pdf(q, input, password.reveal().c_str());
  if (!q.isEncrypted()) throw Error(Errc::input, input.string(), "the PDF is not encrypted");
  int r = 0, p = 0, v = 0;
  QPDF::encryption_method_e stream{}, string{}, file{};
  q.isEncrypted(r, p, v, stream, string, file);
  outcome.content_cipher = "pdf-r" + std::to_string(r);
  OutputPipeline sink(out);
  QPDFWriter w(q);
  w.setOutputPipeline(&sink);
  w.setPreserveEncryption(false);
  outcome.output_sha256 = write_pdf(w, out, sink, input);
  return outcome;
}

}  // namespace esign
