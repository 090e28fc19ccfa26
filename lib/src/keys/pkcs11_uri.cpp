// RFC 7512 PKCS#11 URIs, parsed by p11-kit (the library that defines the format on Debian), then
// narrowed to what esign uses: the token's identity, the key's label and id, and a module path.
#include "keys/pkcs11_uri.h"

#include <p11-kit/uri.h>

#include <cstring>
#include <memory>
#include <string_view>

#include "esign/error.h"

namespace esign::pkcs11 {

namespace {

struct UriFree {
  void operator()(P11KitUri* u) const { p11_kit_uri_free(u); }
};

// CK_TOKEN_INFO strings are fixed-width and space-padded; p11-kit leaves a field it did not parse
// all zero, which means "any token".
template <std::size_t N>
std::string token_field(const unsigned char (&field)[N]) {
  if (field[0] == 0) return {};
  std::string_view s(reinterpret_cast<const char*>(field), N);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  return std::string(s);
}

std::string attribute_text(P11KitUri* uri, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE* a = p11_kit_uri_get_attribute(uri, type);
  if (a == nullptr || a->pValue == nullptr || a->ulValueLen == 0) return {};
  return std::string(static_cast<const char*>(a->pValue), a->ulValueLen);
}

}  // namespace

Uri parse_uri(const std::string& text, const std::string& subject) {
  if (text.rfind("pkcs11:", 0) != 0) throw Error(Errc::config, subject, "key.uri must start with pkcs11:");
  if (text.find('\0') != std::string::npos) throw Error(Errc::config, subject, "the pkcs11: URI contains a NUL byte");
  std::unique_ptr<P11KitUri, UriFree> parsed(p11_kit_uri_new());
  if (!parsed) throw std::bad_alloc();
  int rc = p11_kit_uri_parse(text.c_str(), P11_KIT_URI_FOR_ANY, parsed.get());
  if (rc != P11_KIT_URI_OK)
    throw Error(Errc::config, subject, std::string("malformed pkcs11: URI: ") + p11_kit_uri_message(rc));
  P11KitUri* u = parsed.get();
  if (p11_kit_uri_get_pin_value(u) != nullptr || p11_kit_uri_get_pin_source(u) != nullptr)
    throw Error(Errc::config, subject, "a PIN does not belong in the URI: set key.pin to env:, file: or prompt");
  if (p11_kit_uri_any_unrecognized(u))
    throw Error(Errc::config, subject, "the pkcs11: URI has an attribute esign does not know (RFC 7512 names "
                "only) or a value longer than its PKCS#11 field (a token label holds 32 bytes)");

  Uri uri;
  CK_TOKEN_INFO* token = p11_kit_uri_get_token_info(u);
  uri.token = token_field(token->label);
  uri.manufacturer = token_field(token->manufacturerID);
  uri.serial = token_field(token->serialNumber);
  uri.model = token_field(token->model);
  uri.object = attribute_text(u, CKA_LABEL);
  std::string id = attribute_text(u, CKA_ID);
  uri.id.assign(id.begin(), id.end());
  if (const char* path = p11_kit_uri_get_module_path(u)) uri.module_path = path;
  if (uri.object.empty() && uri.id.empty())
    throw Error(Errc::config, subject, "the pkcs11: URI must name the key with object= or id=");
  return uri;
}

}  // namespace esign::pkcs11
