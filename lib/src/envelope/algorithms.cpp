// The accepted algorithm lists of `esign decrypt` and the checks of an envelope against them.
#include "envelope/algorithms.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>

#include "der/der.h"
#include "crypto/openssl.h"
#include "esign/error.h"

namespace esign::envelope {

namespace {

// RFC 5084 §3.2: an AES-GCM tag is 12 to 16 bytes; aes-ICVlen DEFAULT 12.
constexpr long kMinTag = 12, kMaxTag = 16, kDefaultIcvLength = 12;

using Algor = std::unique_ptr<X509_ALGOR, ossl::Deleter<X509_ALGOR_free>>;

[[noreturn]] void refuse(const std::string& subject, const std::string& reason) {
  throw Error(Errc::input, subject, reason);
}

// An AlgorithmIdentifier's DER; null when it is not one (or has trailing bytes).
Algor read_algorithm(ByteView der) {
  const unsigned char* p = der.data();
  Algor alg(d2i_X509_ALGOR(nullptr, &p, static_cast<long>(der.size())));
  if (alg && p != der.data() + der.size()) alg.reset();
  ossl::clear_errors();
  return alg;
}

std::string dotted(const ASN1_OBJECT* oid) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof buf, oid, 1);
  return n > 0 && n < static_cast<int>(sizeof buf) ? std::string(buf) : std::string("an unreadable OID");
}

// "des-ede3-cbc (1.2.840.113549.3.7)", or the dotted OID alone when OpenSSL has no name for it.
std::string label(const ASN1_OBJECT* oid) {
  const int nid = OBJ_obj2nid(oid);
  return nid == NID_undef ? dotted(oid) : std::string(OBJ_nid2ln(nid)) + " (" + dotted(oid) + ")";
}

const Algorithm* find(const std::vector<Algorithm>& list, const ASN1_OBJECT* oid) {
  const std::string d = dotted(oid);
  auto it = std::find_if(list.begin(), list.end(), [&](const Algorithm& a) { return d == a.oid; });
  return it == list.end() ? nullptr : &*it;
}

std::string names(const std::vector<Algorithm>& list) {
  std::string out;
  for (const Algorithm& a : list) out += (out.empty() ? "" : ", ") + std::string(a.name);
  return out;
}

// The bytes of a parameter that is a SEQUENCE (its whole TLV), or empty.
ByteView sequence_parameter(const X509_ALGOR* alg) {
  int type = V_ASN1_UNDEF;
  const void* value = nullptr;
  X509_ALGOR_get0(nullptr, &type, &value, alg);
  if (type != V_ASN1_SEQUENCE || value == nullptr) return {};
  const auto* s = static_cast<const ASN1_STRING*>(value);
  return {ASN1_STRING_get0_data(s), static_cast<std::size_t>(ASN1_STRING_length(s))};
}

// GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER DEFAULT 12 }: the
// aes-ICVlen, or a negative number for one that is negative or longer than 4 octets.
long gcm_icv_length(const X509_ALGOR* alg, const std::string& subject) {
  ByteView in = sequence_parameter(alg);
  der::Element params, nonce, icv;
  if (!der::read(in, params) || params.tag != der::tag::sequence || !in.empty())
    refuse(subject, "the AES-GCM parameters are missing or not DER");
  ByteView body = params.content;
  if (!der::read(body, nonce) || nonce.tag != der::tag::octet_string)
    refuse(subject, "the AES-GCM parameters have no nonce");
  if (body.empty()) return kDefaultIcvLength;
  if (!der::read(body, icv) || icv.tag != der::tag::integer || icv.content.empty() || !body.empty())
    refuse(subject, "the AES-GCM parameters are not DER (aes-nonce, aes-ICVlen)");
  if (icv.content.size() > 4) return -1;
  long v = (icv.content[0] & 0x80) ? -1 : 0;  // two's complement
  for (std::uint8_t b : icv.content) v = (v << 8) | b;
  return v;
}

constexpr const char* kAgreementNames =
    "dhSinglePass-stdDH-* or dhSinglePass-cofactorDH-* with a SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512 KDF";

void check_key_transport(CMS_RecipientInfo* ri, const std::string& who, const std::string& subject) {
  X509_ALGOR* alg = nullptr;
  if (CMS_RecipientInfo_ktri_get0_algs(ri, nullptr, nullptr, &alg) != 1 || alg == nullptr)
    refuse(subject, who + " has no key transport algorithm");
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
  if (!find(key_transport_algorithms(), oid))
    refuse(subject, who + ": key transport algorithm " + label(oid) + " is not accepted (esign accepts " +
                        names(key_transport_algorithms()) + ")");
}

void check_key_agreement(CMS_RecipientInfo* ri, const std::string& who, const std::string& subject) {
  X509_ALGOR* alg = nullptr;
  ASN1_OCTET_STRING* ukm = nullptr;
  if (CMS_RecipientInfo_kari_get0_alg(ri, &alg, &ukm) != 1 || alg == nullptr)
    refuse(subject, who + " has no key agreement algorithm");
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
  if (!find(key_agreement_algorithms(), oid))
    refuse(subject, who + ": key agreement algorithm " + label(oid) + " is not accepted (esign accepts " +
                        kAgreementNames + ")");
  Algor wrap = read_algorithm(sequence_parameter(alg));
  if (!wrap) refuse(subject, who + ": the key agreement names no key wrap algorithm");
  const ASN1_OBJECT* wrap_oid = nullptr;
  X509_ALGOR_get0(&wrap_oid, nullptr, nullptr, wrap.get());
  if (!find(key_wrap_algorithms(), wrap_oid))
    refuse(subject, who + ": key wrap algorithm " + label(wrap_oid) + " is not accepted (esign accepts " +
                        names(key_wrap_algorithms()) + ")");
}

[[noreturn]] void refuse_kind(const std::string& what, const std::string& subject) {
  refuse(subject, what + "; esign accepts only RSA key transport and ECDH key agreement recipients");
}

}  // namespace

const std::vector<Algorithm>& key_transport_algorithms() {
  static const std::vector<Algorithm> list{
      {"1.2.840.113549.1.1.1", "rsaEncryption"},  // RSA PKCS#1 v1.5 (esign encrypt --compat)
      {"1.2.840.113549.1.1.7", "id-RSAES-OAEP"},  // esign encrypt's default
  };
  return list;
}

const std::vector<Algorithm>& key_agreement_algorithms() {
  // RFC 5753 single-pass ECDH with the X9.63 KDF; esign encrypt (and OpenSSL) write the first.
  static const std::vector<Algorithm> list{
      {"1.3.133.16.840.63.0.2", "dhSinglePass-stdDH-sha1kdf-scheme"},
      {"1.3.132.1.11.0", "dhSinglePass-stdDH-sha224kdf-scheme"},
      {"1.3.132.1.11.1", "dhSinglePass-stdDH-sha256kdf-scheme"},
      {"1.3.132.1.11.2", "dhSinglePass-stdDH-sha384kdf-scheme"},
      {"1.3.132.1.11.3", "dhSinglePass-stdDH-sha512kdf-scheme"},
      {"1.3.133.16.840.63.0.3", "dhSinglePass-cofactorDH-sha1kdf-scheme"},
      {"1.3.132.1.14.0", "dhSinglePass-cofactorDH-sha224kdf-scheme"},
      {"1.3.132.1.14.1", "dhSinglePass-cofactorDH-sha256kdf-scheme"},
      {"1.3.132.1.14.2", "dhSinglePass-cofactorDH-sha384kdf-scheme"},
      {"1.3.132.1.14.3", "dhSinglePass-cofactorDH-sha512kdf-scheme"},
  };
  return list;
}

const std::vector<Algorithm>& key_wrap_algorithms() {
  static const std::vector<Algorithm> list{
      {"2.16.840.1.101.3.4.1.5", "id-aes128-wrap"},
      {"2.16.840.1.101.3.4.1.25", "id-aes192-wrap"},
      {"2.16.840.1.101.3.4.1.45", "id-aes256-wrap"},
  };
  return list;
}

const std::vector<Algorithm>& content_algorithms(bool authenticated) {
  static const std::vector<Algorithm> cbc{
      {"2.16.840.1.101.3.4.1.2", "aes-128-cbc"},
      {"2.16.840.1.101.3.4.1.22", "aes-192-cbc"},
      {"2.16.840.1.101.3.4.1.42", "aes-256-cbc"},
  };
  static const std::vector<Algorithm> gcm{
      {"2.16.840.1.101.3.4.1.6", "aes-128-gcm"},
      {"2.16.840.1.101.3.4.1.26", "aes-192-gcm"},
      {"2.16.840.1.101.3.4.1.46", "aes-256-gcm"},
  };
  return authenticated ? gcm : cbc;
}

std::string check_content_algorithm(ByteView algorithm, bool authenticated, const std::string& subject) {
  Algor alg = read_algorithm(algorithm);
  if (!alg) refuse(subject, "the content encryption algorithm is not a DER AlgorithmIdentifier");
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, alg.get());
  const std::vector<Algorithm>& list = content_algorithms(authenticated);
  const Algorithm* found = find(list, oid);
  if (!found)
    refuse(subject, "content encryption " + label(oid) + " is not accepted in " +
                        (authenticated ? "AuthEnvelopedData" : "EnvelopedData") + " (esign accepts " +
                        names(list) + ")");
  return found->name;
}

void check_gcm_tag(ByteView algorithm, ByteView mac, const std::string& subject) {
  Algor alg = read_algorithm(algorithm);
  if (!alg) refuse(subject, "the content encryption algorithm is not a DER AlgorithmIdentifier");
  const unsigned char* p = mac.data();
  std::unique_ptr<ASN1_OCTET_STRING, ossl::Deleter<ASN1_OCTET_STRING_free>> tag(
      d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(mac.size())));
  ossl::clear_errors();
  if (!tag || p != mac.data() + mac.size()) refuse(subject, "the AES-GCM authentication tag is not an OCTET STRING");
  const long length = ASN1_STRING_length(tag.get());
  if (length < kMinTag || length > kMaxTag)
    refuse(subject, "the AES-GCM authentication tag is " + std::to_string(length) +
                        " bytes long; esign accepts 12 to 16 (RFC 5084)");
  const long icv = gcm_icv_length(alg.get(), subject);
  if (icv < kMinTag || icv > kMaxTag)
    refuse(subject, "the AES-GCM parameters declare a tag length (aes-ICVlen) of " +
                        (icv < 0 ? std::string("an impossible number of") : std::to_string(icv)) +
                        " bytes; esign accepts 12 to 16 (RFC 5084)");
  if (icv != length)
    refuse(subject, "the AES-GCM authentication tag is " + std::to_string(length) +
                        " bytes long but the parameters declare " + std::to_string(icv) + " (aes-ICVlen)");
}

void check_recipients(CMS_ContentInfo* cms, const std::string& subject) {
  STACK_OF(CMS_RecipientInfo)* ris = CMS_get0_RecipientInfos(cms);
  if (ris == nullptr || sk_CMS_RecipientInfo_num(ris) == 0) refuse(subject, "the envelope has no recipients");
  for (int i = 0; i < sk_CMS_RecipientInfo_num(ris); ++i) {
    CMS_RecipientInfo* ri = sk_CMS_RecipientInfo_value(ris, i);
    const std::string who = "recipient " + std::to_string(i + 1);
    switch (CMS_RecipientInfo_type(ri)) {
      case CMS_RECIPINFO_TRANS: check_key_transport(ri, who, subject); break;
      case CMS_RECIPINFO_AGREE: check_key_agreement(ri, who, subject); break;
      case CMS_RECIPINFO_KEK: refuse_kind(who + " is a KEK recipient (KEKRecipientInfo)", subject);
      case CMS_RECIPINFO_PASS: refuse_kind(who + " is a password recipient (PasswordRecipientInfo)", subject);
      default: refuse_kind(who + " is of another kind (OtherRecipientInfo)", subject);
    }
  }
}

}  // namespace esign::envelope
