// Chain building from AIA caIssuers URLs over esign::http (the https-or-loopback rules apply).
#include "keys/azure_chain.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <optional>

#include "crypto/openssl.h"
#include "esign/error.h"
#include "http/http.h"

namespace esign::azure {

namespace {

constexpr int kMaxDepth = 4;

using InfoAccess = std::unique_ptr<AUTHORITY_INFO_ACCESS, ossl::Deleter<AUTHORITY_INFO_ACCESS_free>>;

std::optional<std::string> ca_issuers_url(const Certificate& c) {
  InfoAccess aia(static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(c.native(), NID_info_access, nullptr, nullptr)));
  ossl::clear_errors();
  for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
    const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
    if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers || ad->location->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = ad->location->d.uniformResourceIdentifier;
    std::string url(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), static_cast<std::size_t>(ASN1_STRING_length(uri)));
    if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return url;  // ldap:// is not fetched
  }
  return std::nullopt;
}

// Every certificate in what a caIssuers URL served.
std::vector<ossl::X509Ptr> parse_served(const std::string& body) {
  std::vector<ossl::X509Ptr> out;
  auto bio = [&body] { return ossl::Bio(BIO_new_mem_buf(body.data(), static_cast<int>(body.size()))); };
  if (body.find("-----BEGIN") != std::string::npos) {
    ossl::Bio b = bio();
    while (X509* x = PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  } else if (ossl::Bio b = bio(); X509* x = d2i_X509_bio(b.get(), nullptr)) {
    out.emplace_back(x);
  } else if (ossl::Bio c = bio(); ossl::Cms cms{d2i_CMS_bio(c.get(), nullptr)}) {
    ossl::X509Stack certs(CMS_get1_certs(cms.get()));
    while (certs && sk_X509_num(certs.get()) > 0) out.emplace_back(sk_X509_shift(certs.get()));
  }
  ossl::clear_errors();
  return out;
}

}  // namespace

void append_issuers(std::vector<Certificate>& chain) {
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    X509* child = chain.back().native();
    if (X509_check_issued(child, child) == X509_V_OK) return;  // self-issued: a root
    std::optional<std::string> url = ca_issuers_url(chain.back());
    if (!url) return;
    http::Request request;
    request.url = *url;
    request.timeout = std::chrono::milliseconds(15'000);
    http::Response r;
    try {
      r = http::send_with_retry(request, 3);
    } catch (const Error& e) {
      if (e.code() != Errc::config) throw;
      throw Error(Errc::config, *url,
                  "the certificate's caIssuers URL is plain http:// to a non-loopback host, which esign does not "
                  "fetch: set key.chain in the profile");
    }
    if (r.status != 200)
      throw Error(Errc::remote, *url, "cannot fetch the issuer certificate (caIssuers): HTTP " + std::to_string(r.status));
    std::vector<ossl::X509Ptr> served = parse_served(r.body);
    auto issuer = std::find_if(served.begin(), served.end(),
                               [&](const ossl::X509Ptr& x) { return X509_check_issued(x.get(), child) == X509_V_OK; });
    if (issuer == served.end())
      throw Error(Errc::input, *url, "what the caIssuers URL serves is not the issuer of " + chain.back().common_name());
    Certificate c = Certificate::from_x509(issuer->get());
    bool seen = std::any_of(chain.begin(), chain.end(), [&](const Certificate& x) { return x.der() == c.der(); });
    if (seen) return;
    chain.push_back(std::move(c));
  }
}

}  // namespace esign::azure
