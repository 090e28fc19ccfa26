// Detached CMS SignedData with CAdES-B-B signed attributes, DER-encoded by hand so the bytes
// that are signed are exactly the bytes that are embedded.
#include "cms/signed_data.h"

#include <openssl/x509.h>

#include "der/der.h"
#include "der/oid.h"
#include "crypto/openssl.h"

namespace esign::cms {

namespace {

// RFC 5754 §2: SHA-2 AlgorithmIdentifiers are sent with absent parameters.
Bytes digest_algorithm_id(DigestAlgorithm a) { return der::sequence({der::oid(oid::digest(a))}); }

Bytes signature_algorithm_id(SignatureScheme scheme, DigestAlgorithm a) {
  switch (scheme) {
    case SignatureScheme::rsa_pkcs1: {
      // RFC 4055 §5: sha*WithRSAEncryption with NULL parameters.
      return der::sequence({der::oid(oid::rsa_with(a)), der::null()});
    }
    case SignatureScheme::rsa_pss:
      return der::sequence({der::oid(oid::rsassa_pss), der::rsassa_pss_params(a)});
    case SignatureScheme::ecdsa:
      return der::sequence({der::oid(oid::ecdsa_with(a))});  // absent parameters
  }
  return {};
}

Bytes i2d_bytes(const X509_NAME* name) {
  unsigned char* buf = nullptr;
  int len = i2d_X509_NAME(name, &buf);
  if (len <= 0) ossl::fail(Errc::internal, "certificate", "cannot encode name");
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Bytes i2d_bytes(const ASN1_INTEGER* serial) {
  unsigned char* buf = nullptr;
  int len = i2d_ASN1_INTEGER(serial, &buf);
  if (len <= 0) ossl::fail(Errc::internal, "certificate", "cannot encode serial number");
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Bytes attribute(const char* type, ByteView value) { return der::sequence({der::oid(type), der::set_of({Bytes(value.begin(), value.end())})}); }

Bytes issuer_and_serial(const Certificate& cert) {
  return der::sequence({i2d_bytes(X509_get_issuer_name(cert.native())), i2d_bytes(X509_get0_serialNumber(cert.native()))});
}

// RFC 5035 §5.4: SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 }; ESSCertIDv2 with the
// default hash (SHA-256, so hashAlgorithm is omitted in DER) and IssuerSerial.
Bytes signing_certificate_v2_of(const Certificate& cert) {
  Digest hash = digest_of(DigestAlgorithm::sha256, cert.der());
  Bytes general_names = der::sequence({der::tlv(der::tag::context(4), i2d_bytes(X509_get_issuer_name(cert.native())))});
  Bytes issuer_serial = der::sequence({general_names, i2d_bytes(X509_get0_serialNumber(cert.native()))});
  Bytes cert_id = der::sequence({der::octet_string(hash.value), issuer_serial});
  return der::sequence({der::sequence({cert_id})});
}

// The same certificate signs every document of a run: each thread keeps its last one's value.
Bytes signing_certificate_v2(const Certificate& cert) {
  struct Last {
    Bytes der, value;
  };
  thread_local Last last;
  if (last.der.empty() || last.der != cert.der()) last = Last{cert.der(), signing_certificate_v2_of(cert)};
  return last.value;
}

}  // namespace

PreparedSignature prepare(const Digest& content_digest, const Certificate& signer_cert, const AttributeOptions& options) {
  std::vector<Bytes> attrs;
  attrs.push_back(attribute(oid::content_type, der::oid(oid::data)));
  attrs.push_back(attribute(oid::message_digest, der::octet_string(content_digest.value)));
  if (options.signing_time) attrs.push_back(attribute(oid::signing_time, der::time(*options.signing_time)));
  attrs.push_back(attribute(oid::signing_certificate_v2, signing_certificate_v2(signer_cert)));
  PreparedSignature p;
  p.signed_attributes = der::set_of(std::move(attrs));
  // RFC 5652 §5.4: the digest covers the DER SET OF, not the [0] IMPLICIT tag used in SignerInfo.
  p.to_sign = digest_of(content_digest.algorithm, p.signed_attributes);
  return p;
}

Bytes assemble(const PreparedSignature& prepared, ByteView signature_value, const std::vector<Certificate>& chain,
               SignatureScheme scheme, ByteView timestamp_token, const der::ValidationData* long_term) {
  const Certificate& signer = chain.front();
  DigestAlgorithm alg = prepared.to_sign.algorithm;
  Bytes digest_alg = digest_algorithm_id(alg);
  ByteView attrs_content(prepared.signed_attributes);
  der::Element set;
  if (!der::read(attrs_content, set)) throw Error(Errc::internal, "cms", "malformed signed attributes");
  Bytes signer_info = der::sequence({der::small_integer(1), issuer_and_serial(signer), digest_alg,
                                     der::tlv(der::tag::context(0), set.content), signature_algorithm_id(scheme, alg),
                                     der::octet_string(signature_value),
                                     timestamp_token.empty()
                                         ? Bytes{}
                                         : der::set_of({attribute(oid::signature_timestamp, timestamp_token)},
                                                       der::tag::context(1))});
  std::vector<Bytes> certs;
  for (const Certificate& c : chain) certs.push_back(c.der());
  // Long-term validation material (EN 319 122-1 §5.5: in SignedData.certificates and .crls):
  // CRLs as they are, OCSP responses as OtherRevocationInfoFormat id-ri-ocsp-response (RFC 5940).
  std::vector<Bytes> revocation;
  if (long_term) {
    for (const Bytes& c : long_term->certs)
      if (std::find(certs.begin(), certs.end(), c) == certs.end()) certs.push_back(c);
    for (const Bytes& crl : long_term->crls) revocation.push_back(crl);
    for (const Bytes& ocsp : long_term->ocsps)
      revocation.push_back(der::tlv(der::tag::context(1), der::concat({der::oid(oid::ri_ocsp_response), ocsp})));
  }
  Bytes signed_data = der::sequence({der::small_integer(1), der::set_of({digest_alg}), der::sequence({der::oid(oid::data)}),
                                     der::set_of(std::move(certs), der::tag::context(0)),
                                     revocation.empty() ? Bytes{} : der::set_of(std::move(revocation), der::tag::context(1)),
                                     der::set_of({signer_info})});
  return der::sequence({der::oid(oid::signed_data), der::tlv(der::tag::context(0), signed_data)});
}

std::size_t max_size(const PreparedSignature& prepared, const Signer& signer, std::size_t token_size) {
  // A signature value (and token) of the largest possible length gives the largest encoding:
  // every DER length that depends on them only grows with them.
  Bytes largest(signer.max_signature_size(), 0xff);
  Bytes token(token_size, 0xff);
  return assemble(prepared, largest, signer.chain(), signer.scheme(), token).size();
}

Digest timestamp_imprint(ByteView signature_value) { return digest_of(DigestAlgorithm::sha256, signature_value); }

}  // namespace esign::cms
