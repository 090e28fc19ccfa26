// The PDF reader (cross-reference tables and streams, object streams, filters, the page tree)
// and everything verify does with a PDF: revisions, signature dictionaries, byte ranges, the
// CMS inside, incremental-update analysis; and what sign checks first, the search for hidden
// content (pdf/hidden.h). Any input must end in a report or an esign::Error,
// within the reader's budget, without a sanitizer finding.
#include <cstdint>

#include "esign/error.h"
#include "fuzz_support.h"
#include "pdf/document.h"
#include "pdf/hidden.h"

using namespace esign;

namespace {

void read_everything(ByteView data) {
  pdf::Budget budget(data.size());
  pdf::Limits limits;
  limits.budget = &budget;
  pdf::Document doc = pdf::Document::parse(data, "fuzz.pdf", limits);
  for (const auto& [num, entry] : doc.xref()) {
    if (entry.type == pdf::XrefEntry::Type::free) continue;
    try {
      pdf::Object object = doc.get(pdf::Ref{num, entry.gen});
      if (const auto* stream = object.get<pdf::Stream>()) doc.decode(*stream);
    } catch (const Error&) {
      if (budget.exhausted()) return;
    }
  }
  doc.catalog();
  doc.pages();
  (void)pdf::hidden_content(doc, limits);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::offline_verifier();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    read_everything(ByteView(data, size));
  } catch (const Error&) {
  }
  try {
    fuzz::offline_verifier().verify_file(fuzz::scratch_file("input.pdf", data, size));
  } catch (const Error&) {
  }
  return 0;
}
