// RFC 7512 §2.3: pk11-path attributes separated by ';', pk11-query by '&', values percent-encoded.
#include "keys/pkcs11_uri.h"

#include <sstream>

#include "esign/error.h"

namespace esign::pkcs11 {

namespace {
std::string percent_decode(const std::string& v, const std::string& subject) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '%') {
      out.push_back(v[i]);
      continue;
    }
    Bytes b;
    if (i + 2 >= v.size() + 0 || !from_hex(v.substr(i + 1, 2), b))
      throw Error(Errc::config, subject, "malformed percent-encoding in the pkcs11: URI");
    out.push_back(static_cast<char>(b[0]));
    i += 2;
  }
  return out;
}
}  // namespace

Uri parse_uri(const std::string& text, const std::string& subject) {
  if (text.rfind("pkcs11:", 0) != 0) throw Error(Errc::config, subject, "key.uri must start with pkcs11:");
  std::string rest = text.substr(7);
  std::string path = rest.substr(0, rest.find('?'));
  std::string query = rest.find('?') == std::string::npos ? "" : rest.substr(rest.find('?') + 1);
  Uri uri;
  auto each = [&](const std::string& part, char sep, auto&& fn) {
    std::stringstream ss(part);
    for (std::string attr; std::getline(ss, attr, sep);) {
      if (attr.empty()) continue;
      auto eq = attr.find('=');
      if (eq == std::string::npos) throw Error(Errc::config, subject, "pkcs11: URI attribute without a value: " + attr);
      fn(attr.substr(0, eq), percent_decode(attr.substr(eq + 1), subject));
    }
  };
  each(path, ';', [&](const std::string& k, const std::string& v) {
    if (k == "token") uri.token = v;
    else if (k == "manufacturer") uri.manufacturer = v;
    else if (k == "serial") uri.serial = v;
    else if (k == "model") uri.model = v;
    else if (k == "object") uri.object = v;
    else if (k == "id") uri.id.assign(v.begin(), v.end());
    else if (k == "type") uri.type = v;
    else if (k.rfind("library-", 0) == 0 || k == "slot-id" || k == "slot-description" || k == "slot-manufacturer") {
      // Library and slot attributes narrow nothing esign needs; accepted as RFC 7512 allows.
    } else {
      throw Error(Errc::config, subject, "unknown pkcs11: URI attribute '" + k + "'");
    }
  });
  each(query, '&', [&](const std::string& k, const std::string& v) {
    if (k == "pin-value" || k == "pin-source")
      throw Error(Errc::config, subject, "a PIN does not belong in the URI: set key.pin to env:, file: or prompt");
    if (k == "module-path") uri.module_path = v;
    else if (k != "module-name") throw Error(Errc::config, subject, "unknown pkcs11: URI query attribute '" + k + "'");
  });
  if (uri.object.empty() && uri.id.empty())
    throw Error(Errc::config, subject, "the pkcs11: URI must name the key with object= or id=");
  return uri;
}

}  // namespace esign::pkcs11
