// PDF signatures: strict parsing, ByteRange sanity, the signed revision, coverage, then the CMS.
#include "verify/verify_pdf.h"

#include <fmt/format.h>

#include <algorithm>

#include "esign/error.h"
#include "pdf/document.h"
#include "pdf/text.h"
#include "der/der.h"
#include "tsp/tsp.h"
#include "verify/cms_check.h"
#include "verify/revisions.h"
#include "verify/visual.h"
#include "pdf/dss.h"
#include "pdf/fields.h"
#include "pdf/layout.h"

namespace esign::verify {

namespace {

std::optional<std::int64_t> int_at(const pdf::Array& a, std::size_t i) {
  if (i >= a.size()) return std::nullopt;
  if (const std::int64_t* v = a[i].get<std::int64_t>()) return *v;
  return std::nullopt;
}

bool is_hex_digit(std::uint8_t c) { return std::isxdigit(c) != 0; }

bool only_whitespace(ByteView tail) {
  for (std::uint8_t c : tail)
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t' && c != '\0' && c != '\f') return false;
  return true;
}

// A valid document time-stamp: proof that the bytes it covers existed at `time`.
struct DocumentTimestamp {
  std::size_t end;
  std::chrono::system_clock::time_point time;
};

// Checks one signature field's signature; returns the time a valid document time-stamp proves.
std::optional<std::chrono::system_clock::time_point> verify_signature(ByteView data, const pdf::Document& doc,
                                                                      const pdf::Limits& limits,
                                                                      const pdf::SignatureField& field, const CmsContext& base,
                                                                      const std::vector<DocumentTimestamp>& proofs,
                                                                      SignatureReport& r) {
  r.field = field.name;
  auto fail = [&](const std::string& check, const std::string& why) -> std::optional<std::chrono::system_clock::time_point> {
    add_check(r, check, false, why);
    conclude(r);
    return std::nullopt;
  };
  const pdf::Dict& sig = field.value;
  pdf::Object subfilter = doc.resolve_key(sig, "SubFilter");
  if (const pdf::Name* sf = subfilter.get<pdf::Name>()) r.subfilter = sf->value;
  if (r.subfilter != "ETSI.CAdES.detached" && r.subfilter != "adbe.pkcs7.detached" && r.subfilter != "ETSI.RFC3161")
    return fail("subfilter", r.subfilter.empty() ? "no /SubFilter" : "unsupported /SubFilter " + r.subfilter);
  add_check(r, "subfilter", true, r.subfilter);

  // ByteRange [0 a b c]: starts at 0, the gap [a, b) is exactly the /Contents hex string, inside the file.
  pdf::Object br_obj = doc.resolve_key(sig, "ByteRange");
  const pdf::Array* br = br_obj.get<pdf::Array>();
  if (br == nullptr || br->size() != 4) return fail("byte_range", "/ByteRange is not an array of four integers");
  auto s0 = int_at(*br, 0), l0 = int_at(*br, 1), s1 = int_at(*br, 2), l1 = int_at(*br, 3);
  if (!s0 || !l0 || !s1 || !l1) return fail("byte_range", "/ByteRange is not an array of four integers");
  const auto size = static_cast<std::int64_t>(data.size());
  if (*s0 != 0) return fail("byte_range", "the signed range does not start at byte 0");
  if (*l0 <= 0 || *s1 <= *l0 || *l1 < 0 || *s1 > size || *l1 > size - *s1)
    return fail("byte_range", fmt::format("/ByteRange [{} {} {} {}] does not fit a file of {} bytes", *s0, *l0, *s1, *l1, size));
  const auto gap_begin = static_cast<std::size_t>(*l0), gap_end = static_cast<std::size_t>(*s1);
  const std::size_t end = gap_end + static_cast<std::size_t>(*l1);
  if (data[gap_begin] != '<' || data[gap_end - 1] != '>' || gap_end - gap_begin < 2)
    return fail("byte_range", "the unsigned gap is not the /Contents hex string");
  for (std::size_t i = gap_begin + 1; i + 1 < gap_end; ++i)
    if (!is_hex_digit(data[i])) return fail("byte_range", "the unsigned gap holds something besides the signature");
  Bytes gap_bytes;
  if (!from_hex(as_chars(data.subspan(gap_begin + 1, gap_end - gap_begin - 2)), gap_bytes))
    return fail("byte_range", "the /Contents hex string has an odd length");
  pdf::Object contents_obj = doc.resolve_key(sig, "Contents");
  const pdf::String* contents = contents_obj.get<pdf::String>();
  if (contents == nullptr || contents->value != gap_bytes)
    return fail("byte_range", "the unsigned gap is not this signature's /Contents");
  add_check(r, "byte_range", true, fmt::format("[0 {} {} {}]", *l0, *s1, *l1));

  // The signature dictionary belongs to the revision it signs: it lies inside the signed bytes,
  // and the gap is exactly its own /Contents string (a later dictionary cannot borrow another
  // signature's /ByteRange and /Contents to show its own signer, time or reason).
  r.signed_bytes = end;
  r.covers_whole_file = end == data.size() || only_whitespace(data.subspan(end));
  if (!field.value_ref) return fail("signature_dictionary", "the field's /V is not an indirect reference");
  std::optional<pdf::ValueSpan> span = pdf::value_span(doc, *field.value_ref, "Contents");
  if (!span || span->value_begin != gap_begin || span->value_end != gap_end || span->object_end > end)
    return fail("signature_dictionary", fmt::format("signature dictionary {} {} is not the one the /ByteRange was made for "
                                                    "(it lies outside the bytes it signs)",
                                                    field.value_ref->num, field.value_ref->gen));
  add_check(r, "signature_dictionary", true, fmt::format("object {} {}", field.value_ref->num, field.value_ref->gen));

  // The signed bytes must be a complete revision of their own, read as strictly as the file,
  // and hold this signature dictionary where the file does.
  try {
    pdf::Document revision = pdf::Document::parse(data.first(end), doc.name(), limits);
    auto now = doc.xref().find(field.value_ref->num);
    auto then = revision.xref().find(field.value_ref->num);
    if (then == revision.xref().end() || then->second.type != pdf::XrefEntry::Type::offset ||
        then->second.offset != now->second.offset || then->second.gen != now->second.gen)
      return fail("signature_dictionary", "the signed revision does not hold this signature dictionary");
    add_check(r, "revision", true, fmt::format("revision of {} bytes", end));
  } catch (const Error& e) {
    if (limits.budget && limits.budget->exhausted()) throw;
    return fail("revision", "the signed bytes are not a complete PDF revision (" + e.reason() + ")");
  }

  if (r.subfilter == "ETSI.RFC3161") {
    // A document time-stamp (EN 319 142-1 §5.4): the token's imprint covers the byte ranges.
    Bytes covered(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(gap_begin));
    covered.insert(covered.end(), data.begin() + static_cast<std::ptrdiff_t>(gap_end),
                   data.begin() + static_cast<std::ptrdiff_t>(end));
    // /Contents is zero-padded after the token: check exactly the one DER element it starts with.
    const tsp::TokenCheck tc = tsp::check(der::leading_element(gap_bytes), covered, base.trust);
    report_timestamp(tc, "document_timestamp", base, r);
    if (!r.valid) return std::nullopt;
    return tc.time;
  }

  // Certification and locks (ISO 32000-2 §12.8.2.2, §12.8.2.4): what this signature permits
  // after it; the DocMDP transform must be the one the catalog's /Perms names.
  const pdf::SignatureReferences refs = pdf::signature_references(doc, sig);
  r.certification = refs.certification;
  r.locked_fields = refs.lock;
  if (r.certification != Certification::none) {
    std::optional<pdf::Ref> named = pdf::docmdp_signature(doc);
    if (!named || !(*named == *field.value_ref))
      return fail("certification", "the signature has a DocMDP transform, but the catalog's /Perms /DocMDP does not name it");
    add_check(r, "certification", true, fmt::format("P{}", static_cast<int>(r.certification)));
  }

  CmsContext ctx = base;
  ctx.pades = r.subfilter == "ETSI.CAdES.detached";
  ctx.detached_only = true;
  pdf::Object m_obj = doc.resolve_key(sig, "M");
  if (const pdf::String* m = m_obj.get<pdf::String>())
    ctx.claimed_time = pdf::parse_pdf_date(pdf::text_to_utf8(*m));
  pdf::Object reason_obj = doc.resolve_key(sig, "Reason");
  if (const pdf::String* reason = reason_obj.get<pdf::String>()) r.reason = pdf::text_to_utf8(*reason);
  // Proof of existence: the earliest valid document time-stamp over a revision holding this one.
  for (const DocumentTimestamp& p : proofs)
    if (p.end >= end && (!ctx.document_timestamp || p.time < *ctx.document_timestamp)) ctx.document_timestamp = p.time;
  ctx.content_digests = [&](const std::vector<DigestAlgorithm>& algorithms) {
    std::vector<Digest> out;
    for (DigestAlgorithm a : algorithms) {
      Hasher h(a);
      h.update(data.first(gap_begin));
      h.update(data.subspan(gap_end, end - gap_end));
      out.push_back(h.finish());
    }
    return out;
  };
  check_cms(gap_bytes, ctx, r);
  return std::nullopt;
}

// What came after each signature: only validation data, document time-stamps and further
// signatures may (EN 319 142-1 §5.4); the revisions' changes go into the report.
void check_later_revisions(ByteView data, const pdf::Limits& limits, const std::vector<pdf::SignatureField>& fields,
                           ChangeLevel max_changes, FileReport& report) {
  std::size_t first = 0, last = 0;
  std::vector<SignedRevision> signed_revisions;
  for (std::size_t i = 0; i < report.signatures.size(); ++i) {
    const SignatureReport& r = report.signatures[i];
    if (r.signed_bytes == 0) continue;  // its byte range was unusable: already invalid
    first = first == 0 ? r.signed_bytes : std::min(first, r.signed_bytes);
    last = std::max(last, r.signed_bytes);
    if (fields[i].value_ref)
      signed_revisions.push_back({*fields[i].value_ref, r.signed_bytes, r.valid, r.subfilter == "ETSI.RFC3161"});
  }
  if (first == 0) return;
  try {
    report.revisions = later_revisions(data, first, report.path, signed_revisions, limits);
  } catch (const Error& e) {
    fail_file(report, "cannot analyse the updates after the first signature: " + e.reason());
    return;
  }
  // The document's certification, when it has one, governs what follows every signature: that
  // of its first signature, when /Perms names it (a later signature that claims a DocMDP
  // transform certifies nothing and widens no one's tolerance).
  Certification document = Certification::none;
  const SignatureReport* earliest = nullptr;
  for (const SignatureReport& r : report.signatures)
    if (r.signed_bytes != 0 && (!earliest || r.signed_bytes < earliest->signed_bytes)) earliest = &r;
  if (earliest && std::none_of(earliest->checks.begin(), earliest->checks.end(),
                               [](const Check& c) { return c.name == "certification" && !c.ok; }))
    document = earliest->certification;
  for (SignatureReport& r : report.signatures) {
    if (r.signed_bytes == 0) continue;
    // A certification signature tolerates what its level permits, and so does an approval
    // signature of a certified document; in other documents an approval signature tolerates
    // `max_changes`. A FieldMDP lock forbids filling or signing the fields it locks.
    const ChangeLevel tolerated = document != Certification::none ? tolerated_changes(document) : max_changes;
    std::string problem;
    for (const RevisionReport& rev : report.revisions) {
      if (rev.end <= r.signed_bytes) continue;
      for (const ObjectChange& c : rev.changes) {
        if (!problem.empty()) break;
        const std::string change = fmt::format("the update ending at byte {} {} {} ({})", rev.end, c.change, c.what, c.object);
        if (c.level == ChangeLevel::other)
          problem = "modified after signing: " + change;
        else if (c.level > tolerated && document != Certification::none)
          problem = fmt::format("{}, {}, which the document's certification (P{}) does not permit", change, to_string(c.level),
                                static_cast<int>(document));
        else if (c.level > tolerated)
          problem = fmt::format("{}, {}, which the verify policy (at most {}) does not permit", change, to_string(c.level),
                                to_string(max_changes));
        else if ((c.level == ChangeLevel::signing || c.level == ChangeLevel::form_filling) &&
                 (r.locked_fields.all || (!c.field.empty() && r.locked_fields.locks(c.field))))
          problem = fmt::format("{}, a field this signature locks", change);
      }
    }
    add_check(r, "later_changes", problem.empty(), problem);
    conclude(r);
  }
  // Bytes after the last complete revision are not part of any revision anyone signed.
  const std::size_t end = report.revisions.empty() ? last : std::max(last, report.revisions.back().end);
  if (end < data.size() && !only_whitespace(data.subspan(end)))
    fail_file(report, fmt::format("modified after signing: {} bytes were added after the last signature", data.size() - end));
}

// What a reader sees: each signature's revision and the final revision rendered and compared,
// outside the areas the later allowed changes may paint (none, for a revision the object rules
// refused: the report then shows what its changes did to the page).
void check_visual(ByteView data, VisualPolicy policy, FileReport& report) {
  if (policy == VisualPolicy::off || report.revisions.empty()) return;
  std::vector<VisualJob> jobs;
  std::vector<SignatureReport*> judged;
  for (SignatureReport& r : report.signatures) {
    if (r.signed_bytes == 0) continue;
    VisualJob job{r.signed_bytes, {}};
    bool later = false;
    for (const RevisionReport& rev : report.revisions) {
      if (rev.end <= r.signed_bytes) continue;
      later = true;
      job.areas.insert(job.areas.end(), rev.areas.begin(), rev.areas.end());
    }
    if (!later) continue;
    jobs.push_back(std::move(job));
    judged.push_back(&r);
  }
  const std::vector<VisualResult> results = compare_renderings(data, jobs);
  for (std::size_t i = 0; i < judged.size(); ++i) {
    SignatureReport& r = *judged[i];
    const VisualResult& v = results[i];
    r.visual_changes = v.changes;
    if (!v.error.empty()) {
      add_check(r, "visual_integrity", policy == VisualPolicy::warn, "cannot compare what a reader sees: " + v.error,
                {Indication::indeterminate, sub::sig_constraints_failure});
    } else if (!v.changes.empty()) {
      std::string what;
      for (const VisualChange& c : v.changes) {
        if (!what.empty()) what += "; ";
        what += c.box.page == 0 ? c.what
                                : fmt::format("page {}: {} at [{:.0f} {:.0f} {:.0f} {:.0f}]", c.box.page, c.what, c.box.x0,
                                              c.box.y0, c.box.x1, c.box.y1);
      }
      add_check(r, "visual_integrity", policy == VisualPolicy::warn, "what a reader sees changed after signing: " + what);
    } else {
      add_check(r, "visual_integrity", true, "the final revision looks as signed, but for later signatures, fields and annotations");
    }
    conclude(r);
  }
}

// B-LTA (EN 319 142-1 §6.4): a B-LT signature whose validation data a later valid document
// time-stamp covers: every OCSP response and CRL its validation used is in the DSS of the
// time-stamped revision (evidence added after the time-stamp is not archived by it).
void assign_archive_level(ByteView data, const pdf::Limits& limits, FileReport& report) {
  for (SignatureReport& r : report.signatures) {
    if (r.level != "B-LT") continue;
    for (const SignatureReport& ts : report.signatures) {
      if (ts.subfilter != "ETSI.RFC3161" || !ts.valid || ts.signed_bytes <= r.signed_bytes) continue;
      try {
        if (archives_evidence_of(pdf::read_dss(pdf::Document::parse(data.first(ts.signed_bytes), report.path, limits)), r.used))
          r.level = "B-LTA";
      } catch (const Error&) {
      }
    }
  }
}

}  // namespace

void verify_pdf(ByteView data, const CmsContext& base, const VerifyOptions& options, FileReport& report) {
  report.kind = "pdf";
  pdf::Budget budget(data.size());
  pdf::Limits limits;
  limits.budget = &budget;
  std::optional<pdf::Document> doc;
  std::vector<pdf::SignatureField> fields;
  der::ValidationData dss;
  CmsContext with_dss = base;
  try {
    doc.emplace(pdf::Document::parse(data, report.path, limits));
    if (doc->encrypted()) throw Error(Errc::input, report.path, "encrypted PDFs are not supported by verify");
    fields = pdf::signature_fields(*doc);
    dss = pdf::read_dss(*doc);
    with_dss.revocation.embedded = &dss;
  } catch (const Error& e) {
    fail_file(report, "not a well-formed PDF: " + e.reason());
    return;
  }
  if (fields.empty()) {
    fail_file(report, "the PDF has no signatures");
    return;
  }
  // One signature dictionary is one signature: a second field pointing at it shows a signer twice.
  std::map<pdf::Ref, std::size_t> uses;
  for (const pdf::SignatureField& f : fields)
    if (f.value_ref) ++uses[*f.value_ref];
  // Document time-stamps first: a valid one is proof of existence for the signatures it covers.
  report.signatures.resize(fields.size());
  std::vector<DocumentTimestamp> proofs;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const pdf::SignatureField& f = fields[i];
      pdf::Object subfilter = doc->resolve_key(f.value, "SubFilter");
      const pdf::Name* sf = subfilter.get<pdf::Name>();
      if ((sf != nullptr && sf->value == "ETSI.RFC3161") != (pass == 0)) continue;
      SignatureReport& r = report.signatures[i];
      try {
        if (f.value_ref && uses[*f.value_ref] > 1) {
          r.field = f.name;
          add_check(r, "signature_field", false,
                    fmt::format("signature dictionary {} {} is the value of {} fields", f.value_ref->num, f.value_ref->gen,
                                uses[*f.value_ref]));
          conclude(r);
        } else {
          if (auto proven = verify_signature(data, *doc, limits, f, with_dss, proofs, r)) proofs.push_back({r.signed_bytes, *proven});
        }
      } catch (const Error& e) {
        add_check(r, "structure", false, e.reason());
        conclude(r);
      }
    }
  }
  // Only a document's first signature may certify it (§12.8.2.2), and /Perms /DocMDP must name one.
  try {
    if (std::optional<pdf::Ref> author = pdf::docmdp_signature(*doc)) {
      std::optional<std::size_t> certifying;
      for (std::size_t i = 0; i < fields.size(); ++i)
        if (fields[i].value_ref && *fields[i].value_ref == *author) certifying = i;
      if (!certifying || report.signatures[*certifying].certification == Certification::none) {
        fail_file(report, "the catalog's /Perms /DocMDP does not name a certification signature");
      } else {
        SignatureReport& author_report = report.signatures[*certifying];
        for (const SignatureReport& other : report.signatures)
          if (&other != &author_report && other.signed_bytes != 0 && other.signed_bytes < author_report.signed_bytes) {
            add_check(author_report, "certification", false,
                      "a certification signature must be the document's first, but " + other.field + " signs an earlier revision");
            conclude(author_report);
            break;
          }
      }
    }
  } catch (const Error& e) {
    fail_file(report, "not a well-formed PDF: " + e.reason());
  }
  check_later_revisions(data, limits, fields, options.max_changes, report);
  check_visual(data, options.visual, report);
  assign_archive_level(data, limits, report);
  conclude(report);
}

}  // namespace esign::verify
