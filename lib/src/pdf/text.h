// PDF text strings and dates (ISO 32000-1 §7.9.2, §7.9.4).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "pdf/object.h"

namespace esign::pdf {

// PDFDocEncoding for printable ASCII, UTF-16BE with a byte order mark otherwise.
String text_string(const std::string& utf8);
// The UTF-8 form of a text string (either encoding).
std::string text_to_utf8(const String& s);
// "D:YYYYMMDDHHmmSS+00'00'" in UTC.
std::string pdf_date(std::chrono::system_clock::time_point t);
// Parses a PDF date (with optional parts and time zone); nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_pdf_date(const std::string& text);
// UTF-8 to Windows-1252 for the standard Helvetica font; unmappable characters become '?'.
std::string to_winansi(const std::string& utf8);

}  // namespace esign::pdf
