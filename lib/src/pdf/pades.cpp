// The PDF side of PAdES signing: field, widget, signature dictionary and placeholder in one
// incremental update; the CMS (made by the sign module) embedded into it afterwards.
#include "pdf/pades.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "esign/error.h"
#include "pdf/appearance.h"
#include "pdf/document.h"
#include "pdf/fields.h"
#include "pdf/hidden.h"
#include "pdf/incremental.h"
#include "pdf/text.h"

namespace esign::pdf {

bool looks_like_pdf(ByteView head) {
  std::string_view s = as_chars(head.subspan(0, std::min<std::size_t>(head.size(), 1024)));
  return s.find("%PDF-") != std::string_view::npos;
}

namespace {

constexpr std::size_t kByteRangeWidth = 10;  // digits reserved for each ByteRange number

Object name(const char* n) { return Object(Name{n}); }
Object integer(std::int64_t v) { return Object(v); }
Object real(double v) { return Object(v); }

std::string serialized(const Object& o) {
  std::string s;
  serialize(o, s);
  return s;
}

// The existing top-level field names, so the new field gets a fresh one (§12.7.3.2: unique).
std::set<std::string> field_names(const Document& doc, const Array& fields) {
  std::set<std::string> names;
  for (const Object& f : fields) {
    Object field = doc.resolve(f);
    if (const Dict* d = field.dict()) {
      Object t = doc.resolve_key(*d, "T");
      if (const String* s = t.get<String>()) names.insert(text_to_utf8(*s));
    }
  }
  return names;
}

// "2026-12-01 08:10:03 UTC" for the visible box.
std::string display_date(std::chrono::system_clock::time_point t) {
  std::string d = pdf_date(t);  // D:YYYYMMDDHHmmSS+00'00'
  return fmt::format("{}-{}-{} {}:{}:{} UTC", d.substr(2, 4), d.substr(6, 2), d.substr(8, 2), d.substr(10, 2),
                     d.substr(12, 2), d.substr(14, 2));
}

std::string expand(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [key, value] : values) {
    for (std::size_t pos; (pos = text.find(key)) != std::string::npos;) text.replace(pos, key.size(), value);
  }
  return text;
}

// Appends `item` to the array under `key` of `holder`, which may hold the array directly,
// by reference (then the array object itself is replaced), or not at all.
void append_to_array(const Document& doc, IncrementalUpdate& update, Dict& holder, const std::string& key, Object item) {
  auto it = holder.find(key);
  if (it == holder.end() || it->second.is_null()) {
    holder[key] = Object(Array{std::move(item)});
    return;
  }
  if (const Ref* ref = it->second.get<Ref>()) {
    Object target = doc.get(*ref);
    Array* array = target.get<Array>();
    if (array == nullptr) throw Error(Errc::input, doc.name(), "/" + key + " is not an array");
    array->push_back(std::move(item));
    update.replace(*ref, std::move(target));
    return;
  }
  Array* array = it->second.get<Array>();
  if (array == nullptr) throw Error(Errc::input, doc.name(), "/" + key + " is not an array");
  array->push_back(std::move(item));
}

struct FieldSpec {
  bool timestamp = false;  // a document time-stamp, not a signature
  std::string dict_head;  // the signature dictionary's entries before /ByteRange
  std::string dict_tail;  // ... and after /Contents
  Certification certify = Certification::none;
  FieldLock lock_fields;
  bool allow_hidden_content = false;
  std::size_t capacity = 0;  // bytes reserved for /Contents
  std::optional<Appearance> appearance;
  std::string appearance_text;
};

// Everything of a signature or document-timestamp update except what fills /Contents: the
// field, its widget and appearance, the signature dictionary with a zeroed placeholder of
// `spec.capacity` bytes, the final /ByteRange, and the digest of the ranges it names.
PreparedUpdate prepare_update(ByteView pdf, const std::string& name_, const FieldSpec& spec, DigestAlgorithm digest) {
  Document doc = Document::parse(pdf, name_);
  if (doc.encrypted()) throw Error(Errc::input, name_, "the PDF is encrypted; decrypt it before signing");
  const Ref* root_ref = nullptr;
  if (auto it = doc.trailer().find("Root"); it != doc.trailer().end()) root_ref = it->second.get<Ref>();
  if (root_ref == nullptr) throw Error(Errc::input, name_, "the trailer has no /Root reference");
  Object catalog_obj = doc.get(*root_ref);
  if (catalog_obj.get<Dict>() == nullptr) throw Error(Errc::input, name_, "the catalog is not a dictionary");
  Dict catalog = *catalog_obj.get<Dict>();

  std::vector<Ref> pages = doc.pages();
  if (pages.empty()) throw Error(Errc::input, name_, "the PDF has no pages");
  // A signer vouches for what the document shows; one that hides something a later update
  // could show is refused (a document time-stamp vouches for no content).
  if (!spec.timestamp && !spec.allow_hidden_content) {
    Budget budget(pdf.size());
    Limits limits;
    limits.budget = &budget;
    const std::vector<std::string> hidden = hidden_content(doc, limits);
    if (!hidden.empty())
      throw Error(Errc::input, name_,
                  fmt::format("refusing to sign: the PDF hides content that a later update could show: {}", fmt::join(hidden, "; ")),
                  Remedy::allow_hidden_content);
  }
  int page_number = spec.appearance ? spec.appearance->page : 1;
  if (page_number == 0) page_number = static_cast<int>(pages.size());
  if (page_number > static_cast<int>(pages.size()))
    throw Error(Errc::input, name_, fmt::format("appearance page {} does not exist (the PDF has {} pages)", page_number, pages.size()));
  Ref page_ref = pages[static_cast<std::size_t>(page_number - 1)];
  Object page_obj = doc.get(page_ref);
  if (page_obj.get<Dict>() == nullptr) throw Error(Errc::input, name_, "a page is not a dictionary");
  Dict page = *page_obj.get<Dict>();

  // What earlier signatures allow (ISO 32000-2 §12.8.2.2): a certification only as the first
  // signature, and nothing but validation data and time-stamps after a P1 certification.
  // (The field tree is walked only when a certification is asked for or the document has one.)
  const std::optional<Ref> author = docmdp_signature(doc);
  if (spec.certify != Certification::none || (author && !spec.timestamp)) {
    const std::vector<SignatureField> signed_fields = signature_fields(doc);
    if (spec.certify != Certification::none && !signed_fields.empty())
      throw Error(Errc::input, name_,
                  fmt::format("cannot certify: the PDF is already signed ({}), and only a document's first signature may "
                              "certify it",
                              signed_fields.front().name));
    if (author && !spec.timestamp) {
      for (const SignatureField& f : signed_fields)
        if (f.value_ref && *f.value_ref == *author &&
            signature_references(doc, f.value).certification == Certification::no_changes)
          throw Error(Errc::input, name_,
                      "the PDF is certified with permission level 1 (" + f.name +
                          "): its author allows no further signatures");
    }
  }
  Array lock_names;
  if (!spec.lock_fields.fields.empty()) {
    std::vector<std::string> names = form_field_names(doc);
    for (const std::string& wanted : spec.lock_fields.fields) {
      if (std::find(names.begin(), names.end(), wanted) == names.end())
        throw Error(Errc::input, name_,
                    fmt::format("cannot lock field '{}': the PDF has no such form field ({})", wanted,
                                names.empty() ? std::string("it has none") : "it has " + fmt::format("{}", fmt::join(names, ", "))));
      lock_names.push_back(Object(text_string(wanted)));
    }
  }

  IncrementalUpdate update(doc);
  const std::size_t capacity = spec.capacity;

  // The signature dictionary (§12.8.1, ETSI EN 319 142-1 §5.3), written as text so the byte
  // positions of /ByteRange and /Contents are known.
  std::string sig_body = "<<" + spec.dict_head;
  const std::string byte_range_placeholder = fmt::format("/ByteRange[0 {0:>{1}} {0:>{1}} {0:>{1}}]", "", kByteRangeWidth);
  const std::size_t byte_range_pos = sig_body.size();
  sig_body += byte_range_placeholder;
  sig_body += "/Contents";
  const std::size_t contents_pos = sig_body.size();
  sig_body += "<" + std::string(capacity * 2, '0') + ">";
  sig_body += spec.dict_tail;
  // Signature references (§12.8.1, Table 256), direct as §12.8.1 requires of every value of a
  // signed signature dictionary: DocMDP with the permission level, FieldMDP with the lock.
  Array references;
  if (spec.certify != Certification::none)
    references.push_back(Object(Dict{
        {"Type", name("SigRef")},
        {"TransformMethod", name("DocMDP")},
        {"TransformParams", Object(Dict{{"Type", name("TransformParams")},
                                        {"P", integer(static_cast<std::int64_t>(spec.certify))},
                                        {"V", name("1.2")}})}}));
  Dict lock;
  if (spec.lock_fields.any()) {
    lock["Action"] = name(spec.lock_fields.all ? "All" : "Include");
    if (!spec.lock_fields.all) lock["Fields"] = Object(lock_names);
    Dict params = lock;
    params["Type"] = name("TransformParams");
    params["V"] = name("1.2");
    references.push_back(Object(Dict{{"Type", name("SigRef")},
                                     {"TransformMethod", name("FieldMDP")},
                                     {"Data", Object(*root_ref)},
                                     {"TransformParams", Object(std::move(params))}}));
    lock["Type"] = name("SigFieldLock");
  }
  if (!references.empty()) sig_body += "/Reference" + serialized(Object(std::move(references)));
  sig_body += ">>";
  Ref sig_ref = update.add_raw(sig_body);
  bool catalog_changed = false;
  if (spec.certify != Certification::none) {
    // §12.8.4: the catalog's /Perms /DocMDP is an indirect reference to the certification signature.
    Object perms_obj;
    std::optional<Ref> perms_ref;
    if (auto it = catalog.find("Perms"); it != catalog.end() && !it->second.is_null()) {
      if (const Ref* r = it->second.get<Ref>()) perms_ref = *r;
      perms_obj = doc.resolve(it->second);
    }
    Dict perms = perms_obj.get<Dict>() ? *perms_obj.get<Dict>() : Dict{};
    perms["DocMDP"] = Object(sig_ref);
    if (perms_ref) {
      update.replace(*perms_ref, Object(std::move(perms)));
    } else {
      catalog["Perms"] = Object(std::move(perms));
      catalog_changed = true;
    }
  }

  // AcroForm: direct in the catalog, by reference, or new.
  Dict acroform;
  std::optional<Ref> acroform_ref;
  if (auto it = catalog.find("AcroForm"); it != catalog.end() && !it->second.is_null()) {
    if (const Ref* r = it->second.get<Ref>()) acroform_ref = *r;
    Object af = doc.resolve(it->second);
    if (af.get<Dict>() == nullptr) throw Error(Errc::input, name_, "/AcroForm is not a dictionary");
    acroform = *af.get<Dict>();
  }
  Array existing_fields;
  if (auto it = acroform.find("Fields"); it != acroform.end()) {
    Object f = doc.resolve(it->second);
    if (const Array* a = f.get<Array>()) existing_fields = *a;
  }
  std::set<std::string> taken = field_names(doc, existing_fields);
  std::string field_name;
  for (int n = 1; field_name.empty() || taken.count(field_name); ++n) field_name = fmt::format("Signature{}", n);

  // The widget annotation merged with its field (§12.7.4.5, §12.5.6.19).
  Dict widget;
  widget["Type"] = name("Annot");
  widget["Subtype"] = name("Widget");
  widget["FT"] = name("Sig");
  widget["T"] = Object(text_string(field_name));
  widget["V"] = Object(sig_ref);
  widget["P"] = Object(page_ref);
  widget["F"] = integer(132);  // Print | Locked
  std::array<double, 4> rect{0, 0, 0, 0};
  if (spec.appearance) rect = spec.appearance->rect;
  widget["Rect"] = Object(Array{real(rect[0]), real(rect[1]), real(rect[2]), real(rect[3])});
  Ref ap_ref = update.add(Object(appearance_stream(rect[2] - rect[0], rect[3] - rect[1], spec.appearance_text)));
  widget["AP"] = Object(Dict{{"N", Object(ap_ref)}});
  if (!lock.empty()) widget["Lock"] = Object(std::move(lock));
  Ref widget_ref = update.add(Object(std::move(widget)));

  append_to_array(doc, update, page, "Annots", Object(widget_ref));
  update.replace(page_ref, Object(std::move(page)));

  // §12.7.2 SigFlags: SignaturesExist | AppendOnly.
  acroform["SigFlags"] = integer(3);
  append_to_array(doc, update, acroform, "Fields", Object(widget_ref));
  if (acroform_ref) {
    update.replace(*acroform_ref, Object(std::move(acroform)));
  } else {
    catalog["AcroForm"] = Object(std::move(acroform));
    catalog_changed = true;
  }
  if (catalog_changed) update.replace(*root_ref, Object(std::move(catalog)));

  std::string tail = update.write();

  // Fill in /ByteRange: everything but the /Contents hex string, angle brackets included.
  const std::size_t base = pdf.size();
  const std::size_t sig_start = update.body_offset(sig_ref);
  const std::size_t gap_begin = sig_start + contents_pos;
  const std::size_t gap_end = gap_begin + capacity * 2 + 2;
  const std::size_t total = base + tail.size();
  std::string byte_range = fmt::format("/ByteRange[0 {} {} {}", gap_begin, gap_end, total - gap_end);
  if (byte_range.size() >= byte_range_placeholder.size()) throw Error(Errc::input, name_, "file too large to sign");
  byte_range.resize(byte_range_placeholder.size() - 1, ' ');
  byte_range.push_back(']');
  tail.replace(sig_start - base + byte_range_pos, byte_range.size(), byte_range);

  PreparedUpdate u;
  u.base = base;
  u.gap_begin = gap_begin;
  u.gap_end = gap_end;
  Hasher hasher(digest);
  hasher.update(pdf);
  hasher.update(as_bytes(std::string_view(tail).substr(0, gap_begin - base)));
  hasher.update(as_bytes(std::string_view(tail).substr(gap_end - base)));
  u.digest = hasher.finish();
  u.tail = std::move(tail);
  return u;
}

}  // namespace

PreparedUpdate prepare_signature(ByteView pdf, const std::string& name, const SignatureDictionary& dictionary,
                                 std::size_t capacity, DigestAlgorithm digest) {
  FieldSpec spec;
  spec.capacity = capacity;
  spec.dict_head = "/Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached";
  const std::string date = pdf_date(dictionary.signing_time);
  spec.dict_tail = "/M" + serialized(Object(String{Bytes(date.begin(), date.end()), false}));
  spec.dict_tail += "/Name" + serialized(Object(text_string(dictionary.signer_name)));
  if (!dictionary.reason.empty()) spec.dict_tail += "/Reason" + serialized(Object(text_string(dictionary.reason)));
  if (!dictionary.location.empty()) spec.dict_tail += "/Location" + serialized(Object(text_string(dictionary.location)));
  if (!dictionary.contact.empty()) spec.dict_tail += "/ContactInfo" + serialized(Object(text_string(dictionary.contact)));
  spec.certify = dictionary.certify;
  spec.lock_fields = dictionary.lock_fields;
  spec.allow_hidden_content = dictionary.allow_hidden_content;
  spec.appearance = dictionary.appearance;
  if (dictionary.appearance)
    spec.appearance_text = expand(dictionary.appearance->text, {{"{signer}", dictionary.signer_name},
                                                                {"{date}", display_date(dictionary.signing_time)},
                                                                {"{reason}", dictionary.reason},
                                                                {"{location}", dictionary.location}});
  return prepare_update(pdf, name, spec, digest);
}

PreparedUpdate prepare_timestamp(ByteView pdf, const std::string& name, std::size_t capacity) {
  // ETSI EN 319 142-1 §5.4: a document time-stamp is a signature dictionary of /Type
  // /DocTimeStamp whose /Contents is an RFC 3161 token over the signed byte ranges.
  FieldSpec spec;
  spec.timestamp = true;
  spec.capacity = capacity;
  spec.dict_head = "/Type/DocTimeStamp/Filter/Adobe.PPKLite/SubFilter/ETSI.RFC3161";
  return prepare_update(pdf, name, spec, DigestAlgorithm::sha256);
}

std::string embed(PreparedUpdate prepared, ByteView contents) {
  if (contents.size() > prepared.capacity())
    throw Error(Errc::internal, "", fmt::format("{} bytes do not fit the {}-byte /Contents placeholder", contents.size(),
                                                prepared.capacity()));
  const std::string hex = to_hex(contents);
  std::copy(hex.begin(), hex.end(),
            prepared.tail.begin() + static_cast<std::ptrdiff_t>(prepared.gap_begin - prepared.base + 1));
  return std::move(prepared.tail);
}

}  // namespace esign::pdf
