// Builds small PDF files in memory for the reader tests, computing every offset as it writes.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "esign/bytes.h"

namespace esign::pdf::test {

inline std::string deflate(const std::string& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                static_cast<uLong>(data.size()), 9) != Z_OK) {
    throw std::runtime_error("compress2 failed");
  }
  out.resize(size);
  return out;
}

class PdfBuilder {
 public:
  explicit PdfBuilder(std::string header = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n") : out_(std::move(header)) {}

  // Appends `num gen obj\n<body>\nendobj\n` and records its offset for the next xref section.
  std::size_t object(std::uint32_t num, const std::string& body, std::uint16_t gen = 0) {
    const std::size_t at = out_.size();
    out_ += std::to_string(num) + " " + std::to_string(gen) + " obj\n" + body + "\nendobj\n";
    pending_[num] = {at, gen};
    return at;
  }
  // A stream object with the given dictionary entries (without /Length) and raw data.
  std::size_t stream(std::uint32_t num, const std::string& dict_entries, const std::string& data) {
    return object(num, "<<" + dict_entries + " /Length " + std::to_string(data.size()) + ">>\nstream\n" + data +
                           "\nendstream");
  }
  // Objects kept in an object stream (written later by `object_stream`).
  void compressed(std::uint32_t stream_num, std::vector<std::pair<std::uint32_t, std::string>> objects) {
    std::string header, body;
    std::uint32_t index = 0;
    for (const auto& [num, text] : objects) {
      header += std::to_string(num) + " " + std::to_string(body.size()) + " ";
      body += text + "\n";
      compressed_[num] = {stream_num, index++};
    }
    stream(stream_num,
           "/Type /ObjStm /N " + std::to_string(objects.size()) + " /First " + std::to_string(header.size()) +
               " /Filter /FlateDecode",
           deflate(header + body));
  }

  // An xref stream entry saying object `num` is at `index` of object stream `stream_num`.
  void compressed_entry(std::uint32_t num, std::uint32_t stream_num, std::uint32_t index) {
    compressed_[num] = {stream_num, index};
  }

  void raw(const std::string& text) { out_ += text; }
  std::size_t size() const { return out_.size(); }

  // A classic xref section for the objects written since the last section (plus object 0 when
  // `with_free_head`), then `trailer <<...>>`. Returns the section's offset.
  std::size_t xref_table(const std::string& trailer_entries, const std::string& eol = " \n", bool with_free_head = true) {
    const std::size_t at = out_.size();
    out_ += "xref\n";
    std::map<std::uint32_t, std::pair<std::size_t, std::uint16_t>> entries = pending_;
    if (with_free_head) entries[0] = {0, 65535};
    for (auto it = entries.begin(); it != entries.end();) {
      auto end = it;
      std::uint32_t next = it->first;
      while (end != entries.end() && end->first == next) ++end, ++next;
      out_ += std::to_string(it->first) + " " + std::to_string(next - it->first) + "\n";
      for (; it != end; ++it) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu %05u %c", it->second.first, static_cast<unsigned>(it->second.second),
                      it->first == 0 && with_free_head ? 'f' : 'n');
        out_ += line + eol;
      }
    }
    out_ += "trailer\n<<" + trailer_entries + ">>\n";
    pending_.clear();
    return at;
  }

  // An xref stream (object `num`, W [1 4 2], FlateDecode with the PNG Up predictor) listing the
  // objects written since the last section and the compressed ones. Returns its offset.
  std::size_t xref_stream(std::uint32_t num, const std::string& dict_entries, bool predictor = true) {
    const std::size_t at = out_.size();
    std::map<std::uint32_t, std::vector<std::uint8_t>> rows;
    const auto row = [](std::uint8_t type, std::uint64_t f2, std::uint16_t f3) {
      return std::vector<std::uint8_t>{type, std::uint8_t(f2 >> 24), std::uint8_t(f2 >> 16), std::uint8_t(f2 >> 8),
                                       std::uint8_t(f2), std::uint8_t(f3 >> 8), std::uint8_t(f3)};
    };
    for (const auto& [n, e] : pending_) rows[n] = row(1, e.first, e.second);
    for (const auto& [n, c] : compressed_) rows[n] = row(2, c.first, static_cast<std::uint16_t>(c.second));
    rows[num] = row(1, at, 0);
    std::string index;
    std::string data;
    std::vector<std::uint8_t> prev(7, 0);
    for (auto it = rows.begin(); it != rows.end();) {
      auto end = it;
      std::uint32_t next = it->first;
      while (end != rows.end() && end->first == next) ++end, ++next;
      index += std::to_string(it->first) + " " + std::to_string(next - it->first) + " ";
      for (; it != end; ++it) {
        if (predictor) {
          data += '\x02';  // PNG Up
          for (std::size_t i = 0; i < 7; ++i) data += static_cast<char>(it->second[i] - prev[i]);
          prev = it->second;
        } else {
          data.append(it->second.begin(), it->second.end());
        }
      }
    }
    std::string dict = "/Type /XRef /W [1 4 2] /Index [" + index + "] " + dict_entries + " /Filter /FlateDecode";
    if (predictor) dict += " /DecodeParms <</Columns 7 /Predictor 12>>";
    out_ += std::to_string(num) + " 0 obj\n<<" + dict + " /Length " + std::to_string(deflate(data).size()) +
            ">>\nstream\n" + deflate(data) + "\nendstream\nendobj\n";
    pending_.clear();
    compressed_.clear();
    return at;
  }

  std::string finish(std::size_t startxref, const std::string& tail = "\n") {
    out_ += "startxref\n" + std::to_string(startxref) + "\n%%EOF" + tail;
    return out_;
  }

 private:
  std::string out_;
  std::map<std::uint32_t, std::pair<std::size_t, std::uint16_t>> pending_;
  std::map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> compressed_;
};

// A minimal valid document: catalog 1, pages 2, `pages` page objects from 3 with a shared content 
// stream as the last object. Returns the builder with the objects written (no xref yet).
inline PdfBuilder minimal_document(int pages = 1) {
  PdfBuilder b;
  const std::uint32_t content = 3 + static_cast<std::uint32_t>(pages);
  b.object(1, "<</Type /Catalog /Pages 2 0 R>>");
  std::string kids;
  for (int i = 0; i < pages; ++i) kids += std::to_string(3 + i) + " 0 R ";
  b.object(2, "<</Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + ">>");
  for (int i = 0; i < pages; ++i) {
    b.object(3 + static_cast<std::uint32_t>(i),
             "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + std::to_string(content) + " 0 R>>");
  }
  b.stream(content, "", "BT /F1 12 Tf 72 720 Td (Hello) Tj ET");
  return b;
}

}  // namespace esign::pdf::test
