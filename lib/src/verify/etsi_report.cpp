// The ETSI TS 119 102-2 validation report (see etsi_report.h). Element names and their order
// follow the TS 119 102-2 XML schema (namespace http://uri.etsi.org/19102/v1.2.1#, as in EU DSS
// and pyHanko); the URIs are those of the specification's tables: main and sub-indications,
// validation processes, validation object types, POE types and constraint statuses.
//
// What the report model does not carry is left out rather than invented: the digest of the data
// to be signed and the signature value (SignatureIdentifier has only its Id, HashOnly and
// DocHashOnly, and DAIdentifier = "<path>#<field>"), the signer's document, the signature quality
// (no qualification is determined) and a SignatureValidator (optional; an unsigned report has
// no digital identity to give).
#include "verify/etsi_report.h"
#include "verify/text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

namespace esign::verify {

namespace {

constexpr std::string_view kNamespace = "http://uri.etsi.org/19102/v1.2.1#";
constexpr std::string_view kDsNamespace = "http://www.w3.org/2000/09/xmldsig#";
constexpr std::string_view kSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";

// ---- text ------------------------------------------------------------------------------------

// A token from the reports made safe as the last part of a URN: unreserved characters kept,
// every other byte percent-encoded.
std::string urn_token(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(ch);
    } else {
      out += '%';
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// An xs:dateTime with a time zone, as the model's RFC 3339 UTC strings are
// (YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)). Anything else is left out of the report: the schema
// would refuse it.
bool is_datetime(std::string_view t) {
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') return false;
  for (auto [at, len] : std::array<std::pair<std::size_t, std::size_t>, 6>{{{0, 4}, {5, 2}, {8, 2}, {11, 2}, {14, 2}, {17, 2}}})
    if (!all_digits(t.substr(at, len))) return false;
  const int year = number(t.substr(0, 4)), month = number(t.substr(5, 2)), day = number(t.substr(8, 2));
  if (year == 0 || month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
  if (number(t.substr(11, 2)) > 23 || number(t.substr(14, 2)) > 59 || number(t.substr(17, 2)) > 59) return false;
  std::size_t p = 19;
  if (t[p] == '.') {
    const std::size_t start = ++p;
    while (p < t.size() && t[p] >= '0' && t[p] <= '9') ++p;
    if (p == start) return false;
  }
  if (p < t.size() && t[p] == 'Z') return p + 1 == t.size();
  if (p + 6 != t.size() || (t[p] != '+' && t[p] != '-') || t[p + 3] != ':') return false;
  if (!all_digits(t.substr(p + 1, 2)) || !all_digits(t.substr(p + 4, 2))) return false;
  const int hours = number(t.substr(p + 1, 2)), minutes = number(t.substr(p + 4, 2));
  return minutes <= 59 && (hours < 14 || (hours == 14 && minutes == 0));
}

// The 32 bytes of a SHA-256 written in hex (either case, colons allowed); nullopt otherwise.
std::optional<std::array<std::uint8_t, 32>> sha256_bytes(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::array<std::uint8_t, 32> out{};
  std::size_t n = 0;
  int high = -1;
  for (char c : hex) {
    if (c == ':') continue;
    const int v = nibble(c);
    if (v < 0 || n == out.size()) return std::nullopt;
    if (high < 0) {
      high = v;
    } else {
      out[n++] = static_cast<std::uint8_t>(high << 4 | v);
      high = -1;
    }
  }
  if (n != out.size() || high >= 0) return std::nullopt;
  return out;
}

std::string base64(const std::array<std::uint8_t, 32>& data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = data[i] << 16 | data[i + 1] << 8 | data[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(v >> shift) & 0x3F]);
  }
  if (const std::size_t rest = data.size() - i; rest > 0) {
    const std::uint32_t v = data[i] << 16 | (rest > 1 ? data[i + 1] << 8 : 0);
    out.push_back(kAlphabet[(v >> 18) & 0x3F]);
    out.push_back(kAlphabet[(v >> 12) & 0x3F]);
    out += rest > 1 ? std::string(1, kAlphabet[(v >> 6) & 0x3F]) : "=";
    out += "=";
  }
  return out;
}

std::string upper_hex(const std::array<std::uint8_t, 32>& data) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (std::uint8_t b : data) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

// ---- the writer ------------------------------------------------------------------------------

// Element names are this file's constants; attribute values and text are escaped here.
class Xml {
 public:
  using Attributes = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  explicit Xml(std::string& out) : out_(out) {}

  void open(std::string_view tag, Attributes attributes = {}) {
    start(tag, attributes);
    out_ += ">\n";
    open_.emplace_back(tag);
  }
  void close() {
    const std::string tag = std::move(open_.back());
    open_.pop_back();
    indent();
    out_ += "</" + tag + ">\n";
  }
  void leaf(std::string_view tag, std::string_view text, Attributes attributes = {}) {
    start(tag, attributes);
    out_ += '>';
    out_ += xml_escape(text);
    out_ += "</";
    out_ += tag;
    out_ += ">\n";
  }
  void empty(std::string_view tag, Attributes attributes) {
    start(tag, attributes);
    out_ += "/>\n";
  }

 private:
  void indent() { out_.append(2 * open_.size(), ' '); }
  void start(std::string_view tag, Attributes attributes) {
    indent();
    out_ += '<';
    out_ += tag;
    for (const auto& [name, value] : attributes) {
      out_ += ' ';
      out_ += name;
      out_ += "=\"";
      out_ += xml_escape(value);
      out_ += '"';
    }
  }

  std::string& out_;
  std::vector<std::string> open_;
};

// ---- indications -----------------------------------------------------------------------------

int severity(Indication i) {
  switch (i) {
    case Indication::total_passed: return 0;
    case Indication::indeterminate: return 1;
    case Indication::total_failed: return 2;
  }
  return 2;
}

// A report that is not valid never passes, whatever its indication says.
Indication effective(bool valid, Indication indication) {
  return !valid && indication == Indication::total_passed ? Indication::total_failed : indication;
}

std::string_view main_indication(Indication i) {
  switch (i) {
    case Indication::total_passed: return "urn:etsi:019102:mainindication:total-passed";
    case Indication::indeterminate: return "urn:etsi:019102:mainindication:indeterminate";
    case Indication::total_failed: return "urn:etsi:019102:mainindication:total-failed";
  }
  return "urn:etsi:019102:mainindication:total-failed";
}

// The indications of an individual validation constraint (TS 119 102-2 §4.3.5.4).
std::string_view constraint_indication(const Check& c) {
  if (c.ok) return "urn:etsi:019102:mainindication:passed";
  return c.indication == Indication::indeterminate ? "urn:etsi:019102:mainindication:indeterminate"
                                                   : "urn:etsi:019102:mainindication:failed";
}

std::string sub_indication(std::string_view sub) { return "urn:etsi:019102:subindication:" + urn_token(sub); }

// ---- validation objects ----------------------------------------------------------------------

struct ObjectKind {
  std::string_view urn;
  std::string_view prefix;  // of its Id: an xs:ID must not start with a digit
  bool timestamp = false;
};

ObjectKind kind_of(std::string_view type) {
  std::string t;
  for (char c : type)
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) t.push_back(c);
    else if (c >= 'A' && c <= 'Z') t.push_back(static_cast<char>(c - 'A' + 'a'));
  if (t == "certificate" || t == "cert") return {"urn:etsi:019102:validationObject:certificate", "C-"};
  if (t == "crl") return {"urn:etsi:019102:validationObject:CRL", "CRL-"};
  if (t == "ocspresponse" || t == "ocsp") return {"urn:etsi:019102:validationObject:OCSPResponse", "OCSP-"};
  if (t == "timestamp" || t == "timestamptoken") return {"urn:etsi:019102:validationObject:timestamp", "T-", true};
  return {"urn:etsi:019102:validationObject:other", "O-"};
}

// Every distinct object relied on, once, in the order first met; its Id is its kind's prefix and
// its SHA-256, so the same object used by several signatures (or files) is listed once.
class ValidationObjects {
 public:
  struct Entry {
    std::string id;
    std::string_view urn;
    std::string digest;  // base64
  };

  // The Id of the object; "" when its digest is not a SHA-256 in hex (it cannot be listed).
  std::string add(std::string_view type, std::string_view sha256_hex) {
    const auto digest = sha256_bytes(sha256_hex);
    if (!digest) return "";
    const ObjectKind kind = kind_of(type);
    std::string id = std::string(kind.prefix) + upper_hex(*digest);
    if (known_.emplace(id, entries_.size()).second) entries_.push_back({id, kind.urn, base64(*digest)});
    return id;
  }
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
  std::map<std::string, std::size_t> known_;
};

struct Stamp {
  std::string id;
  std::string summary;
};

// The time-stamp a time comes from: the one among those relied on whose summary names that time,
// when exactly one does. No guessing beyond that: a reference to the wrong token would be worse
// than none.
std::string stamp_at(const std::vector<Stamp>& stamps, const std::string& time) {
  std::string found;
  int matches = 0;
  for (const Stamp& s : stamps)
    if (!time.empty() && s.summary.find(time) != std::string::npos) found = s.id, ++matches;
  return matches == 1 ? found : "";
}

// ---- one report ------------------------------------------------------------------------------

void write_identifier(Xml& x, const std::string& id, std::string_view da_identifier) {
  x.open("SignatureIdentifier", {{"id", id}});
  x.leaf("HashOnly", "false");
  x.leaf("DocHashOnly", "false");
  x.leaf("DAIdentifier", da_identifier);
  x.close();
}

void write_report_data(Xml& x, std::string_view type, std::string_view value) {
  x.open("AssociatedValidationReportData");
  x.open("AdditionalValidationReportData");
  x.open("ReportData");
  x.leaf("Type", type);
  x.leaf("Value", value);
  x.close();
  x.close();
  x.close();
}

void write_status(Xml& x, Indication indication, const std::string& sub, const std::string& error) {
  x.open("SignatureValidationStatus");
  x.leaf("MainIndication", main_indication(indication));
  if (indication != Indication::total_passed && !sub.empty()) x.leaf("SubIndication", sub_indication(sub));
  if (!error.empty()) write_report_data(x, "urn:esign:verify:error", error);
  x.close();
}

// Each check as an individual validation constraint: its name as urn:esign:check:<name>, always
// applied, passed / failed / indeterminate with its sub-indication, its detail as report data.
void write_checks(Xml& x, const std::vector<Check>& checks) {
  if (checks.empty()) return;
  x.open("ValidationConstraintsEvaluationReport");
  for (const Check& c : checks) {
    x.open("ValidationConstraint");
    x.leaf("ValidationConstraintIdentifier", "urn:esign:check:" + urn_token(c.name));
    x.open("ConstraintStatus");
    x.leaf("Status", "urn:etsi:019102:constraintStatus:applied");
    x.close();
    x.open("ValidationStatus");
    x.leaf("MainIndication", constraint_indication(c));
    if (!c.ok && !c.sub_indication.empty()) x.leaf("SubIndication", sub_indication(c.sub_indication));
    if (!c.detail.empty()) write_report_data(x, "urn:esign:verify:detail", c.detail);
    x.close();
    x.close();
  }
  x.close();
}

// The process run (TS 119 102-2 §4.3.11): a B-LTA signature's is the one for long-term
// availability; one validated at a time-stamp's time, or of level B-T / B-LT, the one for
// signatures with time and long-term validation material; any other the basic one.
std::string_view validation_process(const SignatureReport& s) {
  if (s.level == "B-LTA") return "urn:etsi:019102:validationprocess:LTA";
  if (s.level == "B-T" || s.level == "B-LT" || s.validation_time_source == "signature time-stamp" ||
      s.validation_time_source == "document time-stamp")
    return "urn:etsi:019102:validationprocess:LTVM";
  return "urn:etsi:019102:validationprocess:Basic";
}

void write_signature(Xml& x, const FileReport& file, const SignatureReport& s, const std::string& id,
                     ValidationObjects& objects) {
  std::vector<Stamp> stamps;
  for (const ValidationObject& vo : s.used) {
    const std::string vo_id = objects.add(vo.type, vo.sha256);
    if (!vo_id.empty() && kind_of(vo.type).timestamp &&
        std::none_of(stamps.begin(), stamps.end(), [&](const Stamp& st) { return st.id == vo_id; }))
      stamps.push_back({vo_id, vo.summary});
  }
  // The signer's certificate is relied on whether or not `used` lists it.
  const std::string signer_cert = objects.add("certificate", s.signer_fingerprint);
  const bool is_timestamp = s.subfilter == "ETSI.RFC3161" || s.subfilter == "rfc3161";

  x.open("SignatureValidationReport");
  write_identifier(x, id, file.path + "#" + s.field);
  write_checks(x, s.checks);

  // The model's validation time is the time the signer's path was validated at: its best
  // signature time. Every proof of existence is one esign derived while validating (a
  // time-stamp, or the current time when there is none); none is provided as input.
  if (is_datetime(s.validation_time)) {
    x.open("ValidationTimeInfo");
    x.leaf("ValidationTime", s.validation_time);
    x.open("BestSignatureTime");
    x.leaf("POETime", s.validation_time);
    x.leaf("TypeOfProof", "urn:etsi:019102:poetype:validation");
    if (s.validation_time_source == "signature time-stamp" || s.validation_time_source == "document time-stamp") {
      if (const std::string poe = stamp_at(stamps, s.validation_time); !poe.empty())
        x.empty("POEObject", {{"VOReference", poe}});
    }
    x.close();
    x.close();
  }

  bool attributes = false;
  auto attribute = [&](std::string_view tag, Xml::Attributes a = {}) {
    if (!attributes) x.open("SignatureAttributes");
    attributes = true;
    x.open(tag, a);
  };
  // /M or signing-time: signed, claimed by the signer, never trusted.
  if (is_datetime(s.signing_time)) {
    attribute("SigningTime", {{"Signed", "true"}});
    x.leaf("Time", s.signing_time);
    x.close();
  }
  // A baseline level means the signing-certificate(-v2) attribute was found naming the signer's
  // certificate.
  if (!s.level.empty() && !is_timestamp && !signer_cert.empty()) {
    attribute("SigningCertificate", {{"Signed", "true"}});
    x.empty("AttributeObject", {{"VOReference", signer_cert}});
    x.open("CertID");
    x.empty("ds:DigestMethod", {{"Algorithm", kSha256}});
    x.leaf("ds:DigestValue", base64(*sha256_bytes(s.signer_fingerprint)));
    x.close();
    x.close();
  }
  // A signature's time-stamp is an unsigned attribute; a document time-stamp's own time is that
  // of the DocTimeStamp it is; a .tsr is neither.
  if (is_datetime(s.timestamp_time) && s.subfilter != "rfc3161") {
    if (is_timestamp) attribute("DocTimeStamp");
    else attribute("SignatureTimeStamp", {{"Signed", "false"}});
    if (const std::string token = stamp_at(stamps, s.timestamp_time); !token.empty())
      x.empty("AttributeObject", {{"VOReference", token}});
    x.leaf("TimeStampValue", s.timestamp_time);
    x.close();
  }
  if (!s.reason.empty()) {
    attribute("Reason", {{"Signed", "true"}});
    x.leaf("ReasonElement", s.reason);
    x.close();
  }
  if (file.kind == "pdf" && !s.subfilter.empty()) {
    attribute("SubFilter", {{"Signed", "true"}});
    x.leaf("SubFilterElement", s.subfilter);
    x.close();
  }
  if (attributes) x.close();

  if (!signer_cert.empty()) {
    x.open("SignerInformation");
    x.empty("SignerCertificate", {{"VOReference", signer_cert}});
    if (!s.signer.empty()) x.leaf("Signer", s.signer);
    x.close();
  }

  x.open("SignatureValidationProcess");
  x.leaf("SignatureValidationProcessID", validation_process(s));
  x.close();

  write_status(x, effective(s.valid, s.indication), s.sub_indication, s.error);
  x.close();
}

// Whether the file's own outcome needs a report of its own, so that nothing silently disappears:
// when it has no signature (unreadable, not a signed file, no signatures found), when it is worse
// than every signature's (a forbidden later revision, bytes after the last signature, a required
// level not reached), or when its error is none of its signatures' (reported as "<field>: <error>").
bool needs_file_report(const FileReport& f) {
  if (f.signatures.empty()) return true;
  int worst = 0;
  for (const SignatureReport& s : f.signatures) worst = std::max(worst, severity(effective(s.valid, s.indication)));
  const int own = severity(effective(f.valid, f.indication));
  if (own > worst) return true;
  if (own == 0 || !f.error || f.error->empty()) return false;
  return std::none_of(f.signatures.begin(), f.signatures.end(), [&](const SignatureReport& s) {
    return !s.error.empty() && f.error->size() >= s.error.size() &&
           f.error->compare(f.error->size() - s.error.size(), s.error.size(), s.error) == 0;
  });
}

// The file's own report: DAIdentifier is the path alone. A file without signatures is
// TOTAL-FAILED / FORMAT_FAILURE (there is no signature to validate: not a signed file, or none
// that could be read), INDETERMINATE when the file's indication says so (with its own
// sub-indication, if any); one with signatures has the file's indication and sub-indication.
void write_file_report(Xml& x, const FileReport& f, const std::string& id) {
  Indication indication = effective(f.valid, f.indication);
  std::string sub = f.sub_indication;
  if (f.signatures.empty()) {
    if (indication != Indication::indeterminate) indication = Indication::total_failed;
    if (indication == Indication::total_failed && sub.empty()) sub = "FORMAT_FAILURE";
  }
  std::string error = f.error.value_or("");
  if (error.empty() && f.signatures.empty()) error = "no signature";
  x.open("SignatureValidationReport");
  write_identifier(x, id, f.path);
  write_status(x, indication, sub, error);
  x.close();
}

}  // namespace

std::string format_etsi_report(const std::vector<FileReport>& reports) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  Xml x(out);
  // The schema wants at least one SignatureValidationReport: with no files at all the document
  // is still well-formed, but empty.
  x.open("ValidationReport", {{"xmlns", kNamespace}, {"xmlns:ds", kDsNamespace}});
  ValidationObjects objects;
  for (std::size_t f = 0; f < reports.size(); ++f) {
    const FileReport& file = reports[f];
    const std::string n = std::to_string(f + 1);
    for (std::size_t i = 0; i < file.signatures.size(); ++i)
      write_signature(x, file, file.signatures[i], "S-" + n + "-" + std::to_string(i + 1), objects);
    if (needs_file_report(file)) write_file_report(x, file, "F-" + n);
  }
  if (!objects.entries().empty()) {
    x.open("SignatureValidationObjects");
    for (const ValidationObjects::Entry& vo : objects.entries()) {
      x.open("ValidationObject", {{"id", vo.id}});
      x.leaf("ObjectType", vo.urn);
      x.open("ValidationObjectRepresentation");
      x.open("DigestAlgAndValue");
      x.empty("ds:DigestMethod", {{"Algorithm", kSha256}});
      x.leaf("ds:DigestValue", vo.digest);
      x.close();
      x.close();
      x.close();
    }
    x.close();
  }
  x.close();
  return out;
}

}  // namespace esign::verify
