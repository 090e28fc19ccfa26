// Tests of the ETSI TS 119 102-2 validation report: one well-formed document whatever the
// reports hold, the main and sub-indication URIs of each signature, the validation objects listed
// once and referenced by Id, and the escaping of hostile paths, names and reasons.
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

#include "esign/verify.h"
#include "verify/etsi_report.h"

namespace esign::verify {
namespace {

// ---- a small well-formedness checker ---------------------------------------------------------

// The code point at s[i] (advancing i), or -1 for malformed UTF-8.
long next_code_point(const std::string& s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return -1;
  long cp = n == 1 ? c : c & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return -1;
    cp = cp << 6 | (cc & 0x3F);
  }
  static const long kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kLeast[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return -1;
  i += n;
  return cp;
}

bool is_char(long cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

bool name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_' ||
         c == '.';
}

// Checks text or an attribute value: references well-formed and to XML characters, no '<'.
std::string check_text(const std::string& t) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '<') return "raw '<' in text";
    if (t[i] != '&') continue;
    const std::size_t end = t.find(';', i);
    if (end == std::string::npos) return "unterminated reference";
    const std::string ref = t.substr(i + 1, end - i - 1);
    if (ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos") continue;
    if (ref.size() < 2 || ref[0] != '#') return "bad reference &" + ref + ";";
    const bool hex = ref[1] == 'x';
    const std::string digits = ref.substr(hex ? 2 : 1);
    if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") != std::string::npos)
      return "bad character reference &" + ref + ";";
    if (!is_char(std::stol(digits, nullptr, hex ? 16 : 10))) return "reference to a non-character &" + ref + ";";
  }
  return "";
}

// "" when `xml` is a well-formed XML 1.0 document (as far as this writer can go wrong: the
// encoding, characters, references, tags and attributes); otherwise what is wrong.
std::string well_formedness(const std::string& xml) {
  for (std::size_t i = 0; i < xml.size();) {
    const long cp = next_code_point(xml, i);
    if (cp < 0) return "malformed UTF-8 at byte " + std::to_string(i);
    if (!is_char(cp)) return "character " + std::to_string(cp) + " that XML forbids";
  }
  if (xml.rfind("<?xml ", 0) != 0) return "no XML declaration";
  std::size_t i = xml.find("?>") + 2;
  std::vector<std::string> open;
  int roots = 0;
  while (i < xml.size()) {
    const std::size_t lt = xml.find('<', i);
    const std::string text = xml.substr(i, lt == std::string::npos ? std::string::npos : lt - i);
    if (open.empty() && text.find_first_not_of(" \n") != std::string::npos) return "text outside the root";
    if (text.find("]]>") != std::string::npos) return "]]> in text";
    if (std::string why = check_text(text); !why.empty()) return why;
    if (lt == std::string::npos) break;
    i = lt + 1;
    const bool closing = i < xml.size() && xml[i] == '/';
    if (closing) ++i;
    const std::size_t name_start = i;
    while (i < xml.size() && name_char(xml[i])) ++i;
    const std::string name = xml.substr(name_start, i - name_start);
    if (name.empty()) return "a tag without a name";
    if (closing) {
      if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open";
      open.pop_back();
      if (i >= xml.size() || xml[i] != '>') return "junk in </" + name + ">";
      ++i;
      continue;
    }
    std::set<std::string> attributes;
    for (;;) {
      const std::size_t spaces = i;
      while (i < xml.size() && xml[i] == ' ') ++i;
      if (i >= xml.size()) return "unterminated <" + name + ">";
      if (xml[i] == '>' || xml.compare(i, 2, "/>") == 0) break;
      if (i == spaces) return "no space before an attribute of <" + name + ">";
      const std::size_t a = i;
      while (i < xml.size() && name_char(xml[i])) ++i;
      const std::string attribute = xml.substr(a, i - a);
      if (attribute.empty() || !attributes.insert(attribute).second) return "bad or repeated attribute in <" + name + ">";
      if (xml.compare(i, 2, "=\"") != 0) return "attribute " + attribute + " not quoted";
      const std::size_t end = xml.find('"', i + 2);
      if (end == std::string::npos) return "unterminated attribute " + attribute;
      if (std::string why = check_text(xml.substr(i + 2, end - i - 2)); !why.empty()) return why;
      i = end + 1;
    }
    if (open.empty() && ++roots > 1) return "a second root element";
    if (xml[i] == '>') {
      open.push_back(name);
      ++i;
    } else {
      i += 2;
    }
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  return roots == 1 ? "" : "no root element";
}

// ---- reading the report ----------------------------------------------------------------------

// Every occurrence of <tag>...</tag> (tag without attributes) or <tag .../>, in order.
std::vector<std::string> elements(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  for (std::size_t at = 0; (at = xml.find("<" + tag, at)) != std::string::npos;) {
    const char after = xml[at + tag.size() + 1];
    if (after != '>' && after != ' ' && after != '/') {
      ++at;
      continue;
    }
    const std::size_t gt = xml.find('>', at);
    if (xml[gt - 1] == '/') {
      out.push_back(xml.substr(at, gt + 1 - at));
      at = gt;
      continue;
    }
    const std::string close = "</" + tag + ">";
    const std::size_t end = xml.find(close, at);
    out.push_back(xml.substr(at, end + close.size() - at));
    at = end;
  }
  return out;
}

std::string text_of(const std::string& xml, const std::string& tag) {
  const auto found = elements(xml, tag);
  if (found.empty()) return "";
  const std::string& e = found.front();
  const std::size_t start = e.find('>') + 1;
  return e.substr(start, e.rfind("</") - start);
}

std::vector<std::string> attribute_values(const std::string& xml, const std::string& attribute) {
  std::vector<std::string> out;
  const std::string key = " " + attribute + "=\"";
  for (std::size_t at = 0; (at = xml.find(key, at)) != std::string::npos;) {
    at += key.size();
    out.push_back(xml.substr(at, xml.find('"', at) - at));
  }
  return out;
}

struct Status {
  std::string main, sub;
};

Status status_of(const std::string& report) {
  const std::string status = elements(report, "SignatureValidationStatus").at(0);
  return {text_of(status, "MainIndication"), text_of(status, "SubIndication")};
}

const std::string kMain = "urn:etsi:019102:mainindication:";
const std::string kSub = "urn:etsi:019102:subindication:";

// SHA-256 digests standing for the DER of the objects relied on.
const std::string kSignerCert = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";  // of ""
const std::string kCaCert = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
const std::string kOcsp = "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7";
const std::string kStamp = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";

SignatureReport signature(const std::string& field, Indication indication, const std::string& sub) {
  SignatureReport s;
  s.field = field;
  s.subfilter = "ETSI.CAdES.detached";
  s.indication = indication;
  s.valid = indication == Indication::total_passed;
  s.sub_indication = sub;
  s.signer = "CN=Alice,O=Example";
  s.signer_fingerprint = kSignerCert;
  s.signing_time = "2026-12-03T09:59:00Z";
  s.validation_time = "2026-12-05T08:00:00Z";
  s.validation_time_source = "current time";
  s.used = {{"certificate", kSignerCert, "CN=Alice"}, {"certificate", kCaCert, "CN=CA"}};
  if (!s.valid) {
    s.error = field + " failed";
    s.checks.push_back({"signature", false, s.error, indication, sub});
  } else {
    s.checks.push_back({"signature", true, "", Indication::total_passed, ""});
  }
  return s;
}

// A PDF with a passed time-stamped B-LT signature, one INDETERMINATE / OUT_OF_BOUNDS_NO_POE, one
// TOTAL-FAILED / HASH_FAILURE and one INDETERMINATE / TRY_LATER.
FileReport four_signatures() {
  FileReport f;
  f.path = "contract.pdf";
  f.kind = "pdf";
  f.indication = Indication::total_failed;
  f.sub_indication = "HASH_FAILURE";
  f.error = "Signature3: Signature3 failed";

  SignatureReport passed = signature("Signature1", Indication::total_passed, "");
  passed.level = "B-LT";
  passed.reason = "Approved";
  passed.timestamp_time = "2026-12-03T10:00:00Z";
  passed.validation_time = "2026-12-03T10:00:00Z";
  passed.validation_time_source = "signature time-stamp";
  passed.used.push_back({"OCSP response", kOcsp, "produced 2026-12-03T09:00:00Z"});
  passed.used.push_back({"time-stamp", kStamp, "2026-12-03T10:00:00Z"});
  f.signatures.push_back(passed);
  f.signatures.push_back(signature("Signature2", Indication::indeterminate, "OUT_OF_BOUNDS_NO_POE"));
  f.signatures.push_back(signature("Signature3", Indication::total_failed, "HASH_FAILURE"));
  f.signatures.push_back(signature("Signature4", Indication::indeterminate, "TRY_LATER"));
  return f;
}

std::string checked(const std::vector<FileReport>& reports) {
  const std::string xml = format_etsi_report(reports);
  BOOST_TEST_INFO(xml);
  BOOST_TEST(well_formedness(xml) == "");
  return xml;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(etsi_report)

BOOST_AUTO_TEST_CASE(checker_refuses_what_is_not_well_formed) {
  BOOST_TEST(well_formedness("<?xml version=\"1.0\"?>\n<a><b x=\"1\">t &amp; u</b></a>\n") == "");
  BOOST_TEST(well_formedness("<?xml version=\"1.0\"?>\n<a><b></a></b>\n") != "");
  BOOST_TEST(well_formedness("<?xml version=\"1.0\"?>\n<a>x & y</a>\n") != "");
  BOOST_TEST(well_formedness("<?xml version=\"1.0\"?>\n<a x=\"<\"/>\n") != "");
  BOOST_TEST(well_formedness("<?xml version=\"1.0\"?>\n<a>\x01</a>\n") != "");
  BOOST_TEST(well_formedness("<?xml version=\"1.0\"?>\n<a>\xff</a>\n") != "");
  BOOST_TEST(well_formedness("<?xml version=\"1.0\"?>\n<a>&#x1B;</a>\n") != "");
  BOOST_TEST(well_formedness("<?xml version=\"1.0\"?>\n<a/><b/>\n") != "");
}

BOOST_AUTO_TEST_CASE(one_report_per_signature_with_its_indications) {
  const std::string xml = checked({four_signatures()});
  BOOST_TEST(xml.find("<ValidationReport xmlns=\"http://uri.etsi.org/19102/v1.2.1#\"") != std::string::npos);
  BOOST_TEST(xml.find("xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"") != std::string::npos);

  const auto reports = elements(xml, "SignatureValidationReport");
  // The file's error is Signature3's: no report of the file's own.
  BOOST_REQUIRE_EQUAL(reports.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {kMain + "total-passed", ""},
      {kMain + "indeterminate", kSub + "OUT_OF_BOUNDS_NO_POE"},
      {kMain + "total-failed", kSub + "HASH_FAILURE"},
      {kMain + "indeterminate", kSub + "TRY_LATER"},
  };
  for (std::size_t i = 0; i < reports.size(); ++i) {
    BOOST_TEST_CONTEXT("signature " << i + 1) {
      const Status status = status_of(reports[i]);
      BOOST_TEST(status.main == expected[i].first);
      BOOST_TEST(status.sub == expected[i].second);
      BOOST_TEST(text_of(reports[i], "DAIdentifier") == "contract.pdf#Signature" + std::to_string(i + 1));
      BOOST_TEST(text_of(reports[i], "Signer") == "CN=Alice,O=Example");
    }
  }
  // The passed signature: validated at its time-stamp's time, that token the POE.
  const std::string& passed = reports[0];
  BOOST_TEST(text_of(passed, "SignatureValidationProcessID") == "urn:etsi:019102:validationprocess:LTVM");
  BOOST_TEST(text_of(passed, "ValidationTime") == "2026-12-03T10:00:00Z");
  BOOST_TEST(text_of(passed, "POETime") == "2026-12-03T10:00:00Z");
  BOOST_TEST(text_of(passed, "TypeOfProof") == "urn:etsi:019102:poetype:validation");
  const std::string stamp_id = "T-CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB";
  BOOST_TEST(attribute_values(elements(passed, "POEObject").at(0), "VOReference").at(0) == stamp_id);
  BOOST_TEST(text_of(elements(passed, "SigningTime").at(0), "Time") == "2026-12-03T09:59:00Z");
  BOOST_TEST(text_of(elements(passed, "SignatureTimeStamp").at(0), "TimeStampValue") == "2026-12-03T10:00:00Z");
  BOOST_TEST(text_of(passed, "ReasonElement") == "Approved");
  BOOST_TEST(text_of(passed, "SubFilterElement") == "ETSI.CAdES.detached");
  // The checks, as individual constraints with their own indications.
  BOOST_TEST(text_of(passed, "ValidationConstraintIdentifier") == "urn:esign:check:signature");
  BOOST_TEST(text_of(elements(passed, "ValidationStatus").at(0), "MainIndication") == kMain + "passed");
  const std::string failed = elements(reports[2], "ValidationStatus").at(0);
  BOOST_TEST(text_of(failed, "MainIndication") == kMain + "failed");
  BOOST_TEST(text_of(failed, "SubIndication") == kSub + "HASH_FAILURE");
  BOOST_TEST(text_of(elements(reports[3], "ValidationStatus").at(0), "MainIndication") == kMain + "indeterminate");
  // Without a time-stamp: the basic process at the current time, no POE object.
  BOOST_TEST(text_of(reports[2], "SignatureValidationProcessID") == "urn:etsi:019102:validationprocess:Basic");
  BOOST_TEST(elements(reports[2], "POEObject").empty());
  BOOST_TEST(text_of(elements(reports[2], "SignatureValidationStatus").at(0), "Value") == "Signature3 failed");
}

BOOST_AUTO_TEST_CASE(validation_objects_listed_once_and_referenced) {
  FileReport second;
  second.path = "other.p7s";
  second.kind = "cms";
  second.indication = Indication::total_passed;
  second.valid = true;
  SignatureReport s = signature("signer 1", Indication::total_passed, "");
  s.subfilter = "cms";
  s.used.push_back({"certificate", "not a digest", "dropped"});
  second.signatures.push_back(s);
  const std::string xml = checked({four_signatures(), second});

  const auto objects = elements(elements(xml, "SignatureValidationObjects").at(0), "ValidationObject");
  // Signer, CA, OCSP response and time-stamp: once each, however many signatures used them.
  BOOST_REQUIRE_EQUAL(objects.size(), 4u);
  const std::string signer_id = "C-E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
  BOOST_TEST(attribute_values(objects[0], "id").at(0) == signer_id);
  BOOST_TEST(text_of(objects[0], "ObjectType") == "urn:etsi:019102:validationObject:certificate");
  BOOST_TEST(attribute_values(objects[0], "Algorithm").at(0) == "http://www.w3.org/2001/04/xmlenc#sha256");
  BOOST_TEST(text_of(objects[0], "ds:DigestValue") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  BOOST_TEST(text_of(objects[2], "ObjectType") == "urn:etsi:019102:validationObject:OCSPResponse");
  BOOST_TEST(text_of(objects[3], "ObjectType") == "urn:etsi:019102:validationObject:timestamp");

  // Ids unique; every reference resolves.
  const auto ids = attribute_values(xml, "id");
  const std::set<std::string> distinct(ids.begin(), ids.end());
  BOOST_TEST(distinct.size() == ids.size());
  for (const std::string& ref : attribute_values(xml, "VOReference")) {
    BOOST_TEST_INFO(ref);
    BOOST_TEST(distinct.count(ref) == 1u);
  }
  for (const std::string& report : elements(xml, "SignatureValidationReport"))
    BOOST_TEST(attribute_values(elements(report, "SignerCertificate").at(0), "VOReference").at(0) == signer_id);
  // A CMS signature has no PDF attributes.
  BOOST_TEST(elements(elements(xml, "SignatureValidationReport").back(), "SubFilter").empty());
}

BOOST_AUTO_TEST_CASE(hostile_text_is_escaped) {
  FileReport f;
  f.path = "a<&>\"'\x01\x1b[31m\xff\xc3.pdf";
  f.kind = "pdf";
  f.indication = Indication::total_failed;
  SignatureReport s = signature("</DAIdentifier><x>", Indication::total_failed, "HASH_FAILURE");
  s.signer = "CN=</Signer><Evil attr=\"1\">&amp;\x07\xc2\x9b\xef\xbf\xbe";
  s.reason = "line one\nline two\r]]> & <!-- -->";
  s.error = "bad \"quote\" & <tag>";
  f.error = "x: " + s.error;
  f.signatures.push_back(s);
  const std::string xml = checked({f});

  BOOST_TEST(xml.find("<Evil") == std::string::npos);
  BOOST_TEST(xml.find("<x>") == std::string::npos);
  BOOST_TEST(xml.find_first_of(std::string("\x01\x07\x1b\xff", 4)) == std::string::npos);
  BOOST_TEST(xml.find("\xc2\x9b") == std::string::npos);  // C1 CSI: a character reference
  const std::string report = elements(xml, "SignatureValidationReport").at(0);
  BOOST_TEST(text_of(report, "DAIdentifier") ==
             "a&lt;&amp;&gt;&quot;&apos;\xEF\xBF\xBD\xEF\xBF\xBD[31m\xEF\xBF\xBD\xEF\xBF\xBD.pdf#&lt;/DAIdentifier&gt;&lt;x&gt;");
  BOOST_TEST(text_of(report, "Signer") ==
             "CN=&lt;/Signer&gt;&lt;Evil attr=&quot;1&quot;&gt;&amp;amp;\xEF\xBF\xBD&#x9B;\xEF\xBF\xBD");
  BOOST_TEST(text_of(report, "ReasonElement") == "line one&#xA;line two&#xD;]]&gt; &amp; &lt;!-- --&gt;");
  BOOST_TEST(text_of(elements(report, "SignatureValidationStatus").at(0), "Value") ==
             "bad &quot;quote&quot; &amp; &lt;tag&gt;");
}

BOOST_AUTO_TEST_CASE(hostile_tokens_in_uris_are_percent_encoded) {
  FileReport f;
  f.path = "f.pdf";
  f.kind = "pdf";
  f.indication = Indication::total_failed;
  SignatureReport s = signature("S", Indication::total_failed, "HASH FAILURE</SubIndication>");
  s.checks = {{"a check/with <odd> name", false, "", Indication::total_failed, "X Y"}};
  f.signatures.push_back(s);
  const std::string xml = checked({f});
  BOOST_TEST(status_of(xml).sub == kSub + "HASH%20FAILURE%3C%2FSubIndication%3E");
  BOOST_TEST(text_of(xml, "ValidationConstraintIdentifier") == "urn:esign:check:a%20check%2Fwith%20%3Codd%3E%20name");
}

BOOST_AUTO_TEST_CASE(files_without_signatures_are_reported) {
  FileReport unreadable;
  unreadable.path = "missing.p7s";
  unreadable.unreadable = true;
  unreadable.error = "cannot open";
  FileReport unsigned_pdf;
  unsigned_pdf.path = "plain.pdf";
  unsigned_pdf.kind = "pdf";
  unsigned_pdf.error = "the PDF has no signatures";
  FileReport undecided;
  undecided.path = "undecided.p7s";
  undecided.indication = Indication::indeterminate;
  undecided.sub_indication = "TRY_LATER";
  undecided.error = "the data could not be read";
  // Signatures that passed in a file that did not: bytes appended after the last signature.
  FileReport appended;
  appended.path = "appended.pdf";
  appended.kind = "pdf";
  appended.indication = Indication::total_failed;
  appended.error = "modified after signing: 12 bytes were added after the last signature";
  appended.signatures.push_back(signature("Signature1", Indication::total_passed, ""));
  // A file that is not valid although its indication was left passed.
  FileReport inconsistent;
  inconsistent.path = "level.pdf";
  inconsistent.kind = "pdf";
  inconsistent.indication = Indication::total_passed;
  inconsistent.error = "Signature1 reaches B-B, below the required B-LT";
  inconsistent.signatures.push_back(signature("Signature1", Indication::total_passed, ""));

  const std::string xml = checked({unreadable, unsigned_pdf, undecided, appended, inconsistent});
  const auto reports = elements(xml, "SignatureValidationReport");
  BOOST_REQUIRE_EQUAL(reports.size(), 7u);
  BOOST_TEST(text_of(reports[0], "DAIdentifier") == "missing.p7s");
  BOOST_TEST(status_of(reports[0]).main == kMain + "total-failed");
  BOOST_TEST(status_of(reports[0]).sub == kSub + "FORMAT_FAILURE");
  BOOST_TEST(text_of(reports[0], "Value") == "cannot open");
  BOOST_TEST(status_of(reports[1]).main == kMain + "total-failed");
  BOOST_TEST(status_of(reports[1]).sub == kSub + "FORMAT_FAILURE");
  BOOST_TEST(status_of(reports[2]).main == kMain + "indeterminate");
  BOOST_TEST(status_of(reports[2]).sub == kSub + "TRY_LATER");
  // The signature first, then the file's own failure.
  BOOST_TEST(text_of(reports[3], "DAIdentifier") == "appended.pdf#Signature1");
  BOOST_TEST(status_of(reports[3]).main == kMain + "total-passed");
  BOOST_TEST(text_of(reports[4], "DAIdentifier") == "appended.pdf");
  BOOST_TEST(status_of(reports[4]).main == kMain + "total-failed");
  BOOST_TEST(text_of(reports[4], "Value") == "modified after signing: 12 bytes were added after the last signature");
  BOOST_TEST(text_of(reports[6], "DAIdentifier") == "level.pdf");
  BOOST_TEST(status_of(reports[6]).main == kMain + "total-failed");
}

BOOST_AUTO_TEST_CASE(times_that_are_not_datetimes_are_left_out) {
  FileReport f;
  f.path = "f.p7s";
  f.kind = "cms";
  f.indication = Indication::indeterminate;
  SignatureReport s = signature("signer 1", Indication::indeterminate, "TRY_LATER");
  s.subfilter = "cms";
  s.validation_time = "2026-02-29T00:00:00Z";  // not a leap year
  s.signing_time = "yesterday";
  s.timestamp_time = "2026-12-03T10:00:00";  // no time zone
  f.error = "signer 1: " + s.error;
  f.signatures.push_back(s);
  const std::string xml = checked({f});
  BOOST_TEST(elements(xml, "ValidationTimeInfo").empty());
  BOOST_TEST(elements(xml, "SigningTime").empty());
  BOOST_TEST(elements(xml, "SignatureTimeStamp").empty());
  BOOST_TEST(elements(xml, "SignatureValidationReport").size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace esign::verify
