// Key Vault certificate operations (REST API 7.4: create, pending, pending/merge, import).
#include "keys/azure_certs.h"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "esign/error.h"

namespace esign::azure {

namespace {

// The request of a pending-operation answer ({"csr": base64 DER, ...}).
Bytes csr_of(const http::Response& r, const std::string& url) {
  Bytes der;
  try {
    if (!decode_base64(nlohmann::json::parse(r.body).at("csr").get<std::string>(), der)) der.clear();
  } catch (const nlohmann::json::exception&) {
    der.clear();
  }
  if (der.empty()) throw Error(Errc::remote, url, "Key Vault's answer has no certificate request (csr)");
  return der;
}

std::string cert_path(const Vault& vault) { return "/certificates/" + vault.source().certificate; }

}  // namespace

Bytes create_certificate(Vault& vault, const std::string& subject, const std::vector<std::string>& emails,
                         const std::vector<std::string>& dns_names, const KeyPolicy& key) {
  nlohmann::json key_props{{"kty", key.kty}, {"exportable", false}, {"reuse_key", false}};
  if (key.kty == "RSA") key_props["key_size"] = key.key_size;
  else key_props["crv"] = key.crv;
  nlohmann::json x509{{"subject", subject}};
  if (!emails.empty() || !dns_names.empty()) x509["sans"] = {{"emails", emails}, {"dns_names", dns_names}};
  // Issuer "Unknown": Key Vault keeps the operation pending until the certificate is merged.
  nlohmann::json body{{"policy", {{"key_props", key_props}, {"x509_props", x509}, {"issuer", {{"name", "Unknown"}}}}}};
  const std::string path = cert_path(vault) + "/create";
  http::Response r = vault.request("POST", path, body.dump());
  if (r.status != 202 && r.status != 200) throw service_error(r, vault.url() + path, "Key Vault did not create the key");
  return csr_of(r, vault.url() + path);
}

Bytes pending_request(Vault& vault) {
  const std::string path = cert_path(vault) + "/pending";
  http::Response r = vault.request("GET", path, "");
  if (r.status != 200) throw service_error(r, vault.url() + path, "no pending certificate request in Key Vault");
  return csr_of(r, vault.url() + path);
}

void merge_certificate(Vault& vault, const std::vector<Certificate>& chain) {
  nlohmann::json x5c = nlohmann::json::array();
  for (const Certificate& c : chain) x5c.push_back(base64_encode(c.der()));
  const std::string path = cert_path(vault) + "/pending/merge";
  http::Response r = vault.request("POST", path, nlohmann::json{{"x5c", x5c}}.dump());
  if (r.status != 201 && r.status != 200) throw service_error(r, vault.url() + path, "Key Vault did not merge the certificate");
}

void import_certificate(Vault& vault, const Bytes& pkcs12, const Secret& password) {
  nlohmann::json body{{"value", base64_encode(pkcs12)},
                      {"pwd", password.reveal()},
                      {"policy",
                       {{"key_props", {{"exportable", false}}}, {"secret_props", {{"contentType", "application/x-pkcs12"}}}}}};
  const std::string path = cert_path(vault) + "/import";
  std::string text = body.dump();
  http::Response r = vault.request("POST", path, text);
  OPENSSL_cleanse(text.data(), text.size());
  if (r.status != 200) throw service_error(r, vault.url() + path, "Key Vault did not import the PKCS#12 file");
}

}  // namespace esign::azure
