// Writing and reading the DSS dictionary of a PDF.
#include "pdf/dss.h"

#include <openssl/evp.h>

#include <algorithm>
#include <set>

#include "esign/error.h"
#include "pdf/incremental.h"

namespace esign::pdf {

namespace {

struct Catalog {
  Ref ref;
  Dict dict;
};

Catalog catalog_of(const Document& doc) {
  const Ref* root = nullptr;
  if (auto it = doc.trailer().find("Root"); it != doc.trailer().end()) root = it->second.get<Ref>();
  if (root == nullptr) throw Error(Errc::input, doc.name(), "the trailer has no /Root reference");
  Object catalog = doc.get(*root);
  if (catalog.get<Dict>() == nullptr) throw Error(Errc::input, doc.name(), "the catalog is not a dictionary");
  return {*root, *catalog.get<Dict>()};
}

// The DSS dictionary of the catalog (resolved), or nullopt when there is none.
std::optional<Dict> dss_of(const Document& doc, const Dict& catalog) {
  auto it = catalog.find("DSS");
  if (it == catalog.end() || it->second.is_null()) return std::nullopt;
  Object dss = doc.resolve(it->second);
  if (dss.is_null()) return std::nullopt;
  if (dss.get<Dict>() == nullptr) throw Error(Errc::input, doc.name(), "/DSS is not a dictionary");
  return *dss.get<Dict>();
}

// The decoded streams of the array `dss[key]`, bounded; with `seen`, a stream already read
// (by reference) is skipped, so naming one large stream many times costs nothing more.
std::vector<Bytes> streams_under(const Document& doc, const Dict& dss, const char* key, std::set<Ref>* seen = nullptr) {
  std::vector<Bytes> out;
  Object value = doc.resolve_key(dss, key);
  if (value.is_null()) return out;
  const Array* items = value.get<Array>();
  if (items == nullptr) throw Error(Errc::input, doc.name(), std::string("/DSS /") + key + " is not an array");
  if (items->size() > kMaxDssEntries) throw Error(Errc::input, doc.name(), std::string("/DSS /") + key + " has too many entries");
  for (const Object& item : *items) {
    if (const Ref* r = item.get<Ref>(); r && seen && !seen->insert(*r).second) continue;
    Object s = doc.resolve(item);
    const Stream* stream = s.get<Stream>();
    if (stream == nullptr) throw Error(Errc::input, doc.name(), std::string("an entry of /DSS /") + key + " is not a stream");
    out.push_back(doc.decode(*stream));
  }
  return out;
}

std::string vri_key(ByteView contents) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(contents.data(), contents.size(), hash, &len, EVP_sha1(), nullptr);
  std::string hex = to_hex(ByteView(hash, len));
  std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return hex;
}

// The array under `key` of `dict` as it stands (resolved; empty when absent).
Array array_under(const Document& doc, const Dict& dict, const std::string& key) {
  Object value = doc.resolve_key(dict, key);
  if (const Array* a = value.get<Array>()) return *a;
  return {};
}

}  // namespace

bool has_dss(const Document& doc) { return dss_of(doc, catalog_of(doc).dict).has_value(); }

der::ValidationData read_dss(const Document& doc) {
  der::ValidationData out;
  std::optional<Dict> dss = dss_of(doc, catalog_of(doc).dict);
  if (!dss) return out;
  std::set<Ref> seen;
  out.certs = streams_under(doc, *dss, "Certs", &seen);
  out.ocsps = streams_under(doc, *dss, "OCSPs", &seen);
  out.crls = streams_under(doc, *dss, "CRLs", &seen);
  return out;
}

std::string add_dss(ByteView pdf, const std::string& name, const der::ValidationData& data, const std::vector<VriEntry>& vri) {
  Document doc = Document::parse(pdf, name);
  if (doc.encrypted()) throw Error(Errc::input, name, "the PDF is encrypted");
  Catalog catalog = catalog_of(doc);
  std::optional<Dict> existing = dss_of(doc, catalog.dict);
  Dict dss = existing.value_or(Dict{{"Type", Object(Name{"DSS"})}});
  IncrementalUpdate update(doc);

  // One stream per distinct item: those already in the DSS keep their references.
  struct Kind {
    const char* key;
    const std::vector<Bytes>* wanted;
    Array refs;              // the DSS array, old entries first
    std::vector<Bytes> held; // decoded bytes, parallel to refs
  };
  std::vector<Kind> kinds{{"Certs", &data.certs, {}, {}}, {"OCSPs", &data.ocsps, {}, {}}, {"CRLs", &data.crls, {}, {}}};
  for (Kind& k : kinds) {
    if (existing) {
      k.refs = array_under(doc, dss, k.key);
      k.held = streams_under(doc, dss, k.key);
    }
  }
  auto ref_for = [&](Kind& k, const Bytes& item) -> Object {
    for (std::size_t i = 0; i < k.held.size(); ++i)
      if (k.held[i] == item) return k.refs[i];
    Stream s;
    s.data = item;
    Ref r = update.add(Object(std::move(s)));
    k.refs.push_back(Object(r));
    k.held.push_back(item);
    return Object(r);
  };
  for (Kind& k : kinds)
    for (const Bytes& item : *k.wanted) ref_for(k, item);
  if (!vri.empty()) {
    Dict vri_dict;
    if (existing) {
      Object old = doc.resolve_key(dss, "VRI");
      if (const Dict* d = old.get<Dict>()) vri_dict = *d;
    }
    for (const VriEntry& v : vri) {
      Dict entry{{"Type", Object(Name{"VRI"})}};
      const char* keys[] = {"Cert", "OCSP", "CRL"};
      const std::vector<Bytes>* lists[] = {&v.data.certs, &v.data.ocsps, &v.data.crls};
      for (int i = 0; i < 3; ++i) {
        Array refs;
        for (const Bytes& item : *lists[i]) refs.push_back(ref_for(kinds[static_cast<std::size_t>(i)], item));
        if (!refs.empty()) entry[keys[i]] = Object(std::move(refs));
      }
      vri_dict[vri_key(v.signature_contents)] = Object(std::move(entry));
    }
    dss["VRI"] = Object(std::move(vri_dict));
  }
  for (Kind& k : kinds)
    if (!k.refs.empty()) dss[k.key] = Object(k.refs);

  auto it = catalog.dict.find("DSS");
  if (it != catalog.dict.end() && it->second.get<Ref>() != nullptr) {
    update.replace(*it->second.get<Ref>(), Object(std::move(dss)));
  } else {
    catalog.dict["DSS"] = Object(update.add(Object(std::move(dss))));
    update.replace(catalog.ref, Object(std::move(catalog.dict)));
  }
  return update.write();
}

}  // namespace esign::pdf
