// The incremental-update writer.
#include "pdf/incremental.h"

#include <fmt/format.h>

#include <openssl/rand.h>

#include "esign/error.h"

namespace esign::pdf {

IncrementalUpdate::IncrementalUpdate(const Document& base) : base_(base), next_num_(base.size()) {}

Ref IncrementalUpdate::add(Object object) {
  std::string body;
  serialize(object, body);
  return add_raw(std::move(body));
}

Ref IncrementalUpdate::add_raw(std::string body) {
  Ref ref{next_num_++, 0};
  bodies_[ref] = std::move(body);
  return ref;
}

void IncrementalUpdate::replace(Ref ref, Object object) {
  std::string body;
  serialize(object, body);
  bodies_[ref] = std::move(body);
}

namespace {

// Consecutive runs of object numbers, as xref subsections and /Index pairs need them.
std::vector<std::pair<std::uint32_t, std::uint32_t>> runs(const std::map<Ref, std::size_t>& offsets) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  for (const auto& [ref, offset] : offsets) {
    if (!out.empty() && out.back().first + out.back().second == ref.num) ++out.back().second;
    else out.emplace_back(ref.num, 1);
  }
  return out;
}

void put_be(Bytes& out, std::uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string IncrementalUpdate::write() {
  const std::size_t base_size = base_.data().size();
  std::string out;
  ByteView data = base_.data();
  if (data.empty() || (data.back() != '\n' && data.back() != '\r')) out.push_back('\n');

  std::map<Ref, std::size_t> object_offsets;
  for (const auto& [ref, body] : bodies_) {
    object_offsets[ref] = base_size + out.size();
    out += fmt::format("{} {} obj\n", ref.num, ref.gen);
    body_offsets_[ref] = base_size + out.size();
    out += body;
    out += "\nendobj\n";
  }

  // The trailer keys that carry over (ISO 32000-1 §7.5.6: /Prev points at the previous section).
  Dict trailer;
  for (const char* key : {"Root", "Info", "ID"}) {
    if (const auto it = base_.trailer().find(key); it != base_.trailer().end()) trailer[key] = it->second;
  }
  // §14.4: the second /ID string changes with each update; the first stays.
  if (auto* id = trailer.count("ID") ? trailer["ID"].get<Array>() : nullptr; id && id->size() == 2) {
    // OpenSSL's per-thread generator: no random device opened per document.
    Bytes fresh(16);
    if (RAND_bytes(fresh.data(), static_cast<int>(fresh.size())) != 1)
      throw Error(Errc::internal, "", "no random bytes for the document /ID");
    (*id)[1] = Object(String{fresh, true});
  }
  trailer["Prev"] = Object(static_cast<std::int64_t>(base_.startxref()));

  std::size_t xref_offset = base_size + out.size();
  if (base_.xref_kind() == XrefKind::table) {
    trailer["Size"] = Object(static_cast<std::int64_t>(next_num_));
    out += "xref\n";
    for (auto [first, count] : runs(object_offsets)) {
      out += fmt::format("{} {}\n", first, count);
      for (std::uint32_t n = first; n < first + count; ++n) {
        auto it = object_offsets.lower_bound(Ref{n, 0});
        out += fmt::format("{:010} {:05} n\r\n", it->second, it->first.gen);
      }
    }
    out += "trailer\n";
    serialize(Object(trailer), out);
    out += "\n";
  } else {
    // §7.5.8: a cross-reference stream, listing itself too; W [1 4 2] covers offsets below 4 GiB.
    if (xref_offset > 0xffffffffu) throw Error(Errc::input, base_.name(), "file too large for this cross-reference stream");
    Ref self{next_num_++, 0};
    object_offsets[self] = xref_offset;
    Bytes rows;
    Array index;
    for (auto [first, count] : runs(object_offsets)) {
      index.emplace_back(static_cast<std::int64_t>(first));
      index.emplace_back(static_cast<std::int64_t>(count));
      for (std::uint32_t n = first; n < first + count; ++n) {
        auto it = object_offsets.lower_bound(Ref{n, 0});
        rows.push_back(1);
        put_be(rows, it->second, 4);
        put_be(rows, it->first.gen, 2);
      }
    }
    trailer["Type"] = Object(Name{"XRef"});
    trailer["Size"] = Object(static_cast<std::int64_t>(next_num_));
    trailer["W"] = Object(Array{Object(std::int64_t{1}), Object(std::int64_t{4}), Object(std::int64_t{2})});
    trailer["Index"] = Object(std::move(index));
    Stream xref_stream;
    xref_stream.dict = std::move(trailer);
    xref_stream.data = std::move(rows);
    out += fmt::format("{} 0 obj\n", self.num);
    serialize(Object(std::move(xref_stream)), out);
    out += "\nendobj\n";
  }
  out += fmt::format("startxref\n{}\n%%EOF\n", xref_offset);
  return out;
}

}  // namespace esign::pdf
