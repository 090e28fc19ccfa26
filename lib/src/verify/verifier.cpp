// Verifier: trust anchors loaded once; dispatch by file kind; detached CMS with streamed data.
#include <openssl/pem.h>
#include <openssl/ts.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "common/file_map.h"
#include "crypto/openssl.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/verify.h"
#include "pdf/pades.h"
#include "tsp/tsp.h"
#include "verify/cms_check.h"
#include "verify/outcome.h"
#include "verify/verify_pdf.h"

namespace esign {

namespace fs = std::filesystem;

struct Verifier::Impl {
  VerifyOptions options;
  ossl::Store store;
  mutable verify::CertificateCache certificates;
  mutable verify::ChainCache chains;
  mutable verify::OnlineStatusCache online;
  mutable verify::IssuerCache issuers;
  std::vector<std::shared_ptr<X509>> intermediates;  // --certs

  verify::RevocationContext revocation() const {
    verify::RevocationContext r;
    r.online = !options.offline;
    r.cache = &online;
    r.policy = options.revocation;
    r.max_age = options.max_evidence_age;
    return r;
  }
  // What every CMS check of this verifier starts from.
  verify::CmsContext cms_context() const {
    verify::CmsContext ctx;
    ctx.trust = store.get();
    ctx.certificates = &certificates;
    ctx.chains = &chains;
    ctx.revocation = revocation();
    ctx.keys = options.keys;
    ctx.intermediates = &intermediates;
    ctx.issuers = options.offline ? nullptr : &issuers;
    return ctx;
  }
};

Verifier::Verifier(VerifyOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->store = ossl::trust_store(impl_->options.trust, true);
  for (const fs::path& file : impl_->options.intermediates) {
    for (const Certificate& c : Certificate::load_pem_file(file)) {
      X509* x = c.native();
      X509_up_ref(x);
      impl_->intermediates.emplace_back(x, X509_free);
    }
  }
}

Verifier::~Verifier() = default;
Verifier::Verifier(Verifier&&) noexcept = default;

namespace {

// A .p7s is DER, or PEM (-----BEGIN PKCS7/CMS-----) as some tools write it.
Bytes cms_der(ByteView file) {
  std::string_view text = as_chars(file);
  if (text.find("-----BEGIN") == std::string_view::npos) return Bytes(file.begin(), file.end());
  ossl::Bio bio(BIO_new_mem_buf(file.data(), static_cast<int>(file.size())));
  ossl::Cms cms(PEM_read_bio_CMS(bio.get(), nullptr, nullptr, nullptr));
  if (!cms) {
    ossl::clear_errors();
    return Bytes(file.begin(), file.end());
  }
  unsigned char* buf = nullptr;
  int len = i2d_CMS_ContentInfo(cms.get(), &buf);
  Bytes out(buf, buf + std::max(len, 0));
  OPENSSL_free(buf);
  return out;
}

bool is_detached_signature(const fs::path& f) {
  return f.extension() == ".p7s" || f.extension() == ".p7m" || f.extension() == ".tsr";
}

// Where the signed content of a detached signature is: `data`, else the file X beside X.p7s.
fs::path data_for(const fs::path& p7s, const std::optional<fs::path>& data) {
  if (data) return *data;
  if (!is_detached_signature(p7s)) return {};
  return fs::path(p7s).replace_extension();
}

}  // namespace

FileReport Verifier::verify_file(const fs::path& file) const { return verify_file(file, impl_->options.data); }

namespace {
int rank(const std::string& level) {
  for (int i = 0; const char* l : {"B-B", "B-T", "B-LT", "B-LTA"}) {
    if (level == l) return i;
    ++i;
  }
  return -1;
}

// --require-level: a valid file whose signatures do not all reach the level does not pass
// (INDETERMINATE, SIG_CONSTRAINTS_FAILURE: the validation constraints are not met).
void apply_level_policy(FileReport& report, const std::optional<SignatureLevel>& required) {
  if (!required || !report.valid) return;
  const std::string want = to_string(*required);
  for (const SignatureReport& s : report.signatures) {
    if (s.subfilter == "ETSI.RFC3161") continue;  // a document time-stamp has no baseline level
    if (rank(s.level) < rank(want)) {
      verify::fail_file(report,
                        s.field + " reaches " + (s.level.empty() ? std::string("no baseline level") : s.level) +
                            ", below the required " + want,
                        {Indication::indeterminate, verify::sub::sig_constraints_failure});
      verify::conclude(report);
      return;
    }
  }
}
}  // namespace

FileReport Verifier::verify_file(const fs::path& file, const std::optional<fs::path>& data) const {
  FileReport report;
  report.path = file.string();
  InputBytes in = InputBytes::open(file);
  ByteView bytes = in.bytes();
  report.sha256 = to_hex(digest_of(DigestAlgorithm::sha256, bytes).value);

  bool is_pdf = pdf::looks_like_pdf(bytes) || file.extension() == ".pdf";
  if (is_pdf) {
    verify::verify_pdf(bytes, impl_->cms_context(), impl_->options, report);
    apply_level_policy(report, impl_->options.required_level);
    return report;
  }

  if (file.extension() == ".tsr") {
    // esign stamp's output: an RFC 3161 TimeStampResp whose token covers the data beside it.
    report.kind = "tsr";
    SignatureReport ts;
    ts.field = "timestamp";
    ts.subfilter = "rfc3161";
    fs::path data_path = data_for(file, data);
    if (data_path.empty() || !fs::exists(data_path))
      throw Error(Errc::input, file.string(), "cannot find the time-stamped data", Remedy::detached_content);
    InputBytes content = InputBytes::open(data_path);
    const unsigned char* p = bytes.data();
    std::unique_ptr<TS_RESP, ossl::Deleter<TS_RESP_free>> resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(bytes.size())));
    PKCS7* token = resp ? TS_RESP_get_token(resp.get()) : nullptr;
    unsigned char* der = nullptr;
    int len = token ? i2d_PKCS7(token, &der) : -1;
    ossl::clear_errors();
    if (len <= 0) {
      verify::add_check(ts, "timestamp_structure", false, "not an RFC 3161 TimeStampResp with a token");
      verify::conclude(ts);
    } else {
      verify::report_timestamp(tsp::check(ByteView(der, static_cast<std::size_t>(len)), content.bytes(), impl_->store.get()),
                               "timestamp", impl_->cms_context(), ts);
    }
    OPENSSL_free(der);
    ts.signed_bytes = content.bytes().size();
    ts.covers_whole_file = ts.valid;
    report.signatures.push_back(std::move(ts));
    verify::conclude(report);
    return report;
  }

  report.kind = "cms";
  SignatureReport sig;
  sig.field = "signer 1";
  sig.subfilter = "cms";
  fs::path data_path = data_for(file, data);
  verify::CmsContext ctx = impl_->cms_context();
  // The detached content is streamed once, whatever its size, through every hasher needed.
  std::ifstream content;
  bool have_content = false;
  if (!data_path.empty() && (data || fs::exists(data_path))) {
    if (fs::is_directory(data_path)) throw Error(Errc::input, data_path.string(), "is a directory");
    content.open(data_path, std::ios::binary);
    if (!content) throw Error(Errc::input, data_path.string(), "cannot open the signed data");
    have_content = true;
    ctx.content_digests = [&](const std::vector<DigestAlgorithm>& algorithms) {
      std::vector<Hasher> hashers;
      for (DigestAlgorithm a : algorithms) hashers.emplace_back(a);
      std::vector<std::uint8_t> buf(1 << 20);
      std::size_t total = 0;
      while (content) {
        content.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
        ByteView chunk(buf.data(), static_cast<std::size_t>(content.gcount()));
        total += chunk.size();
        for (Hasher& h : hashers) h.update(chunk);
      }
      if (content.bad()) throw Error(Errc::input, data_path.string(), "read error");
      sig.signed_bytes = total;
      std::vector<Digest> out;
      for (Hasher& h : hashers) out.push_back(h.finish());
      return out;
    };
  }
  verify::check_cms(cms_der(bytes), ctx, sig);
  sig.covers_whole_file = sig.valid;
  if (!have_content && !sig.valid && sig.error.find("no signed content") != std::string::npos)
    throw Error(Errc::input, file.string(), data_path.empty() ? std::string("cannot find the signed data") : "cannot find the signed data " + data_path.string(), Remedy::detached_content);
  report.signatures.push_back(std::move(sig));
  verify::conclude(report);
  apply_level_policy(report, impl_->options.required_level);
  return report;
}

std::vector<VerifyInput> inputs_to_verify(const std::vector<fs::path>& arguments, bool recursive,
                                          const std::optional<fs::path>& data_dir) {
  std::vector<VerifyInput> out;
  auto add = [&](const fs::path& file, const fs::path& relative) {
    VerifyInput in{file, std::nullopt};
    if (data_dir && is_detached_signature(file)) in.data = *data_dir / fs::path(relative).replace_extension();
    out.push_back(std::move(in));
  };
  for (const fs::path& a : arguments) {
    std::error_code ec;
    if (!fs::is_directory(a, ec)) {
      add(a, a.filename());
      continue;
    }
    std::vector<fs::path> found;
    auto take = [&](const fs::directory_entry& e) {
      std::error_code type_ec;
      if (e.is_regular_file(type_ec) && (e.path().extension() == ".pdf" || is_detached_signature(e.path())))
        found.push_back(e.path());
    };
    if (recursive) {
      for (fs::recursive_directory_iterator it(a, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
           it.increment(ec))
        take(*it);
    } else {
      for (fs::directory_iterator it(a, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
           it.increment(ec))
        take(*it);
    }
    if (ec) throw Error(Errc::input, a.string(), "cannot list the folder: " + ec.message());
    std::sort(found.begin(), found.end());
    for (const fs::path& f : found) add(f, f.lexically_relative(a));
  }
  return out;
}

std::vector<FileReport> Verifier::verify_files(const std::vector<fs::path>& files, unsigned jobs) const {
  std::vector<VerifyInput> inputs;
  for (const fs::path& f : files) inputs.push_back({f, std::nullopt});
  return verify_files(inputs, jobs);
}

std::vector<FileReport> Verifier::verify_files(const std::vector<VerifyInput>& inputs, unsigned jobs) const {
  std::vector<FileReport> reports(inputs.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < inputs.size();) {
      const fs::path& file = inputs[i].file;
      try {
        reports[i] = verify_file(file, inputs[i].data ? inputs[i].data : impl_->options.data);
      } catch (const Error& e) {
        reports[i].path = file.string();
        reports[i].unreadable = true;
        reports[i].error = e.subject() == file.string() ? e.reason() : e.what();
        reports[i].remedy = e.remedy();
      }
    }
  };
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, inputs.size()));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  return reports;
}

ExitCode exit_code_for(const std::vector<FileReport>& reports) {
  ExitCode code = ExitCode::ok;
  for (const FileReport& r : reports) {
    if (r.unreadable) return ExitCode::error;
    if (r.indication == Indication::total_failed) code = ExitCode::failed;
    else if (r.indication == Indication::indeterminate && code == ExitCode::ok) code = ExitCode::indeterminate;
  }
  return code;
}

void record_verify(Ledger& ledger, const std::vector<FileReport>& reports) {
  std::vector<NewEvent> events;
  for (const FileReport& report : reports) {
    NewEvent e;
    e.operation = "verify";
    e.input_path = report.path == "-" ? "-" : fs::absolute(report.path).lexically_normal().string();
    e.input_sha256 = report.sha256;
    e.outcome = report.unreadable                                 ? "unreadable"
                : report.indication == Indication::total_passed  ? "valid"
                : report.indication == Indication::indeterminate ? "indeterminate"
                                                                 : "invalid";
    if (!report.signatures.empty()) e.signer_fingerprint = report.signatures.back().signer_fingerprint;
    e.detail = report.error.value_or("");
    events.push_back(std::move(e));
  }
  ledger.append_all(events);
}

}  // namespace esign
