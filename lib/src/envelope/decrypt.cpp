// esign decrypt: walks the CMS envelope with BerReader, hands OpenSSL the envelope without its
// encrypted content, and streams the content to CMS_decrypt as detached content (bounded memory).
#include <fcntl.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/openssl.h"
#include "envelope/algorithms.h"
#include "envelope/ber_reader.h"
#include "envelope/bio_stream.h"
#include "envelope/decrypt_key.h"
#include "esign/certificate.h"
#include "esign/envelope.h"
#include "esign/output.h"

namespace esign {

namespace fs = std::filesystem;
using envelope::BerHeader;
using envelope::BerReader;

fs::path default_decrypt_output(const fs::path& input) {
  if (input == "-") return "-";
  const std::string name = input.filename().string();
  if (name.size() <= 4 || input.extension() != ".p7m")
    throw Error(Errc::usage, input.string(), "the input does not end in .p7m; name the output with -o");
  return fs::path(input).replace_extension();
}

namespace {

// Everything but the elements holding certificates is small; bound what is held in memory.
constexpr std::size_t kMaxElement = 16 * 1024 * 1024;

// DER of the two content types we open.
const Bytes kEnvelopedOid{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03};
const Bytes kAuthEnvelopedOid{0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17};

// An open input: the file itself, or stdin copied into an unlinked temporary file (the
// envelope's tag and trailer come after the content, so the content is read twice).
class InputFile {
 public:
  InputFile(const fs::path& input, envelope::Sha256* spool_hash) {
    subject_ = input.string();
    if (input != "-") {
      fd_ = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0) throw Error(Errc::input, subject_, std::string("cannot open: ") + std::strerror(errno));
      if (::lseek(fd_, 0, SEEK_SET) == 0) return;
      spool(fd_, spool_hash);  // a pipe named as a file
      return;
    }
    spool(STDIN_FILENO, spool_hash);
  }
  ~InputFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  int fd() const { return fd_; }
  bool spooled() const { return spooled_; }

 private:
  void spool(int from, envelope::Sha256* hash) {
    std::string pattern = (fs::temp_directory_path() / "esign-decrypt-XXXXXX").string();
    int tmp = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (tmp < 0) throw Error(Errc::input, subject_, std::string("cannot create a spool file: ") + std::strerror(errno));
    ::unlink(pattern.c_str());
    std::vector<unsigned char> buf(64 * 1024);
    for (;;) {
      ssize_t n = ::read(from, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::close(tmp);
        throw Error(Errc::input, subject_, std::string("read failed: ") + std::strerror(errno));
      }
      if (n == 0) break;
      hash->update(buf.data(), static_cast<std::size_t>(n));
      for (ssize_t done = 0; done < n;) {
        ssize_t w = ::write(tmp, buf.data() + done, static_cast<std::size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
          ::close(tmp);
          throw Error(Errc::input, subject_, std::string("cannot spool the input: ") + std::strerror(errno));
        }
        done += w;
      }
    }
    if (from != STDIN_FILENO && fd_ >= 0) ::close(fd_);
    fd_ = tmp;
    spooled_ = true;
    ::lseek(fd_, 0, SEEK_SET);
  }
  std::string subject_;
  int fd_ = -1;
  bool spooled_ = false;
};

// The envelope as read by the first pass: every element but the encrypted content, raw.
struct Envelope {
  Bytes content_type;             // the ContentInfo's OID TLV
  std::vector<Bytes> before;      // version, originatorInfo, recipientInfos
  Bytes eci_type, eci_algorithm;  // of the (Auth)EncryptedContentInfo
  BerHeader content;              // the [0] encryptedContent header
  std::vector<Bytes> after;       // unprotectedAttrs, or authAttrs, mac, unauthAttrs
};

// Children of a constructed element, definite or indefinite.
bool next_child(BerReader& r, const BerHeader& parent, BerHeader& child) {
  if (parent.indefinite) {
    if (r.take_eoc()) return false;
  } else {
    const std::uint64_t end = parent.content + parent.length;
    if (r.tell() == end) return false;
    if (r.tell() > end) r.malformed("element overruns its parent");
  }
  child = r.header();
  if (!parent.indefinite && !child.indefinite && child.content + child.length > parent.content + parent.length)
    r.malformed("element overruns its parent");
  return true;
}

void skip_tlv(BerReader& r, const BerHeader& h, int depth = 0) {
  if (depth > 32) r.malformed("nested too deeply");
  if (!h.indefinite) return r.skip(h.length);
  BerHeader c;
  while (next_child(r, h, c)) skip_tlv(r, c, depth + 1);
}

Envelope read_envelope(BerReader& r) {
  Envelope env;
  BerHeader ci = r.header();
  if (ci.tag != 0x30) r.malformed("no ContentInfo");
  BerHeader h;
  if (!next_child(r, ci, h) || h.tag != 0x06) r.malformed("no content type");
  env.content_type = r.rest_of(h, 64);
  if (env.content_type != kEnvelopedOid && env.content_type != kAuthEnvelopedOid)
    throw Error(Errc::input, "", "not CMS EnvelopedData or AuthEnvelopedData (a signed or plain file?)");
  BerHeader explicit0;
  if (!next_child(r, ci, explicit0) || explicit0.tag != 0xa0) r.malformed("no content");
  BerHeader body;
  if (!next_child(r, explicit0, body) || body.tag != 0x30) r.malformed("no enveloped data");
  bool seen_eci = false;
  while (next_child(r, body, h)) {
    if (!seen_eci && h.tag == 0x30) {  // the first SEQUENCE: (Auth)EncryptedContentInfo
      seen_eci = true;
      BerHeader e;
      if (!next_child(r, h, e) || e.tag != 0x06) r.malformed("no encrypted content type");
      env.eci_type = r.rest_of(e, 256);
      if (!next_child(r, h, e) || e.tag != 0x30) r.malformed("no content encryption algorithm");
      env.eci_algorithm = r.rest_of(e, 4096);
      if (!next_child(r, h, e))
        throw Error(Errc::input, "", "the encrypted content is detached (not in the file); esign cannot open that");
      if (e.tag != 0x80 && e.tag != 0xa0) r.malformed("unexpected element in the encrypted content info");
      env.content = e;
      skip_tlv(r, e);
      if (next_child(r, h, e)) r.malformed("unexpected element after the encrypted content");
    } else if (!seen_eci) {
      env.before.push_back(r.rest_of(h, kMaxElement));
    } else {
      env.after.push_back(r.rest_of(h, kMaxElement));
    }
  }
  if (!seen_eci) r.malformed("no encrypted content info");
  if (next_child(r, explicit0, h) || next_child(r, ci, h)) r.malformed("unexpected trailing element");
  if (!r.at_eof()) r.malformed("data after the end of the CMS structure");
  return env;
}

Bytes concat(std::initializer_list<const Bytes*> parts) {
  Bytes out;
  for (const Bytes* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

// The envelope without its encrypted content (which CMS makes optional), re-encoded with definite lengths.
ossl::Cms envelope_without_content(const Envelope& env, const std::string& subject) {
  Bytes eci = envelope::der_tlv(0x30, concat({&env.eci_type, &env.eci_algorithm}));
  Bytes body;
  for (const Bytes& b : env.before) body.insert(body.end(), b.begin(), b.end());
  body.insert(body.end(), eci.begin(), eci.end());
  for (const Bytes& b : env.after) body.insert(body.end(), b.begin(), b.end());
  Bytes seq = envelope::der_tlv(0x30, body);
  Bytes explicit0 = envelope::der_tlv(0xa0, seq);
  Bytes der = envelope::der_tlv(0x30, concat({&env.content_type, &explicit0}));
  const unsigned char* p = der.data();
  ossl::Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms) ossl::fail(Errc::input, subject, "not a valid CMS enveloped file");
  return cms;
}

// Streams the encrypted content's octets: one primitive [0], or the chunks of a constructed one.
class ContentStream {
 public:
  ContentStream(BerReader& r, const BerHeader& content) : r_(r) {
    r_.seek(content.offset);
    BerHeader h = r_.header();
    if (h.constructed()) stack_.push_back(h);
    else remaining_ = h.length;
  }

  std::size_t pull(unsigned char* buf, std::size_t n) {
    for (;;) {
      if (remaining_ > 0) {
        std::size_t k = r_.read_some(buf, static_cast<std::size_t>(std::min<std::uint64_t>(n, remaining_)));
        remaining_ -= k;
        return k;
      }
      if (stack_.empty()) return 0;
      BerHeader chunk;
      if (!next_child(r_, stack_.back(), chunk)) {
        stack_.pop_back();
        continue;
      }
      if (chunk.tag == 0x04) remaining_ = chunk.length;
      else if (chunk.tag == 0x24 && stack_.size() < 32) stack_.push_back(chunk);
      else r_.malformed("unexpected element in the encrypted content");
    }
  }

 private:
  BerReader& r_;
  std::vector<BerHeader> stack_;
  std::uint64_t remaining_ = 0;
};

// The AuthEnvelopedData mac: the OCTET STRING among the elements after the encrypted content
// (between the optional [1] authAttrs and [2] unauthAttrs).
const Bytes& find_mac(const Envelope& env, BerReader& r) {
  for (const Bytes& b : env.after)
    if (!b.empty() && (b[0] == 0x04 || b[0] == 0x24)) return b;
  r.malformed("no authentication tag");
}

// Refuses what esign does not decrypt (envelope/algorithms.h), before any output exists; returns
// the content cipher's name.
std::string check_algorithms(const Envelope& env, CMS_ContentInfo* cms, BerReader& r, const std::string& subject) {
  const bool authenticated = env.content_type == kAuthEnvelopedOid;
  std::string cipher = envelope::check_content_algorithm(env.eci_algorithm, authenticated, subject);
  if (authenticated) envelope::check_gcm_tag(env.eci_algorithm, find_mac(env, r), subject);
  envelope::check_recipients(cms, subject);
  return cipher;
}

// Whether one of the envelope's recipients is `cert` (issuer and serial, or subject key identifier).
bool has_recipient(CMS_ContentInfo* cms, X509* cert) {
  STACK_OF(CMS_RecipientInfo)* ris = CMS_get0_RecipientInfos(cms);
  for (int i = 0; ris && i < sk_CMS_RecipientInfo_num(ris); ++i) {
    CMS_RecipientInfo* ri = sk_CMS_RecipientInfo_value(ris, i);
    switch (CMS_RecipientInfo_type(ri)) {
      case CMS_RECIPINFO_TRANS:
        if (CMS_RecipientInfo_ktri_cert_cmp(ri, cert) == 0) return true;
        break;
      case CMS_RECIPINFO_AGREE: {
        STACK_OF(CMS_RecipientEncryptedKey)* reks = CMS_RecipientInfo_kari_get0_reks(ri);
        for (int j = 0; reks && j < sk_CMS_RecipientEncryptedKey_num(reks); ++j)
          if (CMS_RecipientEncryptedKey_cert_cmp(sk_CMS_RecipientEncryptedKey_value(reks, j), cert) == 0) return true;
        break;
      }
      default: break;
    }
  }
  return false;
}

}  // namespace

EnvelopeOutcome decrypt_file(const Profile& profile, const SecretResolver& secrets, const fs::path& input,
                             const fs::path& output, bool overwrite) {
  if (input != "-" && output != "-" && fs::exists(output) && fs::exists(input) && fs::equivalent(input, output))
    throw Error(Errc::usage, output.string(), "the output would overwrite the input");
  EnvelopeOutcome outcome;
  outcome.input = input;
  outcome.output = output;
  if (!overwrite && output != "-" && fs::exists(output))
    throw Error(Errc::conflict, output.string(), "output exists", Remedy::overwrite);

  // The key first: a wrong password fails before a large file is read.
  envelope::DecryptionKey key = envelope::load_decryption_key(profile, secrets);
  const std::string subject = input.string();

  envelope::Sha256 spool_hash;
  InputFile in(input, &spool_hash);
  BerReader reader(in.fd(), subject, !in.spooled());
  Envelope env;
  try {
    env = read_envelope(reader);
  } catch (const Error& e) {
    if (e.subject().empty()) throw Error(e.code(), subject, e.reason());
    throw;
  }
  outcome.input_sha256 = in.spooled() ? spool_hash.hex() : reader.sha256_hex();
  ossl::Cms cms = envelope_without_content(env, subject);
  outcome.content_cipher = check_algorithms(env, cms.get(), reader, subject);

  if (!has_recipient(cms.get(), key.cert.get())) {
    Certificate c = Certificate::from_x509(key.cert.get());
    throw Error(Errc::key, subject,
                "not encrypted to this profile's key (no recipient matches the certificate of '" + c.common_name() + "')");
  }

  OutputFile out(output, overwrite);
  envelope::SinkBio sink(out);
  ContentStream content(reader, env.content);
  envelope::SourceBio source([&](unsigned char* buf, std::size_t n) { return content.pull(buf, n); });

  ossl::clear_errors();
  if (CMS_decrypt(cms.get(), key.key.get(), key.cert.get(), source.get(), sink.get(), CMS_BINARY) != 1) {
    sink.rethrow_if_failed();
    source.rethrow_if_failed();
    if (key.rethrow_failure) {
      ossl::clear_errors();
      key.rethrow_failure();
    }
    ossl::fail(Errc::input, subject, "decryption failed: the file is damaged or was tampered with");
  }
  sink.rethrow_if_failed();
  outcome.output_sha256 = sink.sha256_hex();
  outcome.recipient_fingerprints.push_back(Certificate::from_x509(key.cert.get()).sha256_fingerprint());
  out.commit();
  return outcome;
}

}  // namespace esign
