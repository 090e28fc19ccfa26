// The visible signature box: a light frame and the signer's text in Helvetica.
#include "pdf/appearance.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "pdf/text.h"

namespace esign::pdf {

namespace {
// A literal string for a content stream, already in WinAnsi.
std::string literal(const std::string& winansi) {
  std::string out = "(";
  for (char c : winansi) {
    if (c == '(' || c == ')' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + ")";
}
}  // namespace

Stream appearance_stream(double width, double height, const std::string& text) {
  Stream s;
  s.dict["Type"] = Object(Name{"XObject"});
  s.dict["Subtype"] = Object(Name{"Form"});
  s.dict["BBox"] = Object(Array{Object(0.0), Object(0.0), Object(width), Object(height)});
  if (text.empty()) return s;

  Dict font{{"Type", Object(Name{"Font"})}, {"Subtype", Object(Name{"Type1"})},
            {"BaseFont", Object(Name{"Helvetica"})}, {"Encoding", Object(Name{"WinAnsiEncoding"})}};
  s.dict["Resources"] = Object(Dict{{"Font", Object(Dict{{"F1", Object(std::move(font))}})}});

  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) lines.push_back(to_winansi(line));
  std::size_t longest = 1;
  for (const auto& l : lines) longest = std::max(longest, l.size());
  // Helvetica's average advance is about 0.52 em: fit both height and width, at most 10 pt.
  const double margin = 3;
  double size = std::min({10.0, (height - 2 * margin) / (1.2 * static_cast<double>(lines.size())),
                          (width - 2 * margin) / (0.52 * static_cast<double>(longest))});
  size = std::max(size, 2.0);
  std::string content = fmt::format("q 0.96 0.97 1 rg 0 0 {0:.2f} {1:.2f} re f 0.2 0.3 0.6 RG 0.8 w 0.4 0.4 {2:.2f} {3:.2f} re S Q\n",
                                    width, height, width - 0.8, height - 0.8);
  content += fmt::format("BT 0 g /F1 {0:.2f} Tf {1:.2f} TL {2:.2f} {3:.2f} Td\n", size, size * 1.2, margin,
                         height - margin - size);
  for (std::size_t i = 0; i < lines.size(); ++i) content += (i ? "T* " : "") + literal(lines[i]) + " Tj\n";
  content += "ET\n";
  s.data.assign(content.begin(), content.end());
  return s;
}

}  // namespace esign::pdf
